import {
  AreaChartOutlined,
  BarChartOutlined,
  DeleteOutlined,
  DotChartOutlined,
  FieldNumberOutlined,
  FunnelPlotOutlined,
  HolderOutlined,
  LineChartOutlined,
  PieChartOutlined,
  TableOutlined,
} from '@ant-design/icons';
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
import { arrayMove, SortableContext, useSortable, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import {
  CHART_TYPES,
  DATASET_SOURCES,
  GRANULARITIES,
  REPORT_DATASETS,
  type ReportDefinition,
  type ReportFilter,
} from '@opsloom/spec';
import { Empty, Input, InputNumber, Select, Space, Tag, Tooltip, Typography } from 'antd';
import { memo, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Palette } from '../components/Palette.tsx';
import { reportItemOf } from '../components/problems.ts';
import { type MessageKey, textOf, useLocale, useT, useText } from '../i18n.ts';
import { useDefinitions, useFormInfo } from '../lookups.ts';
import { useEditor } from '../store/editor.ts';
import {
  addToZone,
  aggregatesFor,
  COUNT_FIELD,
  type FieldOption,
  fieldsOf,
  OPS_FOR,
  removeFromZone,
  report,
  ZONES,
  type Zone,
} from './model.ts';
import { ReportPreview } from './ReportPreview.tsx';
import { ReportSidePanel } from './ReportSidePanel.tsx';

const NO_PARAMS: NonNullable<ReportDefinition['params']> = [];

const CHART_ICONS: Record<string, React.ReactNode> = {
  table: <TableOutlined />,
  bar: <BarChartOutlined />,
  line: <LineChartOutlined />,
  area: <AreaChartOutlined />,
  pie: <PieChartOutlined />,
  number: <FieldNumberOutlined />,
  gauge: <DotChartOutlined />,
  funnel: <FunnelPlotOutlined />,
  heatmap: <DotChartOutlined />,
};

const KIND_COLOR: Record<string, string> = {
  dimension: 'blue',
  time: 'purple',
  number: 'green',
  duration: 'cyan',
  boolean: 'gold',
  form: 'geekblue',
};

/** The fields of the report's dataset, and of its form's indexed fields on records. */
export function useReportFields(): FieldOption[] {
  const source = useEditor((s) => report(s.def).dataset?.source ?? 'records');
  const form = useEditor((s) => report(s.def).dataset?.form);
  const info = useFormInfo(source === 'records' ? form : undefined);
  const indexed = useMemo(
    () =>
      info.indexed.map((key) => {
        const f = info.fields.find((x) => x.key === key);
        return { key, title: f?.title ?? key, numeric: f?.type === 'number' || f?.type === 'integer' };
      }),
    [info],
  );
  return useMemo(() => fieldsOf(source, indexed), [source, indexed]);
}

/**
 * The report designer, a Metabase-style question builder: the dataset's fields on the left are
 * dragged into Dimensions, Measures and Filters (dnd-kit, as the form designer); the chart type, a
 * live preview on the real data (POST /reports/preview) and the chart options follow. Every change
 * goes through the editor store, so undo, the JSON tab and validation see it.
 */
export default function ReportDesigner() {
  const t = useT();
  const text = useText();
  const fields = useReportFields();
  const [dragging, setDragging] = useState<string | null>(null);
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 4 } }));

  const onDragStart = (e: DragStartEvent) => setDragging(String(e.active.id));
  const onDragEnd = (e: DragEndEvent) => {
    setDragging(null);
    const active = String(e.active.id);
    const over = e.over ? String(e.over.id) : null;
    if (!over) return;
    const target = /^(?:zone|item):(dimensions|measures|filters)/.exec(over)?.[1] as Zone | undefined;
    if (!target) return;
    if (active.startsWith('field:')) {
      const name = active.slice('field:'.length);
      const field = name === COUNT_FIELD ? null : (fields.find((f) => f.name === name) ?? null);
      if (name !== COUNT_FIELD && !field) return;
      let index = -1;
      useEditor.getState().update((d) => {
        index = addToZone(report(d), target, field);
      });
      if (index >= 0) useEditor.getState().select({ reportItem: `${target}:${index}` });
      return;
    }
    // An item moved within its zone.
    const from = /^item:(\w+):(\d+)$/.exec(active);
    const to = /^item:(\w+):(\d+)$/.exec(over);
    if (!from || !to || from[1] !== to[1] || from[2] === to[2]) return;
    const zone = from[1] as Zone;
    useEditor.getState().update((d) => {
      const r = report(d) as unknown as Record<Zone, unknown[]>;
      r[zone] = arrayMove(r[zone], Number(from[2]), Number(to[2]));
    });
    useEditor.getState().select({ reportItem: `${zone}:${to[2]}` });
  };

  const draggedField = dragging?.startsWith('field:') ? dragging.slice(6) : null;
  const dragLabel =
    draggedField === COUNT_FIELD
      ? t('report.countRows')
      : draggedField
        ? text(fields.find((f) => f.name === draggedField)?.label ?? draggedField)
        : null;

  return (
    <DndContext
      sensors={sensors}
      collisionDetection={pointerWithin}
      onDragStart={onDragStart}
      onDragEnd={onDragEnd}
    >
      <div style={{ display: 'flex', height: '100%' }} data-testid="report-designer">
        <FieldList fields={fields} />
        <div
          style={{
            flex: 1,
            minWidth: 380,
            overflow: 'auto',
            padding: 12,
            background: '#f5f5f5',
            display: 'flex',
            flexDirection: 'column',
            gap: 12,
          }}
        >
          <DatasetBar />
          <div style={{ display: 'grid', gridTemplateColumns: 'repeat(3, minmax(0, 1fr))', gap: 12 }}>
            {ZONES.map((z) => (
              <ZoneBox key={z} zone={z} fields={fields} />
            ))}
          </div>
          <ChartTypePicker />
          <ReportPreview />
        </div>
        <div style={{ width: 340, borderLeft: '1px solid #f0f0f0', overflow: 'auto', background: '#fff' }}>
          <ReportSidePanel fields={fields} />
        </div>
      </div>
      <DragOverlay>
        {dragLabel ? (
          <Tag color="blue" style={{ padding: '4px 10px' }}>
            {dragLabel}
          </Tag>
        ) : null}
      </DragOverlay>
    </DndContext>
  );
}

function DatasetBar() {
  const t = useT();
  const text = useText();
  const source = useEditor((s) => report(s.def).dataset?.source);
  const form = useEditor((s) => report(s.def).dataset?.form);
  const forms = useDefinitions().filter((d) => d.kind === 'form' && d.latestVersion > 0);
  return (
    <Space wrap>
      <Typography.Text strong>{t('report.dataset')}</Typography.Text>
      <Select
        data-testid="report-dataset"
        style={{ width: 240 }}
        value={source}
        onChange={(v) =>
          useEditor.getState().update((d) => {
            report(d).dataset = { ...report(d).dataset, source: v };
          })
        }
        options={DATASET_SOURCES.map((s) => ({ value: s, label: text(REPORT_DATASETS[s].label) }))}
      />
      <Typography.Text>{t('report.form')}</Typography.Text>
      <Select
        data-testid="report-form"
        allowClear
        showSearch
        optionFilterProp="label"
        placeholder={t('report.allTypes')}
        style={{ width: 220 }}
        value={form}
        onChange={(v?: string) =>
          useEditor.getState().update((d) => {
            const ds = report(d).dataset;
            if (v) ds.form = v;
            else delete ds.form;
          })
        }
        options={forms.map((f) => ({ value: f.key, label: `${text(f.name)} (${f.key})` }))}
      />
    </Space>
  );
}

function FieldList({ fields }: { fields: FieldOption[] }) {
  const t = useT();
  const [q, setQ] = useState('');
  const locale = useLocale((s) => s.locale);
  const shown = fields.filter(
    (f) => !q || f.name.toLowerCase().includes(q.toLowerCase()) || textOf(f.label, locale).includes(q),
  );
  return (
    <Palette title={t('report.fields')} hint={t('report.fieldsHint')} onSearch={setQ} testId="report-fields">
      <FieldChip name={COUNT_FIELD} label={t('report.countRows')} kind="number" />
      {shown.map((f) => (
        <FieldChip key={f.name} name={f.name} label={textOf(f.label, locale)} kind={f.kind} />
      ))}
    </Palette>
  );
}

function FieldChip({ name, label, kind }: { name: string; label: string; kind: string }) {
  const t = useT();
  const { setNodeRef, listeners, attributes } = useDraggable({ id: `field:${name}` });
  return (
    <div
      ref={setNodeRef}
      {...listeners}
      {...attributes}
      data-testid={`report-field-${name}`}
      title={name === COUNT_FIELD ? undefined : name}
      style={{
        display: 'flex',
        alignItems: 'center',
        gap: 6,
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
      <span
        style={{ flex: 1, minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}
      >
        {label}
      </span>
      <Tag color={KIND_COLOR[kind]} style={{ marginInlineEnd: 0, fontSize: 11 }}>
        {t(`report.kind.${kind}` as MessageKey)}
      </Tag>
    </div>
  );
}

function ZoneBox({ zone, fields }: { zone: Zone; fields: FieldOption[] }) {
  const t = useT();
  const count = useEditor((s) => ((report(s.def)[zone] as unknown[] | undefined) ?? []).length);
  const { setNodeRef, isOver } = useDroppable({ id: `zone:${zone}` });
  const items = useMemo(() => Array.from({ length: count }, (_, i) => `item:${zone}:${i}`), [count, zone]);
  return (
    <div
      ref={setNodeRef}
      data-testid={`report-zone-${zone}`}
      style={{
        minHeight: 150,
        padding: 8,
        borderRadius: 8,
        background: isOver ? '#e6f4ff' : '#fff',
        border: `2px dashed ${isOver ? '#1677ff' : '#d9d9d9'}`,
      }}
    >
      <Typography.Text strong>{t(`report.zone.${zone}` as MessageKey)}</Typography.Text>
      <SortableContext items={items} strategy={verticalListSortingStrategy}>
        {items.map((id, i) => (
          <ZoneItem key={id} zone={zone} index={i} fields={fields} />
        ))}
      </SortableContext>
      {count === 0 && (
        <Empty
          image={Empty.PRESENTED_IMAGE_SIMPLE}
          description={t(`report.zone.${zone}.empty` as MessageKey)}
          style={{ margin: '8px 0' }}
        />
      )}
    </div>
  );
}

const ZoneItem = memo(function ZoneItem({
  zone,
  index,
  fields,
}: {
  zone: Zone;
  index: number;
  fields: FieldOption[];
}) {
  const t = useT();
  const text = useText();
  const id = `${zone}:${index}`;
  const item = useEditor((s) => ((report(s.def)[zone] as unknown[] | undefined) ?? [])[index]) as
    | Record<string, unknown>
    | undefined;
  const selected = useEditor((s) => s.selection.reportItem === id);
  const problems = useEditor(
    useShallow((s) => [...s.serverProblems, ...s.problems].filter((p) => reportItemOf(p) === id)),
  );
  const { setNodeRef, listeners, attributes, transform, transition, isDragging } = useSortable({
    id: `item:${id}`,
  });
  if (!item) return null;
  const fieldName = item.field as string | undefined;
  const field = fields.find((f) => f.name === fieldName);
  const label =
    zone === 'measures' && item.agg === 'count' && !fieldName
      ? t('report.countRows')
      : text(item.label ?? field?.label ?? fieldName ?? String(item.id ?? ''));
  const update = (recipe: (x: Record<string, unknown>) => void) =>
    useEditor.getState().update((d) => {
      const list = report(d)[zone] as Record<string, unknown>[] | undefined;
      if (list?.[index]) recipe(list[index]);
    });
  const invalid = problems.length > 0;
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: selecting shows its properties; the panel is keyboard-reachable
    <div
      ref={setNodeRef}
      data-testid={`report-${zone}-${index}`}
      data-field={fieldName}
      data-invalid={invalid || undefined}
      onClick={() => useEditor.getState().select({ reportItem: id })}
      onKeyDown={() => {}}
      style={{
        transform: CSS.Transform.toString(transform),
        transition,
        opacity: isDragging ? 0.5 : 1,
        margin: '6px 0',
        padding: '6px 8px',
        background: invalid ? '#fff2f0' : '#fff',
        borderRadius: 6,
        border: `1px solid ${invalid ? '#ff4d4f' : selected ? '#1677ff' : '#e8e8e8'}`,
        boxShadow: selected ? '0 0 0 2px rgba(22,119,255,.2)' : undefined,
        cursor: 'pointer',
      }}
    >
      <div style={{ display: 'flex', alignItems: 'center', gap: 6 }}>
        <HolderOutlined {...listeners} {...attributes} style={{ cursor: 'grab', color: '#999' }} />
        <Tooltip title={invalid ? problems.map((p) => text(p.message)).join('\n') : fieldName}>
          <span
            style={{ flex: 1, minWidth: 0, fontWeight: 500, overflow: 'hidden', textOverflow: 'ellipsis' }}
          >
            {label}
          </span>
        </Tooltip>
        <DeleteOutlined
          data-testid={`report-${zone}-${index}-remove`}
          aria-label={t('common.delete')}
          style={{ color: '#ff4d4f' }}
          onClick={(e) => {
            e.stopPropagation();
            useEditor.getState().update((d) => removeFromZone(report(d), zone, index));
            useEditor.getState().select({});
          }}
        />
      </div>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: keeps clicks on the inputs from re-selecting */}
      <div style={{ marginTop: 4 }} onClick={(e) => e.stopPropagation()} onKeyDown={() => {}}>
        {zone === 'dimensions' && (
          <DimensionControls item={item} field={field} update={update} testId={`report-${zone}-${index}`} />
        )}
        {zone === 'measures' && (
          <MeasureControls item={item} field={field} update={update} testId={`report-${zone}-${index}`} />
        )}
        {zone === 'filters' && (
          <FilterControls
            item={item as unknown as ReportFilter}
            field={field}
            update={update}
            testId={`report-${zone}-${index}`}
          />
        )}
      </div>
    </div>
  );
});

type Update = (recipe: (x: Record<string, unknown>) => void) => void;

function DimensionControls({
  item,
  field,
  update,
  testId,
}: {
  item: Record<string, unknown>;
  field?: FieldOption;
  update: Update;
  testId: string;
}) {
  const t = useT();
  if (field?.kind !== 'time' && item.granularity === undefined)
    return (
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {field ? t(`report.kind.${field.kind}` as MessageKey) : String(item.field ?? '')}
      </Typography.Text>
    );
  return (
    <Select
      size="small"
      style={{ width: '100%' }}
      data-testid={`${testId}-granularity`}
      value={item.granularity as string | undefined}
      placeholder={t('report.granularity')}
      allowClear={field?.kind !== 'time'}
      onChange={(v?: string) =>
        update((x) => {
          if (v) x.granularity = v;
          else delete x.granularity;
        })
      }
      options={GRANULARITIES.map((g) => ({ value: g, label: t(`report.granularity.${g}` as MessageKey) }))}
    />
  );
}

function MeasureControls({
  item,
  field,
  update,
  testId,
}: {
  item: Record<string, unknown>;
  field?: FieldOption;
  update: Update;
  testId: string;
}) {
  const t = useT();
  const options = item.field === undefined ? ['count'] : aggregatesFor(field?.kind, field?.numeric);
  if (item.agg === 'ratio')
    return (
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('report.agg.ratio')}: {String(item.of)} / {String(item.over)}
      </Typography.Text>
    );
  const all = options.includes(String(item.agg)) ? options : [String(item.agg), ...options];
  return (
    <Select
      size="small"
      style={{ width: '100%' }}
      data-testid={`${testId}-agg`}
      value={item.agg as string}
      onChange={(v: string) =>
        update((x) => {
          x.agg = v;
        })
      }
      options={all.map((a) => ({ value: a, label: t(`report.agg.${a}` as MessageKey) }))}
    />
  );
}

function FilterControls({
  item,
  field,
  update,
  testId,
}: {
  item: ReportFilter;
  field?: FieldOption;
  update: Update;
  testId: string;
}) {
  const t = useT();
  const params = useEditor((s) => report(s.def).params) ?? NO_PARAMS;
  const ops = OPS_FOR[field?.kind ?? 'dimension'];
  const allOps = ops.includes(item.op) ? ops : [item.op, ...ops];
  const source = item.param !== undefined ? `param:${item.param}` : 'value';
  return (
    <Space orientation="vertical" size={4} style={{ width: '100%' }}>
      <Space.Compact block>
        <Select
          size="small"
          style={{ width: '45%' }}
          data-testid={`${testId}-op`}
          value={item.op}
          onChange={(v: string) =>
            update((x) => {
              x.op = v;
              if (v === 'isNull') {
                delete x.value;
                delete x.param;
              }
              if (v === 'between' && !Array.isArray(x.value) && x.param === undefined) x.value = ['', ''];
              if (v === 'in' && !Array.isArray(x.value) && x.param === undefined)
                x.value = x.value === undefined || x.value === '' ? [] : [x.value];
            })
          }
          options={allOps.map((o) => ({ value: o, label: t(`report.op.${o}` as MessageKey) }))}
        />
        {item.op !== 'isNull' && (
          <Select
            size="small"
            style={{ width: '55%' }}
            data-testid={`${testId}-source`}
            value={source}
            onChange={(v: string) =>
              update((x) => {
                if (v === 'value') {
                  delete x.param;
                } else {
                  x.param = v.slice('param:'.length);
                  delete x.value;
                }
              })
            }
            options={[
              { value: 'value', label: t('report.filter.fixed') },
              ...params.map((p) => ({
                value: `param:${p.key}`,
                label: t('report.filter.param', { key: p.key }),
              })),
            ]}
          />
        )}
      </Space.Compact>
      {item.op !== 'isNull' && item.param === undefined && (
        <FilterValue item={item} field={field} update={update} testId={`${testId}-value`} />
      )}
    </Space>
  );
}

function FilterValue({
  item,
  field,
  update,
  testId,
}: {
  item: ReportFilter;
  field?: FieldOption;
  update: Update;
  testId: string;
}) {
  const t = useT();
  const numeric = field?.kind === 'number' || field?.numeric;
  const set = (v: unknown) =>
    update((x) => {
      if (v === undefined || v === '' || v === null) delete x.value;
      else x.value = v;
    });
  if (field?.kind === 'boolean')
    return (
      <Select
        size="small"
        style={{ width: '100%' }}
        data-testid={testId}
        value={item.value as boolean | undefined}
        onChange={set}
        options={[
          { value: true, label: t('report.yes') },
          { value: false, label: t('report.no') },
        ]}
      />
    );
  if (item.op === 'in')
    return (
      <Select
        size="small"
        mode="tags"
        style={{ width: '100%' }}
        data-testid={testId}
        value={Array.isArray(item.value) ? (item.value as string[]) : []}
        onChange={(v: string[]) =>
          update((x) => {
            x.value = v;
          })
        }
        open={false}
        placeholder={t('report.filter.values')}
      />
    );
  if (item.op === 'between') {
    const pair = Array.isArray(item.value) ? (item.value as unknown[]) : ['', ''];
    const setAt = (i: number, v: string) => {
      const next = [...pair];
      next[i] = numeric && v !== '' && !Number.isNaN(Number(v)) ? Number(v) : v;
      update((x) => {
        x.value = next;
      });
    };
    return (
      <Space.Compact block>
        <Input
          size="small"
          data-testid={`${testId}-from`}
          value={String(pair[0] ?? '')}
          onChange={(e) => setAt(0, e.target.value)}
        />
        <Input
          size="small"
          data-testid={`${testId}-to`}
          value={String(pair[1] ?? '')}
          onChange={(e) => setAt(1, e.target.value)}
        />
      </Space.Compact>
    );
  }
  if (numeric)
    return (
      <InputNumber
        size="small"
        style={{ width: '100%' }}
        data-testid={testId}
        value={typeof item.value === 'number' ? item.value : null}
        onChange={(v) => set(v ?? undefined)}
      />
    );
  return (
    <Input
      size="small"
      data-testid={testId}
      placeholder={t('report.filter.value')}
      value={
        typeof item.value === 'string'
          ? item.value
          : item.value === undefined
            ? ''
            : JSON.stringify(item.value)
      }
      onChange={(e) => set(e.target.value)}
    />
  );
}

function ChartTypePicker() {
  const t = useT();
  const type = useEditor((s) => report(s.def).chart?.type);
  return (
    <div
      style={{ display: 'flex', gap: 6, flexWrap: 'wrap', alignItems: 'center' }}
      data-testid="report-chart-types"
    >
      <Typography.Text strong style={{ marginInlineEnd: 6 }}>
        {t('report.chartType')}
      </Typography.Text>
      {CHART_TYPES.map((c) => (
        <button
          type="button"
          key={c}
          data-testid={`report-chart-${c}`}
          aria-pressed={type === c}
          onClick={() =>
            useEditor.getState().update((d) => {
              const r = report(d) as ReportDefinition;
              r.chart = { ...r.chart, type: c };
            })
          }
          style={{
            display: 'flex',
            alignItems: 'center',
            gap: 4,
            padding: '4px 10px',
            borderRadius: 6,
            cursor: 'pointer',
            background: type === c ? '#e6f4ff' : '#fff',
            border: `1px solid ${type === c ? '#1677ff' : '#d9d9d9'}`,
            color: type === c ? '#1677ff' : undefined,
          }}
        >
          {CHART_ICONS[c]}
          {t(`report.chart.${c}` as MessageKey)}
        </button>
      ))}
    </div>
  );
}
