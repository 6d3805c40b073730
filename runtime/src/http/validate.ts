import { type I18nText, localize } from '@opsloom/spec';
import type { TSchema } from '@sinclair/typebox';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import localizeEn from 'ajv-i18n/localize/en/index.js';
import localizeZh from 'ajv-i18n/localize/zh/index.js';

export interface FieldProblem {
  /** JSON Pointer to the field at fault, e.g. "/password" or "/definition/nodes/2". */
  path: string;
  message: { 'zh-CN': string; en: string };
}

// Bodies are checked strictly (no coercion: a number sent as a string is a client bug);
// query and path parameters arrive as strings and are coerced to their declared types.
const strict = addFormats(new Ajv({ allErrors: true, strict: false }));
const coercing = addFormats(
  new Ajv({ allErrors: true, strict: false, coerceTypes: 'array', useDefaults: true }),
);

const cache = new WeakMap<TSchema, ValidateFunction>();

/**
 * The schema with every integer held to the safe range and every number to the finite one. ajv's
 * integer check passes Infinity (`Infinity % 1` is NaN, and NaN reads as "no remainder"), and
 * `1e400`, in a query or in JSON, is Infinity: the fuzzer sent it as an outbox cursor and MySQL
 * answered with an error. Bounds the route declares itself are kept.
 */
function finiteNumbers(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(finiteNumbers);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = finiteNumbers(v);
  const types = ([] as unknown[]).concat(out.type);
  const limit = types.includes('integer')
    ? Number.MAX_SAFE_INTEGER
    : types.includes('number')
      ? Number.MAX_VALUE
      : 0;
  if (limit) {
    out.maximum ??= limit;
    out.minimum ??= -limit;
  }
  return out;
}

export function compileSchema(schema: TSchema, coerce: boolean): ValidateFunction {
  let fn = cache.get(schema);
  if (!fn) {
    fn = (coerce ? coercing : strict).compile(finiteNumbers(schema) as TSchema);
    cache.set(schema, fn);
  }
  return fn;
}

/** The pointer of the field an ajv error is about, naming the missing or unknown property itself. */
function errorPath(e: ErrorObject): string {
  const params = e.params as { missingProperty?: string; additionalProperty?: string };
  if (e.keyword === 'required' && params.missingProperty)
    return `${e.instancePath}/${params.missingProperty}`;
  if (e.keyword === 'additionalProperties' && params.additionalProperty)
    return `${e.instancePath}/${params.additionalProperty}`;
  return e.instancePath;
}

function describe(e: ErrorObject, text: string | undefined, unknownWord: string): string {
  const params = e.params as { additionalProperty?: string };
  if (e.keyword === 'additionalProperties' && params.additionalProperty)
    return `${unknownWord} "${params.additionalProperty}"`;
  return text ?? e.keyword;
}

/**
 * Turns ajv errors into problems with a path and a message in both languages. `authored` gives
 * the message a definition's author wrote for an error, when there is one (a form field's
 * `x-errorMessage`); one such message is given once per field.
 */
export function toFieldProblems(
  errors: ErrorObject[] | null | undefined,
  authored?: (e: ErrorObject) => I18nText | undefined,
): FieldProblem[] {
  if (!errors?.length) return [];
  const en = errors.map((e) => ({ ...e }));
  const zh = errors.map((e) => ({ ...e }));
  localizeEn(en);
  localizeZh(zh);
  // Union schemas (anyOf) report every branch; keep only the first error per path to stay readable.
  const seen = new Set<string>();
  const out: FieldProblem[] = [];
  errors.forEach((e, i) => {
    const path = errorPath(e);
    const own = authored?.(e);
    const key = `${path}|${own === undefined ? e.keyword : 'authored'}`;
    if (seen.has(key) || e.keyword === 'anyOf') return;
    seen.add(key);
    if (own !== undefined) {
      out.push({ path, message: { en: localize(own, 'en'), 'zh-CN': localize(own, 'zh-CN') } });
      return;
    }
    out.push({
      path,
      message: {
        en: describe(e, en[i]?.message, 'unknown property'),
        'zh-CN': describe(e, zh[i]?.message, '不允许的属性'),
      },
    });
  });
  return out;
}
