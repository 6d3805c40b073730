import type { CalendarDefinition } from '@opsloom/spec';
import {
  BusinessCalendar,
  BusinessCalendarError,
  type BusinessCalendarErrorCode,
  type CompileOptions,
} from './calendar.ts';

/**
 * Business time: how much working time lies between two instants of a business calendar, and
 * when a given amount of it will have elapsed. Instants are epoch milliseconds, as everywhere in
 * Opsloom; amounts are milliseconds (exact, integer in → integer out) or minutes for convenience.
 *
 * Compile a calendar definition once per published version (key@version never changes) and keep
 * the result: it caches its working intervals per year as they are first needed, and every call
 * afterwards is a binary search — no per-day loops, no database. See calendar.ts for the exact
 * semantics of boundaries, holidays, 调休 make-up days and daylight-saving changes.
 *
 * The SLA engine's model: a running metric stores its due instant
 * `addBusinessMs(cal, startedAt, targetMs - elapsedBeforeMs)`; on pause it adds
 * `businessMsBetween(cal, resumedAt, pausedAt)` to its elapsed time. Both are exact inverses:
 * `businessMsBetween(cal, t, addBusinessMs(cal, t, n)) === n`.
 */

export { BusinessCalendar, BusinessCalendarError, type BusinessCalendarErrorCode, type CompileOptions };

const MINUTE_MS = 60_000;

/**
 * Throws BusinessCalendarError 'calendar.empty' when the definition has no working time at all
 * (no weekly hours and no make-up day with hours), and 'calendar.argument' for an unknown zone.
 */
export function compileCalendar(def: CalendarDefinition, options?: CompileOptions): BusinessCalendar {
  return new BusinessCalendar(def, options);
}

/** Working intervals are half-open: an interval's start is working time, its end is not. */
export function isWorkingTime(cal: BusinessCalendar, ms: number): boolean {
  return cal.isWorkingTime(ms);
}

/** `ms` itself when it is working time, else the start of the next working interval. */
export function nextWorkingInstant(cal: BusinessCalendar, ms: number): number {
  return cal.nextWorkingInstant(ms);
}

/**
 * The earliest instant by which `amount` ms of working time have elapsed after `startMs`
 * (counting starts at the next working instant). A due time that uses up the rest of an interval
 * is that interval's end (18:00), not the next interval's start (09:00 the next day). Adding 0
 * returns nextWorkingInstant(startMs): a clock started outside working hours starts counting at
 * the next working instant, and that is also when "due immediately" is due.
 * Throws 'calendar.argument' for a negative amount, 'calendar.horizon' beyond the horizon.
 */
export function addBusinessMs(cal: BusinessCalendar, startMs: number, amount: number): number {
  return cal.addBusinessMs(startMs, amount);
}

/**
 * Working ms in [fromMs, toMs). Antisymmetric: with fromMs > toMs the result is the negative of
 * businessMsBetween(toMs, fromMs), so a caller subtracting instants from two clocks that disagree
 * slightly gets a small negative number instead of an exception.
 */
export function businessMsBetween(cal: BusinessCalendar, fromMs: number, toMs: number): number {
  return cal.businessMsBetween(fromMs, toMs);
}

/** addBusinessMs with minutes (rounded to the millisecond). */
export function addBusinessMinutes(cal: BusinessCalendar, startMs: number, minutes: number): number {
  return cal.addBusinessMs(startMs, Math.round(minutes * MINUTE_MS));
}

/** businessMsBetween in minutes (fractional). */
export function businessMinutesBetween(cal: BusinessCalendar, fromMs: number, toMs: number): number {
  return cal.businessMsBetween(fromMs, toMs) / MINUTE_MS;
}

/** The working intervals overlapping [fromMs, toMs), clipped to it — for previews and tests. */
export function workingIntervals(cal: BusinessCalendar, fromMs: number, toMs: number): [number, number][] {
  return cal.workingIntervals(fromMs, toMs);
}
