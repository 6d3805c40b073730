import { type Static, Type } from '@sinclair/typebox';
import { Expression, envelope, FieldKey, FreeObject, I18nText, Id, Obj, StringEnum } from './common.ts';
import { PATTERNS } from './patterns.ts';

export const FORM_RULE_EFFECTS = ['show', 'hide', 'require', 'readonly'] as const;

export const FormRule = Obj({
  id: Id,
  when: Expression,
  effect: StringEnum(FORM_RULE_EFFECTS),
  fields: Type.Array(FieldKey, { minItems: 1 }),
});

/** impact × urgency → priority, the ITIL matrix; keys are the fields' values as strings. */
export const PriorityMatrix = Obj({
  impactField: FieldKey,
  urgencyField: FieldKey,
  priorityField: Type.Optional(FieldKey),
  matrix: Type.Record(Type.String(), Type.Record(Type.String(), Type.String({ minLength: 1 }))),
});

/**
 * What a status means across record types, as Jira's status categories: where a record stands
 * (not started, being worked on, waiting on someone outside the team, finished). Lists colour a
 * status by its category.
 */
export const STATUS_CATEGORIES = ['new', 'active', 'waiting', 'done'] as const;

/**
 * A status records of the type can be in: the key that process nodes set and expressions test,
 * and the name people read.
 */
export const RecordStatus = Obj({
  key: Type.String({ minLength: 1, maxLength: 64, description: 'As process nodes set it: "in-progress"' }),
  name: I18nText,
  category: StringEnum(STATUS_CATEGORIES),
});

/**
 * The statuses the runtime itself gives records, whatever their type: "new" before a process
 * moves a record, "withdrawn" when its requester withdraws it, and the steps of the default
 * lifecycle (in progress, resolved, closed) a type without a process goes through. A form may
 * rename them.
 */
export const SYSTEM_STATUSES: readonly RecordStatus[] = [
  { key: 'new', name: { 'zh-CN': '新建', en: 'New' }, category: 'new' },
  // The default lifecycle's (plugins/opsloom-lifecycle): what a type without a process goes through.
  { key: 'in-progress', name: { 'zh-CN': '处理中', en: 'In progress' }, category: 'active' },
  { key: 'resolved', name: { 'zh-CN': '已解决', en: 'Resolved' }, category: 'done' },
  { key: 'closed', name: { 'zh-CN': '已关闭', en: 'Closed' }, category: 'done' },
  { key: 'withdrawn', name: { 'zh-CN': '已撤回', en: 'Withdrawn' }, category: 'done' },
];

/** A form's statuses as people see them: its own, then the system statuses it does not rename. */
export function statusesOf(form: { statuses?: readonly RecordStatus[] }): RecordStatus[] {
  const own = form.statuses ?? [];
  return [...own, ...SYSTEM_STATUSES.filter((s) => !own.some((o) => o.key === s.key))];
}

export const FormDefinition = Obj({
  ...envelope('form'),
  numberPrefix: Type.String({ pattern: PATTERNS.numberPrefix.source, description: 'INC → INC-000123' }),
  schema: Type.Unsafe<FormJsonSchema>({
    type: 'object',
    description: 'JSON Schema of the record fields (rendered by @rjsf/core)',
  }),
  uiSchema: Type.Optional(FreeObject),
  titleField: Type.Optional(FieldKey),
  descriptionField: Type.Optional(FieldKey),
  indexed: Type.Optional(Type.Array(FieldKey, { uniqueItems: true })),
  rules: Type.Optional(Type.Array(FormRule)),
  priorityMatrix: Type.Optional(PriorityMatrix),
  /**
   * The statuses of the record type, in lifecycle order. Declared, they give every status a name
   * and category, and the processes of the type may set only these and the system statuses.
   */
  statuses: Type.Optional(Type.Array(RecordStatus, { minItems: 1 })),
  /**
   * The handling group: the queue a new record of the type starts in, so its agents see it
   * before (or whether or not) a step of its process names a group. The default lifecycle gives
   * its work to this group.
   */
  group: Type.Optional(Type.String({ minLength: 1, description: 'Key of the handling group' })),
});

/** The part of a form's JSON Schema that spec reads; the rest is passed to the renderer. */
export interface FormJsonSchema {
  type: 'object';
  properties: Record<string, { type?: string | string[]; [k: string]: unknown }>;
  required?: string[];
  [k: string]: unknown;
}

export type FormDefinition = Static<typeof FormDefinition>;
export type FormRule = Static<typeof FormRule>;
export type RecordStatus = Static<typeof RecordStatus>;
export type StatusCategory = (typeof STATUS_CATEGORIES)[number];
