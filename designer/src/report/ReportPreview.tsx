import { ReloadOutlined } from '@ant-design/icons';
import { DATE_RANGE_PRESETS, type Definition } from '@opsloom/spec';
import { Alert, Button, Input, Select, Space, Spin, Table, Typography } from 'antd';
import { lazy, Suspense, useEffect, useMemo, useRef, useState } from 'react';
import { ApiFailure, api, type RunResult } from '../api.ts';
import { type MessageKey, useT } from '../i18n.ts';
import { useEditor } from '../store/editor.ts';
import { report } from './model.ts';

const NO_PARAMS: { key: string; type: string; default?: unknown }[] = [];
const Chart = lazy(() => import('@opsloom/web-charts/chart').then((m) => ({ default: m.Chart })));

type State =
  | { status: 'waiting' }
  | { status: 'loading'; result?: RunResult }
  | { status: 'ok'; result: RunResult }
  | { status: 'failed'; message: string };

/**
 * The report as it stands, run on the real data by the runtime (POST /reports/preview: checked as a
 * publish checks it, over the records this admin may see), shortly after it stops changing and only
 * while the browser finds no problem. The server's problems (references) join the problems panel.
 */
export function ReportPreview() {
  const t = useT();
  const def = useEditor((s) => s.def);
  const local = useEditor((s) => s.problems.length);
  const params = useEditor((s) => report(s.def).params) ?? NO_PARAMS;
  const [values, setValues] = useState<Record<string, unknown>>({});
  const [state, setState] = useState<State>({ status: 'waiting' });
  const [again, setAgain] = useState(0);
  const seq = useRef(0);

  useEffect(() => {
    if (!def || local > 0) {
      setState({ status: 'waiting' });
      return;
    }
    const mine = ++seq.current;
    const timer = setTimeout(() => {
      setState((s) => ({ status: 'loading', result: s.status === 'ok' ? s.result : undefined }));
      const sent = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined && v !== ''));
      api.previewReport(def as Definition, sent).then(
        (result) => {
          if (mine !== seq.current) return;
          setState({ status: 'ok', result });
          if (useEditor.getState().serverProblems.length) useEditor.getState().setServerProblems([]);
        },
        (e: unknown) => {
          if (mine !== seq.current) return;
          if (e instanceof ApiFailure && e.status === 422 && e.code === 'invalid_definition')
            useEditor.getState().setServerProblems(e.problems);
          setState({ status: 'failed', message: e instanceof Error ? e.message : String(e) });
        },
      );
    }, 500);
    return () => clearTimeout(timer);
  }, [def, local, values, again]);

  const result = state.status === 'ok' || state.status === 'loading' ? state.result : undefined;
  const type = (def as { chart?: { type?: string } } | null)?.chart?.type;

  return (
    <div
      style={{
        background: '#fff',
        borderRadius: 8,
        padding: 12,
        minHeight: 360,
        display: 'flex',
        flexDirection: 'column',
      }}
      data-testid="report-preview"
      data-status={state.status}
      data-rows={result?.rows.length ?? ''}
    >
      <Space style={{ marginBottom: 8 }} wrap>
        <Typography.Text strong>{t('report.preview')}</Typography.Text>
        {params.map((p) => (
          <Space.Compact key={p.key}>
            <Button size="small" disabled>
              {p.key}
            </Button>
            {p.type === 'dateRange' ? (
              <Select
                size="small"
                allowClear
                style={{ width: 130 }}
                data-testid={`preview-param-${p.key}`}
                placeholder={
                  typeof p.default === 'string' ? t(`preset.${p.default}` as MessageKey) : undefined
                }
                value={values[p.key] as string | undefined}
                onChange={(v) => setValues({ ...values, [p.key]: v })}
                showSearch
                optionFilterProp="label"
                options={DATE_RANGE_PRESETS.map((x) => ({ value: x, label: t(`preset.${x}` as MessageKey) }))}
              />
            ) : (
              <Input
                size="small"
                style={{ width: 130 }}
                data-testid={`preview-param-${p.key}`}
                placeholder={p.default === undefined ? t('report.paramAll') : String(p.default)}
                value={(values[p.key] as string | undefined) ?? ''}
                onChange={(e) => setValues({ ...values, [p.key]: e.target.value })}
              />
            )}
          </Space.Compact>
        ))}
        <Button
          size="small"
          icon={<ReloadOutlined />}
          onClick={() => setAgain(again + 1)}
          aria-label={t('report.refresh')}
          data-testid="preview-refresh"
        />
        {result && (
          <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="preview-summary">
            {t('report.previewRows', { n: result.total })}
          </Typography.Text>
        )}
        {state.status === 'loading' && <Spin size="small" />}
      </Space>
      {state.status === 'waiting' && (
        <Alert type="info" showIcon title={local ? t('report.previewBlocked') : t('report.previewWaiting')} />
      )}
      {state.status === 'failed' && (
        <Alert type="warning" showIcon title={t('report.previewFailed')} description={state.message} />
      )}
      {result && (type === 'table' ? <ResultTable result={result} /> : <ChartOf result={result} />)}
    </div>
  );
}

function ChartOf({ result }: { result: RunResult }) {
  return (
    <div style={{ flex: 1, minHeight: 320 }}>
      <Suspense fallback={<Spin />}>
        <Chart option={result.chart} testId="preview-chart" fresh />
      </Suspense>
    </div>
  );
}

function ResultTable({ result }: { result: RunResult }) {
  const columns = useMemo(
    () =>
      result.columns.map((c) => ({
        key: c.key,
        title: c.label,
        dataIndex: c.key,
        render: (v: unknown) =>
          c.role === 'dimension' ? (result.labels[c.key]?.[String(v)] ?? String(v ?? '')) : String(v ?? ''),
      })),
    [result],
  );
  return (
    <Table
      size="small"
      data-testid="preview-table"
      rowKey={(_, i) => String(i)}
      columns={columns}
      dataSource={result.rows}
      pagination={{ pageSize: 20, hideOnSinglePage: true }}
    />
  );
}
