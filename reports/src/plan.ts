import {
  type DatasetSource,
  type Granularity,
  type I18nText,
  isoDurationMs,
  REPORT_DATASETS,
  type ReportDefinition,
  type ReportFilter,
  type ReportMeasure,
} from '@opsloom/spec';
import { DateTime } from 'luxon';
import { DATASETS, type FieldImpl, fieldImpl } from './datasets.ts';
import { ReportError } from './errors.ts';
import type { ParamValue, ResolvedParams, TimeRange } from './params.ts';

/**
 * A report definition with its parameters resolved, as data: which dataset, which conditions
 * (filters with their values), dimensions and measures, grouped into the row sets ("variants") the
 * SQL reads. Pure: nothing here touches a database, so plans are tested as values.
 */

/** A filter with its value resolved. `range` is half-open [from, to) on a number or instant. */
export interface Condition {
  field: string;
  op: ReportFilter['op'] | 'range';
  values: unknown[];
  range?: { from?: number; to?: number };
}

export interface PlanDim {
  /** The row and column key: the field, or field#i when a report groups by one field twice. */
  key: string;
  field: string;
  impl: FieldImpl;
  granularity?: Granularity;
  /** Bucket boundaries (ascending), in the field's unit (ms for durations). */
  buckets?: number[];
  bucketLabels?: I18nText[];
  /** Names of category values given by the definition. */
  valueLabels?: Record<string, I18nText>;
  top?: number;
  others: boolean;
  label?: I18nText;
}

export interface PlanMeasure {
  id: string;
  agg: ReportMeasure['agg'];
  field?: string;
  impl?: FieldImpl;
  where: Condition[];
  dateField?: string;
  business?: string;
  of?: string;
  over?: string;
  hidden: boolean;
  format: 'number' | 'percent' | 'duration';
  unit: 'ms' | 's' | 'min' | 'h' | 'd';
  label?: I18nText;
}

/** Measures that share their rows: the same filters, the time axis read from the same field. */
export interface Variant {
  key: string;
  /** The time field of this row set (the time dimension's, or a measure's dateField). */
  timeField?: string;
  conditions: Condition[];
  measures: PlanMeasure[];
}

export interface Plan {
  key: string;
  source: DatasetSource;
  form?: string;
  /** formRows: the form's table field whose rows the report reads. */
  table?: string;
  zone: string;
  now: number;
  dims: PlanDim[];
  /** Index into dims of the first time dimension. */
  timeDim?: number;
  measures: PlanMeasure[];
  variants: Variant[];
  /** The period the default variant covers on its time field, when its filters bound it. */
  range?: { from: number; to: number };
  /** Every field the report uses, with its SQL. */
  fields: Map<string, FieldImpl>;
  sort: { by: string; desc?: boolean }[];
  limit?: number;
}

export interface PlanOptions {
  now: number;
  timeZone: string;
  /** The indexed fields of the report's form, numeric or not (records reports with a form). */
  formFields?: ReadonlyMap<string, boolean>;
}

const SQL_AGGS = new Set(['count', 'countDistinct', 'sum', 'avg', 'min', 'max']);

/** Whether the SQL aggregate query computes this measure (else: percentile query or in memory). */
export const inAggregateQuery = (m: PlanMeasure) => SQL_AGGS.has(m.agg) && !m.business;
export const isPercentile = (m: PlanMeasure) => m.agg === 'p50' || m.agg === 'p90';

/**
 * Whether a measure counts records, so the records list its figure drills to has exactly that
 * many rows: a count over a dataset of one row per record, or a distinct count of the record
 * itself. A count of tasks, clocks or status changes counts those, not the records they belong to.
 */
export function countsRecords(
  plan: Pick<Plan, 'source'>,
  m: Pick<PlanMeasure, 'agg' | 'field' | 'where'>,
): boolean {
  if (m.agg === 'count') return REPORT_DATASETS[plan.source].oneRowPerRecord;
  return m.agg === 'countDistinct' && m.field === (plan.source === 'records' ? 'id' : 'recordId');
}

/** The field's SQL for this report: a dataset field, or an indexed form field of a records report. */
export function resolveField(
  source: DatasetSource,
  name: string,
  opts: PlanOptions & { form?: string },
): FieldImpl {
  const own = fieldImpl(source, name);
  if (own) return own;
  if (source === 'formRows') {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name))
      throw new ReportError('bad_field', {
        'zh-CN': `${name} 不是表格列名`,
        en: `${name} is not a table column's name`,
      });
    return { kind: 'dimension', expr: (s) => s.tableColumn(name) };
  }
  const numeric = source === 'records' && opts.form ? opts.formFields?.get(name) : undefined;
  if (numeric === undefined)
    throw new ReportError('bad_field', {
      'zh-CN':
        source === 'records' && opts.form
          ? `字段 ${name} 不是表单 ${opts.form} 的索引字段，报表只能使用索引字段`
          : `数据集 ${source} 没有字段 ${name}`,
      en:
        source === 'records' && opts.form
          ? `field ${name} is not an indexed field of form ${opts.form}; reports use indexed fields only`
          : `dataset ${source} has no field ${name}`,
    });
  return {
    kind: numeric ? 'number' : 'dimension',
    expr: (s) => s.formField(name),
    list: undefined,
  };
}

/** Whether `name` is an indexed form field (a list filter `f.<name>`) rather than a dataset field. */
export const isFormField = (source: DatasetSource, name: string) => !fieldImpl(source, name);

export function planReport(def: ReportDefinition, params: ResolvedParams, opts: PlanOptions): Plan {
  const source = def.dataset.source;
  const form = def.dataset.form;
  const zone = def.timeZone ?? opts.timeZone;
  const fieldOpts = { ...opts, form };
  const fields = new Map<string, FieldImpl>();
  const field = (name: string) => {
    let impl = fields.get(name);
    if (!impl) {
      impl = resolveField(source, name, fieldOpts);
      fields.set(name, impl);
    }
    return impl;
  };
  if (!DATASETS[source])
    throw new ReportError('bad_field', { 'zh-CN': `未知数据集 ${source}`, en: `unknown dataset ${source}` });
  if (source === 'formRows' && (!form || !def.dataset.table))
    throw new ReportError('bad_field', {
      'zh-CN': '数据集 formRows 需要 dataset.form 和 dataset.table',
      en: 'dataset formRows needs dataset.form and dataset.table',
    });

  const seen = new Map<string, number>();
  const dims: PlanDim[] = (def.dimensions ?? []).map((d, i) => {
    const n = seen.get(d.field) ?? 0;
    seen.set(d.field, n + 1);
    const impl = field(d.field);
    return {
      key: n ? `${d.field}#${i}` : d.field,
      field: d.field,
      impl,
      granularity: impl.kind === 'time' ? (d.granularity ?? 'day') : undefined,
      buckets: d.buckets?.map((b) => (typeof b === 'number' ? b : isoDurationMs(b))),
      bucketLabels: d.bucketLabels,
      valueLabels: d.valueLabels,
      top: d.top,
      others: d.others ?? true,
      label: d.label,
    };
  });
  const timeDim = dims.findIndex((d) => d.granularity !== undefined);

  const conditions = (filters: ReportFilter[] | undefined) =>
    (filters ?? []).flatMap((f) => {
      const c = toCondition(f, params, field(f.field), zone);
      return c ? [c] : [];
    });
  const base = conditions(def.filters);

  const measures: PlanMeasure[] = def.measures.map((m) => ({
    id: m.id,
    agg: m.agg,
    field: m.field,
    impl: m.field ? field(m.field) : undefined,
    where: conditions(m.where),
    dateField: m.dateField,
    business: m.time === 'business' ? m.calendar : undefined,
    of: m.of,
    over: m.over,
    hidden: m.hidden ?? false,
    format:
      m.format ??
      (m.agg === 'ratio'
        ? 'percent'
        : m.field && field(m.field).kind === 'duration' && m.agg !== 'countDistinct'
          ? 'duration'
          : 'number'),
    unit: m.unit ?? 'h',
    label: m.label,
  }));
  for (const m of measures) if (m.dateField) field(m.dateField);

  // The field the time axis is read from: the time dimension's, else the first date-range filter's.
  const axisField =
    timeDim >= 0
      ? dims[timeDim]!.field
      : base.find((c) => c.op === 'range' && field(c.field).kind === 'time')?.field;

  const variants: Variant[] = [];
  for (const m of measures) {
    if (m.agg === 'ratio') continue;
    const timeField = m.dateField ?? axisField;
    const key = timeField ?? '';
    let v = variants.find((x) => x.key === key);
    if (!v) {
      v = {
        key,
        timeField,
        conditions: base.map((c) =>
          axisField && c.field === axisField && timeField ? { ...c, field: timeField } : c,
        ),
        measures: [],
      };
      variants.push(v);
    }
    v.measures.push(m);
  }
  // A report of ratios alone still reads its measures' rows (ratios refer to other measures).
  if (!variants.length)
    throw new ReportError('bad_field', {
      'zh-CN': '报表没有可计算的度量',
      en: 'the report has no measure to compute',
    });

  const first = variants.find((v) => v.key === (axisField ?? '')) ?? variants[0]!;
  return {
    key: def.key,
    source,
    form,
    table: source === 'formRows' ? def.dataset.table : undefined,
    zone,
    now: opts.now,
    dims,
    timeDim: timeDim >= 0 ? timeDim : undefined,
    measures,
    variants,
    range: first.timeField ? boundsOf(first.conditions, first.timeField) : undefined,
    fields,
    sort: def.sort ?? [],
    limit: def.limit,
  };
}

/** The [from, to) the conditions on a field allow, when both ends are bounded. */
export function boundsOf(conditions: Condition[], field: string): { from: number; to: number } | undefined {
  let from = Number.NEGATIVE_INFINITY;
  let to = Number.POSITIVE_INFINITY;
  for (const c of conditions) {
    if (c.field !== field || c.op !== 'range' || !c.range) continue;
    if (c.range.from !== undefined) from = Math.max(from, c.range.from);
    if (c.range.to !== undefined) to = Math.min(to, c.range.to);
  }
  return Number.isFinite(from) && Number.isFinite(to) ? { from, to } : undefined;
}

/** A filter with its value: null when its parameter has no value (the filter is dropped). */
function toCondition(
  f: ReportFilter,
  params: ResolvedParams,
  impl: FieldImpl,
  zone: string,
): Condition | null {
  if (f.param !== undefined) {
    const p = params.get(f.param);
    if (!p) return null;
    return fromParam(f, p, impl);
  }
  const v = f.value;
  if (f.op === 'isNull') return { field: f.field, op: 'isNull', values: [v !== false] };
  const values = Array.isArray(v) ? v : [v];
  if (impl.kind === 'time') {
    const instants = values.map((x, i) =>
      instantOf(
        x,
        zone,
        f.op === 'between' && i === 1 ? 'to' : f.op === 'lte' || f.op === 'gt' ? 'to' : 'from',
      ),
    );
    if (f.op === 'between')
      return { field: f.field, op: 'range', values: [], range: { from: instants[0], to: instants[1] } };
    if (f.op === 'gte' || f.op === 'gt')
      return { field: f.field, op: 'range', values: [], range: { from: instants[0] } };
    if (f.op === 'lt' || f.op === 'lte')
      return { field: f.field, op: 'range', values: [], range: { to: instants[0] } };
    return { field: f.field, op: f.op, values: instants };
  }
  if (impl.kind === 'boolean') return { field: f.field, op: f.op, values: values.map((x) => (x ? 1 : 0)) };
  return { field: f.field, op: f.op, values };
}

function fromParam(f: ReportFilter, p: ParamValue, impl: FieldImpl): Condition {
  if (p.type === 'dateRange' || p.type === 'date') {
    const r = p.range;
    switch (f.op) {
      case 'gte':
        return { field: f.field, op: 'range', values: [], range: { from: r.from } };
      case 'gt':
        return { field: f.field, op: 'range', values: [], range: { from: r.to } };
      case 'lt':
        return { field: f.field, op: 'range', values: [], range: { to: r.from } };
      case 'lte':
        return { field: f.field, op: 'range', values: [], range: { to: r.to } };
      default:
        return { field: f.field, op: 'range', values: [], range: { from: r.from, to: r.to } };
    }
  }
  if (p.type === 'text') {
    const op = f.op === 'eq' ? 'in' : f.op === 'ne' ? 'ne' : f.op;
    return { field: f.field, op: op === 'in' && p.values.length === 1 ? 'eq' : op, values: p.values };
  }
  if (p.type === 'boolean')
    return { field: f.field, op: f.op, values: [impl.kind === 'boolean' ? Number(p.value) : p.value] };
  return { field: f.field, op: f.op, values: [(p as { value: number }).value] };
}

/** A fixed time value: epoch ms, an ISO instant, or a local date (its start; its end for an upper bound). */
function instantOf(v: unknown, zone: string, end: 'from' | 'to'): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const day = DateTime.fromISO(v, { zone }).startOf('day');
    return (end === 'to' ? day.plus({ days: 1 }).startOf('day') : day).toMillis();
  }
  const dt = typeof v === 'string' ? DateTime.fromISO(v, { zone }) : null;
  if (!dt?.isValid)
    throw new ReportError('bad_field', {
      'zh-CN': `无法识别的时间值 ${String(v)}`,
      en: `not a time value: ${String(v)}`,
    });
  return dt.toMillis();
}

/** The conditions that select one dimension value of a row (see cellConditions in engine.ts). */
export function dimCondition(
  dim: PlanDim,
  key: unknown,
  zoneRange: (k: number) => TimeRange,
): Condition | null {
  if (dim.granularity !== undefined) {
    if (key === null) return { field: dim.field, op: 'isNull', values: [true] };
    const r = zoneRange(Number(key));
    return { field: dim.field, op: 'range', values: [], range: { from: r.from, to: r.to } };
  }
  if (dim.buckets) {
    // Bucket i holds [buckets[i-1], buckets[i]): below the first boundary, …, at or above the last.
    if (key === null) return { field: dim.field, op: 'isNull', values: [true] };
    const i = Number(key);
    return {
      field: dim.field,
      op: 'range',
      values: [],
      range: { from: i === 0 ? undefined : dim.buckets[i - 1], to: dim.buckets[i] },
    };
  }
  if (key === null) return { field: dim.field, op: 'isNull', values: [true] };
  return { field: dim.field, op: 'eq', values: [key] };
}

export const OTHERS = '__others__';
