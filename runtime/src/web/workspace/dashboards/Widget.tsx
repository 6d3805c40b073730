import { MoreOutlined } from '@ant-design/icons';
import { Chart } from '@opsloom/web-charts/chart';
import type { ECharts } from '@opsloom/web-charts/echarts';
import { Alert, Button, Card, Dropdown, Empty, Spin, Table, Typography } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useLocation } from 'wouter';
import { paramsQuery } from '../../../dashboards/widget-params.ts';
import { HttpError, post } from '../../shared/api.ts';
import { dimensionLabel, figureOf, formatFigure } from '../../shared/charts/result.ts';
import type { Drill, RunResult } from '../../shared/dashboard-types.ts';
import { useT } from '../../shared/i18n.ts';
import { drillHref } from './model.ts';

/** What the dashboard hands each widget: where it stands, which report, its parameters. */
export interface WidgetSpec {
  id: string;
  report: string;
  /** The report's chart type (GET /reports), null when the report is not offered to the viewer. */
  chart: string | null;
  title: string;
  params: Record<string, unknown>;
}

/**
 * A report widget: runs its report (POST /reports/{key}/run) whenever its parameters change or the
 * dashboard refreshes — keeping the figures shown until the new ones arrive, so a refresh moves
 * them in place — and draws the result: a big figure, a table, or an ECharts chart. Clicking a
 * bar, a slice, a cell or the figure opens the records list behind it. Its menu: view as table
 * (or as chart), export CSV / XLSX (the export API, same parameters), save as PNG, open in the list.
 */
export function Widget({ spec, refresh }: { spec: WidgetSpec; refresh: number }) {
  const { t, locale } = useT();
  const [, navigate] = useLocation();
  const [result, setResult] = useState<RunResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [asTable, setAsTable] = useState(false);
  const chart = useRef<ECharts | null>(null);
  const paramsKey = JSON.stringify(spec.params);

  useEffect(() => {
    let live = true;
    setLoading(true);
    post<RunResult>(`/reports/${encodeURIComponent(spec.report)}/run`, { params: spec.params })
      .then((r) => {
        if (!live) return;
        setResult(r);
        setError(null);
      })
      .catch((err) => {
        if (!live) return;
        setError(err instanceof HttpError ? err.message : String(err));
        setResult(null);
      })
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [spec.report, paramsKey, refresh, locale]);

  const open = (drill: Drill) => navigate(drillHref(drill, spec.title));
  const whole = result ? wholeDrill(result) : undefined;

  function download(format: 'csv' | 'xlsx') {
    const q = paramsQuery(spec.params);
    q.set('format', format);
    const a = document.createElement('a');
    a.href = `/api/v1/reports/${encodeURIComponent(spec.report)}/export?${q.toString()}`;
    a.download = '';
    document.body.append(a);
    a.click();
    a.remove();
  }
  function png() {
    const url = chart.current?.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#fff' });
    if (!url) return;
    const a = document.createElement('a');
    a.href = url;
    a.download = `${spec.title || spec.report}.png`;
    document.body.append(a);
    a.click();
    a.remove();
  }

  const kind = spec.chart === 'number' || spec.chart === 'table' ? spec.chart : 'chart';
  const showTable = kind === 'table' || (asTable && kind === 'chart');
  const menu = {
    items: [
      ...(kind === 'chart'
        ? [{ key: 'table', label: asTable ? t('widget.asChart') : t('widget.asTable') }]
        : []),
      { key: 'csv', label: t('widget.exportCsv') },
      { key: 'xlsx', label: t('widget.exportXlsx') },
      { key: 'png', label: t('widget.png'), disabled: kind !== 'chart' || asTable },
      { key: 'list', label: t('widget.openList'), disabled: !whole },
    ],
    onClick: ({ key }: { key: string }) => {
      if (key === 'table') setAsTable((x) => !x);
      else if (key === 'csv' || key === 'xlsx') download(key);
      else if (key === 'png') png();
      else if (key === 'list' && whole) open(whole);
    },
  };

  return (
    <Card
      size="small"
      title={spec.title}
      data-testid={`widget-${spec.id}`}
      data-loading={loading ? 'true' : 'false'}
      style={{ height: '100%', display: 'flex', flexDirection: 'column' }}
      styles={{ body: { flex: 1, minHeight: 0, padding: 8, position: 'relative' } }}
      extra={
        <Dropdown menu={menu} trigger={['click']}>
          <Button
            size="small"
            type="text"
            icon={<MoreOutlined />}
            aria-label={t('widget.menu')}
            data-testid={`widget-menu-${spec.id}`}
          />
        </Dropdown>
      }
    >
      {error ? (
        <Alert type="warning" showIcon title={t('widget.error', { message: error })} />
      ) : !result ? (
        <Spin style={{ position: 'absolute', inset: 0, margin: 'auto', height: 32 }} />
      ) : kind === 'number' ? (
        <NumberFigure result={result} onDrill={open} testId={`figure-${spec.id}`} />
      ) : result.rows.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('widget.empty')} />
      ) : showTable ? (
        <ResultTable result={result} onDrill={open} testId={`table-${spec.id}`} />
      ) : (
        <Chart option={result.chart} onDrill={open} chartRef={chart} testId={`chart-${spec.id}`} />
      )}
    </Card>
  );
}

/**
 * The records behind the whole widget: what the engine says (`list`, when it sends one), else the
 * drill of a one-row result.
 */
function wholeDrill(result: RunResult): Drill | undefined {
  const list = (result as RunResult & { list?: Drill }).list;
  if (list) return list;
  const measure = result.columns.find((c) => c.role === 'measure');
  return result.rows.length === 1 && measure ? result.drill[0]?.[measure.key] : undefined;
}

/** A `number` chart: the figure, large, with its caption; clicking it opens its records. */
function NumberFigure({
  result,
  onDrill,
  testId,
}: {
  result: RunResult;
  onDrill(d: Drill): void;
  testId: string;
}) {
  const { locale } = useT();
  const f = figureOf(result);
  const text = f.value === null ? '–' : `${f.value.toLocaleString(locale)}${f.suffix}`;
  return (
    <div
      style={{
        height: '100%',
        display: 'flex',
        flexDirection: 'column',
        alignItems: 'center',
        justifyContent: 'center',
      }}
    >
      {f.drill ? (
        <Typography.Link
          onClick={() => onDrill(f.drill!)}
          style={{ fontSize: 40, fontWeight: 600, lineHeight: 1.1 }}
          data-testid={testId}
        >
          {text}
        </Typography.Link>
      ) : (
        <span style={{ fontSize: 40, fontWeight: 600, lineHeight: 1.1 }} data-testid={testId}>
          {text}
        </span>
      )}
      <Typography.Text type="secondary">{f.caption}</Typography.Text>
    </div>
  );
}

/** A result as a table: dimensions by their names, figures formatted, counts linked to their records. */
export function ResultTable({
  result,
  onDrill,
  testId,
}: {
  result: RunResult;
  onDrill(d: Drill): void;
  testId: string;
}) {
  const { locale } = useT();
  const columns = useMemo(
    () =>
      result.columns.map((c) => ({
        key: c.key,
        title: c.label,
        align: c.role === 'dimension' ? ('left' as const) : ('right' as const),
        render: (_: unknown, { i }: { i: number }) => {
          const row = result.rows[i]!;
          if (c.role === 'dimension') return dimensionLabel(result, c, row);
          const text = formatFigure(c, row[c.key], locale);
          const drill = c.role === 'measure' ? result.drill[i]?.[c.key] : undefined;
          return drill ? <Typography.Link onClick={() => onDrill(drill)}>{text}</Typography.Link> : text;
        },
      })),
    [result, locale, onDrill],
  );
  return (
    <Table
      size="small"
      rowKey="i"
      columns={columns}
      dataSource={result.rows.map((_, i) => ({ i }))}
      pagination={result.rows.length > 50 ? { pageSize: 50, size: 'small' } : false}
      scroll={{ y: '100%' }}
      style={{ height: '100%', overflow: 'auto' }}
      data-testid={testId}
    />
  );
}
