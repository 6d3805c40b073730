import { type Static, Type } from '@sinclair/typebox';
import { Action } from './actions.ts';
import { Expression, envelope, Key, Obj, StringEnum } from './common.ts';

export const RULE_EVENTS = [
  'record.created',
  'record.updated',
  'record.transitioned',
  'record.commented',
  'task.assigned',
  'approval.requested',
  'sla.warning',
  'sla.breached',
  'schedule.fired',
] as const;

export const RuleDefinition = Obj({
  ...envelope('rule'),
  event: StringEnum(RULE_EVENTS),
  form: Type.Optional(Key),
  condition: Type.Optional(Expression),
  actions: Type.Array(Action, { minItems: 1 }),
  /** Guardrail against rules that trigger each other: the runtime stops after this many. */
  maxActionsPerRun: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
});

export type RuleDefinition = Static<typeof RuleDefinition>;
