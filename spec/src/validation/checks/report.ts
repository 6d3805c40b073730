import type { LocalizedMessage } from '../../i18n.ts';
import { PATTERNS } from '../../schemas/patterns.ts';
import { DATE_RANGE_PRESETS } from '../../schemas/report.ts';
import { datasetField, REPORT_DATASETS, type ReportFieldKind } from '../../schemas/report-datasets.ts';
import { type Checker, list, record, str } from '../checker.ts';
import { child } from '../pointer.ts';
import { checkTimeZone } from './time-zone.ts';

/**
 * Columns every record has whatever its form (the `records` dataset's own fields); a records
 * report may also use its form's indexed fields.
 */
export const RECORD_SYSTEM_FIELDS = Object.keys(REPORT_DATASETS.records.fields);

const MEASURES: LocalizedMessage = { 'zh-CN': '度量（measures）', en: 'measures' };
const PARAMS: LocalizedMessage = { 'zh-CN': '参数（params）', en: 'params' };

/** Aggregates over a field, and the field kinds each accepts. */
const AGG_KINDS: Record<string, readonly ReportFieldKind[]> = {
  sum: ['number', 'duration', 'boolean'],
  avg: ['number', 'duration', 'boolean'],
  min: ['number', 'duration', 'time'],
  max: ['number', 'duration', 'time'],
  p50: ['number', 'duration'],
  p90: ['number', 'duration'],
};

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A table column's name as a formRows report names it (it becomes a JSON path). */
const COLUMN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export function checkReport(c: Checker, def: Record<string, unknown>): void {
  const dataset = record(def.dataset);
  const source = str(dataset.source);
  const form = str(dataset.form);
  c.reference('form', form, '/dataset/form');
  checkTimeZone(c, def.timeZone, '/timeZone');
  const known = source !== undefined && Object.hasOwn(REPORT_DATASETS, source);
  const table = str(dataset.table);
  if (source === 'formRows') {
    for (const [name, value] of [
      ['form', form],
      ['table', table],
    ] as const)
      if (value === undefined)
        c.add('report.dataset.table', `/dataset/${name}`, {
          field: name,
          reason: {
            'zh-CN': '数据集 formRows 需要 dataset.form（表单）和 dataset.table（该表单的表格字段）',
            en: 'dataset formRows needs dataset.form (a form) and dataset.table (one of its table fields)',
          },
        });
    c.field(form, table, '/dataset/table');
  } else if (table !== undefined && known)
    c.add('report.dataset.table', '/dataset/table', {
      field: 'table',
      reason: {
        'zh-CN': `只有数据集 formRows 读取表格字段的行，数据集 ${source} 不接受 table`,
        en: `only dataset formRows reads the rows of a table field; dataset ${source} takes no table`,
      },
    });

  /**
   * The kind of a field, `form` for a form field of a records report (checked against the form
   * when the lookup knows it), or undefined after reporting it unknown.
   */
  const field = (name: unknown, path: string): ReportFieldKind | 'form' | undefined => {
    if (typeof name !== 'string' || !known) return undefined;
    const own = datasetField(source, name);
    if (own) return own.kind;
    if (source === 'records' && form) {
      c.field(form, name, path);
      return 'form';
    }
    // A column of the table's rows (the validator's lookup lists a form's top-level fields only).
    if (source === 'formRows' && COLUMN.test(name)) return 'form';
    const fields = Object.keys(REPORT_DATASETS[source as keyof typeof REPORT_DATASETS].fields);
    c.add('report.field.unknown', path, {
      field: name,
      dataset: source!,
      allowed: fields.join(', '),
      hint:
        source === 'records'
          ? { 'zh-CN': '；表单字段需要先在 dataset.form 中指定表单', en: '; form fields need dataset.form' }
          : { 'zh-CN': '', en: '' },
    });
    return undefined;
  };

  c.uniqueIds(def.params, '/params', PARAMS, 'key');
  const params = new Map<string, string>();
  list(def.params).forEach((raw, i) => {
    const p = record(raw);
    if (typeof p.key === 'string' && typeof p.type === 'string') params.set(p.key, p.type);
    const reason = p.default === undefined ? undefined : paramValueProblem(p.type, p.default);
    if (reason)
      c.add(
        'report.param.default',
        child('/params', i, 'default'),
        { param: String(p.key), type: String(p.type), reason },
        child('/params', i),
      );
  });

  const checkFilters = (filters: unknown, base: string) =>
    list(filters).forEach((raw, i) => {
      const f = record(raw);
      const path = child(base, i);
      field(f.field, child(path, 'field'));
      if (typeof f.param === 'string' && !params.has(f.param)) {
        c.add('report.filter.param', child(path, 'param'), { param: f.param });
      }
      const reason = filterValueProblem(f);
      if (reason)
        c.add(
          'report.filter.value',
          child(path, 'value'),
          { field: String(f.field), op: String(f.op), reason },
          path,
        );
    });
  checkFilters(def.filters, '/filters');

  const dimensionFields: string[] = [];
  list(def.dimensions).forEach((raw, i) => {
    const d = record(raw);
    const path = child('/dimensions', i);
    const kind = field(d.field, child(path, 'field'));
    if (typeof d.field === 'string') dimensionFields.push(d.field);
    if (kind === 'time' && d.granularity === undefined)
      c.add(
        'report.dimension.granularity',
        child(path, 'granularity'),
        {
          field: String(d.field),
          reason: {
            'zh-CN': '是时间字段，需要指定 granularity（hour、day、week、month、quarter 或 year）',
            en: 'is a time field and needs a granularity (hour, day, week, month, quarter or year)',
          },
        },
        path,
      );
    if (kind !== undefined && kind !== 'time' && kind !== 'form' && d.granularity !== undefined)
      c.add(
        'report.dimension.granularity',
        child(path, 'granularity'),
        {
          field: String(d.field),
          reason: {
            'zh-CN': '不是时间字段，不能指定 granularity',
            en: 'is not a time field, so it takes no granularity',
          },
        },
        path,
      );
    if (d.buckets !== undefined) {
      const reason = bucketsProblem(kind, d.buckets, d.bucketLabels);
      if (reason)
        c.add('report.dimension.buckets', child(path, 'buckets'), { field: String(d.field), reason }, path);
    }
    if (d.valueLabels !== undefined && (kind === 'time' || d.buckets !== undefined))
      c.add(
        'report.dimension.valueLabels',
        child(path, 'valueLabels'),
        {
          field: String(d.field),
          reason:
            kind === 'time'
              ? {
                  'zh-CN': '是时间维度，桶名称由时间生成',
                  en: 'is a time dimension, whose buckets are named by their time',
                }
              : { 'zh-CN': '已分段，请用 bucketLabels 命名分段', en: 'has buckets, which bucketLabels name' },
        },
        path,
      );
    if (d.top !== undefined && (kind === 'time' || d.buckets !== undefined))
      c.add('report.dimension.top', child(path, 'top'), { field: String(d.field) }, path);
  });

  c.uniqueIds(def.measures, '/measures', MEASURES);
  const measures = list(def.measures).map(record);
  const measureIds = measures.map((m) => m.id).filter((id): id is string => typeof id === 'string');
  measures.forEach((m, i) => {
    const path = child('/measures', i);
    const agg = str(m.agg);
    if (agg === 'ratio') {
      for (const side of ['of', 'over'] as const) {
        const ref = m[side];
        const target = measures.find((o) => o.id === ref);
        if (typeof ref !== 'string' || !target || target === m || target.agg === 'ratio')
          c.add(
            'report.measure.ratio',
            child(path, side),
            { measure: String(m.id), side, ref: typeof ref === 'string' ? ref : '-' },
            path,
          );
      }
      return;
    }
    if (agg !== 'count' && agg !== undefined && m.field === undefined) {
      c.add('report.measure.field', child(path, 'field'), { measure: String(m.id), agg }, path);
    }
    const kind = field(m.field, child(path, 'field'));
    const accepted = agg ? AGG_KINDS[agg] : undefined;
    if (accepted && kind !== undefined && kind !== 'form' && !accepted.includes(kind))
      c.add(
        'report.measure.kind',
        child(path, 'field'),
        { measure: String(m.id), agg: agg!, field: String(m.field), kind, accepted: accepted.join(', ') },
        path,
      );
    if (m.time === 'business') {
      const business = datasetField(source, m.field)?.business === true;
      if (!business || m.calendar === undefined)
        c.add(
          'report.measure.business',
          child(path, business ? 'calendar' : 'field'),
          { measure: String(m.id), field: String(m.field ?? '-'), missing: business ? 'calendar' : 'field' },
          path,
        );
    }
    c.reference('calendar', m.calendar, child(path, 'calendar'));
    if (m.dateField !== undefined) {
      const dateKind = field(m.dateField, child(path, 'dateField'));
      if (dateKind !== undefined && dateKind !== 'time')
        c.add(
          'report.measure.dateField',
          child(path, 'dateField'),
          { measure: String(m.id), field: String(m.dateField) },
          path,
        );
    }
    checkFilters(m.where, child(path, 'where'));
  });

  list(def.sort).forEach((raw, i) => {
    const by = record(raw).by;
    if (typeof by === 'string' && !measureIds.includes(by) && !dimensionFields.includes(by))
      c.add('report.sort.by', child('/sort', i, 'by'), {
        by,
        allowed: [...dimensionFields, ...measureIds].join(', ') || '-',
      });
  });

  const compare = record(def.compare).param;
  if (typeof compare === 'string' && params.get(compare) !== 'dateRange')
    c.add('report.compare.param', '/compare/param', { param: compare });
}

function filterValueProblem(f: Record<string, unknown>): LocalizedMessage | undefined {
  if (f.op === 'isNull' || typeof f.op !== 'string') return undefined;
  if (f.param !== undefined) return undefined;
  if (f.value === undefined) return { 'zh-CN': '需要 value 或 param', en: 'needs a value or a param' };
  if (f.op === 'between' && !(Array.isArray(f.value) && f.value.length === 2)) {
    return {
      'zh-CN': '的 value 必须是两个元素的数组 [起, 止]',
      en: 'needs value as a two-element array [from, to]',
    };
  }
  if (f.op === 'in' && !Array.isArray(f.value)) {
    return { 'zh-CN': '的 value 必须是数组', en: 'needs value as an array' };
  }
  return undefined;
}

const isInstant = (v: unknown) =>
  (typeof v === 'number' && Number.isSafeInteger(v)) ||
  (typeof v === 'string' && (ISO_DATE.test(v) || !Number.isNaN(Date.parse(v))));

/** Why a parameter value does not fit its type (a default; the engine applies the same rules to values sent). */
export function paramValueProblem(type: unknown, value: unknown): LocalizedMessage | undefined {
  switch (type) {
    case 'dateRange': {
      if (typeof value === 'string' && (DATE_RANGE_PRESETS as readonly string[]).includes(value))
        return undefined;
      const pair = Array.isArray(value)
        ? value
        : value && typeof value === 'object'
          ? [(value as Record<string, unknown>).from, (value as Record<string, unknown>).to]
          : null;
      if (pair && pair.length === 2 && pair.every(isInstant)) return undefined;
      return {
        'zh-CN': `应为 ${DATE_RANGE_PRESETS.join('、')} 之一，或 {from, to}（日期或毫秒时间戳）`,
        en: `must be one of ${DATE_RANGE_PRESETS.join(', ')}, or {from, to} (dates or epoch ms)`,
      };
    }
    case 'date':
      return isInstant(value)
        ? undefined
        : { 'zh-CN': '应为日期（YYYY-MM-DD）', en: 'must be a date (YYYY-MM-DD)' };
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
        ? undefined
        : { 'zh-CN': '应为数字', en: 'must be a number' };
    case 'boolean':
      return typeof value === 'boolean'
        ? undefined
        : { 'zh-CN': '应为 true 或 false', en: 'must be true or false' };
    default:
      return typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'))
        ? undefined
        : { 'zh-CN': '应为文本或文本数组', en: 'must be a text or a list of texts' };
  }
}

const DURATION = new RegExp(PATTERNS.duration.source);

function bucketsProblem(
  kind: ReportFieldKind | 'form' | undefined,
  buckets: unknown,
  labels: unknown,
): LocalizedMessage | undefined {
  if (kind !== undefined && kind !== 'form' && kind !== 'number' && kind !== 'duration')
    return { 'zh-CN': '只有数值或时长字段可以分段', en: 'only number and duration fields have buckets' };
  const values = list(buckets).map((b) =>
    typeof b === 'string' && DURATION.test(b) ? isoDurationMs(b) : typeof b === 'number' ? b : Number.NaN,
  );
  if (values.some((v, i) => Number.isNaN(v) || (i > 0 && v <= values[i - 1]!)))
    return { 'zh-CN': '分段边界必须严格递增', en: 'boundaries must be strictly ascending' };
  if (labels !== undefined && list(labels).length !== values.length + 1)
    return {
      'zh-CN': `需要 ${values.length + 1} 个分段名称（边界数 + 1）`,
      en: `needs ${values.length + 1} bucket labels (boundaries + 1)`,
    };
  return undefined;
}

/**
 * Milliseconds of an ISO 8601 duration with fixed-length units only (weeks, days, hours, minutes,
 * seconds; a day is 24 h): bucket boundaries of durations are lengths, not calendar steps.
 * Months and years give NaN.
 */
export function isoDurationMs(iso: string): number {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(
    iso,
  );
  if (!m || m[1] || m[2]) return Number.NaN;
  const [w, d, h, min, s] = [m[3], m[4], m[5], m[6], m[7]].map((x) => Number(x ?? 0)) as number[];
  return ((((w! * 7 + d!) * 24 + h!) * 60 + min!) * 60 + s!) * 1000;
}
