import { request } from '../api.ts';

/** The runtime's admin routes the console uses (runtime/src/people, auth, engine jobs, notify, system). */

export type Role = 'admin' | 'agent' | 'manager' | 'user';
export const ROLES: Role[] = ['admin', 'manager', 'agent', 'user'];

export interface AdminUser {
  id: number;
  username: string;
  displayName: string;
  email: string | null;
  locale: 'zh-CN' | 'en';
  roles: Role[];
  active: boolean;
  groups: string[];
  createdAt: number;
  updatedAt: number;
  lastLoginAt?: number | null;
  lockedUntil?: number | null;
  failedLogins?: number;
}

export interface Group {
  key: string;
  name: Record<string, string>;
  type: 'support' | 'org';
  parent: string | null;
  members: string[];
}

export interface Job {
  id: number;
  type: string;
  status: string;
  dueAt: number;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  instanceId: number | null;
  recordId: number | null;
  target: string | null;
  createdAt: number;
}

export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: string;
  entityType: string;
  entityKey: string;
  detail: unknown;
}

export interface Plugin {
  name: string;
  version: string;
  status: string;
  problems: { file?: string; path?: string; message?: Record<string, string> | string }[];
  updatedAt: number;
}

export interface Token {
  id: number;
  username: string;
  name: string;
  prefix: string;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
  revoked: boolean;
}

export interface SmtpView {
  host: string;
  port: number;
  secure: boolean;
  startTls: 'required' | 'opportunistic' | 'never';
  username: string | null;
  from: string;
  tlsRejectUnauthorized: boolean;
  passwordSet: boolean;
  source: 'settings' | 'environment' | 'none';
}

export interface SecretInfo {
  name: string;
  description?: string | null;
  readable: boolean;
  updatedAt?: number;
}

const q = (params: Record<string, string | number | boolean | undefined | null>) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') s.set(k, String(v));
  const text = s.toString();
  return text ? `?${text}` : '';
};

export const adminApi = {
  users: (query: { q?: string; limit?: number; offset?: number } = {}) =>
    request<{ items: AdminUser[]; total: number }>('GET', `/users${q({ limit: 500, ...query })}`),
  createUser: (body: Record<string, unknown>) => request<AdminUser>('POST', '/users', body),
  updateUser: (username: string, body: Record<string, unknown>) =>
    request<AdminUser>('PATCH', `/users/${encodeURIComponent(username)}`, body),
  unlock: (username: string) =>
    request<{ cleared: number }>('POST', `/users/${encodeURIComponent(username)}/unlock`),
  groups: () => request<{ items: Group[] }>('GET', '/groups').then((r) => r.items),
  createGroup: (body: Record<string, unknown>) => request<Group>('POST', '/groups', body),
  updateGroup: (key: string, body: Record<string, unknown>) =>
    request<Group>('PATCH', `/groups/${encodeURIComponent(key)}`, body),
  jobs: (query: { status?: string; type?: string }) =>
    request<{ items: Job[] }>('GET', `/jobs${q({ limit: 200, ...query })}`).then((r) => r.items),
  retryJobs: (ids: number[]) =>
    request<{ retried: number[]; skipped: { id: number; status: string | null }[] }>('POST', '/jobs/retry', {
      ids,
    }),
  audit: (query: { actor?: string; action?: string; from?: number; to?: number; before?: number }) =>
    request<{ items: AuditEntry[]; nextBefore: number | null }>(
      'GET',
      `/audit${q({ limit: 100, ...query })}`,
    ),
  plugins: () => request<{ items: Plugin[] }>('GET', '/plugins').then((r) => r.items),
  tokens: (query: { username?: string; revoked?: boolean } = {}) =>
    request<{ items: Token[] }>('GET', `/tokens${q(query)}`).then((r) => r.items),
  createToken: (body: { name: string; username?: string; expiresInDays?: number }) =>
    request<{ id: number; token: string; prefix: string }>('POST', '/auth/tokens', body),
  revokeToken: (id: number) => request<void>('DELETE', `/auth/tokens/${id}`),
  smtp: () => request<SmtpView>('GET', '/settings/smtp'),
  saveSmtp: (body: Record<string, unknown>) => request<SmtpView>('PUT', '/settings/smtp', body),
  testMessage: (body: Record<string, unknown>) =>
    request<{ delivered: true; to: string; answer: string }>('POST', '/notifications/test', body),
  secrets: () => request<{ items: SecretInfo[] }>('GET', '/secrets').then((r) => r.items),
  putSecret: (name: string, value: string) =>
    request<unknown>('PUT', `/secrets/${encodeURIComponent(name)}`, { value }),
};
