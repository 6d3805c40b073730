import { type I18nText, type Locale, localize } from './i18n.ts';

// A form keeps its texts in both languages: a field's `x-title` / `x-description` beside the plain
// `title` / `description` that JSON Schema readers see (Chinese first), and choice labels
// (`ui:enumNames`) and uiSchema texts as `{zh-CN, en}` or one string for both. Renderers such as
// rjsf know one language at a time: these functions hand them the form in one.

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * A field's schema with its texts in `locale`: `x-title` and `x-description` become `title` and
 * `description` at every depth (object properties, array items, oneOf / anyOf choices).
 */
export function localizeSchema<T>(schema: T, locale: Locale): T {
  if (!isObject(schema)) return schema;
  const out: Json = { ...schema };
  if (schema['x-title'] !== undefined) out.title = localize(schema['x-title'] as I18nText, locale);
  if (schema['x-description'] !== undefined)
    out.description = localize(schema['x-description'] as I18nText, locale);
  if (isObject(schema.properties))
    out.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([key, sub]) => [key, localizeSchema(sub, locale)]),
    );
  if (isObject(schema.items)) out.items = localizeSchema(schema.items, locale);
  for (const choices of ['oneOf', 'anyOf'] as const) {
    const list = schema[choices];
    if (Array.isArray(list)) out[choices] = list.map((c) => localizeSchema(c, locale));
  }
  return out as T;
}

/** uiSchema keys whose value is text a person reads. */
const UI_TEXTS = new Set(['ui:title', 'ui:description', 'ui:help', 'ui:placeholder']);

const localizeAll = (names: unknown[], locale: Locale) => names.map((n) => localize(n as I18nText, locale));

/**
 * A uiSchema with its texts in `locale`, at every depth (a field's own entries, array `items`,
 * the properties of an object field): each choice label of `ui:enumNames` (or
 * `ui:options.enumNames`), and `ui:title`, `ui:description`, `ui:help`, `ui:placeholder`.
 */
export function localizeUiSchema<T>(ui: T, locale: Locale): T {
  if (!isObject(ui)) return ui;
  const out: Json = {};
  for (const [key, value] of Object.entries(ui)) {
    if (key === 'ui:enumNames' && Array.isArray(value)) out[key] = localizeAll(value, locale);
    else if (key === 'ui:options' && isObject(value) && Array.isArray(value.enumNames))
      out[key] = { ...value, enumNames: localizeAll(value.enumNames, locale) };
    else if (UI_TEXTS.has(key) && isObject(value)) out[key] = localize(value as I18nText, locale);
    else if (!key.startsWith('ui:') && isObject(value)) out[key] = localizeUiSchema(value, locale);
    else out[key] = value;
  }
  return out as T;
}

/**
 * What a form's author wrote a field's failed check means (`x-errorMessage` on the field, e.g.
 * for a pattern: "letters, digits and hyphens only"), found by the check's schema path as ajv
 * reports it (`#/properties/apps/items/properties/name/pattern`). It stands for every check of
 * that field but `required`, whose message is the runtime's own. Undefined when none was written.
 */
export function authoredMessage(
  schema: unknown,
  schemaPath: string | undefined,
  keyword: string,
): I18nText | undefined {
  if (!schemaPath?.startsWith('#') || keyword === 'required') return undefined;
  const steps = schemaPath
    .slice(1)
    .split('/')
    .filter(Boolean)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  steps.pop(); // the keyword itself
  let node: unknown = schema;
  for (const step of steps) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[step];
  }
  const message = isObject(node) ? node['x-errorMessage'] : undefined;
  return typeof message === 'string' || isObject(message) ? (message as I18nText) : undefined;
}
