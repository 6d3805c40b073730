import { DesktopOutlined, ReloadOutlined, ShareAltOutlined } from '@ant-design/icons';
import { formatTime } from '@opsloom/web-forms/format';
import { Button, Grid, Result, Space, Spin, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useLocation, useSearch } from 'wouter';
import { widgetParams } from '../../../dashboards/widget-params.ts';
import { get, HttpError, type User } from '../../shared/api.ts';
import type { DashboardDefinition } from '../../shared/dashboard-types.ts';
import { useT } from '../../shared/i18n.ts';
import { FilterBar } from './FilterBar.tsx';
import { filterValues, GAP_PX, ROW_PX, withFilter } from './model.ts';
import { SharesModal } from './SharesModal.tsx';
import { Widget, type WidgetSpec } from './Widget.tsx';

interface ReportSummary {
  key: string;
  name: unknown;
  chart: string;
  params: { key: string }[];
}

/**
 * One dashboard: its filters, its grid of report widgets (CSS grid from each widget's x, y, w, h
 * on the dashboard's 24 columns; one column on a phone), refreshed every `refreshSeconds` while
 * the tab is visible. Admins issue and revoke its wall-screen links here.
 */
export default function DashboardPage({ dashKey, user }: { dashKey: string; user: User }) {
  const { t, tx, locale } = useT();
  const search = useSearch();
  const [, navigate] = useLocation();
  const screens = Grid.useBreakpoint();
  const [def, setDef] = useState<DashboardDefinition | null>(null);
  const [reports, setReports] = useState<Map<string, ReportSummary> | null>(null);
  const [missing, setMissing] = useState(false);
  const [refresh, setRefresh] = useState(0);
  const [refreshedAt, setRefreshedAt] = useState(Date.now());
  const [sharing, setSharing] = useState(false);

  useEffect(() => {
    let live = true;
    setDef(null);
    setMissing(false);
    Promise.all([
      get<DashboardDefinition>(`/dashboards/${encodeURIComponent(dashKey)}`),
      get<{ items: ReportSummary[] }>('/reports'),
    ])
      .then(([d, r]) => {
        if (!live) return;
        setDef(d);
        setReports(new Map(r.items.map((x) => [x.key, x])));
      })
      .catch((err) => {
        if (live && err instanceof HttpError && err.status === 404) setMissing(true);
        else throw err;
      });
    return () => {
      live = false;
    };
  }, [dashKey]);

  const bump = useCallback(() => {
    setRefresh((n) => n + 1);
    setRefreshedAt(Date.now());
  }, []);
  useEffect(() => {
    if (!def?.refreshSeconds) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') bump();
    }, def.refreshSeconds * 1000);
    return () => clearInterval(timer);
  }, [def?.refreshSeconds, bump]);

  const filters = useMemo(() => def?.filters ?? [], [def]);
  const values = useMemo(() => filterValues(filters, search), [filters, search]);
  const specs: WidgetSpec[] = useMemo(() => {
    if (!def || !reports) return [];
    return def.widgets.map((w) => {
      const report = reports.get(w.report);
      return {
        id: w.id,
        report: w.report,
        chart: report?.chart ?? null,
        title: w.title ? tx(w.title) : report ? tx(report.name) : w.report,
        params: widgetParams(w, filters, values, report?.params.map((p) => p.key) ?? []),
      };
    });
  }, [def, reports, filters, values, locale]);

  if (missing) return <Result status="404" title={t('dash.notFound')} />;
  if (!def || !reports) return <Spin style={{ margin: 64, display: 'block' }} />;

  const columns = def.columns ?? 24;
  const narrow = !screens.md;
  const ordered = narrow ? [...def.widgets].sort((a, b) => a.y - b.y || a.x - b.x) : def.widgets;
  const change = (param: string, value: unknown) => {
    let next = search;
    if (param === '*') for (const f of filters) next = withFilter(next, f.param, undefined).slice(1);
    else next = withFilter(next, param, value).slice(1);
    navigate(`/dashboards/${encodeURIComponent(dashKey)}${next ? `?${next}` : ''}`, { replace: true });
  };

  return (
    <div data-testid="dashboard-page" data-dashboard={dashKey}>
      <div style={{ display: 'flex', alignItems: 'baseline', gap: 12, flexWrap: 'wrap', marginBottom: 8 }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {tx(def.name)}
        </Typography.Title>
        {def.description ? <Typography.Text type="secondary">{tx(def.description)}</Typography.Text> : null}
        <Space style={{ marginLeft: 'auto' }} wrap>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {def.refreshSeconds ? `${t('dash.autoRefresh', { s: def.refreshSeconds })} · ` : ''}
            {t('dash.updatedAt', { at: formatTime(refreshedAt, locale) })}
          </Typography.Text>
          <Button size="small" icon={<ReloadOutlined />} onClick={bump} data-testid="dashboard-refresh">
            {t('common.refresh')}
          </Button>
          {def.bigScreen ? (
            <Button
              size="small"
              icon={<DesktopOutlined />}
              href={`/bigscreen/${encodeURIComponent(dashKey)}`}
              target="_blank"
              data-testid="open-bigscreen"
            >
              {t('dash.openBigScreen')}
            </Button>
          ) : null}
          {user.roles.includes('admin') ? (
            <Button
              size="small"
              icon={<ShareAltOutlined />}
              onClick={() => setSharing(true)}
              data-testid="dashboard-shares"
            >
              {t('share.button')}
            </Button>
          ) : null}
        </Space>
      </div>
      <FilterBar filters={filters} values={values} onChange={change} />
      <div
        data-testid="dashboard-grid"
        style={{
          display: 'grid',
          gridTemplateColumns: narrow ? '1fr' : `repeat(${columns}, minmax(0, 1fr))`,
          gridAutoRows: ROW_PX,
          gap: GAP_PX,
        }}
      >
        {ordered.map((w) => {
          const spec = specs.find((s) => s.id === w.id)!;
          return (
            <div
              key={w.id}
              style={
                narrow
                  ? { gridRow: `span ${w.h}` }
                  : { gridColumn: `${w.x + 1} / span ${w.w}`, gridRow: `${w.y + 1} / span ${w.h}` }
              }
            >
              <Widget spec={spec} refresh={refresh} />
            </div>
          );
        })}
      </div>
      {sharing ? <SharesModal dashKey={dashKey} onClose={() => setSharing(false)} /> : null}
    </div>
  );
}
