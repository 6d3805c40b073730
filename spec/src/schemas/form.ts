import { type Static, Type } from '@sinclair/typebox';
import { Expression, envelope, FieldKey, FreeObject, Id, Obj, StringEnum } from './common.ts';
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
