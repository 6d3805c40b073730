import { type Static, Type } from '@sinclair/typebox';
import { DateString, envelope, I18nText, Obj, TimeOfDay } from './common.ts';

/** `to` <= `from` means the interval runs past midnight (00:00–00:00 is the whole day). */
export const Interval = Obj({ from: TimeOfDay, to: TimeOfDay });
const Intervals = Type.Array(Interval);

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const CalendarDefinition = Obj({
  ...envelope('calendar'),
  timeZone: Type.String({ minLength: 1, description: 'IANA time zone, e.g. Asia/Shanghai' }),
  week: Obj({
    mon: Type.Optional(Intervals),
    tue: Type.Optional(Intervals),
    wed: Type.Optional(Intervals),
    thu: Type.Optional(Intervals),
    fri: Type.Optional(Intervals),
    sat: Type.Optional(Intervals),
    sun: Type.Optional(Intervals),
  }),
  holidays: Type.Optional(
    Type.Array(Obj({ date: DateString, to: Type.Optional(DateString), name: Type.Optional(I18nText) })),
  ),
  /** 调休: weekend days worked to make up for a holiday bridge. */
  workdays: Type.Optional(Type.Array(Obj({ date: DateString, name: Type.Optional(I18nText) }))),
  /** Hours of a make-up working day; Monday's schedule when omitted. */
  workdayHours: Type.Optional(Intervals),
});

export type CalendarDefinition = Static<typeof CalendarDefinition>;
export type Interval = Static<typeof Interval>;
