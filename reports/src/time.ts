import type { Granularity } from '@opsloom/spec';
import { DateTime, IANAZone } from 'luxon';

/**
 * Calendar time in a report's zone, exactly, daylight-saving changes included.
 *
 * Time buckets are computed by the database from instants (epoch ms), so the SQL needs the local
 * time of each instant. Within a stretch where the zone's UTC offset does not change, local time
 * is `instant + offset`, so a range is split into segments of constant offset (luxon finds where
 * the offset changes) and the SQL picks the segment's offset with a CASE on the instant:
 *
 * - hour: the local hour number `floor((t + offset) / 1 h)`; day: the local day number
 *   `floor((t + offset) / 1 d)` (day 0 is 1970-01-01 local); week: `floor((day + 3) / 7)`, weeks
 *   starting on Monday (1970-01-01 was a Thursday);
 * - month, quarter, year: the bucket's first instant, from a CASE over the boundaries luxon gives
 *   (months have no fixed length).
 *
 * A bucket key is therefore a property of the instant and the zone alone, not of the range the
 * query covers: a drill-down that compares the same expression with a key selects exactly the
 * instants that were counted.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** A stretch of time with one UTC offset: [start, end), offset in ms (local = instant + offset). */
export interface Segment {
  start: number;
  end: number;
  offset: number;
}

const zones = new Map<string, IANAZone>();

export function zoneOf(name: string): IANAZone {
  let z = zones.get(name);
  if (!z) {
    z = IANAZone.create(name);
    if (!z.isValid) throw new RangeError(`unknown time zone "${name}"`);
    zones.set(name, z);
  }
  return z;
}

export const isZone = (name: string) => IANAZone.isValidZone(name);

export function offsetAt(zone: string, ms: number): number {
  return zoneOf(zone).offset(ms) * 60_000;
}

// Offset changes of each zone's UTC year, found once (a sample per day, refined to the ms):
// a luxon offset costs ~15 µs, a year of days ~6 ms, so each zone-year is worked out once.
const transitions = new Map<string, number[]>();

function yearTransitions(zone: string, year: number): number[] {
  const id = `${zone}@${year}`;
  let out = transitions.get(id);
  if (out) return out;
  out = [];
  const start = Date.UTC(year, 0, 1);
  const end = Date.UTC(year + 1, 0, 1);
  let prevT = start;
  let prevO = offsetAt(zone, start);
  for (let t = start + DAY_MS; t <= end; t += DAY_MS) {
    const o = offsetAt(zone, t);
    if (o !== prevO) {
      let lo = prevT;
      let hi = t;
      while (hi - lo > 1) {
        const mid = lo + Math.floor((hi - lo) / 2);
        if (offsetAt(zone, mid) === prevO) lo = mid;
        else hi = mid;
      }
      if (hi < end) out.push(hi);
    }
    prevT = t;
    prevO = o;
  }
  transitions.set(id, out);
  return out;
}

/** The segments of constant offset covering [from, to). */
export function segments(zone: string, from: number, to: number): Segment[] {
  const cuts: number[] = [];
  const y0 = new Date(from).getUTCFullYear();
  const y1 = new Date(Math.max(from, to - 1)).getUTCFullYear();
  for (let y = y0; y <= y1; y++)
    for (const t of yearTransitions(zone, y)) if (t > from && t < to) cuts.push(t);
  const out: Segment[] = [];
  let start = from;
  for (const cut of [...cuts, to]) {
    out.push({ start, end: cut, offset: offsetAt(zone, start) });
    start = cut;
  }
  return out;
}

const floorDiv = (a: number, b: number) => Math.floor(a / b);

/** The bucket key of an instant (see the module comment); the SQL computes the same. */
export function bucketKey(grain: Granularity, zone: string, ms: number): number {
  const local = ms + offsetAt(zone, ms);
  switch (grain) {
    case 'hour':
      return floorDiv(local, HOUR_MS);
    case 'day':
      return floorDiv(local, DAY_MS);
    case 'week':
      return floorDiv(floorDiv(local, DAY_MS) + 3, 7);
    default:
      return startOfBucket(grain, zone, ms);
  }
}

const LUXON_UNIT = { month: 'month', quarter: 'quarter', year: 'year' } as const;

function startOfBucket(grain: 'month' | 'quarter' | 'year', zone: string, ms: number): number {
  return DateTime.fromMillis(ms, { zone }).startOf(LUXON_UNIT[grain]).toMillis();
}

/** Month, quarter or year boundaries: the first instant of each bucket that meets [from, to). */
export function calendarBoundaries(
  grain: 'month' | 'quarter' | 'year',
  zone: string,
  from: number,
  to: number,
): number[] {
  const out: number[] = [];
  let t = DateTime.fromMillis(from, { zone }).startOf(LUXON_UNIT[grain]);
  const step = grain === 'quarter' ? { months: 3 } : grain === 'month' ? { months: 1 } : { years: 1 };
  while (t.toMillis() < to) {
    out.push(t.toMillis());
    t = t.plus(step).startOf(LUXON_UNIT[grain]);
  }
  return out;
}

/**
 * The first instant whose bucket key is at least `key` (hour, day, week), searched over the
 * segments around the key's wall-clock time. The bucket of `key` is [firstAtLeast(key),
 * firstAtLeast(key + 1)).
 */
function firstAtLeast(grain: 'hour' | 'day' | 'week', zone: string, key: number): number {
  const unit = grain === 'hour' ? HOUR_MS : DAY_MS;
  const wall = grain === 'week' ? (key * 7 - 3) * DAY_MS : key * unit;
  // Offsets lie within ±1 day, so the instant lies within two days of the wall time read as UTC.
  const around = segments(zone, wall - 2 * DAY_MS, wall + 2 * DAY_MS);
  let best = Number.POSITIVE_INFINITY;
  for (const s of around) {
    const t = Math.max(s.start, wall - s.offset);
    if (t < s.end && t < best) best = t;
  }
  return best;
}

export interface Bucket {
  /** What rows and exports show: 2026-12-06, 2026-12-06 14:00, 2026-W49 start date, 2026-12, 2026-Q4, 2026. */
  label: string;
  from: number;
  to: number;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const isoDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** The label and instants of a bucket key. */
export function bucketOf(grain: Granularity, zone: string, key: number): Bucket {
  switch (grain) {
    case 'hour': {
      const d = new Date(key * HOUR_MS);
      return {
        label: `${d.toISOString().slice(0, 10)} ${pad(d.getUTCHours())}:00`,
        from: firstAtLeast('hour', zone, key),
        to: firstAtLeast('hour', zone, key + 1),
      };
    }
    case 'day':
      return {
        label: isoDay(key),
        from: firstAtLeast('day', zone, key),
        to: firstAtLeast('day', zone, key + 1),
      };
    case 'week':
      return {
        label: isoDay(key * 7 - 3),
        from: firstAtLeast('week', zone, key),
        to: firstAtLeast('week', zone, key + 1),
      };
    default: {
      const start = DateTime.fromMillis(key, { zone });
      const next = start.plus(
        grain === 'quarter' ? { months: 3 } : grain === 'month' ? { months: 1 } : { years: 1 },
      );
      const label =
        grain === 'month'
          ? `${start.year}-${pad(start.month)}`
          : grain === 'quarter'
            ? `${start.year}-Q${Math.ceil(start.month / 3)}`
            : String(start.year);
      return { label, from: key, to: next.toMillis() };
    }
  }
}

/** Every bucket key meeting [from, to), in order (to fill days without records). */
export function bucketKeys(grain: Granularity, zone: string, from: number, to: number): number[] {
  if (to <= from) return [];
  if (grain === 'month' || grain === 'quarter' || grain === 'year')
    return calendarBoundaries(grain, zone, from, to);
  const first = bucketKey(grain, zone, from);
  const last = bucketKey(grain, zone, to - 1);
  const out: number[] = [];
  for (let k = first; k <= last; k++) out.push(k);
  return out;
}

/** The local date (YYYY-MM-DD) an instant falls on. */
export const localDate = (zone: string, ms: number) => isoDay(bucketKey('day', zone, ms));
