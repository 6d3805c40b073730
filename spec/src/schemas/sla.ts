import { type Static, Type } from '@sinclair/typebox';
import { Action } from './actions.ts';
import { Expression, envelope, I18nText, Id, Key, Obj, Percentages } from './common.ts';

/** When a metric's clock starts, pauses or stops: on any listed event, if the condition holds. */
export const Trigger = Obj({
  events: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
  condition: Type.Optional(Expression),
});

export const Metric = Obj({
  id: Id,
  name: I18nText,
  start: Trigger,
  pause: Type.Optional(Trigger),
  stop: Trigger,
});

export const Target = Obj({
  minutes: Type.Number({ exclusiveMinimum: 0, description: 'Business minutes on the calendar' }),
  warnAt: Type.Optional(Percentages),
  onWarn: Type.Optional(Type.Array(Action)),
  onBreach: Type.Optional(Type.Array(Action)),
});

export const Goal = Obj({
  id: Id,
  name: Type.Optional(I18nText),
  when: Type.Optional(Expression),
  /** Calendar of this goal when it differs from the SLA's (e.g. P1 on 7×24). */
  calendar: Type.Optional(Key),
  targets: Type.Record(Type.String(), Target),
});

export const SlaDefinition = Obj({
  ...envelope('sla'),
  form: Type.Optional(Key),
  appliesTo: Type.Optional(Expression),
  calendar: Key,
  metrics: Type.Array(Metric, { minItems: 1 }),
  /** First goal whose `when` holds wins. */
  goals: Type.Array(Goal, { minItems: 1 }),
});

export type SlaDefinition = Static<typeof SlaDefinition>;
export type SlaTrigger = Static<typeof Trigger>;
