import { DATE_RANGE_PRESETS } from '@opsloom/spec';
import { isEmptyValue } from '../../../dashboards/widget-params.ts';
import type { DashboardFilter, Drill } from '../../shared/dashboard-types.ts';
import type { MessageKey } from '../../shared/i18n.ts';

/**
 * The dashboard page's state lives in its URL: `/dashboards/<key>?range=last7days&group=network`.
 * A dashboard with filters set can be bookmarked or sent, and coming back from a drill-down list
 * finds the filters as they were. A filter param absent from the URL takes the filter's default;
 * present and empty (`group=`) means "all".
 */

/** The named ranges the report engine resolves, in spec's order. */
export const DATE_PRESETS = DATE_RANGE_PRESETS;

export const presetLabel = (p: string): MessageKey => `preset.${p}` as MessageKey;
export const isPreset = (v: unknown): boolean => (DATE_PRESETS as readonly unknown[]).includes(v);

/** Filter types whose value is a list (the engine matches any of them). */
const LIST_TYPES = new Set(['group', 'service', 'priority', 'type']);

/** The person's filter choices from the URL's query, by filter param. */
export function filterValues(filters: readonly DashboardFilter[], search: string): Record<string, unknown> {
  const q = new URLSearchParams(search);
  const out: Record<string, unknown> = {};
  for (const f of filters) {
    if (!q.has(f.param)) continue;
    const raw = q.get(f.param) ?? '';
    out[f.param] = LIST_TYPES.has(f.type) ? raw.split(',').filter(Boolean) : raw;
  }
  return out;
}

/** The value a filter shows: the person's choice, else its default. */
export function shownValue(f: DashboardFilter, values: Record<string, unknown>): unknown {
  return Object.hasOwn(values, f.param) ? values[f.param] : f.default;
}

/** The URL query for a changed filter (other query keys kept). */
export function withFilter(search: string, param: string, value: unknown): string {
  const q = new URLSearchParams(search);
  if (value === undefined) q.delete(param);
  else if (isEmptyValue(value)) q.set(param, '');
  else if (Array.isArray(value)) q.set(param, value.join(','));
  else q.set(param, String(value));
  const text = q.toString();
  return text ? `?${text}` : '';
}

/** A custom period `2026-12-01..2026-12-07` (local days, both included), or null. */
export function customRange(v: unknown): [string, string] | null {
  if (typeof v !== 'string') return null;
  const m = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(v);
  return m ? [m[1]!, m[2]!] : null;
}

/** Where a figure drills to: the workspace's list with the figure's query, its count and source. */
export function drillHref(drill: Drill, from: string): string {
  const q = new URLSearchParams(drill.query);
  if (drill.count !== undefined) q.set('_count', String(drill.count));
  if (from) q.set('_from', from);
  return `/list?${q.toString()}`;
}

/** Grid rows are this tall (px) in the workspace; a widget's `h` counts them. */
export const ROW_PX = 40;
export const GAP_PX = 12;
