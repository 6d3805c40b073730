import type { LocalizedMessage } from '../../i18n.ts';
import { type Checker, list, record, str } from '../checker.ts';
import { child } from '../pointer.ts';

/**
 * Columns every record has whatever its form; reports may filter and group by them.
 * The runtime's records table must provide these.
 */
export const RECORD_SYSTEM_FIELDS = [
  'id',
  'number',
  'form',
  'status',
  'title',
  'requester',
  'assignee',
  'assigneeGroup',
  'createdAt',
  'updatedAt',
  'resolvedAt',
  'closedAt',
  'outcome',
  'catalogItem',
] as const;

const MEASURES: LocalizedMessage = { 'zh-CN': '度量（measures）', en: 'measures' };
const PARAMS: LocalizedMessage = { 'zh-CN': '参数（params）', en: 'params' };

export function checkReport(c: Checker, def: Record<string, unknown>): void {
  const dataset = record(def.dataset);
  const form = str(dataset.form);
  c.reference('form', form, '/dataset/form');
  /** Only record datasets have form fields; tasks, SLA metrics and ratings have fixed columns. */
  const field = (name: unknown, path: string) => {
    if (dataset.source !== 'records' || (RECORD_SYSTEM_FIELDS as readonly unknown[]).includes(name)) return;
    c.field(form, name, path);
  };

  c.uniqueIds(def.params, '/params', PARAMS, 'key');
  const params = list(def.params)
    .map((p) => record(p).key)
    .filter((k) => typeof k === 'string');

  list(def.filters).forEach((raw, i) => {
    const f = record(raw);
    const path = child('/filters', i);
    field(f.field, child(path, 'field'));
    if (typeof f.param === 'string' && !params.includes(f.param)) {
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

  list(def.dimensions).forEach((raw, i) => {
    field(record(raw).field, child('/dimensions', i, 'field'));
  });

  c.uniqueIds(def.measures, '/measures', MEASURES);
  list(def.measures).forEach((raw, i) => {
    const m = record(raw);
    const path = child('/measures', i);
    if (m.agg !== 'count' && typeof m.agg === 'string' && m.field === undefined) {
      c.add('report.measure.field', child(path, 'field'), { measure: String(m.id), agg: m.agg }, path);
    }
    field(m.field, child(path, 'field'));
  });
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
