import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import localizeEn from 'ajv-i18n/localize/en/index.js';
import localizeZh from 'ajv-i18n/localize/zh/index.js';
import type { LocalizedMessage } from '../i18n.ts';
import type { DefinitionKind } from '../kinds.ts';
import { definitionJsonSchemas } from '../schemas/index.ts';
import { describePattern } from '../schemas/patterns.ts';
import type { MessageParams, ProblemCode } from './messages.ts';
import { child } from './pointer.ts';
import type { ProblemList } from './problems.ts';

/**
 * JSON-Schema-level checks through ajv, against the same plain schemas Monaco gets, so the
 * designer's JSON view and the validator agree on shape. ajv runs with allErrors to report
 * everything at once; ajv-i18n supplies both languages of its generic texts, and the
 * common keywords get our own wording (naming the unknown or missing property).
 */

function createAjv(): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    verbose: true,
    discriminator: true,
    allowUnionTypes: true,
    strict: true,
  });
  addFormats(ajv);
  return ajv;
}

let ajv: Ajv | undefined;
const validators = new Map<DefinitionKind, ValidateFunction>();

/** Compiled lazily, once per kind: importing spec stays cheap for code that never validates. */
function validatorFor(kind: DefinitionKind): ValidateFunction {
  let validate = validators.get(kind);
  if (!validate) {
    ajv ??= createAjv();
    validate = ajv.compile(definitionJsonSchemas[kind]);
    validators.set(kind, validate);
  }
  return validate;
}

/** Returns false when the definition does not have the kind's shape. */
export function checkShape(kind: DefinitionKind, definition: unknown, problems: ProblemList): boolean {
  const validate = validatorFor(kind);
  if (validate(definition)) return true;
  for (const error of validate.errors ?? []) report(error, problems);
  return false;
}

function localized(error: ErrorObject): LocalizedMessage {
  const zh = [{ ...error }];
  const en = [{ ...error }];
  localizeZh(zh);
  localizeEn(en);
  return { 'zh-CN': zh[0]?.message ?? '', en: en[0]?.message ?? '' };
}

/** A value as a message shows it: strings quoted, anything else as JSON (never its own toString). */
export function show(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : (JSON.stringify(value) ?? String(value));
}

const RANGE = new Set(['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf']);
const SIZE = new Set(['minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties']);

function report(error: ErrorObject, problems: ProblemList): void {
  const found = classify(error);
  if (found) {
    const [code, path, extra] = found;
    problems.add(code, path, { detail: localized(error), ...extra }, error.instancePath);
  }
}

type Classified = [code: ProblemCode, path: string, params: MessageParams];

function classify(error: ErrorObject): Classified {
  const at = error.instancePath;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type':
      if (Array.isArray(params.type)) {
        // The I18nText schema: say what the two accepted forms look like.
        return [
          'schema.type',
          at,
          {
            detail: {
              'zh-CN': '应为文本：字符串，或 {"zh-CN": "…", "en": "…"}',
              en: 'must be text: a string or {"zh-CN": "…", "en": "…"}',
            },
          },
        ];
      }
      return ['schema.type', at, {}];
    case 'required': {
      const property = String(params.missingProperty);
      return ['schema.required', child(at, property), { property }];
    }
    case 'additionalProperties': {
      const property = String(params.additionalProperty);
      return ['schema.additional', child(at, property), { property }];
    }
    case 'enum':
      return [
        'schema.enum',
        at,
        { value: show(error.data), allowed: (params.allowedValues as unknown[]).map(show).join(', ') },
      ];
    case 'const':
      return ['schema.enum', at, { value: show(error.data), allowed: show(params.allowedValue) }];
    case 'pattern': {
      const pattern = String(params.pattern);
      return [
        'schema.pattern',
        at,
        {
          value: String(error.data),
          expected: describePattern(pattern) ?? { 'zh-CN': `匹配 ${pattern}`, en: `matching ${pattern}` },
        },
      ];
    }
    case 'format':
      return ['schema.format', at, { value: String(error.data), format: String(params.format) }];
    case 'uniqueItems':
      return ['schema.unique', at, {}];
    case 'discriminator': {
      const tag = String(params.tag);
      if (params.tagValue === undefined) return ['schema.required', child(at, tag), { property: tag }];
      return [
        'schema.discriminator',
        child(at, tag),
        {
          tag,
          value: show(params.tagValue),
          allowed: tagValues(error.parentSchema, tag).map(show).join(', '),
        },
      ];
    }
    default:
      if (RANGE.has(error.keyword)) return ['schema.range', at, {}];
      if (SIZE.has(error.keyword)) return ['schema.size', at, {}];
      return ['schema.other', at, {}];
  }
}

function tagValues(schema: unknown, tag: string): unknown[] {
  const branches = (schema as { oneOf?: unknown[] } | undefined)?.oneOf ?? [];
  return branches.map(
    (b) => (b as { properties?: Record<string, { const?: unknown }> }).properties?.[tag]?.const,
  );
}

/** Validates a form's own JSON Schema against the draft-07 meta-schema. */
let schemaAjv: Ajv | undefined;
export function jsonSchemaErrors(
  schema: unknown,
): { detail: LocalizedMessage; schemaPath: string; value: string }[] {
  schemaAjv ??= (() => {
    const a = new Ajv({ allErrors: true, strict: false, verbose: true });
    addFormats(a);
    return a;
  })();
  if (schemaAjv.validateSchema(schema as object)) return [];
  // The meta-schema reports one error per failed alternative (type: string | array…);
  // one problem per place in the form schema is what an admin can act on.
  const byPlace = new Map<string, ErrorObject>();
  for (const e of schemaAjv.errors ?? []) if (!byPlace.has(e.instancePath)) byPlace.set(e.instancePath, e);
  return [...byPlace.values()].map((e) => ({
    detail: withAllowed(localized(e), e),
    schemaPath: e.instancePath || '/',
    value: show(e.data),
  }));
}

function withAllowed(message: LocalizedMessage, error: ErrorObject): LocalizedMessage {
  const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues;
  if (error.keyword !== 'enum' || !Array.isArray(allowed)) return message;
  const list = allowed.map(show).join(', ');
  return { 'zh-CN': `${message['zh-CN']}：${list}`, en: `${message.en}: ${list}` };
}
