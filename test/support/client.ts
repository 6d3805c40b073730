export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * Whether a reply is the runtime's refusal as the API promises it: a coded JSON error with a
 * message, in Chinese when the caller asked for Chinese.
 */
export function isCodedRefusal(reply: Reply, locale = 'en'): boolean {
  const error = reply.body?.error;
  if (typeof error?.code !== 'string' || typeof error.message !== 'string' || !error.message) return false;
  return locale !== 'zh-CN' || /[\u4e00-\u9fff]/.test(error.message);
}

/**
 * A small HTTP client that behaves like a browser tab (keeps the session cookie, sends the CSRF
 * header) or like a system (bearer token). Tests talk to the real server through it.
 */
export class ApiClient {
  cookie: string | null = null;
  csrf: string | null = null;
  token: string | null = null;
  locale = 'en';

  constructor(readonly baseUrl: string) {}

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    opts: { headers?: Record<string, string>; raw?: string; csrf?: boolean } = {},
  ): Promise<Reply<T>> {
    const headers: Record<string, string> = { 'accept-language': this.locale, ...opts.headers };
    if (this.cookie) headers.cookie = this.cookie;
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (this.csrf && opts.csrf !== false) headers['x-csrf-token'] = this.csrf;
    let payload: string | undefined = opts.raw;
    if (body !== undefined) payload = JSON.stringify(body);
    if (payload !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.baseUrl}/api/v1${path}`, { method, headers, body: payload });
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('opsloom_sid='));
    if (setCookie) {
      const value = setCookie.split(';')[0]!;
      this.cookie = value === 'opsloom_sid=' ? null : value;
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get = <T = any>(path: string, opts?: Parameters<ApiClient['request']>[3]) =>
    this.request<T>('GET', path, undefined, opts);
  post = <T = any>(path: string, body?: unknown, opts?: Parameters<ApiClient['request']>[3]) =>
    this.request<T>('POST', path, body ?? {}, opts);
  put = <T = any>(path: string, body?: unknown, opts?: Parameters<ApiClient['request']>[3]) =>
    this.request<T>('PUT', path, body ?? {}, opts);
  patch = <T = any>(path: string, body?: unknown, opts?: Parameters<ApiClient['request']>[3]) =>
    this.request<T>('PATCH', path, body ?? {}, opts);
  delete = <T = any>(path: string, opts?: Parameters<ApiClient['request']>[3]) =>
    this.request<T>('DELETE', path, undefined, opts);

  async login(username: string, password: string): Promise<this> {
    const res = await this.post('/auth/login', { username, password });
    if (res.status !== 200)
      throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
    this.csrf = res.body.csrfToken;
    return this;
  }
}
