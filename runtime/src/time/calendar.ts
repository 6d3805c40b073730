import { type CalendarDefinition, WEEKDAYS } from '@opsloom/spec';
import { DAY_MS, MINUTE_MS, utcYear, type ZoneOffsets, zoneOffsets } from './zone.ts';

/**
 * Business calendars compiled into sorted UTC working intervals.
 *
 * Semantics (the SLA engine relies on these; the tests pin them down):
 * - Working time is a union of half-open instants [start, end). The end instant itself is not
 *   working time, so `isWorkingTime(18:00)` is false on a 09:00–18:00 day.
 * - An interval belongs to the local day it STARTS on: a 22:00–06:00 night shift starting on the
 *   eve of a holiday is worked in full; one starting on the holiday is not worked at all. The same
 *   rule decides which hours a make-up working day (调休) gets.
 * - A make-up working day uses `workdayHours`, else Monday's hours, whatever its weekday. A date
 *   that is both a holiday and a make-up day (the validator refuses this) is a holiday.
 * - Intervals are wall-clock times in the calendar's zone. Across a daylight-saving change a
 *   09:00–18:00 day stays 9 hours; on the change day itself an interval that spans the skipped
 *   hour is one real hour shorter, one that spans the repeated hour one hour longer. A boundary
 *   that falls in the skipped hour moves to the transition instant (skipped wall-clock time is
 *   never worked); one that falls in the repeated hour means its first occurrence.
 * - Overlapping intervals (a night shift running into the next morning's shift) are merged so no
 *   minute counts twice; touching ones (00:00–00:00 every day) too, which keeps the arrays short.
 *
 * Each UTC year is compiled on first use and cached in the calendar object: working intervals plus
 * prefix sums of their durations, so every query is a binary search within a year plus, for spans
 * that cross years, one addition per year. Years outside `horizonYears` of `now` (compile time)
 * are refused with a BusinessCalendarError rather than computed.
 */

export type BusinessCalendarErrorCode = 'calendar.empty' | 'calendar.horizon' | 'calendar.argument';

export class BusinessCalendarError extends Error {
  constructor(
    readonly code: BusinessCalendarErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BusinessCalendarError';
  }
}

export interface CompileOptions {
  /** Years either side of `now` that may be computed (default 50). */
  horizonYears?: number;
  /** Centre of the horizon, epoch ms (default Date.now()). */
  now?: number;
}

/** One local day's working intervals, as minutes from that day's 00:00 (`to` may exceed 1440). */
type DayHours = readonly (readonly [from: number, to: number])[];

interface Year {
  /** first instant of the UTC year */
  start: number;
  /** first instant of the next UTC year */
  end: number;
  starts: Float64Array;
  ends: Float64Array;
  /** cum[i] = working ms in intervals 0..i-1; cum[n] = the year's total */
  cum: Float64Array;
}

const EMPTY = new Float64Array(0);
const ZERO = new Float64Array(1);
const AVG_YEAR_MS = 31_556_952_000;

export class BusinessCalendar {
  readonly key: string;
  readonly timeZone: string;
  /** UTC years that may be computed, inclusive */
  readonly firstYear: number;
  readonly lastYear: number;

  private readonly zone: ZoneOffsets;
  private readonly week: DayHours[];
  private readonly makeUpHours: DayHours;
  private readonly holidays: (readonly [from: number, to: number])[];
  private readonly workdays: Set<number>;
  private readonly years: (Year | undefined)[];
  /** yearStarts[i] = first instant of UTC year firstYear + i, up to lastYear + 1 */
  private readonly yearStarts: Float64Array;

  constructor(def: CalendarDefinition, options: CompileOptions = {}) {
    this.key = def.key;
    this.timeZone = def.timeZone;
    try {
      this.zone = zoneOffsets(def.timeZone);
    } catch (e) {
      throw new BusinessCalendarError('calendar.argument', `calendar ${def.key}: ${(e as Error).message}`);
    }
    this.week = WEEKDAYS.map((d) => parseHours(def.week[d]));
    this.makeUpHours = parseHours(def.workdayHours ?? def.week.mon);
    this.holidays = (def.holidays ?? []).map((h) => [dayNumber(h.date), dayNumber(h.to ?? h.date)] as const);
    this.workdays = new Set((def.workdays ?? []).map((w) => dayNumber(w.date)));
    const hasWeekly = this.week.some((h) => h.length > 0);
    const hasMakeUp = this.workdays.size > 0 && this.makeUpHours.length > 0;
    if (!hasWeekly && !hasMakeUp) {
      throw new BusinessCalendarError('calendar.empty', `calendar ${def.key} has no working time at all`);
    }
    const horizon = options.horizonYears ?? 50;
    const centre = utcYear(options.now ?? Date.now());
    this.firstYear = centre - horizon;
    this.lastYear = centre + horizon;
    this.years = new Array(this.lastYear - this.firstYear + 1);
    this.yearStarts = new Float64Array(this.years.length + 1);
    for (let i = 0; i <= this.years.length; i++) this.yearStarts[i] = Date.UTC(this.firstYear + i, 0, 1);
  }

  isWorkingTime(ms: number): boolean {
    const y = this.yearOf(ms);
    const k = upper(y.starts, ms) - 1;
    return k >= 0 && ms < y.ends[k]!;
  }

  nextWorkingInstant(ms: number): number {
    let yn = this.yearNumber(ms);
    let y = this.year(yn);
    const i = upper(y.starts, ms);
    if (i > 0 && ms < y.ends[i - 1]!) return ms;
    if (i < y.starts.length) return y.starts[i]!;
    for (yn++; yn <= this.lastYear; yn++) {
      y = this.year(yn);
      if (y.starts.length > 0) return y.starts[0]!;
    }
    throw this.beyondHorizon(ms);
  }

  businessMsBetween(from: number, to: number): number {
    // 0 - x rather than -x: no -0 for callers that compare with Object.is.
    if (from > to) return 0 - this.businessMsBetween(to, from);
    const yf = this.yearNumber(from);
    const yt = this.yearNumber(to);
    const a = this.year(yf);
    if (yf === yt) return worked(a, to) - worked(a, from);
    let sum = a.cum[a.starts.length]! - worked(a, from);
    for (let yn = yf + 1; yn < yt; yn++) {
      const y = this.year(yn);
      sum += y.cum[y.starts.length]!;
    }
    return sum + worked(this.year(yt), to);
  }

  addBusinessMs(start: number, amount: number): number {
    if (!Number.isFinite(amount) || amount < 0) {
      throw new BusinessCalendarError('calendar.argument', `business time to add must be ≥ 0, got ${amount}`);
    }
    if (amount === 0) return this.nextWorkingInstant(start);
    let yn = this.yearNumber(start);
    let y = this.year(yn);
    let base = worked(y, start);
    let need = amount;
    for (;;) {
      const n = y.starts.length;
      const remaining = y.cum[n]! - base;
      if (need <= remaining) {
        // The interval k with cum[k] < target <= cum[k+1]: the earliest instant by which
        // `target` ms of this year have been worked, possibly the interval's end.
        const target = base + need;
        let lo = 0;
        let hi = n - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (y.cum[mid + 1]! >= target) hi = mid;
          else lo = mid + 1;
        }
        return y.starts[lo]! + (target - y.cum[lo]!);
      }
      need -= remaining;
      base = 0;
      if (++yn > this.lastYear) throw this.beyondHorizon(start);
      y = this.year(yn);
    }
  }

  /** Working intervals [start, end) that overlap [from, to), clipped to it (for previews and tests). */
  workingIntervals(from: number, to: number): [number, number][] {
    const out: [number, number][] = [];
    if (!(from < to)) return out;
    for (let yn = this.yearNumber(from), last = this.yearNumber(to); yn <= last; yn++) {
      const y = this.year(yn);
      for (let i = Math.max(0, upper(y.starts, from) - 1); i < y.starts.length && y.starts[i]! < to; i++) {
        const s = Math.max(y.starts[i]!, from);
        const e = Math.min(y.ends[i]!, to);
        if (s >= e) continue;
        // Re-join an interval split at a year boundary.
        const prev = out[out.length - 1];
        if (prev && prev[1] === s) prev[1] = e;
        else out.push([s, e]);
      }
    }
    return out;
  }

  /** The UTC year of an instant within the horizon: an estimate corrected against yearStarts. */
  private yearNumber(ms: number): number {
    const starts = this.yearStarts;
    if (!(ms >= starts[0]! && ms < starts[starts.length - 1]!)) {
      if (!Number.isFinite(ms)) throw new BusinessCalendarError('calendar.argument', `not an instant: ${ms}`);
      throw this.beyondHorizon(ms);
    }
    let i = Math.floor((ms - starts[0]!) / AVG_YEAR_MS);
    if (i >= starts.length - 1) i = starts.length - 2;
    while (ms < starts[i]!) i--;
    while (ms >= starts[i + 1]!) i++;
    return this.firstYear + i;
  }

  private yearOf(ms: number): Year {
    return this.year(this.yearNumber(ms));
  }

  private year(yn: number): Year {
    return this.years[yn - this.firstYear] ?? this.compileYear(yn);
  }

  private beyondHorizon(ms: number): BusinessCalendarError {
    return new BusinessCalendarError(
      'calendar.horizon',
      `calendar ${this.key}: no working time computed beyond ${this.firstYear}–${this.lastYear} ` +
        `(asked about ${new Date(ms).toISOString()})`,
    );
  }

  private hoursOn(day: number): DayHours {
    for (const [from, to] of this.holidays) if (from <= day && day <= to) return NO_HOURS;
    if (this.workdays.has(day)) return this.makeUpHours;
    // Day 0 (1970-01-01) was a Thursday; WEEKDAYS starts on Monday.
    return this.week[(((day + 3) % 7) + 7) % 7]!;
  }

  private compileYear(yn: number): Year {
    const start = Date.UTC(yn, 0, 1);
    const end = Date.UTC(yn + 1, 0, 1);
    // Local days whose intervals (at most 48 h long from local midnight, offsets within ±14 h)
    // can reach into [start, end).
    const firstDay = Math.floor(start / DAY_MS) - 3;
    const lastDay = Math.floor(end / DAY_MS) + 1;
    const raw: [number, number][] = [];
    for (let day = firstDay; day <= lastDay; day++) {
      const midnight = day * DAY_MS;
      for (const [from, to] of this.hoursOn(day)) {
        const s = this.zone.wallToInstant(midnight + from * MINUTE_MS);
        const e = this.zone.wallToInstant(midnight + to * MINUTE_MS);
        if (e > s) raw.push([s, e]);
      }
    }
    raw.sort((a, b) => a[0] - b[0]);
    const starts: number[] = [];
    const ends: number[] = [];
    for (const [s0, e0] of raw) {
      const s = Math.max(s0, start);
      const e = Math.min(e0, end);
      if (s >= e) continue;
      const last = ends.length - 1;
      if (last >= 0 && s <= ends[last]!) ends[last] = Math.max(ends[last]!, e);
      else {
        starts.push(s);
        ends.push(e);
      }
    }
    const n = starts.length;
    const cum = n ? new Float64Array(n + 1) : ZERO;
    for (let i = 0; i < n; i++) cum[i + 1] = cum[i]! + ends[i]! - starts[i]!;
    const year: Year = {
      start,
      end,
      starts: n ? Float64Array.from(starts) : EMPTY,
      ends: n ? Float64Array.from(ends) : EMPTY,
      cum,
    };
    this.years[yn - this.firstYear] = year;
    return year;
  }
}

const NO_HOURS: DayHours = [];

/** Number of entries of the sorted `arr` that are <= ms. */
function upper(arr: Float64Array, ms: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (arr[mid]! <= ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Working ms of the year before the instant `ms` (which lies in the year). */
function worked(y: Year, ms: number): number {
  const k = upper(y.starts, ms) - 1;
  if (k < 0) return 0;
  return y.cum[k]! + Math.min(ms, y.ends[k]!) - y.starts[k]!;
}

function minutesOf(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

function parseHours(intervals: readonly { from: string; to: string }[] | undefined): DayHours {
  return (intervals ?? []).map((i) => {
    const from = minutesOf(i.from);
    const to = minutesOf(i.to);
    return [from, to <= from ? to + 1440 : to] as const;
  });
}

/** Days since 1970-01-01 of an ISO date (YYYY-MM-DD). */
function dayNumber(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS;
}
