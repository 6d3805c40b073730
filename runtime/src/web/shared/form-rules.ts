import { activeRules, type FormRule, localizeSchema, localizeUiSchema } from '@opsloom/spec';
import { inLocale } from '@opsloom/web-forms/in-locale';

// The form's rules (show / hide / require / readonly by CEL condition) applied in the browser as
// the person types, by the same activeRules the server checks the result with.

export type { FormRule };

export interface StepAccess {
  editable?: string[];
  readonly?: string[];
  hidden?: string[];
  required?: string[];
}

/**
 * What the step a record is at lets anybody change outside a task action: the union of its open
 * tasks' field access, as the server reads it for an edit (records/service.ts currentFieldAccess).
 */
export function stepAccess(tasks: { fieldAccess: StepAccess | null }[]): StepAccess | null {
  if (!tasks.length) return null;
  const readonly = new Set<string>();
  const hidden = new Set<string>();
  let editable: Set<string> | null = null;
  for (const { fieldAccess: a } of tasks) {
    if (!a) continue;
    for (const f of a.readonly ?? []) readonly.add(f);
    for (const f of a.hidden ?? []) hidden.add(f);
    if (a.editable) editable = new Set([...(editable ?? []), ...a.editable]);
  }
  return { readonly: [...readonly], hidden: [...hidden], ...(editable ? { editable: [...editable] } : {}) };
}

type Schema = {
  type: 'object';
  properties: Record<string, Record<string, unknown>>;
  required?: string[];
  [k: string]: unknown;
};

/**
 * The schema and uiSchema to render now: texts in the person's language (titles, help, choice
 * labels: spec's localizeSchema / localizeUiSchema),
 * hidden fields removed, rule- and step-required fields required, locked fields read-only.
 * `omit` drops fields this screen never shows (e.g. fields only staff fill in). `creating`: the
 * record does not exist yet, and a readonly rule forbids changing a value, not giving the first
 * one (the server's check compares with the value before, and a new record has none).
 */
export function effectiveForm(
  schema: Schema,
  uiSchema: Record<string, unknown>,
  rules: FormRule[],
  data: Record<string, unknown>,
  locale: 'zh-CN' | 'en',
  opts: {
    status: string;
    creating?: boolean;
    access?: StepAccess | null;
    omit?: (field: string, prop: Record<string, unknown>) => boolean;
  },
): { schema: Schema; uiSchema: Record<string, unknown> } {
  const active = activeRules(rules, data, opts.status);
  const access = opts.access ?? {};
  const properties: Schema['properties'] = {};
  const ui: Record<string, unknown> = { ...inLocale(uiSchema, locale, localizeUiSchema) };
  for (const [field, prop] of Object.entries(schema.properties ?? {})) {
    if (active.hidden.has(field) || access.hidden?.includes(field)) continue;
    if (opts.omit?.(field, prop)) continue;
    properties[field] = inLocale(prop, locale, localizeSchema);
    const locked =
      (active.readonly.has(field) && !opts.creating) ||
      access.readonly?.includes(field) ||
      (access.editable !== undefined && !access.editable.includes(field));
    if (locked) ui[field] = { ...(ui[field] as object), 'ui:readonly': true };
  }
  const required = new Set([...(schema.required ?? []), ...active.required, ...(access.required ?? [])]);
  return {
    schema: { ...schema, properties, required: [...required].filter((f) => f in properties) },
    uiSchema: ui,
  };
}

/**
 * A form's schema for showing a record's values: without the fields its rules hide at the
 * record's status and data (a password reset shows no approving manager, whatever the data
 * holds), as the form itself would not show them.
 */
export function shownSchema<S extends { properties: Record<string, unknown> }>(
  schema: S,
  rules: FormRule[] | undefined,
  data: Record<string, unknown>,
  status: string,
): S {
  const { hidden } = activeRules(rules ?? [], data, status);
  if (!hidden.size) return schema;
  return {
    ...schema,
    properties: Object.fromEntries(Object.entries(schema.properties).filter(([field]) => !hidden.has(field))),
  };
}

/** Server field problems (`/field` paths) as rjsf `extraErrors`, so each shows at its field. */
export function problemsToErrors(
  problems: { path: string; message: { 'zh-CN': string; en: string } }[],
  locale: 'zh-CN' | 'en',
): Record<string, { __errors: string[] }> {
  const out: Record<string, { __errors: string[] }> = {};
  for (const p of problems) {
    const field = p.path.replace(/^\//, '').split('/')[0] || '__root';
    out[field] ??= { __errors: [] };
    out[field].__errors.push(p.message[locale]);
  }
  return out;
}
