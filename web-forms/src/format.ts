import type { Locale } from './i18n.ts';

export function formatTime(ms: number | null | undefined, locale: Locale): string {
  if (!ms) return '';
  return new Date(ms).toLocaleString(locale === 'zh-CN' ? 'zh-CN' : 'en-GB', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/**
 * A form's `date` value (`YYYY-MM-DD`, a calendar day without a zone) in the person's language;
 * anything else is returned as it is.
 */
export function formatDate(value: string, locale: Locale): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return value;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).toLocaleDateString(
    locale === 'zh-CN' ? 'zh-CN' : 'en-GB',
    { year: 'numeric', month: '2-digit', day: '2-digit' },
  );
}

/** A form's `date-time` value (ISO 8601) as formatTime shows instants; unreadable text as it is. */
export function formatDateTime(value: string, locale: Locale): string {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : formatTime(ms, locale);
}

/** 1d 3h, 2h 05m, 12m, 40s — negative durations are shown without the sign (the caller says "overdue"). */
export function formatDuration(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m`;
  return `${s % 60}s`;
}

/**
 * Business time on an SLA's calendar, in hours ("40h", not the "1d 16h" of a wall-clock
 * countdown: a business day is not 24 hours).
 */
export function formatBusinessMinutes(minutes: number): string {
  const m = Math.round(minutes);
  if (m < 60) return formatDuration(m * 60_000);
  return m % 60 ? `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m` : `${m / 60}h`;
}

export type CountdownState = 'ok' | 'warning' | 'breached';

/**
 * Where a deadline stands: breached once past, warning when less than a quarter of the time
 * between start and deadline is left.
 */
export function countdownState(startMs: number, dueMs: number, now: number): CountdownState {
  if (now >= dueMs) return 'breached';
  const total = dueMs - startMs;
  return total > 0 && (dueMs - now) / total < 0.25 ? 'warning' : 'ok';
}
