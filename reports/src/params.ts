import {
  DATE_RANGE_PRESETS,
  type DateRangePreset,
  type LocalizedMessage,
  type ParamType,
  type ReportDefinition,
} from '@opsloom/spec';
import { DateTime } from 'luxon';
import { badParam } from './errors.ts';

/**
 * Report parameters: what a caller sends (JSON in a run, strings in an export's query) checked
 * against the report's declared params and turned into values the plan binds.
 *
 * - dateRange: a preset (DATE_RANGE_PRESETS, in the report's zone), `{from, to}` or `[from, to]`
 *   or the text `from..to`. Dates (YYYY-MM-DD) are whole local days, `to` included; instants
 *   (epoch ms or ISO 8601 with a time) are exact, `to` excluded. Resolved to [from, to) in ms.
 * - date: one local day, resolved to its [from, to).
 * - number, boolean: JSON values, or their text in a query string.
 * - string, user, group, service, priority, type, status: a text or a list of texts (a comma
 *   list in a query string): a filter with `eq` on a list matches any of them.
 *
 * A parameter that is absent, null or "" takes its default; without a default its filters are
 * dropped (a dashboard's "all groups"). Every value is bound into SQL, never written into it.
 */

export interface TimeRange {
  from: number;
  to: number;
  /** The preset it came from, so "this month" compares with "last month" as a calendar month. */
  preset?: DateRangePreset;
}

export type ParamValue =
  | { type: 'dateRange' | 'date'; range: TimeRange }
  | { type: 'number'; value: number }
  | { type: 'boolean'; value: boolean }
  | { type: 'text'; values: string[] };

export type ResolvedParams = Map<string, ParamValue>;

export interface ParamContext {
  now: number;
  timeZone: string;
}

const MAX_TEXT = 200;
const MAX_VALUES = 50;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const EPOCH = /^-?\d{1,15}$/;

const reason = (zh: string, en: string): LocalizedMessage => ({ 'zh-CN': zh, en });

/** Checks `raw` against the report's params and resolves each declared param (defaults included). */
export function resolveParams(
  def: Pick<ReportDefinition, 'params'>,
  raw: Record<string, unknown>,
  ctx: ParamContext,
): ResolvedParams {
  const declared = new Map((def.params ?? []).map((p) => [p.key, p]));
  for (const key of Object.keys(raw)) {
    if (!declared.has(key))
      throw badParam(
        key,
        reason(
          `不是此报表的参数；可用参数：${[...declared.keys()].join('、') || '无'}`,
          `is not a parameter of this report; parameters: ${[...declared.keys()].join(', ') || 'none'}`,
        ),
      );
  }
  const out: ResolvedParams = new Map();
  for (const [key, p] of declared) {
    const given = Object.hasOwn(raw, key) ? raw[key] : undefined;
    const value = given === undefined || given === null || given === '' ? p.default : given;
    if (value === undefined || value === null || value === '') continue;
    out.set(key, resolveValue(key, p.type as ParamType, value, ctx));
  }
  return out;
}

export function resolveValue(key: string, type: ParamType, value: unknown, ctx: ParamContext): ParamValue {
  switch (type) {
    case 'dateRange':
      return { type: 'dateRange', range: dateRange(key, value, ctx) };
    case 'date': {
      // A drill-down token carries the day it resolved to as {from, to}.
      if (value && typeof value === 'object') return { type: 'date', range: dateRange(key, value, ctx) };
      const day = typeof value === 'string' ? ISO_DATE.exec(value) : null;
      if (!day || !validDay(value as string, ctx.timeZone))
        throw badParam(key, reason('应为日期（YYYY-MM-DD）', 'must be a date (YYYY-MM-DD)'));
      const from = startOfLocalDay(value as string, ctx.timeZone);
      return { type: 'date', range: { from, to: nextLocalDay(from, ctx.timeZone) } };
    }
    case 'number': {
      const n =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && value.trim() !== ''
            ? Number(value)
            : Number.NaN;
      if (!Number.isFinite(n)) throw badParam(key, reason('应为数字', 'must be a number'));
      return { type: 'number', value: n };
    }
    case 'boolean': {
      if (value === true || value === 'true') return { type: 'boolean', value: true };
      if (value === false || value === 'false') return { type: 'boolean', value: false };
      throw badParam(key, reason('应为 true 或 false', 'must be true or false'));
    }
    default: {
      const values = Array.isArray(value)
        ? value
        : typeof value === 'string'
          ? value
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : null;
      if (!values || values.length === 0 || !values.every((v) => typeof v === 'string' && v !== ''))
        throw badParam(key, reason('应为文本或文本列表', 'must be a text or a list of texts'));
      if (values.length > MAX_VALUES)
        throw badParam(key, reason(`最多 ${MAX_VALUES} 个值`, `takes at most ${MAX_VALUES} values`));
      if (values.some((v) => (v as string).length > MAX_TEXT))
        throw badParam(
          key,
          reason(`每个值最多 ${MAX_TEXT} 个字符`, `values are at most ${MAX_TEXT} characters`),
        );
      return { type: 'text', values: values as string[] };
    }
  }
}

const badRange = (key: string) =>
  badParam(
    key,
    reason(
      `应为 ${DATE_RANGE_PRESETS.join('、')} 之一，或 {from, to}（日期 YYYY-MM-DD 或毫秒时间戳），起点早于终点`,
      `must be one of ${DATE_RANGE_PRESETS.join(', ')}, or {from, to} (dates YYYY-MM-DD or epoch ms) with from before to`,
    ),
  );

function dateRange(key: string, value: unknown, ctx: ParamContext): TimeRange {
  if (typeof value === 'string' && (DATE_RANGE_PRESETS as readonly string[]).includes(value))
    return presetRange(value as DateRangePreset, ctx);
  let pair: unknown[] | null = null;
  if (Array.isArray(value)) pair = value;
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => k !== 'from' && k !== 'to');
    if (!extra.length) pair = [o.from, o.to];
  } else if (typeof value === 'string' && value.includes('..')) pair = value.split('..');
  if (pair?.length !== 2) throw badRange(key);
  const from = bound(pair[0], 'from', ctx.timeZone);
  const to = bound(pair[1], 'to', ctx.timeZone);
  if (from === null || to === null || !(from < to)) throw badRange(key);
  return { from, to };
}

/** One end of a range: a local date (whole day; `to` is the day after), or an instant. */
function bound(v: unknown, end: 'from' | 'to', zone: string): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : null;
  if (typeof v !== 'string' || v.length > 40) return null;
  const s = v.trim();
  if (ISO_DATE.test(s)) {
    if (!validDay(s, zone)) return null;
    const start = startOfLocalDay(s, zone);
    return end === 'from' ? start : nextLocalDay(start, zone);
  }
  if (EPOCH.test(s)) return Number(s);
  // An ISO 8601 instant must say its offset (Z or ±hh:mm), or it is read in the report's zone.
  const dt = DateTime.fromISO(s, { zone, setZone: false });
  return dt.isValid ? dt.toMillis() : null;
}

function validDay(s: string, zone: string): boolean {
  return DateTime.fromISO(s, { zone }).isValid;
}

function startOfLocalDay(iso: string, zone: string): number {
  return DateTime.fromISO(iso, { zone }).startOf('day').toMillis();
}

function nextLocalDay(ms: number, zone: string): number {
  return DateTime.fromMillis(ms, { zone }).plus({ days: 1 }).startOf('day').toMillis();
}

/** A preset's [from, to) at `now` in `zone`; weeks start on Monday. */
export function presetRange(preset: DateRangePreset, ctx: ParamContext): TimeRange {
  const now = DateTime.fromMillis(ctx.now, { zone: ctx.timeZone });
  const today = now.startOf('day');
  const span = (from: DateTime, to: DateTime): TimeRange => ({
    from: from.toMillis(),
    to: to.toMillis(),
    preset,
  });
  switch (preset) {
    case 'today':
      return span(today, today.plus({ days: 1 }));
    case 'yesterday':
      return span(today.minus({ days: 1 }), today);
    case 'last7days':
      return span(today.minus({ days: 6 }), today.plus({ days: 1 }));
    case 'last30days':
      return span(today.minus({ days: 29 }), today.plus({ days: 1 }));
    case 'last90days':
      return span(today.minus({ days: 89 }), today.plus({ days: 1 }));
    case 'thisWeek': {
      const monday = today.minus({ days: today.weekday - 1 });
      return span(monday, monday.plus({ weeks: 1 }));
    }
    case 'lastWeek': {
      const monday = today.minus({ days: today.weekday - 1 });
      return span(monday.minus({ weeks: 1 }), monday);
    }
    case 'thisMonth':
      return span(now.startOf('month'), now.startOf('month').plus({ months: 1 }));
    case 'lastMonth':
      return span(now.startOf('month').minus({ months: 1 }), now.startOf('month'));
    case 'thisQuarter':
      return span(now.startOf('quarter'), now.startOf('quarter').plus({ months: 3 }));
    case 'lastQuarter':
      return span(now.startOf('quarter').minus({ months: 3 }), now.startOf('quarter'));
    case 'thisYear':
      return span(now.startOf('year'), now.startOf('year').plus({ years: 1 }));
    case 'lastYear':
      return span(now.startOf('year').minus({ years: 1 }), now.startOf('year'));
  }
}

/**
 * The period just before a range, of the same length in the unit it is made of: whole months
 * (this month → last month, this quarter → last quarter), else whole local days (last 7 days →
 * the 7 days before), else the same number of milliseconds.
 */
export function previousRange(range: TimeRange, zone: string): TimeRange {
  const from = DateTime.fromMillis(range.from, { zone });
  const to = DateTime.fromMillis(range.to, { zone });
  if (from.equals(from.startOf('month')) && to.equals(to.startOf('month'))) {
    const months = Math.round(to.diff(from, 'months').months);
    return { from: from.minus({ months }).toMillis(), to: range.from };
  }
  if (from.equals(from.startOf('day')) && to.equals(to.startOf('day'))) {
    const days = Math.round(to.diff(from, 'days').days);
    return { from: from.minus({ days }).toMillis(), to: range.from };
  }
  return { from: range.from - (range.to - range.from), to: range.from };
}

/** A resolved parameter as a value a drill-down token carries (absolute: it means the same later). */
export function serializeParam(v: ParamValue): unknown {
  switch (v.type) {
    case 'dateRange':
    case 'date':
      return { from: v.range.from, to: v.range.to };
    case 'text':
      return v.values;
    default:
      return v.value;
  }
}
