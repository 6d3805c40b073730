import { type Static, Type } from '@sinclair/typebox';
import { ReportRecipient } from './actions.ts';
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
    /**
     * 日报 / 周报 / 月报: e-mails a report to each recipient, run as that recipient (they see only
     * what they may see), as an HTML table with the XLSX attached, in their language.
     */
    Obj({
      type: Tag('emailReport'),
      report: Key,
      /** The report's parameters, e.g. `{ "period": "lastWeek" }`; date ranges count back from the occurrence. */
      params: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 64 }), Type.Unknown())),
      recipients: Type.Array(ReportRecipient, { maxItems: 50 }),
      /**
       * Liquid template per language; sees `report.name`, `period` (`from`, `to`, `label`), `date` (the
       * occurrence's local day), `schedule`, `recipient`. Default: the report's name · the period.
       */
      subject: Type.Optional(I18nText),
    }),
  ]),
});

export type ScheduleDefinition = Static<typeof ScheduleDefinition>;
