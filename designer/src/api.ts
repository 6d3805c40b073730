import type { Definition, DefinitionKind, Problem } from '@opsloom/spec';

/** The designer talks to the runtime only through its HTTP API (same origin, session cookie). */

export interface Summary {
  kind: DefinitionKind;
  key: string;
  name: unknown;
  status: 'draft' | 'published' | 'retired';
  latestVersion: number;
  revision: number;
  hasDraft: boolean;
  source: string | null;
  updatedAt: number;
  updatedBy: string | null;
}
export interface Detail extends Summary {
  definition: Definition | null;
  published: Definition | null;
}
export interface VersionInfo {
  version: number;
  checksum: string;
  publishedAt: number;
  publishedBy: string;
}
export interface Change {
  op: 'add' | 'remove' | 'change';
  path: string;
  from?: unknown;
  to?: unknown;
}
export interface Session {
  user: { username: string; displayName: string; roles: string[]; locale: string };
  csrfToken: string;
}

/** A published report the caller may run (GET /reports). */
export interface ReportSummary {
  key: string;
  version: number;
  name: unknown;
  description: unknown;
  tags: string[];
  dataset: string;
  chart: string;
  params: { key: string; type: string; label?: unknown; default?: unknown }[];
}

/** What a report run or preview answers (the runtime's RunResult). */
export interface RunResult {
  report: { key: string; version: number | null; name: string };
  asOf: number;
  timeZone: string;
  columns: { key: string; role: 'dimension' | 'measure' | 'previous'; label: string; field?: string }[];
  rows: Record<string, string | number | null>[];
  total: number;
  labels: Record<string, Record<string, string>>;
  chart: Record<string, unknown>;
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: Problem[] = [],
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;

export function loginUrl(): string {
  const next = `${location.pathname}${location.search}`;
  return `/portal/login?next=${encodeURIComponent(next.startsWith('/designer') ? next : '/designer')}`;
}

/** One call to the runtime's API (the admin console's calls use it too: designer/src/admin/api.ts). */
export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const lang = localStorage.getItem('opsloom.locale');
  if (lang) headers['accept-language'] = lang;
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 401) {
    location.assign(loginUrl());
    throw new ApiFailure(401, 'unauthenticated', 'unauthenticated');
  }
  const text = await res.text();
  const json = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    const err = json?.error ?? {};
    throw new ApiFailure(
      res.status,
      err.code ?? 'error',
      err.message ?? res.statusText,
      err.details?.problems,
    );
  }
  return json as T;
}

export const api = {
  async session(): Promise<Session> {
    const s = await request<Session>('GET', '/auth/session');
    csrfToken = s.csrfToken;
    return s;
  },
  async logout(): Promise<void> {
    await request('POST', '/auth/logout');
  },
  /** The admin's own language: the apps' and their notifications'. */
  saveLocale: (locale: 'zh-CN' | 'en') => request<void>('PUT', '/auth/locale', { locale }),
  list: () => request<{ items: Summary[] }>('GET', '/definitions').then((r) => r.items),
  get: (kind: string, key: string) =>
    request<Detail>('GET', `/definitions/${kind}/${encodeURIComponent(key)}`),
  create: (definition: Definition) => request<Detail>('POST', '/definitions', definition),
  saveDraft: (kind: string, key: string, revision: number, definition: Definition) =>
    request<Detail>('PUT', `/definitions/${kind}/${encodeURIComponent(key)}/draft`, { revision, definition }),
  discardDraft: (kind: string, key: string) =>
    request<void>('DELETE', `/definitions/${kind}/${encodeURIComponent(key)}/draft`),
  validateStored: (kind: string, key: string) =>
    request<{ ok: boolean; problems: Problem[] }>(
      'POST',
      `/definitions/${kind}/${encodeURIComponent(key)}/validate`,
    ),
  validate: (definition: Definition) =>
    request<{ ok: boolean; problems: Problem[] }>('POST', '/definitions/validate', definition),
  publish: (kind: string, key: string, revision: number) =>
    request<VersionInfo>('POST', `/definitions/${kind}/${encodeURIComponent(key)}/publish`, { revision }),
  versions: (kind: string, key: string) =>
    request<{ items: VersionInfo[] }>('GET', `/definitions/${kind}/${encodeURIComponent(key)}/versions`).then(
      (r) => r.items,
    ),
  version: (kind: string, key: string, version: number) =>
    request<Definition>('GET', `/definitions/${kind}/${encodeURIComponent(key)}/versions/${version}`),
  diff: (kind: string, key: string, from: number, to: number | 'draft') =>
    request<{ changes: Change[] }>(
      'GET',
      `/definitions/${kind}/${encodeURIComponent(key)}/diff?from=${from}&to=${to}`,
    ).then((r) => r.changes),
  reports: () => request<{ items: ReportSummary[] }>('GET', '/reports').then((r) => r.items),
  /** Runs a report definition as it stands in the designer (not published), on the real data. */
  previewReport: (definition: Definition, params: Record<string, unknown> = {}) =>
    request<RunResult>('POST', '/reports/preview', { definition, params }),
  runReport: (key: string, params: Record<string, unknown> = {}) =>
    request<RunResult>('POST', `/reports/${encodeURIComponent(key)}/run`, { params }),
  groups: () => request<{ items: { key: string; name: unknown }[] }>('GET', '/groups').then((r) => r.items),
  users: () =>
    request<{ items: { username: string; displayName: string }[] }>('GET', '/users').then((r) => r.items),
};
