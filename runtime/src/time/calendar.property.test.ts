import { type CalendarDefinition, WEEKDAYS } from '@opsloom/spec';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { valid } from './fixtures.ts';
import {
  addBusinessMs,
  type BusinessCalendar,
  BusinessCalendarError,
  businessMsBetween,
  compileCalendar,
  isWorkingTime,
  nextWorkingInstant,
  workingIntervals,
} from './index.ts';

/**
 * Properties over random calendars (random intervals per weekday, some across midnight, random
 * holiday ranges and make-up days) in zones with and without daylight saving — including 30-minute
 * (Lord Howe), 45-minute offset (Chatham) and midnight transitions (Santiago, Havana) — and random
 * instants in 2025–2027, biased towards interval boundaries.
 */

const MIN = 60_000;
const DAY = 86_400_000;
const FROM = Date.UTC(2025, 0, 1);
const SPAN_MIN = 3 * 365 * 1440;
const ZONES = [
  'UTC',
  'Asia/Shanghai',
  'Asia/Kolkata',
  'Europe/Berlin',
  'America/New_York',
  'America/Santiago',
  'America/Havana',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
];

const hhmm = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const isoDate = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);

/** Sorted distinct boundaries paired up; an odd one out starts a shift that ends the next day. */
const dayHours = fc.uniqueArray(fc.integer({ min: 0, max: 287 }), { maxLength: 5 }).chain((raw) => {
  const b = [...raw].sort((x, y) => x - y).map((v) => v * 5);
  const pairs: { from: string; to: string }[] = [];
  for (let i = 0; i + 1 < b.length; i += 2) pairs.push({ from: hhmm(b[i]!), to: hhmm(b[i + 1]!) });
  if (b.length % 2 === 0) return fc.constant(pairs);
  const from = b[b.length - 1]!;
  return fc
    .integer({ min: 0, max: from / 5 })
    .map((to) => [...pairs, { from: hhmm(from), to: hhmm(to * 5) }]);
});

const firstDay = Date.UTC(2025, 0, 1) / DAY;
const lastDay = Date.UTC(2027, 11, 31) / DAY;

const calendarArb: fc.Arbitrary<CalendarDefinition> = fc
  .record({
    timeZone: fc.constantFrom(...ZONES),
    week: fc.tuple(...WEEKDAYS.map(() => fc.oneof(dayHours, fc.constant([])))),
    holidays: fc.array(
      fc.record({ day: fc.integer({ min: firstDay, max: lastDay }), len: fc.integer({ min: 0, max: 9 }) }),
      { maxLength: 12 },
    ),
    workdays: fc.uniqueArray(fc.integer({ min: firstDay, max: lastDay }), { maxLength: 8 }),
    workdayHours: fc.option(dayHours, { nil: undefined }),
  })
  .filter(({ week }) => week.some((h) => h.length > 0))
  .map(({ timeZone, week, holidays, workdays, workdayHours }) => {
    const inHoliday = (d: number) => holidays.some((h) => h.day <= d && d <= h.day + h.len);
    return valid({
      kind: 'calendar',
      key: 'cal-random',
      name: 'random',
      timeZone,
      week: Object.fromEntries(WEEKDAYS.map((d, i) => [d, week[i]])),
      holidays: holidays.map((h) => ({ date: isoDate(h.day), to: isoDate(h.day + h.len) })),
      workdays: workdays.filter((d) => !inHoliday(d)).map((d) => ({ date: isoDate(d) })),
      ...(workdayHours ? { workdayHours } : {}),
    });
  });

/**
 * Compiled with a small horizon so a sparse calendar fails fast instead of scanning 50 years;
 * cached per definition so a counterexample prints the definition, not the compiled object.
 */
const compiled = new WeakMap<CalendarDefinition, BusinessCalendar>();
const compile = (def: CalendarDefinition) => {
  let cal = compiled.get(def);
  if (!cal) {
    cal = compileCalendar(def, { now: Date.UTC(2026, 5, 1), horizonYears: 4 });
    compiled.set(def, cal);
  }
  return cal;
};

/** A random instant, one time in three exactly on (or 1 ms before) an interval boundary. */
const instantFor = (cal: BusinessCalendar) =>
  fc.oneof(
    fc
      .tuple(fc.integer({ min: 0, max: SPAN_MIN }), fc.integer({ min: 0, max: MIN - 1 }))
      .map(([m, j]) => FROM + m * MIN + j),
    fc.integer({ min: 0, max: SPAN_MIN }).map((m) => FROM + m * MIN),
    fc
      .tuple(fc.integer({ min: 0, max: SPAN_MIN / 1440 }), fc.nat(20), fc.constantFrom(0, -1, 1))
      .map(([d, k, nudge]) => {
        const from = FROM + d * DAY;
        const bounds = workingIntervals(cal, from, from + 7 * DAY).flat();
        return (bounds.length ? bounds[k % bounds.length]! : from) + nudge;
      }),
  );

/** Working ms per week ignoring holidays, to keep durations within a few weeks of work. */
function weeklyMs(def: CalendarDefinition): number {
  let total = 0;
  for (const d of WEEKDAYS) {
    for (const { from, to } of def.week[d] ?? []) {
      const f = minutes(from);
      const t = minutes(to);
      total += (t <= f ? t + 1440 : t) - f;
    }
  }
  return total * MIN;
}
const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

const durationFor = (def: CalendarDefinition) => {
  const cap = Math.min(30 * DAY, 6 * weeklyMs(def));
  return fc.oneof(
    fc.constant(0),
    fc.integer({ min: 1, max: 120_000 }),
    fc.integer({ min: 0, max: 1_000_000 }).map((f) => Math.round((f / 1_000_000) * cap)),
  );
};

/** Runs `body`; a sparse random calendar may run past the test horizon, which is not a failure. */
function withinHorizon(body: () => void): void {
  try {
    body();
  } catch (e) {
    if (e instanceof BusinessCalendarError && e.code === 'calendar.horizon') {
      fc.pre(false);
      return;
    }
    throw e;
  }
}

// FC_RUNS=5000 for a longer hunt; 300 keeps the suite at a few seconds.
const RUNS = { numRuns: Number(process.env.FC_RUNS || 300) };

describe('business time properties', () => {
  it('measuring what was added gives it back, and the due instant is the earliest one', () => {
    fc.assert(
      fc.property(
        calendarArb.chain((def) => {
          const cal = compile(def);
          return fc.tuple(fc.constant(def), instantFor(cal), durationFor(def));
        }),
        ([def, t, n]) => {
          const cal = compile(def);
          return withinHorizon(() => {
            const u = addBusinessMs(cal, t, n);
            expect(businessMsBetween(cal, t, u)).toBe(n);
            expect(u).toBeGreaterThanOrEqual(t);
            if (n > 0) {
              // u is in working time or exactly at the end of a working interval…
              expect(isWorkingTime(cal, u - 1)).toBe(true);
              // …and one millisecond earlier not all of n had been worked.
              expect(businessMsBetween(cal, t, u - 1)).toBe(n - 1);
            } else {
              expect(u).toBe(nextWorkingInstant(cal, t));
            }
          });
        },
      ),
      RUNS,
    );
  });

  it('adding is monotonic in the amount and composes: add(add(t, a), b) = add(t, a + b) for b > 0', () => {
    fc.assert(
      fc.property(
        calendarArb.chain((def) => {
          const cal = compile(def);
          return fc.tuple(fc.constant(def), instantFor(cal), durationFor(def), durationFor(def));
        }),
        ([def, t, a, b]) => {
          const cal = compile(def);
          return withinHorizon(() => {
            const ua = addBusinessMs(cal, t, a);
            const uab = addBusinessMs(cal, t, a + b);
            expect(ua).toBeLessThanOrEqual(uab);
            if (b > 0) expect(addBusinessMs(cal, ua, b)).toBe(uab);
          });
        },
      ),
      RUNS,
    );
  });

  it('between is additive, antisymmetric and never more than the elapsed time', () => {
    fc.assert(
      fc.property(
        calendarArb.chain((def) => {
          const cal = compile(def);
          return fc.tuple(fc.constant(def), instantFor(cal), instantFor(cal), instantFor(cal));
        }),
        ([def, a, b, c]) => {
          const cal = compile(def);
          const ab = businessMsBetween(cal, a, b);
          expect(ab + businessMsBetween(cal, b, c)).toBe(businessMsBetween(cal, a, c));
          expect(businessMsBetween(cal, b, a)).toBe(0 - ab);
          expect(Math.abs(ab)).toBeLessThanOrEqual(Math.abs(b - a));
        },
      ),
      RUNS,
    );
  });

  it('the next working instant is working time and nothing before it is', () => {
    fc.assert(
      fc.property(
        calendarArb.chain((def) => {
          const cal = compile(def);
          return fc.tuple(fc.constant(def), instantFor(cal));
        }),
        ([def, t]) => {
          const cal = compile(def);
          return withinHorizon(() => {
            const w = nextWorkingInstant(cal, t);
            expect(isWorkingTime(cal, w)).toBe(true);
            expect(w).toBeGreaterThanOrEqual(t);
            expect(businessMsBetween(cal, t, w)).toBe(0);
            if (w > t) {
              expect(isWorkingTime(cal, t)).toBe(false);
              expect(isWorkingTime(cal, w - 1)).toBe(false);
            }
          });
        },
      ),
      RUNS,
    );
  });

  it('isWorkingTime agrees with reading the wall clock, away from daylight-saving changes', () => {
    fc.assert(
      fc.property(
        calendarArb.chain((def) => {
          const cal = compile(def);
          return fc.tuple(fc.constant(def), instantFor(cal));
        }),
        ([def, t]) => {
          const cal = compile(def);
          // Near a change a boundary may fall in a skipped or repeated wall-clock hour, where the
          // wall clock alone is ambiguous; the table tests pin those cases down.
          const offset = (ms: number) => DateTime.fromMillis(ms, { zone: def.timeZone }).offset;
          fc.pre(offset(t - 3 * 3_600_000) === offset(t + 3 * 3_600_000));
          expect(isWorkingTime(cal, t)).toBe(wallClockWorking(def, t));
        },
      ),
      RUNS,
    );
  });
});

/**
 * An independent reading of a definition: t is working when its local wall-clock time lies in
 * one of its local day's intervals, or in the part after midnight of one of the previous day's.
 */
function wallClockWorking(def: CalendarDefinition, t: number): boolean {
  const local = DateTime.fromMillis(t, { zone: def.timeZone });
  const w = local.hour * 60 + local.minute + local.second / 60 + local.millisecond / 60_000;
  const hours = (d: DateTime) => {
    const date = d.toISODate()!;
    if ((def.holidays ?? []).some((h) => h.date <= date && date <= (h.to ?? h.date))) return [];
    if ((def.workdays ?? []).some((x) => x.date === date)) return def.workdayHours ?? def.week.mon ?? [];
    return def.week[WEEKDAYS[d.weekday - 1]!] ?? [];
  };
  const spans = (d: DateTime, shift: number) =>
    hours(d).map(({ from, to }) => {
      const f = minutes(from);
      const e = minutes(to);
      return [f - shift, (e <= f ? e + 1440 : e) - shift] as const;
    });
  const today = local.startOf('day');
  return [...spans(today, 0), ...spans(today.minus({ days: 1 }), 1440)].some(([f, e]) => f <= w && w < e);
}

it('the random calendars are not all trivial', () => {
  const defs = fc.sample(calendarArb, 200);
  expect(defs.some((d) => (d.holidays ?? []).length > 0 && (d.workdays ?? []).length > 0)).toBe(true);
  expect(defs.some((d) => WEEKDAYS.some((w) => (d.week[w] ?? []).some((i) => i.to <= i.from)))).toBe(true);
  expect(new Set(defs.map((d) => d.timeZone)).size).toBe(ZONES.length);
});
