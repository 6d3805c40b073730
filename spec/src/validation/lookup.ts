import type { DefinitionKind } from '../kinds.ts';
import { isDefinitionKind } from '../kinds.ts';

/**
 * What the validator may ask about the world outside the definition. Every function is
 * optional: a reference kind is checked only when its function is given, so the designer
 * can validate offline and the store can validate strictly on publish.
 */
export interface Lookup {
  hasDefinition?(kind: DefinitionKind, key: string): boolean;
  /** Field keys of a published form; undefined when there is no such form. */
  formFields?(formKey: string): string[] | undefined;
  /** Status keys a published form declares; undefined when there is no such form or it declares none. */
  formStatuses?(formKey: string): string[] | undefined;
  /** Keys of the published forms whose records are numbered with `prefix`. */
  formsNumberedWith?(prefix: string): string[];
  hasGroup?(key: string): boolean;
  hasUser?(username: string): boolean;
  /** The params (key and type) a published report declares; undefined when there is no such report. */
  reportParams?(reportKey: string): ReportParamInfo[] | undefined;
}

export interface ReportParamInfo {
  key: string;
  type: string;
}

/** Lookup answers with "cannot tell" (undefined / null) made explicit, so checks can skip. */
export interface Resolver {
  hasDefinition(kind: DefinitionKind, key: string): boolean | undefined;
  /** string[]: the form's fields; undefined: no such form; null: cannot tell. */
  formFields(formKey: string): string[] | undefined | null;
  /** The form's status keys; null: it declares none, or cannot tell. */
  formStatuses(formKey: string): string[] | null;
  /** Keys of the forms numbering records with `prefix`; null: cannot tell. */
  formsNumberedWith(prefix: string): string[] | null;
  hasGroup(key: string): boolean | undefined;
  hasUser(username: string): boolean | undefined;
  /** The report's params; undefined: no such report; null: cannot tell. */
  reportParams(reportKey: string): ReportParamInfo[] | undefined | null;
}

export function resolverFor(lookup: Lookup | undefined): Resolver {
  return {
    hasDefinition(kind, key) {
      if (lookup?.hasDefinition) return lookup.hasDefinition(kind, key);
      if (kind === 'form' && lookup?.formFields) return lookup.formFields(key) !== undefined;
      return undefined;
    },
    formFields(formKey) {
      if (!lookup?.formFields) return null;
      return lookup.formFields(formKey);
    },
    formStatuses: (formKey) => lookup?.formStatuses?.(formKey) ?? null,
    formsNumberedWith: (prefix) => lookup?.formsNumberedWith?.(prefix) ?? null,
    hasGroup: (key) => lookup?.hasGroup?.(key),
    hasUser: (name) => lookup?.hasUser?.(name),
    reportParams: (key) => (lookup?.reportParams ? lookup.reportParams(key) : null),
  };
}

/** The params (key, type) a report definition declares. */
export function paramsOfReport(report: unknown): ReportParamInfo[] {
  const params = (report as { params?: unknown } | null)?.params;
  if (!Array.isArray(params)) return [];
  return params
    .map((p) => p as { key?: unknown; type?: unknown } | null)
    .filter((p) => typeof p?.key === 'string' && typeof p.type === 'string')
    .map((p) => ({ key: p!.key as string, type: p!.type as string }));
}

/** Top-level field keys of a form definition's JSON Schema. */
export function fieldsOfForm(form: unknown): string[] {
  const properties = (form as { schema?: { properties?: unknown } } | null)?.schema?.properties;
  return properties && typeof properties === 'object' && !Array.isArray(properties)
    ? Object.keys(properties)
    : [];
}

/** Status keys a form definition declares; undefined when it declares none. */
export function statusesOfForm(form: unknown): string[] | undefined {
  const statuses = (form as { statuses?: unknown } | null)?.statuses;
  if (!Array.isArray(statuses)) return undefined;
  return statuses.map((s) => (s as { key?: unknown } | null)?.key).filter((k) => typeof k === 'string');
}

/**
 * Definitions validated together answer for each other first (a plugin's process names its
 * own form), then the outer lookup; with no outer function, references leaving the bundle
 * are not judged.
 */
export function bundleResolver(defs: unknown[], outer: Resolver): Resolver {
  const byKind = new Map<string, unknown>();
  for (const def of defs) {
    const d = def as { kind?: unknown; key?: unknown } | null;
    if (d && isDefinitionKind(d.kind) && typeof d.key === 'string')
      byKind.set(`${d.kind}\u0000${d.key}`, def);
  }
  const find = (kind: DefinitionKind, key: string) => byKind.get(`${kind}\u0000${key}`);
  return {
    hasDefinition: (kind, key) => (find(kind, key) ? true : outer.hasDefinition(kind, key)),
    formFields(formKey) {
      const form = find('form', formKey);
      return form ? fieldsOfForm(form) : outer.formFields(formKey);
    },
    formStatuses(formKey) {
      const form = find('form', formKey);
      return form ? (statusesOfForm(form) ?? null) : outer.formStatuses(formKey);
    },
    formsNumberedWith(prefix) {
      // The bundle's own forms, and the published ones the bundle does not replace.
      const own = defs
        .map((d) => d as { kind?: unknown; key?: unknown; numberPrefix?: unknown } | null)
        .filter((d) => d?.kind === 'form' && d.numberPrefix === prefix && typeof d.key === 'string')
        .map((d) => d!.key as string);
      const outside = outer.formsNumberedWith(prefix);
      if (outside === null && !own.length) return null;
      return [...new Set([...own, ...(outside ?? []).filter((k) => !find('form', k))])];
    },
    hasGroup: (key) => outer.hasGroup(key),
    hasUser: (name) => outer.hasUser(name),
    reportParams(key) {
      const report = find('report', key);
      return report ? paramsOfReport(report) : outer.reportParams(key);
    },
  };
}
