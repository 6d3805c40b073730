// The web apps talk to the runtime only through its HTTP API: same origin, the session cookie,
// and the CSRF token (from login or GET /auth/session) on every state-changing request.

export interface Problem {
  path: string;
  message: { 'zh-CN': string; en: string };
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: { problems?: Problem[] } & Record<string, unknown>,
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
export const setCsrf = (token: string | null) => {
  csrfToken = token;
};

let currentLocale = 'zh-CN';
export const setApiLocale = (locale: string) => {
  currentLocale = locale;
};

/** Sends a request to /api/v1; answers the parsed body, or throws an HttpError with the server's message. */
export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { 'accept-language': currentLocale };
  if (csrfToken && method !== 'GET') headers['x-csrf-token'] = csrfToken;
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(`/api/v1${path}`, { method, headers, body: payload, credentials: 'same-origin' });
  const text = await res.text();
  const parsed = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    const err = parsed?.error ?? {};
    throw new HttpError(res.status, err.code ?? 'http', err.message ?? res.statusText, err.details);
  }
  return parsed as T;
}

export const get = <T = unknown>(path: string) => api<T>('GET', path);
export const post = <T = unknown>(path: string, body: unknown = {}) => api<T>('POST', path, body);
export const patch = <T = unknown>(path: string, body: unknown) => api<T>('PATCH', path, body);

export interface User {
  username: string;
  displayName: string;
  roles: string[];
  locale: string;
  groups?: string[];
}

// The server's own response types: type-only imports, erased from the bundle, so the web apps
// and the API cannot drift apart.
import type { RecordView } from '../../records/view.ts';
import type { MetricView } from '../../sla/clocks.ts';

export type { MetricView, RecordView };

/** A record's SLA state in list answers (GET /records); null when it has no SLA clocks. */
export interface SlaSummary {
  /** Earliest due instant among running metrics; null when none runs. */
  dueAt: number | null;
  /** A metric is paused and none runs. */
  paused: boolean;
  /** A running or paused metric passed a warning threshold. */
  warned: boolean;
  /** The latest cycle of some metric breached its target. */
  breached: boolean;
}

/** An item of GET /records. */
export interface RecordListItem extends RecordView {
  sla: SlaSummary | null;
}

export interface TaskAction {
  key: string;
  label: unknown;
  style: string;
  input: unknown;
}

export interface OpenTask {
  id: number;
  node: string;
  name: unknown;
  assignee: string | null;
  group: string | null;
  approvalMode: string | null;
  approvers: { username: string; decision: string | null }[];
  dueAt: number | null;
  version: number;
  actions: TaskAction[];
  fieldAccess: {
    editable?: string[];
    readonly?: string[];
    hidden?: string[];
    required?: string[];
  } | null;
  can: {
    act: boolean;
    claim: boolean;
    transfer: boolean;
    addApprover: boolean;
    return: boolean;
    urge: boolean;
  };
  returnTargets: string[];
}

export type { HistoryEntry } from '../../records/history.ts';

export interface Comment {
  id: number;
  author: string;
  body: string;
  visibility: 'public' | 'internal';
  createdAt: number;
}

export interface Attachment {
  id: number;
  filename: string;
  size: number;
  contentType: string;
  uploadedBy: string;
  createdAt: number;
  url: string;
}

export interface MyTask {
  id: number;
  recordId: number;
  number: string;
  title: string;
  type: string;
  recordStatus: string;
  node: string;
  name: unknown;
  approvalMode: string | null;
  reason: 'act' | 'claim';
  dueAt: number | null;
  createdAt: number;
}

/** Uploads one file to a record (multipart, field "file"). */
export function uploadAttachment(recordId: number, file: File): Promise<Attachment> {
  const form = new FormData();
  form.append('file', file, file.name);
  return api<Attachment>('POST', `/records/${recordId}/attachments`, form);
}
