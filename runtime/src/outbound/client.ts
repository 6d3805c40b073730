import type { LookupAddress } from 'node:dns';
import dns from 'node:dns';
import { Agent, fetch } from 'undici';
import type { Config } from '../config.ts';
import { LocalizedError } from '../i18n/localized-error.ts';
import type { MessageKey } from '../i18n/translate.ts';
import {
  type AllowList,
  allowsHostName,
  bareHost,
  describeAddress,
  EMPTY_ALLOW_LIST,
  isIpAddress,
  refusedRange,
} from './addresses.ts';

/**
 * The one way the runtime calls out over HTTP (service tasks, webhooks, IM robots). Before each
 * request and after each redirect the URL must be http(s) and its host must resolve only to
 * addresses the policy allows (addresses.ts); the connection itself resolves the host again
 * through the same check (undici's `connect.lookup`), so a name that answers a public address to
 * the first look-up and 127.0.0.1 to the second (DNS rebinding) is refused before a byte is sent.
 * Redirects are followed by hand, at most `maxRedirects`, each hop checked; credentials set by the
 * caller are not carried to another origin. The whole exchange has one deadline, and the answer
 * is read up to `maxBytes` (a larger one is refused).
 */

export const MAX_REDIRECTS = 3;

export interface OutboundPolicy {
  allow: AllowList;
  /** Largest answer read, in bytes; a larger one fails the call. */
  maxBytes: number;
  maxRedirects: number;
}

export interface OutboundRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** False: a redirect is answered as it is (a webhook's 302 is a failure), not followed. */
  followRedirects?: boolean;
}

export interface OutboundResponse {
  status: number;
  ok: boolean;
  /** The answer as text (UTF-8), at most `maxBytes`. */
  text: string;
  /** Where the answer came from, after redirects. */
  url: string;
}

/** All addresses of a host name. Replaceable in tests, where a name may answer differently each time. */
export type Resolver = (host: string) => Promise<string[]>;

const systemResolver: Resolver = async (host) =>
  (await dns.promises.lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** A call refused or failed for a reason the runtime can state (the message names it). */
export class OutboundError extends LocalizedError {
  override name = 'OutboundError';
}

const refuse = (
  key: MessageKey,
  params: Record<string, string | number | Record<'zh-CN' | 'en', string>> = {},
) => new OutboundError(key, params);

const NAMED_RANGES = new Set([
  'loopback',
  'private',
  'uniqueLocal',
  'linkLocal',
  'unspecified',
  'carrierGradeNat',
  'multicast',
  'broadcast',
]);

function rangeText(range: string): Record<'zh-CN' | 'en', string> {
  const key = (NAMED_RANGES.has(range) ? `outbound.range.${range}` : 'outbound.range.other') as MessageKey;
  return new LocalizedError(key, { range }).localized;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers that may follow a redirect to another origin; anything else may be a credential. */
const CROSS_ORIGIN_HEADERS = new Set(['content-type', 'accept', 'accept-language', 'user-agent']);

export class OutboundClient {
  private readonly agent: Agent;

  constructor(
    readonly policy: OutboundPolicy,
    private readonly resolve: Resolver = systemResolver,
  ) {
    this.agent = new Agent({ connect: { lookup: this.lookup } });
  }

  /** Refuses an address outside the policy, naming the host, the address and its range. */
  private checkAddress(host: string, address: string): void {
    const range = refusedRange(this.policy.allow, address);
    if (range === null) return;
    const params = { host, address: describeAddress(address), range: rangeText(range) };
    throw refuse(host === address ? 'outbound.refused_ip' : 'outbound.refused', params);
  }

  private async addressesOf(host: string): Promise<string[]> {
    try {
      const found = await this.resolve(host);
      if (!found.length) throw new Error('no address');
      return found;
    } catch (err) {
      const detail = (err as { code?: string }).code ?? (err as Error).message;
      throw refuse('outbound.unresolved', { host, detail: String(detail) });
    }
  }

  /** The check before a request: scheme, then every address the host has. */
  async check(url: URL): Promise<void> {
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw refuse('outbound.scheme', { scheme: url.protocol });
    const host = bareHost(url.hostname);
    if (allowsHostName(this.policy.allow, host)) return;
    if (isIpAddress(host)) {
      this.checkAddress(host, host);
      return;
    }
    for (const address of await this.addressesOf(host)) this.checkAddress(host, address);
  }

  /** net.connect's look-up: resolves again at connect time and refuses what check() would refuse. */
  private readonly lookup = (
    hostname: string,
    options: { family?: number | string; all?: boolean },
    callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    const host = bareHost(hostname);
    this.addressesOf(host)
      .then((found) => {
        if (!allowsHostName(this.policy.allow, host)) for (const a of found) this.checkAddress(host, a);
        const family = Number(options.family) || 0;
        const list = found
          .map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
          .filter((a) => !family || a.family === family);
        if (!list.length) throw refuse('outbound.unresolved', { host, detail: `no IPv${family} address` });
        if (options.all) callback(null, list);
        else callback(null, list[0]!.address, list[0]!.family);
      })
      .catch((err: Error) => callback(err, ''));
  };

  async request(req: OutboundRequest): Promise<OutboundResponse> {
    const signal = AbortSignal.timeout(req.timeoutMs);
    let url = parseUrl(req.url);
    let method = req.method.toUpperCase();
    let body = req.body;
    let headers: Record<string, string> = { ...(req.headers ?? {}) };
    for (let hop = 0; ; hop++) {
      await this.check(url);
      const res = await this.send(url, method, headers, body, signal, req.timeoutMs);
      if (!REDIRECTS.has(res.status) || req.followRedirects === false) {
        const text = await readCapped(res, this.policy.maxBytes, signal, req.timeoutMs);
        return { status: res.status, ok: res.ok, text, url: url.href };
      }
      await res.body?.cancel().catch(() => {});
      if (hop >= this.policy.maxRedirects)
        throw refuse('outbound.redirects', { max: this.policy.maxRedirects });
      const location = res.headers.get('location');
      let next: URL;
      try {
        next = new URL(location ?? '', url);
        if (!location) throw new Error('no location');
      } catch {
        throw refuse('outbound.redirect_location', { status: res.status });
      }
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = method === 'HEAD' ? 'HEAD' : 'GET';
        body = undefined;
        headers = Object.fromEntries(
          Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'content-type'),
        );
      }
      if (next.origin !== url.origin)
        headers = Object.fromEntries(
          Object.entries(headers).filter(([k]) => CROSS_ORIGIN_HEADERS.has(k.toLowerCase())),
        );
      url = next;
    }
  }

  private async send(
    url: URL,
    method: string,
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal,
    timeoutMs: number,
  ) {
    try {
      return await fetch(url, {
        method,
        headers,
        body: method === 'GET' || method === 'HEAD' ? undefined : body,
        redirect: 'manual',
        signal,
        dispatcher: this.agent,
      });
    } catch (err) {
      throw failure(err, signal, timeoutMs);
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

function parseUrl(raw: string): URL {
  try {
    return new URL(raw.trim());
  } catch {
    throw refuse('outbound.bad_url', { url: raw.slice(0, 200) });
  }
}

/** What undici's "fetch failed" was: our own refusal from the look-up, a timeout, or the network's error. */
function failure(err: unknown, signal: AbortSignal, timeoutMs: number): Error {
  if (err instanceof OutboundError) return err;
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof OutboundError) return cause;
  if (signal.aborted) return refuse('outbound.timeout', { ms: timeoutMs });
  const c = (cause ?? err) as { code?: string; message?: string };
  return refuse('outbound.failed', { detail: [c.code, c.message].filter(Boolean).join(' ') || String(err) });
}

async function readCapped(
  res: Awaited<ReturnType<typeof fetch>>,
  max: number,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel().catch(() => {});
    throw refuse('outbound.too_large', { max });
  }
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body) {
      size += chunk.byteLength;
      // Leaving the loop cancels the stream: nothing more is read.
      if (size > max) throw refuse('outbound.too_large', { max });
      chunks.push(chunk);
    }
  } catch (err) {
    throw failure(err, signal, timeoutMs);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A peer's non-2xx answer as a failure: its status and the start of what it said. */
export const answeredError = (res: OutboundResponse): OutboundError =>
  refuse('outbound.answered', { status: res.status, excerpt: res.text.slice(0, 500) });

/**
 * A failed call as stored in a job's error and the record's history: what was called (as people
 * may see it: secrets as references) and why, in English and in both languages, passed through
 * `scrub` so no secret value is kept.
 */
export class CallFailure extends Error {
  override name = 'CallFailure';
  constructor(
    message: string,
    readonly localized: Record<'zh-CN' | 'en', string>,
  ) {
    super(message);
  }
}

export function callFailure(
  what: string,
  reason: unknown,
  scrub: (text: string) => string = (t) => t,
): CallFailure {
  const text =
    reason instanceof LocalizedError
      ? reason.localized
      : {
          en: String((reason as Error)?.message ?? reason),
          'zh-CN': String((reason as Error)?.message ?? reason),
        };
  return new CallFailure(scrub(`${what}: ${text.en}`), {
    'zh-CN': scrub(`${what}：${text['zh-CN']}`),
    en: scrub(`${what}: ${text.en}`),
  });
}

/** Both languages of an error, when it has them. */
export function localizedOf(err: unknown): Record<'zh-CN' | 'en', string> | undefined {
  if (err instanceof CallFailure || err instanceof LocalizedError) return err.localized;
  return undefined;
}

const clients = new WeakMap<Config, OutboundClient>();

/** The runtime's client, one per configuration (its connection pool is shared by every call). */
export function outboundClient(config: Config): OutboundClient {
  let client = clients.get(config);
  if (!client) {
    client = new OutboundClient({
      allow: config.outboundAllow ?? EMPTY_ALLOW_LIST,
      maxBytes: config.outboundMaxBytes,
      maxRedirects: MAX_REDIRECTS,
    });
    clients.set(config, client);
  }
  return client;
}
