import { type Static, Type } from '@sinclair/typebox';
import { Expression, envelope, I18nText, Key, Obj, StringEnum, Tag, TaggedUnion } from './common.ts';

export const CATCH_UP = ['skip', 'runOnce'] as const;

export const ScheduleDefinition = Obj({
  ...envelope('schedule'),
  cron: Type.String({
    minLength: 1,
    description: '5 fields (min hour day month weekday) or 6 (seconds first)',
  }),
  timeZone: Type.String({ minLength: 1, description: 'IANA time zone' }),
  /** After downtime: skip the missed runs, or run once for all of them. */
  catchUp: StringEnum(CATCH_UP),
  enabled: Type.Optional(Type.Boolean()),
  action: TaggedUnion('type', [
    Obj({
      type: Tag('createRecord'),
      form: Key,
      values: Type.Record(Type.String(), Expression),
      title: Type.Optional(I18nText),
    }),
    Obj({ type: Tag('runRule'), rule: Key }),
  ]),
});

export type ScheduleDefinition = Static<typeof ScheduleDefinition>;
