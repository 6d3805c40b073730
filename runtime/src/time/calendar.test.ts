import type { CalendarDefinition } from '@opsloom/spec';
import { describe, expect, it } from 'vitest';
import { calendar, shippedCalendar } from './fixtures.ts';
import {
  addBusinessMinutes,
  addBusinessMs,
  type BusinessCalendar,
  BusinessCalendarError,
  businessMinutesBetween,
  businessMsBetween,
  compileCalendar,
  isWorkingTime,
  nextWorkingInstant,
  workingIntervals,
} from './index.ts';

// Every expected value below was worked out by hand from a wall calendar; instants carry their
// offset so the local time is visible. 2026: Jan 1 is a Thursday, Oct 1 a Thursday.
const at = (iso: string) => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad instant ${iso}`);
  return ms;
};
const H = 60;

const cn = compileCalendar(shippedCalendar('cal-cn-2026'));
const c5x8 = compileCalendar(shippedCalendar('cal-5x8'));
const c7x24 = compileCalendar(shippedCalendar('cal-7x24'));
/** Weeknights 22:00–06:00 (Shanghai), with a holiday on Thursday 2026-10-01. */
const night = compileCalendar(
  calendar('Asia/Shanghai', {
    week: Object.fromEntries(
      (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((d) => [d, [{ from: '22:00', to: '06:00' }]]),
    ),
    holidays: [{ date: '2026-10-01' }],
  }),
);
const everyDay = (timeZone: string, from: string, to: string) =>
  compileCalendar(
    calendar(timeZone, {
      week: Object.fromEntries(
        (['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const).map((d) => [d, [{ from, to }]]),
      ),
    }),
  );
const berlinDay = everyDay('Europe/Berlin', '09:00', '18:00');
const berlinNight = everyDay('Europe/Berlin', '22:00', '06:00');
const nyNight = everyDay('America/New_York', '22:00', '06:00');
const ny5x8 = compileCalendar({ ...shippedCalendar('cal-5x8'), timeZone: 'America/New_York' });

interface AddCase {
  name: string;
  cal: BusinessCalendar;
  start: string;
  minutes: number;
  due: string;
}

// 2026 DST: Europe/Berlin 29 Mar 02:00→03:00 and 25 Oct 03:00→02:00;
// America/New_York 8 Mar 02:00→03:00 and 1 Nov 02:00→01:00.
const addCases: AddCase[] = [
  {
    name: 'inside one interval',
    cal: cn,
    start: '2026-03-11T10:00+08:00',
    minutes: 60,
    due: '2026-03-11T11:00+08:00',
  },
  {
    name: 'across the lunch break',
    cal: c5x8,
    start: '2026-03-11T11:30+08:00',
    minutes: 60,
    due: '2026-03-11T13:30+08:00',
  },
  {
    name: 'starting in the lunch break',
    cal: c5x8,
    start: '2026-03-11T12:30+08:00',
    minutes: 30,
    due: '2026-03-11T13:30+08:00',
  },
  {
    name: 'starting before opening',
    cal: cn,
    start: '2026-03-11T07:00+08:00',
    minutes: 30,
    due: '2026-03-11T09:30+08:00',
  },
  {
    name: 'starting after closing',
    cal: cn,
    start: '2026-03-11T19:00+08:00',
    minutes: 60,
    due: '2026-03-12T10:00+08:00',
  },
  {
    name: 'a full day ends at 18:00, not 09:00 the next day',
    cal: cn,
    start: '2026-03-11T09:00+08:00',
    minutes: 8 * H,
    due: '2026-03-11T18:00+08:00',
  },
  {
    name: 'morning ends at 12:00 (interval end)',
    cal: cn,
    start: '2026-03-11T09:00+08:00',
    minutes: 3 * H,
    due: '2026-03-11T12:00+08:00',
  },
  {
    name: 'across a weekend',
    cal: cn,
    start: '2026-03-13T17:00+08:00',
    minutes: 2 * H,
    due: '2026-03-16T10:00+08:00',
  },
  {
    name: 'starting on a Saturday',
    cal: cn,
    start: '2026-03-14T11:00+08:00',
    minutes: 30,
    due: '2026-03-16T09:30+08:00',
  },
  {
    name: 'ten working days',
    cal: cn,
    start: '2026-03-02T09:00+08:00',
    minutes: 10 * 8 * H,
    due: '2026-03-13T18:00+08:00',
  },
  {
    name: '国庆 01–07 Oct is skipped',
    cal: cn,
    start: '2026-09-30T17:00+08:00',
    minutes: 2 * H,
    due: '2026-10-08T10:00+08:00',
  },
  {
    name: 'starting inside 国庆',
    cal: cn,
    start: '2026-10-03T10:00+08:00',
    minutes: 30,
    due: '2026-10-08T09:30+08:00',
  },
  {
    name: '国庆 on cal-5x8 (no holidays) is a working Thursday',
    cal: c5x8,
    start: '2026-09-30T17:00+08:00',
    minutes: 2 * H,
    due: '2026-10-01T10:00+08:00',
  },
  {
    name: '调休 Saturday 10 Oct is worked',
    cal: cn,
    start: '2026-10-09T17:00+08:00',
    minutes: 2 * H,
    due: '2026-10-10T10:00+08:00',
  },
  {
    name: '调休 Sunday 20 Sep is worked',
    cal: cn,
    start: '2026-09-19T12:00+08:00',
    minutes: H,
    due: '2026-09-20T10:00+08:00',
  },
  {
    name: '调休 Saturday 14 Feb, then 春节 15–23 Feb',
    cal: cn,
    start: '2026-02-13T17:00+08:00',
    minutes: 10 * H,
    due: '2026-02-24T10:00+08:00',
  },
  {
    name: '元旦 01–03 Jan, then 调休 Sunday 4 Jan',
    cal: cn,
    start: '2025-12-31T17:00+08:00',
    minutes: 2 * H,
    due: '2026-01-04T10:00+08:00',
  },
  {
    name: 'add 0 in working time is the start itself',
    cal: cn,
    start: '2026-03-11T10:00+08:00',
    minutes: 0,
    due: '2026-03-11T10:00+08:00',
  },
  {
    name: 'add 0 at closing time is the next opening',
    cal: cn,
    start: '2026-03-11T18:00+08:00',
    minutes: 0,
    due: '2026-03-12T09:00+08:00',
  },
  {
    name: 'add 0 in a holiday is the next opening',
    cal: cn,
    start: '2026-10-01T10:00+08:00',
    minutes: 0,
    due: '2026-10-08T09:00+08:00',
  },
  {
    name: 'half a minute',
    cal: cn,
    start: '2026-03-11T11:59+08:00',
    minutes: 0.5,
    due: '2026-03-11T11:59:30+08:00',
  },
  {
    name: '7×24: three days are three days',
    cal: c7x24,
    start: '2026-05-01T08:15+08:00',
    minutes: 3 * 24 * H,
    due: '2026-05-04T08:15+08:00',
  },
  {
    name: '7×24: across the UTC new year',
    cal: c7x24,
    start: '2026-12-31T23:00Z',
    minutes: 2 * H,
    due: '2027-01-01T01:00Z',
  },
  {
    name: 'night shift into the next morning',
    cal: night,
    start: '2026-09-29T21:00+08:00',
    minutes: 4 * H,
    due: '2026-09-30T02:00+08:00',
  },
  {
    name: 'night shift: none starts on the holiday',
    cal: night,
    start: '2026-09-30T23:00+08:00',
    minutes: 8 * H,
    due: '2026-10-02T23:00+08:00',
  },
  {
    name: 'night shift: Friday night into Saturday',
    cal: night,
    start: '2026-10-02T22:00+08:00',
    minutes: 8 * H + 30,
    due: '2026-10-05T22:30+08:00',
  },
  {
    name: 'Berlin 09–18 across spring forward: a weekday-like day stays 9 h',
    cal: berlinDay,
    start: '2026-03-28T17:00+01:00',
    minutes: 2 * H,
    due: '2026-03-29T10:00+02:00',
  },
  {
    name: 'Berlin night over spring forward lasts 7 real hours',
    cal: berlinNight,
    start: '2026-03-28T22:00+01:00',
    minutes: 7 * H,
    due: '2026-03-29T06:00+02:00',
  },
  {
    name: 'Berlin night over fall back lasts 9 real hours',
    cal: berlinNight,
    start: '2026-10-24T22:00+02:00',
    minutes: 9 * H,
    due: '2026-10-25T06:00+01:00',
  },
  {
    name: 'Berlin night over fall back: 8 h end at 05:00 wall time',
    cal: berlinNight,
    start: '2026-10-24T22:00+02:00',
    minutes: 8 * H,
    due: '2026-10-25T05:00+01:00',
  },
  {
    name: 'New York: Friday 17:00 EST + 2 h is Monday 10:00 EDT',
    cal: ny5x8,
    start: '2026-03-06T17:00-05:00',
    minutes: 2 * H,
    due: '2026-03-09T10:00-04:00',
  },
  {
    name: 'New York night over spring forward lasts 7 real hours',
    cal: nyNight,
    start: '2026-03-07T22:00-05:00',
    minutes: 7 * H,
    due: '2026-03-08T06:00-04:00',
  },
  {
    name: 'New York night over fall back lasts 9 real hours',
    cal: nyNight,
    start: '2026-10-31T22:00-04:00',
    minutes: 9 * H,
    due: '2026-11-01T06:00-05:00',
  },
];

describe('addBusinessMinutes', () => {
  it.each(addCases)('$name', ({ cal, start, minutes, due }) => {
    const result = addBusinessMinutes(cal, at(start), minutes);
    expect(new Date(result).toISOString()).toBe(new Date(at(due)).toISOString());
    // and measuring it back gives the same duration
    expect(businessMinutesBetween(cal, at(start), result)).toBe(minutes);
  });
});

interface BetweenCase {
  name: string;
  cal: BusinessCalendar;
  from: string;
  to: string;
  minutes: number;
}

const betweenCases: BetweenCase[] = [
  {
    name: 'one working day with lunch',
    cal: cn,
    from: '2026-03-11T00:00+08:00',
    to: '2026-03-12T00:00+08:00',
    minutes: 8 * H,
  },
  {
    name: 'the lunch break is not worked',
    cal: cn,
    from: '2026-03-11T12:00+08:00',
    to: '2026-03-11T13:00+08:00',
    minutes: 0,
  },
  {
    name: 'from inside the morning to inside the afternoon',
    cal: cn,
    from: '2026-03-11T11:15+08:00',
    to: '2026-03-11T14:45+08:00',
    minutes: 45 + 105,
  },
  {
    name: 'a week with 国庆 and both 调休 days',
    cal: cn,
    from: '2026-09-28T00:00+08:00',
    to: '2026-10-12T00:00+08:00',
    minutes: (3 + 2 + 1) * 8 * H,
  },
  {
    name: 'all of 2026 in China: 248 working days',
    cal: cn,
    from: '2026-01-01T00:00+08:00',
    to: '2027-01-01T00:00+08:00',
    minutes: 248 * 8 * H,
  },
  {
    name: 'from > to is negative',
    cal: cn,
    from: '2026-10-08T18:00+08:00',
    to: '2026-09-30T09:00+08:00',
    minutes: -2 * 8 * H,
  },
  {
    name: 'equal instants',
    cal: cn,
    from: '2026-03-11T10:00+08:00',
    to: '2026-03-11T10:00+08:00',
    minutes: 0,
  },
  {
    name: 'night shift: Friday 20:00 to Monday noon',
    cal: night,
    from: '2026-10-02T20:00+08:00',
    to: '2026-10-05T12:00+08:00',
    minutes: 8 * H,
  },
  {
    name: 'Berlin 09–18 over the spring weekend stays 9 h a day',
    cal: berlinDay,
    from: '2026-03-28T00:00+01:00',
    to: '2026-03-30T00:00+02:00',
    minutes: 18 * H,
  },
  {
    name: 'Berlin 09–18 over the autumn weekend stays 9 h a day',
    cal: berlinDay,
    from: '2026-10-24T00:00+02:00',
    to: '2026-10-26T00:00+01:00',
    minutes: 18 * H,
  },
  {
    name: 'Berlin nights: the spring-forward night is an hour short',
    cal: berlinNight,
    from: '2026-03-28T12:00+01:00',
    to: '2026-03-29T12:00+02:00',
    minutes: 7 * H,
  },
  {
    name: 'Berlin nights: the fall-back night is an hour long',
    cal: berlinNight,
    from: '2026-10-24T12:00+02:00',
    to: '2026-10-25T12:00+01:00',
    minutes: 9 * H,
  },
  {
    name: '7×24 over a leap-free year',
    cal: c7x24,
    from: '2026-01-01T00:00Z',
    to: '2027-01-01T00:00Z',
    minutes: 365 * 24 * H,
  },
];

describe('businessMinutesBetween', () => {
  it.each(betweenCases)('$name', ({ cal, from, to, minutes }) => {
    expect(businessMinutesBetween(cal, at(from), at(to))).toBe(minutes);
  });

  it('is exact in milliseconds', () => {
    expect(
      businessMsBetween(cn, at('2026-03-11T11:59:59.999+08:00'), at('2026-03-11T13:00:00.001+08:00')),
    ).toBe(2);
  });
});

describe('isWorkingTime and nextWorkingInstant', () => {
  const cases: [string, BusinessCalendar, string, boolean, string][] = [
    // [what, calendar, instant, working?, next working instant]
    ['opening time is working time', cn, '2026-03-11T09:00+08:00', true, '2026-03-11T09:00+08:00'],
    [
      'the last millisecond before lunch',
      cn,
      '2026-03-11T11:59:59.999+08:00',
      true,
      '2026-03-11T11:59:59.999+08:00',
    ],
    ['12:00 ends the morning: not working', cn, '2026-03-11T12:00+08:00', false, '2026-03-11T13:00+08:00'],
    ['18:00 closing: not working', cn, '2026-03-11T18:00+08:00', false, '2026-03-12T09:00+08:00'],
    ['a holiday Monday', cn, '2026-10-05T10:00+08:00', false, '2026-10-08T09:00+08:00'],
    ['a 调休 Saturday', cn, '2026-10-10T10:00+08:00', true, '2026-10-10T10:00+08:00'],
    ['an ordinary Saturday', cn, '2026-10-17T10:00+08:00', false, '2026-10-19T09:00+08:00'],
    [
      'night shift after midnight into a holiday',
      night,
      '2026-10-01T03:00+08:00',
      true,
      '2026-10-01T03:00+08:00',
    ],
    [
      'no night shift starts on the holiday',
      night,
      '2026-10-01T23:00+08:00',
      false,
      '2026-10-02T22:00+08:00',
    ],
    ['Friday night runs into Saturday', night, '2026-10-03T05:59+08:00', true, '2026-10-03T05:59+08:00'],
    [
      'Sunday before dawn (no Saturday shift)',
      night,
      '2026-10-04T03:00+08:00',
      false,
      '2026-10-05T22:00+08:00',
    ],
    ['7×24 at the UTC new year seam', c7x24, '2027-01-01T00:00Z', true, '2027-01-01T00:00Z'],
  ];
  it.each(cases)('%s', (_what, cal, instant, working, next) => {
    expect(isWorkingTime(cal, at(instant))).toBe(working);
    expect(new Date(nextWorkingInstant(cal, at(instant))).toISOString()).toBe(
      new Date(at(next)).toISOString(),
    );
  });
});

describe('compiled intervals', () => {
  const iso = (pairs: [number, number][]) =>
    pairs.map(([s, e]) => `${new Date(s).toISOString()}/${new Date(e).toISOString()}`);

  it('a 调休 day without workdayHours gets Monday’s hours', () => {
    const cal = compileCalendar(
      calendar('Asia/Shanghai', {
        week: { mon: [{ from: '08:00', to: '10:00' }], tue: [{ from: '09:00', to: '17:00' }] },
        workdays: [{ date: '2026-10-10' }],
      }),
    );
    expect(iso(workingIntervals(cal, at('2026-10-10T00:00+08:00'), at('2026-10-11T00:00+08:00')))).toEqual([
      '2026-10-10T00:00:00.000Z/2026-10-10T02:00:00.000Z',
    ]);
  });

  it('7×24 is one interval, also across the seam between compiled years', () => {
    expect(iso(workingIntervals(c7x24, at('2026-12-30T00:00Z'), at('2027-01-02T00:00Z')))).toEqual([
      '2026-12-30T00:00:00.000Z/2027-01-02T00:00:00.000Z',
    ]);
  });

  it('a boundary in the skipped hour moves to the transition; one in the repeated hour is its first occurrence', () => {
    const cal = compileCalendar(
      calendar('Europe/Berlin', {
        week: {
          sun: [
            { from: '01:30', to: '02:30' },
            { from: '02:40', to: '02:50' },
          ],
        },
      }),
    );
    // 29 March: 02:00–03:00 does not exist. 01:30 CET → 02:30 (= the 01:00Z transition);
    // 02:40–02:50 lies wholly in the gap and is not worked at all.
    expect(iso(workingIntervals(cal, at('2026-03-29T00:00+01:00'), at('2026-03-30T00:00+02:00')))).toEqual([
      '2026-03-29T00:30:00.000Z/2026-03-29T01:00:00.000Z',
    ]);
    // 25 October: 02:00–03:00 happens twice; both boundaries take the first (CEST) occurrence.
    expect(iso(workingIntervals(cal, at('2026-10-25T00:00+02:00'), at('2026-10-26T00:00+01:00')))).toEqual([
      '2026-10-24T23:30:00.000Z/2026-10-25T00:30:00.000Z',
      '2026-10-25T00:40:00.000Z/2026-10-25T00:50:00.000Z',
    ]);
  });

  it('an interval spanning the repeated hour gains an hour, the skipped hour loses one', () => {
    const cal = everyDay('Europe/Berlin', '01:00', '04:00');
    const day = (from: string, to: string) => businessMinutesBetween(cal, at(from), at(to)) / H;
    expect(day('2026-03-28T00:00+01:00', '2026-03-29T00:00+01:00')).toBe(3);
    expect(day('2026-03-29T00:00+01:00', '2026-03-30T00:00+02:00')).toBe(2);
    expect(day('2026-10-25T00:00+02:00', '2026-10-26T00:00+01:00')).toBe(4);
  });
});

describe('limits', () => {
  const now = at('2026-06-01T00:00Z');

  it('refuses instants beyond the horizon instead of computing them', () => {
    const cal = compileCalendar(shippedCalendar('cal-5x8'), { now, horizonYears: 5 });
    expect(() => isWorkingTime(cal, at('2032-01-01T00:00Z'))).toThrowError(/2021–2031/);
    expect(() => isWorkingTime(cal, at('2020-12-31T23:59Z'))).toThrowError(BusinessCalendarError);
    // the start is inside, but ten working days run past the end of 2031
    expect(() => addBusinessMinutes(cal, at('2031-12-30T09:00+08:00'), 10 * 8 * H)).toThrowError(
      expect.objectContaining({ code: 'calendar.horizon' }),
    );
    expect(isWorkingTime(cal, at('2031-12-31T10:00+08:00'))).toBe(true);
  });

  it('a calendar without any working time is refused at compile time', () => {
    const empty = {
      kind: 'calendar',
      key: 'cal-empty',
      name: 'x',
      timeZone: 'UTC',
      week: {},
    } as CalendarDefinition;
    expect(() => compileCalendar(empty)).toThrowError(expect.objectContaining({ code: 'calendar.empty' }));
    // make-up days with no hours to use (no workdayHours, no Monday) are no working time either
    expect(() =>
      compileCalendar({
        ...empty,
        workdays: [{ date: '2026-10-10' }],
        week: { sat: [] },
      } as CalendarDefinition),
    ).toThrowError(expect.objectContaining({ code: 'calendar.empty' }));
  });

  it('working time that runs out ends in a horizon error, not an endless loop', () => {
    const onlyMakeUpDays = compileCalendar(
      calendar('Asia/Shanghai', {
        workdays: [{ date: '2026-10-10' }],
        workdayHours: [{ from: '09:00', to: '18:00' }],
      }),
      { now, horizonYears: 50 },
    );
    expect(addBusinessMinutes(onlyMakeUpDays, at('2026-01-01T00:00Z'), 60)).toBe(
      at('2026-10-10T10:00+08:00'),
    );
    expect(() => addBusinessMinutes(onlyMakeUpDays, at('2026-10-10T10:00+08:00'), 9 * H)).toThrowError(
      expect.objectContaining({ code: 'calendar.horizon' }),
    );
    expect(() => nextWorkingInstant(onlyMakeUpDays, at('2026-10-11T00:00Z'))).toThrowError(/2076/);
  });

  it('refuses a negative amount and an unknown zone', () => {
    expect(() => addBusinessMs(cn, at('2026-03-11T10:00+08:00'), -1)).toThrowError(
      expect.objectContaining({ code: 'calendar.argument' }),
    );
    expect(() => addBusinessMs(cn, Number.NaN, 1)).toThrowError(BusinessCalendarError);
    expect(() => compileCalendar({ ...shippedCalendar('cal-5x8'), timeZone: 'Mars/Olympus' })).toThrowError(
      /Mars\/Olympus/,
    );
  });
});
