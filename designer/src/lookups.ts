import { useEffect, useState } from 'react';
import { api, type ReportSummary, type Summary } from './api.ts';

/** Reference data the property panels offer in pickers, fetched once per page load. */
const cache = new Map<string, Promise<unknown>>();

function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
  let p = cache.get(key) as Promise<T> | undefined;
  if (!p) {
    p = load().catch((e) => {
      cache.delete(key);
      throw e;
    });
    cache.set(key, p);
  }
  return p;
}

function useAsync<T>(key: string | null, load: () => Promise<T>, fallback: T): T {
  const [value, setValue] = useState<T>(fallback);
  useEffect(() => {
    if (!key) return;
    let live = true;
    cached(key, load).then(
      (v) => live && setValue(v),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [key]);
  return value;
}

export function useGroups() {
  return useAsync('groups', api.groups, []);
}
export function useUsers() {
  return useAsync('users', api.users, []);
}
export function useDefinitions(): Summary[] {
  return useAsync('definitions', api.list, []);
}
/** Forget the definitions list after a save or publish. */
export function refreshDefinitions(): void {
  cache.delete('definitions');
}

export interface FieldInfo {
  key: string;
  title: unknown;
  type?: unknown;
  enum?: unknown[];
}

export interface FormInfo {
  /** Its fields, in order. */
  fields: FieldInfo[];
  /** The statuses it declares, in lifecycle order (none when it leaves them free). */
  statuses: { key: string; name: unknown }[];
  /** The fields it indexes (what a records report of this type may group, filter and measure by). */
  indexed: string[];
}

/** What the process panel offers from a form (its draft, else its published version). */
export function useFormInfo(formKey: string | undefined): FormInfo {
  return useAsync(
    formKey ? `form:${formKey}` : null,
    async () => {
      const d = await api.get('form', formKey!);
      const def = (d.definition ?? d.published) as {
        schema?: { properties?: Record<string, Record<string, unknown>> };
        statuses?: { key: string; name: unknown }[];
        indexed?: string[];
      };
      return {
        fields: Object.entries(def?.schema?.properties ?? {}).map(([key, p]) => ({
          key,
          title: p['x-title'] ?? p.title ?? key,
          type: p.type,
          enum: Array.isArray(p.enum) ? p.enum : undefined,
        })),
        statuses: def?.statuses ?? [],
        indexed: def?.indexed ?? [],
      };
    },
    { fields: [], statuses: [], indexed: [] } as FormInfo,
  );
}

export function useReports(): ReportSummary[] {
  return useAsync('reports', api.reports, []);
}
/** Forget the published reports after a publish. */
export function refreshReports(): void {
  cache.delete('reports');
}
