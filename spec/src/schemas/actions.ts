import { type Static, Type } from '@sinclair/typebox';
import { Expression, FieldKey, I18nText, Obj, StringEnum, Tag, TaggedUnion } from './common.ts';

/**
 * Actions shared by rules, OLA escalations on user tasks and SLA warnings/breaches, so
 * "notify the group lead" means the same thing wherever an admin configures it.
 */

export const RECIPIENT_TYPES = [
  'requester',
  'assignee',
  /** Members of the record's assignment group (its queue). */
  'assignmentGroup',
  'group',
  'role',
  'watchers',
  'field',
  'user',
  'address',
] as const;
/** Recipient types that name someone and so need `value`. */
export const RECIPIENT_TYPES_WITH_VALUE = ['group', 'role', 'field', 'user', 'address'] as const;

export const Recipient = Obj({
  type: StringEnum(RECIPIENT_TYPES),
  value: Type.Optional(Type.String({ minLength: 1 })),
});

/**
 * Whom a scheduled report (the schedule action `emailReport`) goes to: people and groups named
 * as notifications name them, or everyone with a role. There is no record, so the record-bound
 * types (requester, assignee, watchers, field…) do not apply, and no fixed address: the report
 * runs as each recipient and shows what they may see, so every copy needs a person.
 */
export const REPORT_RECIPIENT_TYPES = ['user', 'group', 'role'] as const;
export const ReportRecipient = Obj({
  type: StringEnum(REPORT_RECIPIENT_TYPES),
  value: Type.String({
    minLength: 1,
    description: 'Username(s) or group key(s), comma-separated, or a role',
  }),
});

export const CHANNELS = ['email', 'webhook', 'inapp', 'im'] as const;
export const IM_FORMATS = ['dingtalk', 'feishu', 'wecom', 'slack'] as const;

/** Subject and body are liquid templates, one per language when given as an object. */
export const MessageTemplate = Obj({
  subject: Type.Optional(I18nText),
  body: I18nText,
});

/** What a notification needs; webhook and im channels post to `url` instead of people. */
export const notifyProperties = {
  channel: StringEnum(CHANNELS),
  recipients: Type.Optional(Type.Array(Recipient)),
  template: MessageTemplate,
  url: Type.Optional(Type.String({ minLength: 1, description: 'Liquid template; webhook and im only' })),
  secret: Type.Optional(Type.String()),
  format: Type.Optional(StringEnum(IM_FORMATS)),
};

export const ASSIGNEE_TYPES = ['user', 'group', 'role', 'field', 'expression', 'requester'] as const;

export const Assignee = Obj({
  type: StringEnum(ASSIGNEE_TYPES),
  value: Type.Optional(Type.String({ minLength: 1 })),
});

export const NotifyAction = Obj({ type: Tag('notify'), ...notifyProperties });
export const SetFieldAction = Obj({ type: Tag('setField'), field: FieldKey, value: Expression });
export const AssignAction = Obj({ type: Tag('assign'), assignee: Assignee });
export const TransitionAction = Obj({
  type: Tag('transition'),
  action: Type.String({ minLength: 1, description: 'Key of the edge action to take' }),
});
export const RaisePriorityAction = Obj({
  type: Tag('raisePriority'),
  to: Type.Optional(Type.String({ minLength: 1, description: 'Target priority; one step up when omitted' })),
});

export const Action = TaggedUnion('type', [
  NotifyAction,
  SetFieldAction,
  AssignAction,
  TransitionAction,
  RaisePriorityAction,
]);

export type Recipient = Static<typeof Recipient>;
export type ReportRecipient = Static<typeof ReportRecipient>;
export type Assignee = Static<typeof Assignee>;
export type Action = Static<typeof Action>;
export type NotifyAction = Static<typeof NotifyAction>;
