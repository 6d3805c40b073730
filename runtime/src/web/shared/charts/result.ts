import { formatDuration } from '@opsloom/web-forms/format';
import type { Column, Drill, Row, RunResult } from '../dashboard-types.ts';

/**
 * Reading a report's run result (POST /reports/{key}/run) for a screen: figures as text, the
 * names of dimension values, and a `number` chart's one figure with its drill-down.
 */

/** A measure's value as a person reads it: ratios in percent, durations as 1d 3h, numbers grouped. */
export function formatFigure(col: Column, v: Row[string] | undefined, locale: string): string {
  if (v === null || v === undefined || v === '') return '–';
  if (typeof v !== 'number') return String(v);
  if (col.format === 'percent') return `${(Math.round(v * 1000) / 10).toLocaleString(locale)} %`;
  if (col.format === 'duration') return formatDuration(v);
  return v.toLocaleString(locale, { maximumFractionDigits: 2 });
}

/** A dimension value's display name (time buckets are already labels in the rows). */
export function dimensionLabel(result: RunResult, col: Column, row: Row): string {
  const v = row[col.key] ?? null;
  return result.labels[col.key]?.[String(v)] ?? (v === null ? '–' : String(v));
}

export interface Figure {
  /** The number to count up to, as the chart shows it (percent 0–100, durations in their unit). */
  value: number | null;
  /** What follows the number: " %", or nothing. */
  suffix: string;
  caption: string;
  drill?: Drill;
}

/** The one figure of a `number` chart: its title carries the text and the drill-down. */
export function figureOf(result: RunResult): Figure {
  const title = (result.chart.title ?? {}) as { text?: string; subtext?: string; drill?: Drill };
  const text = String(title.text ?? '');
  const m = /^(-?[\d.]+)(.*)$/.exec(text.replace(/,/g, ''));
  const measure = result.columns.find((c) => c.role === 'measure');
  return {
    value: m ? Number(m[1]) : null,
    suffix: m ? m[2]! : '',
    caption: String(title.subtext ?? measure?.label ?? ''),
    drill: title.drill ?? (measure ? result.drill[0]?.[measure.key] : undefined),
  };
}
