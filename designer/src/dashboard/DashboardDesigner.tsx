import { DeleteOutlined, DragOutlined, PlusOutlined } from '@ant-design/icons';
import {
  DndContext,
  type DragEndEvent,
  DragOverlay,
  type DragStartEvent,
  PointerSensor,
  pointerWithin,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
} from '@dnd-kit/core';
import {
  DASHBOARD_FILTER_TYPES,
  DASHBOARD_ROLES,
  DATE_RANGE_PRESETS,
  type DashboardDefinition,
} from '@opsloom/spec';
import {
  Alert,
  Button,
  Divider,
  Empty,
  Form,
  Input,
  InputNumber,
  Select,
  Space,
  Spin,
  Tag,
  Typography,
} from 'antd';
import { lazy, memo, Suspense, useEffect, useMemo, useRef, useState } from 'react';
import ReactGridLayout, { type Layout, useContainerWidth, verticalCompactor } from 'react-grid-layout';
import 'react-grid-layout/css/styles.css';
import { useShallow } from 'zustand/react/shallow';
import { api, type ReportSummary, type RunResult } from '../api.ts';
import { I18nInput } from '../components/inputs.tsx';
import { Palette } from '../components/Palette.tsx';
import { ParamDefaultInput } from '../components/ParamDefaultInput.tsx';
import { widgetOf } from '../components/problems.ts';
import { type MessageKey, useT, useText } from '../i18n.ts';
import { useReports } from '../lookups.ts';
import { freeId } from '../process/nodeTypes.ts';
import { useEditor } from '../store/editor.ts';

const Chart = lazy(() => import('@opsloom/web-charts/chart').then((m) => ({ default: m.Chart })));

const FILTER_TYPES = DASHBOARD_FILTER_TYPES;
const ROLES = DASHBOARD_ROLES;
const ROW_HEIGHT = 40;
const MARGIN = 8;
const NEW_W = 8;
const NEW_H = 6;

const NO_FILTERS: NonNullable<DashboardDefinition['filters']> = [];
const dash = (d: unknown) => d as DashboardDefinition;
type Widget = DashboardDefinition['widgets'][number];

const overlaps = (a: Omit<Widget, 'id' | 'report'>, b: Omit<Widget, 'id' | 'report'>) =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/**
 * The dashboard designer: published reports on the left are dragged onto a grid (dnd-kit, as the
 * other designers); on the grid, widgets move by their header and resize by their corner
 * (react-grid-layout). The side panel sets the selected widget's report, title and parameters, or
 * the dashboard's filters and audience. Each widget previews its report on the real data.
 */
export default function DashboardDesigner() {
  const t = useT();
  const text = useText();
  const reports = useReports();
  const [dragging, setDragging] = useState<string | null>(null);
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 4 } }));
  const gridRef = useRef<HTMLDivElement | null>(null);
  const columns = useEditor((s) => dash(s.def).columns ?? 24);

  const onDragStart = (e: DragStartEvent) => setDragging(String(e.active.id));
  const onDragEnd = (e: DragEndEvent) => {
    setDragging(null);
    const active = String(e.active.id);
    if (!active.startsWith('report:') || e.over?.id !== 'grid' || !gridRef.current) return;
    const start = e.activatorEvent as PointerEvent;
    const px = start.clientX + e.delta.x;
    const py = start.clientY + e.delta.y;
    const box = gridRef.current.getBoundingClientRect();
    const colWidth = (box.width - MARGIN * (columns + 1)) / columns;
    const cell = {
      x: Math.max(0, Math.floor((px - box.left - MARGIN) / (colWidth + MARGIN))),
      y: Math.max(0, Math.floor((py - box.top - MARGIN) / (ROW_HEIGHT + MARGIN))),
    };
    addWidget(active.slice('report:'.length), cell, columns);
  };

  const dragged = dragging?.startsWith('report:')
    ? reports.find((r) => `report:${r.key}` === dragging)
    : undefined;

  return (
    <DndContext
      sensors={sensors}
      collisionDetection={pointerWithin}
      onDragStart={onDragStart}
      onDragEnd={onDragEnd}
    >
      <div style={{ display: 'flex', height: '100%' }} data-testid="dashboard-designer">
        <ReportPalette reports={reports} />
        <div style={{ flex: 1, minWidth: 400, overflow: 'auto', padding: 12, background: '#f5f5f5' }}>
          <Typography.Text type="secondary">{t('dashboard.grid', { n: columns })}</Typography.Text>
          <Grid gridRef={gridRef} reports={reports} />
        </div>
        <div style={{ width: 340, borderLeft: '1px solid #f0f0f0', overflow: 'auto', background: '#fff' }}>
          <SidePanel reports={reports} />
        </div>
      </div>
      <DragOverlay>
        {dragged ? (
          <Tag color="blue" style={{ padding: '4px 10px' }}>
            {text(dragged.name)}
          </Tag>
        ) : null}
      </DragOverlay>
    </DndContext>
  );
}

/** Adds a widget of `report` at the cell dropped on, or the first free place below it. */
export function addWidget(report: string, at: { x: number; y: number }, columns: number): void {
  const def = dash(useEditor.getState().def);
  const w = Math.min(NEW_W, columns);
  const box = { x: Math.min(at.x, columns - w), y: at.y, w, h: NEW_H };
  while (def.widgets.some((o) => overlaps(box, o))) box.y++;
  const id = freeId(
    report,
    def.widgets.map((x) => x.id),
  );
  useEditor.getState().update((d) => {
    dash(d).widgets.push({ id, report, ...box });
  });
  useEditor.getState().select({ widget: id });
}

function ReportPalette({ reports }: { reports: ReportSummary[] }) {
  const t = useT();
  const text = useText();
  const [q, setQ] = useState('');
  const shown = reports.filter((r) => !q || r.key.includes(q) || text(r.name).includes(q));
  return (
    <Palette
      title={t('dashboard.reports')}
      hint={t('dashboard.reportsHint')}
      onSearch={setQ}
      testId="dashboard-reports"
    >
      {shown.map((r) => (
        <PaletteReport key={r.key} report={r} />
      ))}
      {reports.length === 0 && (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('dashboard.noReports')} />
      )}
    </Palette>
  );
}

function PaletteReport({ report }: { report: ReportSummary }) {
  const t = useT();
  const text = useText();
  const { setNodeRef, listeners, attributes } = useDraggable({ id: `report:${report.key}` });
  return (
    <div
      ref={setNodeRef}
      {...listeners}
      {...attributes}
      data-testid={`dashboard-report-${report.key}`}
      title={report.key}
      style={{
        margin: '4px 0',
        padding: '4px 8px',
        borderRadius: 6,
        background: '#fff',
        border: '1px solid #d9d9d9',
        cursor: 'grab',
        fontSize: 13,
        userSelect: 'none',
        touchAction: 'none',
      }}
    >
      <div>{text(report.name)}</div>
      <Typography.Text type="secondary" style={{ fontSize: 11 }}>
        {t(`report.chart.${report.chart}` as MessageKey)} · {report.key}
      </Typography.Text>
    </div>
  );
}

function Grid({
  gridRef,
  reports,
}: {
  gridRef: React.RefObject<HTMLDivElement | null>;
  reports: ReportSummary[];
}) {
  const t = useT();
  const widgets = useEditor((s) => dash(s.def).widgets);
  const columns = useEditor((s) => dash(s.def).columns ?? 24);
  const { width, containerRef, mounted } = useContainerWidth();
  const { setNodeRef, isOver } = useDroppable({ id: 'grid' });
  const layout = useMemo<Layout>(
    () => widgets.map((w) => ({ i: w.id, x: w.x, y: w.y, w: w.w, h: w.h })),
    [widgets],
  );

  /** Writes the grid's positions back after a move or a resize (only what changed). */
  const commit = (next: Layout) =>
    useEditor.getState().update((d) => {
      for (const item of next) {
        const w = dash(d).widgets.find((x) => x.id === item.i);
        if (!w) continue;
        if (w.x !== item.x) w.x = item.x;
        if (w.y !== item.y) w.y = item.y;
        if (w.w !== item.w) w.w = item.w;
        if (w.h !== item.h) w.h = item.h;
      }
    });

  return (
    <div
      ref={(el) => {
        setNodeRef(el);
        gridRef.current = el;
        (containerRef as { current: HTMLDivElement | null }).current = el;
      }}
      data-testid="dashboard-grid"
      style={{
        marginTop: 8,
        minHeight: 480,
        borderRadius: 8,
        border: `2px dashed ${isOver ? '#1677ff' : '#d9d9d9'}`,
        background: isOver ? '#e6f4ff' : 'transparent',
        position: 'relative',
      }}
    >
      {widgets.length === 0 && <Empty style={{ paddingTop: 120 }} description={t('dashboard.dropHere')} />}
      {mounted && width > 0 && (
        <ReactGridLayout
          width={width}
          layout={layout}
          gridConfig={{ cols: columns, rowHeight: ROW_HEIGHT, margin: [MARGIN, MARGIN] }}
          dragConfig={{ enabled: true, handle: '.dashboard-widget-handle' }}
          resizeConfig={{ enabled: true, handles: ['se'] }}
          compactor={verticalCompactor}
          onDragStop={(l) => commit(l)}
          onResizeStop={(l) => commit(l)}
        >
          {widgets.map((w) => (
            <div key={w.id} data-testid={`dashboard-widget-${w.id}`}>
              <WidgetCard widget={w} reports={reports} />
            </div>
          ))}
        </ReactGridLayout>
      )}
    </div>
  );
}

const WidgetCard = memo(function WidgetCard({
  widget,
  reports,
}: {
  widget: Widget;
  reports: ReportSummary[];
}) {
  const t = useT();
  const text = useText();
  const selected = useEditor((s) => s.selection.widget === widget.id);
  const problems = useEditor(
    useShallow((s) => [...s.serverProblems, ...s.problems].filter((p) => widgetOf(p, s.def) === widget.id)),
  );
  const filters = useEditor((s) => dash(s.def).filters);
  const summary = reports.find((r) => r.key === widget.report);
  const invalid = problems.length > 0;
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: selecting shows its properties; the panel is keyboard-reachable
    <div
      data-testid={`dashboard-widget-${widget.id}-card`}
      data-x={widget.x}
      data-y={widget.y}
      data-invalid={invalid || undefined}
      data-selected={selected || undefined}
      onClick={() => useEditor.getState().select({ widget: widget.id })}
      onKeyDown={() => {}}
      style={{
        height: '100%',
        display: 'flex',
        flexDirection: 'column',
        background: invalid ? '#fff2f0' : '#fff',
        borderRadius: 6,
        border: `1px solid ${invalid ? '#ff4d4f' : selected ? '#1677ff' : '#e8e8e8'}`,
        boxShadow: selected ? '0 0 0 2px rgba(22,119,255,.2)' : undefined,
        overflow: 'hidden',
      }}
    >
      <div
        className="dashboard-widget-handle"
        data-testid={`dashboard-widget-${widget.id}-handle`}
        style={{
          display: 'flex',
          alignItems: 'center',
          gap: 6,
          padding: '4px 8px',
          borderBottom: '1px solid #f0f0f0',
          cursor: 'move',
          background: '#fafafa',
        }}
      >
        <DragOutlined style={{ color: '#999' }} />
        <Typography.Text strong ellipsis style={{ flex: 1 }}>
          {text(widget.title ?? summary?.name ?? widget.report)}
        </Typography.Text>
        <Typography.Text type="secondary" style={{ fontSize: 11 }}>
          {widget.w}×{widget.h}
        </Typography.Text>
      </div>
      <div style={{ flex: 1, minHeight: 0, padding: 4 }}>
        {invalid ? (
          <Alert type="error" showIcon title={problems.map((p) => text(p.message)).join('; ')} />
        ) : summary ? (
          <WidgetPreview widget={widget} filters={filters} summary={summary} />
        ) : (
          <Alert type="warning" showIcon title={t('dashboard.unknownReport', { key: widget.report })} />
        )}
      </div>
    </div>
  );
});

/** The widget's report run as the dashboard would run it: its own params over the filters' defaults. */
function WidgetPreview({
  widget,
  filters,
  summary,
}: {
  widget: Widget;
  filters: DashboardDefinition['filters'];
  summary: ReportSummary;
}) {
  const t = useT();
  const params = useMemo(() => {
    // Parameters the report does not declare are a 400: a filter sets only the reports that have it.
    const own = new Set(summary.params.map((p) => p.key));
    const out: Record<string, unknown> = {};
    for (const f of filters ?? []) if (f.default !== undefined && own.has(f.param)) out[f.param] = f.default;
    for (const [k, v] of Object.entries(widget.params ?? {})) if (own.has(k)) out[k] = v;
    return out;
  }, [filters, widget.params, summary]);
  const key = JSON.stringify([widget.report, params]);
  const [state, setState] = useState<{ key: string; result?: RunResult; error?: string } | null>(null);
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      api.runReport(widget.report, params).then(
        (result) => live && setState({ key, result }),
        (e: Error) => live && setState({ key, error: e.message }),
      );
    }, 300);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key]);
  if (!state) return <Spin size="small" />;
  if (state.error)
    return <Alert type="warning" showIcon title={t('report.previewFailed')} description={state.error} />;
  return (
    <div
      style={{ width: '100%', height: '100%' }}
      data-testid={`dashboard-widget-${widget.id}-preview`}
      data-rows={state.result?.rows.length}
    >
      <Suspense fallback={<Spin size="small" />}>
        <Chart option={state.result!.chart} fresh />
      </Suspense>
    </div>
  );
}

function SidePanel({ reports }: { reports: ReportSummary[] }) {
  const selected = useEditor((s) => s.selection.widget);
  const exists = useEditor((s) => dash(s.def).widgets.some((w) => w.id === selected));
  return (
    <div style={{ padding: 12 }}>
      {selected && exists ? <WidgetPanel id={selected} reports={reports} /> : <DashboardPanel />}
    </div>
  );
}

const setDash = (recipe: (d: DashboardDefinition) => void, coalesce?: string) =>
  useEditor.getState().update((d) => recipe(dash(d)), coalesce);

function WidgetPanel({ id, reports }: { id: string; reports: ReportSummary[] }) {
  const t = useT();
  const text = useText();
  const widget = useEditor((s) => dash(s.def).widgets.find((w) => w.id === id))!;
  const filters = useEditor((s) => dash(s.def).filters) ?? NO_FILTERS;
  const columns = useEditor((s) => dash(s.def).columns ?? 24);
  const summary = reports.find((r) => r.key === widget.report);
  const up = (recipe: (w: Widget) => void, coalesce?: string) =>
    setDash((d) => {
      const w = d.widgets.find((x) => x.id === id);
      if (w) recipe(w);
    }, coalesce);
  return (
    <div data-testid="dashboard-widget-panel">
      <Space style={{ width: '100%', justifyContent: 'space-between' }}>
        <Typography.Title level={5} style={{ margin: 0 }}>
          {t('dashboard.widget')} · {id}
        </Typography.Title>
        <Button size="small" onClick={() => useEditor.getState().select({})}>
          {t('dashboard.settings')}
        </Button>
      </Space>
      <Form layout="vertical" size="small" style={{ marginTop: 12 }}>
        <Form.Item label={t('dashboard.report')}>
          <Select
            data-testid="widget-report"
            showSearch
            optionFilterProp="label"
            value={widget.report}
            onChange={(v: string) =>
              up((w) => {
                w.report = v;
                delete w.params;
              })
            }
            options={reports.map((r) => ({ value: r.key, label: `${text(r.name)} (${r.key})` }))}
          />
        </Form.Item>
        <Form.Item label={t('dashboard.title')}>
          <I18nInput
            value={widget.title}
            testId="widget-title"
            onChange={(v) =>
              up((w) => {
                if (v) w.title = v;
                else delete w.title;
              }, `widget-title:${id}`)
            }
          />
        </Form.Item>
        <Form.Item label={t('dashboard.size')}>
          <Space>
            <InputNumber
              min={1}
              max={columns}
              value={widget.w}
              data-testid="widget-w"
              onChange={(v) =>
                v &&
                up((w) => {
                  w.w = Math.min(v, columns - w.x);
                })
              }
            />
            ×
            <InputNumber
              min={1}
              value={widget.h}
              data-testid="widget-h"
              onChange={(v) =>
                v &&
                up((w) => {
                  w.h = v;
                })
              }
            />
          </Space>
        </Form.Item>
        <Typography.Title level={5}>{t('dashboard.params')}</Typography.Title>
        {!summary?.params.length && (
          <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
            {t('dashboard.noParams')}
          </Typography.Paragraph>
        )}
        {summary?.params.map((p) => {
          const value = widget.params?.[p.key];
          const byFilter = filters.find((f) => f.param === p.key);
          const setValue = (v: unknown) =>
            up((w) => {
              const params = { ...(w.params ?? {}) };
              if (v === undefined || v === '' || (Array.isArray(v) && !v.length)) delete params[p.key];
              else params[p.key] = v;
              if (Object.keys(params).length) w.params = params;
              else delete w.params;
            }, `widget-param:${id}:${p.key}`);
          return (
            <Form.Item
              key={p.key}
              label={`${text(p.label ?? p.key)} (${p.key})`}
              extra={byFilter ? t('dashboard.paramByFilter') : undefined}
            >
              {p.type === 'dateRange' ? (
                <Select
                  allowClear
                  data-testid={`widget-param-${p.key}`}
                  value={value as string | undefined}
                  placeholder={p.default === undefined ? t('report.paramAll') : String(p.default)}
                  onChange={setValue}
                  showSearch
                  optionFilterProp="label"
                  options={DATE_RANGE_PRESETS.map((x) => ({
                    value: x,
                    label: t(`preset.${x}` as MessageKey),
                  }))}
                />
              ) : p.type === 'number' ? (
                <InputNumber
                  data-testid={`widget-param-${p.key}`}
                  value={typeof value === 'number' ? value : null}
                  onChange={(v) => setValue(v ?? undefined)}
                />
              ) : (
                <Select
                  mode="tags"
                  open={false}
                  data-testid={`widget-param-${p.key}`}
                  value={
                    Array.isArray(value) ? (value as string[]) : typeof value === 'string' ? [value] : []
                  }
                  placeholder={p.default === undefined ? t('report.paramAll') : String(p.default)}
                  onChange={(v: string[]) => setValue(v.length > 1 ? v : v[0])}
                />
              )}
            </Form.Item>
          );
        })}
        <Button
          danger
          icon={<DeleteOutlined />}
          data-testid="widget-delete"
          onClick={() => {
            setDash((d) => {
              d.widgets = d.widgets.filter((w) => w.id !== id);
            });
            useEditor.getState().select({});
          }}
        >
          {t('dashboard.removeWidget')}
        </Button>
      </Form>
    </div>
  );
}

function DashboardPanel() {
  const t = useT();
  const def = useEditor((s) => dash(s.def));
  const filters = def.filters ?? [];
  return (
    <div data-testid="dashboard-panel">
      <Typography.Title level={5} style={{ marginTop: 0 }}>
        {t('dashboard.settings')}
      </Typography.Title>
      <Form layout="vertical" size="small">
        <Space>
          <Form.Item label={t('dashboard.columns')}>
            <InputNumber
              min={1}
              max={48}
              value={def.columns ?? 24}
              onChange={(v) =>
                v &&
                setDash((d) => {
                  d.columns = v;
                })
              }
            />
          </Form.Item>
          <Form.Item label={t('dashboard.refresh')}>
            <InputNumber
              min={5}
              value={def.refreshSeconds}
              onChange={(v) =>
                setDash((d) => {
                  if (v) d.refreshSeconds = v;
                  else delete d.refreshSeconds;
                })
              }
            />
          </Form.Item>
        </Space>
        <Form.Item label={t('dashboard.visibleTo')} extra={t('dashboard.visibleToHelp')}>
          <Select
            mode="multiple"
            allowClear
            value={def.visibleTo?.roles ?? []}
            onChange={(v: (typeof ROLES)[number][]) =>
              setDash((d) => {
                if (v.length) d.visibleTo = { roles: v };
                else delete d.visibleTo;
              })
            }
            options={ROLES.map((r) => ({ value: r, label: t(`role.${r}` as MessageKey) }))}
          />
        </Form.Item>
        <Form.Item label={t('dashboard.landingFor')}>
          <Select
            mode="multiple"
            allowClear
            value={def.landingFor ?? []}
            onChange={(v: (typeof ROLES)[number][]) =>
              setDash((d) => {
                if (v.length) d.landingFor = v;
                else delete d.landingFor;
              })
            }
            options={ROLES.map((r) => ({ value: r, label: t(`role.${r}` as MessageKey) }))}
          />
        </Form.Item>
      </Form>
      <Divider style={{ margin: '8px 0' }} />
      <Typography.Title level={5}>{t('dashboard.filters')}</Typography.Title>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {t('dashboard.filtersHelp')}
      </Typography.Paragraph>
      {filters.map((f, i) => (
        <div key={`${i}-${f.param}`} style={{ marginBottom: 8 }} data-testid={`dashboard-filter-${i}`}>
          <Space.Compact block>
            <Input
              size="small"
              style={{ width: '35%' }}
              value={f.param}
              data-testid={`dashboard-filter-${i}-param`}
              onChange={(e) =>
                setDash((d) => {
                  d.filters![i]!.param = e.target.value;
                }, `filter-param:${i}`)
              }
            />
            <Select
              size="small"
              style={{ width: '30%' }}
              value={f.type}
              data-testid={`dashboard-filter-${i}-type`}
              onChange={(v) =>
                setDash((d) => {
                  d.filters![i]!.type = v;
                  delete d.filters![i]!.default;
                })
              }
              options={FILTER_TYPES.map((x) => ({
                value: x,
                label: t(`dashboard.filter.${x}` as MessageKey),
              }))}
            />
            <ParamDefaultInput
              type={f.type}
              value={f.default}
              testId={`dashboard-filter-${i}-default`}
              onChange={(v, typing) =>
                setDash(
                  (d) => {
                    if (v === undefined) delete d.filters![i]!.default;
                    else d.filters![i]!.default = v as string;
                  },
                  typing ? `filter-default:${i}` : undefined,
                )
              }
            />
            <Button
              size="small"
              icon={<DeleteOutlined />}
              aria-label={t('common.delete')}
              onClick={() =>
                setDash((d) => {
                  d.filters!.splice(i, 1);
                  if (!d.filters!.length) delete d.filters;
                })
              }
            />
          </Space.Compact>
          <div style={{ marginTop: 4 }}>
            <I18nInput
              inline
              value={f.label}
              testId={`dashboard-filter-${i}-label`}
              onChange={(v) =>
                setDash((d) => {
                  if (v) d.filters![i]!.label = v;
                  else delete d.filters![i]!.label;
                }, `filter-label:${i}`)
              }
            />
          </div>
        </div>
      ))}
      <Button
        size="small"
        icon={<PlusOutlined />}
        data-testid="dashboard-filter-add"
        onClick={() =>
          setDash((d) => {
            d.filters ??= [];
            const taken = new Set(d.filters.map((f) => f.param));
            const type = FILTER_TYPES.find((x) => !taken.has(x === 'dateRange' ? 'period' : x)) ?? 'group';
            const param = freeId(type === 'dateRange' ? 'period' : type, taken).replace(/-/g, '_');
            d.filters.push(type === 'dateRange' ? { param, type, default: 'last30days' } : { param, type });
          })
        }
      >
        {t('dashboard.addFilter')}
      </Button>
    </div>
  );
}
