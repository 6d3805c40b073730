import { IANAZone } from 'luxon';

/**
 * UTC offsets of an IANA zone, and wall-clock → instant conversion with explicit rules for the
 * skipped and repeated hours of daylight-saving changes.
 *
 * Luxon (over Intl) is the source of truth for offsets, but one Intl lookup costs tens of
 * microseconds, so each UTC year's transitions are found once (a sample per day, refined to the
 * second) and cached per zone for the whole process; an offset is then a binary search.
 * Assumes a zone changes offset at most once within a UTC day, which holds in the tz database.
 */

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;
const AVG_YEAR_MS = 31_556_952_000;

/** The UTC calendar year of an instant, without allocating a Date. */
export function utcYear(ms: number): number {
  let y = 1970 + Math.floor(ms / AVG_YEAR_MS);
  if (ms < Date.UTC(y, 0, 1)) y--;
  else if (ms >= Date.UTC(y + 1, 0, 1)) y++;
  return y;
}

interface YearOffsets {
  /** instants from which `offsets[i]` applies; at[0] is the year's first instant */
  at: number[];
  /** offsets in ms (local = utc + offset) */
  offsets: number[];
}

export class ZoneOffsets {
  private readonly zone: IANAZone;
  private readonly years = new Map<number, YearOffsets>();

  constructor(readonly name: string) {
    this.zone = IANAZone.create(name);
    if (!this.zone.isValid) throw new RangeError(`unknown time zone "${name}"`);
  }

  /** Offset in ms at an instant (local wall clock = instant + offset). */
  offsetAt(ms: number): number {
    const y = utcYear(ms);
    const table = this.years.get(y) ?? this.buildYear(y);
    const { at, offsets } = table;
    let lo = 0;
    let hi = at.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (at[mid]! <= ms) lo = mid;
      else hi = mid - 1;
    }
    return offsets[lo]!;
  }

  /**
   * The instant at which the wall clock shows `local` (a wall-clock time written as if it were UTC
   * epoch ms, e.g. Date.UTC(2026, 2, 29, 2, 30) for 02:30 on 29 March).
   * - repeated wall time (clocks go back): the EARLIER instant, as java.time does;
   * - skipped wall time (clocks go forward): the transition instant, i.e. the first instant whose
   *   wall clock is at or after `local` — so a skipped stretch of the wall clock is never worked.
   */
  wallToInstant(local: number): number {
    const before = this.offsetAt(local - DAY_MS);
    const after = this.offsetAt(local + DAY_MS);
    const a = local - before;
    if (before === after) return a;
    const b = local - after;
    const aValid = a + this.offsetAt(a) === local;
    const bValid = b + this.offsetAt(b) === local;
    if (aValid && bValid) return Math.min(a, b);
    if (aValid) return a;
    if (bValid) return b;
    // In a gap: the earliest instant whose wall clock has reached `local`.
    let lo = Math.min(a, b);
    let hi = Math.max(a, b);
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (mid + this.offsetAt(mid) >= local) hi = mid;
      else lo = mid;
    }
    return hi;
  }

  private raw(ms: number): number {
    return this.zone.offset(ms) * MINUTE_MS;
  }

  private buildYear(y: number): YearOffsets {
    const start = Date.UTC(y, 0, 1);
    const end = Date.UTC(y + 1, 0, 1);
    const at = [start];
    const offsets = [this.raw(start)];
    let prevT = start;
    let prevO = offsets[0]!;
    for (let t = start + DAY_MS; t <= end; t += DAY_MS) {
      const o = this.raw(t);
      if (o !== prevO) {
        // The transition lies in (prevT, t]; tz transitions fall on whole seconds.
        let lo = prevT;
        let hi = t;
        while (hi - lo > 1000) {
          const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
          if (this.raw(mid) === prevO) lo = mid;
          else hi = mid;
        }
        if (hi < end) {
          at.push(hi);
          offsets.push(this.raw(hi));
        }
      }
      prevT = t;
      prevO = o;
    }
    const table = { at, offsets };
    this.years.set(y, table);
    return table;
  }
}

const zones = new Map<string, ZoneOffsets>();

/** One offset table per zone for the whole process: calendars sharing a zone share its cache. */
export function zoneOffsets(name: string): ZoneOffsets {
  let z = zones.get(name);
  if (!z) {
    z = new ZoneOffsets(name);
    zones.set(name, z);
  }
  return z;
}
