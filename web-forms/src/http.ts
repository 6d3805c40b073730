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
export const put = <T = unknown>(path: string, body: unknown) => api<T>('PUT', path, body);
