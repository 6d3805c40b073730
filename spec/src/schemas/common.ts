import { type Static, type TSchema, Type } from '@sinclair/typebox';
import type { I18nText as I18nTextType } from '../i18n.ts';
import { PATTERNS } from './patterns.ts';

/**
 * Building blocks shared by every definition schema.
 *
 * Two rules keep ajv's error list readable for admins:
 *  - string enums are `{type:'string', enum:[…]}` rather than TypeBox's anyOf-of-literals,
 *    which would report one error per literal;
 *  - tagged unions are `oneOf` + `discriminator`, so ajv validates only the branch the
 *    tag selects instead of reporting every branch's errors.
 */

export function StringEnum<const T extends readonly string[]>(values: T, options: object = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** A tagged union: `tag` must be a required `const` property of every branch. */
export function TaggedUnion<const T extends TSchema[]>(tag: string, branches: [...T], options: object = {}) {
  return Type.Unsafe<Static<T[number]>>({
    type: 'object',
    oneOf: branches,
    discriminator: { propertyName: tag },
    ...options,
  });
}

/** Objects reject unknown properties everywhere so typos surface as problems, not silent no-ops. */
export function Obj<T extends Record<string, TSchema>>(properties: T, options: object = {}) {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

export const Tag = <const V extends string>(value: V) => Type.Literal(value);

/**
 * `string | {zh-CN?, en?}` as ONE schema with a type list rather than anyOf: object-only
 * keywords (properties, minProperties) apply only when the value is an object, and a wrong
 * value yields a single "must be string,object" error.
 */
export const I18nText = Type.Unsafe<I18nTextType>({
  type: ['string', 'object'],
  properties: { 'zh-CN': { type: 'string' }, en: { type: 'string' } },
  additionalProperties: false,
  minProperties: 1,
  description: 'Text, either one string or {"zh-CN": "…", "en": "…"}',
});

export const Key = Type.String({ pattern: PATTERNS.key.source, description: 'Definition key' });
export const Id = Type.String({ pattern: PATTERNS.id.source });
export const FieldKey = Type.String({ minLength: 1, maxLength: 64 });
export const Duration = Type.String({ pattern: PATTERNS.duration.source, description: 'ISO-8601 duration' });
export const TimeOfDay = Type.String({ pattern: PATTERNS.time.source, description: 'HH:mm' });
export const DateString = Type.String({ format: 'date', description: 'YYYY-MM-DD' });

/** A CEL expression (see expression.ts); compiled by the validator. */
export const Expression = Type.String({ minLength: 1, description: 'CEL expression' });
/** A liquid template (see template.ts); parsed by the validator. */
export const Template = Type.String({ description: 'Liquid template' });
/** Same as I18nText, but every language is a liquid template. */
export const I18nTemplate = I18nText;

export const Percentages = Type.Array(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 100 }), {
  uniqueItems: true,
});

/** Properties every definition has; each kind adds its own. */
export function envelope<const K extends string>(kind: K) {
  return {
    kind: Type.Literal(kind),
    key: Key,
    name: I18nText,
    description: Type.Optional(I18nText),
    version: Type.Optional(Type.Integer({ minimum: 1, description: 'Assigned by the store on publish' })),
    tags: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
  };
}

/** A free-form JSON object (uiSchema, chart options, request bodies). */
export const FreeObject = Type.Record(Type.String(), Type.Unknown());
