import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllowList } from './addresses.ts';
import { MAX_REDIRECTS, OutboundClient, OutboundError, type Resolver } from './client.ts';

/** A real HTTP server on 127.0.0.1 that records what reaches it; `handle` decides the answer. */
interface Peer {
  url: string;
  port: number;
  hits: { url: string; headers: http.IncomingHttpHeaders; method: string }[];
  handle: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  close(): Promise<void>;
}

async function peer(): Promise<Peer> {
  const p = {
    hits: [],
    handle: (_req: http.IncomingMessage, res: http.ServerResponse) => res.end('{"ok":true}'),
  } as unknown as Peer;
  const server = http.createServer((req, res) => {
    p.hits.push({ url: req.url ?? '', headers: req.headers, method: req.method ?? '' });
    req.resume();
    req.on('end', () => p.handle(req, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  p.port = (server.address() as AddressInfo).port;
  p.url = `http://127.0.0.1:${p.port}`;
  p.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return p;
}

const client = (allow: string, resolve?: Resolver, maxBytes = 64 * 1024) =>
  new OutboundClient({ allow: parseAllowList(allow), maxBytes, maxRedirects: MAX_REDIRECTS }, resolve);

const get = (c: OutboundClient, url: string, headers: Record<string, string> = {}) =>
  c.request({ method: 'GET', url, headers, timeoutMs: 3000 });

async function refusal(promise: Promise<unknown>): Promise<OutboundError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OutboundError);
  return err as OutboundError;
}

describe('outbound calls', () => {
  let a: Peer;
  let b: Peer;
  const open = client('');
  const loopback = client('127.0.0.1');
  beforeAll(async () => {
    a = await peer();
    b = await peer();
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close(), open.close(), loopback.close()]);
  });

  it('refuses loopback unless allow-listed: the peer receives nothing', async () => {
    const err = await refusal(get(open, `${a.url}/x`));
    expect(err.key).toBe('outbound.refused_ip');
    expect(err.message).toContain('127.0.0.1 is a loopback address');
    expect(err.localized['zh-CN']).toContain('回环');
    expect(a.hits).toHaveLength(0);
    const res = await get(loopback, `${a.url}/x`);
    expect(res.status).toBe(200);
    expect(res.text).toBe('{"ok":true}');
    expect(a.hits).toHaveLength(1);
    a.hits.length = 0;
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data/', 'outbound.refused_ip'],
    ['http://[::1]:1/', 'outbound.refused_ip'],
    ['http://0x7f000001:1/', 'outbound.refused_ip'],
    ['http://2130706433:1/', 'outbound.refused_ip'],
    ['http://[::ffff:7f00:1]:1/', 'outbound.refused_ip'],
    ['http://10.0.0.1/', 'outbound.refused_ip'],
    ['http://100.100.100.200/', 'outbound.refused_ip'],
    ['file:///etc/passwd', 'outbound.scheme'],
    ['gopher://127.0.0.1:6379/_INFO', 'outbound.scheme'],
    ['ftp://example.com/x', 'outbound.scheme'],
    ['not a url', 'outbound.bad_url'],
  ])('refuses %s', async (url, key) => {
    expect((await refusal(get(open, url))).key).toBe(key);
  });

  it('checks every address of a name, and a name that does not resolve', async () => {
    const mixed = client('', async () => ['93.184.216.34', '10.0.0.7']);
    const err = await refusal(get(mixed, 'http://mixed.test/'));
    expect(err.message).toContain('mixed.test resolves to 10.0.0.7, a private (RFC 1918) address');
    const nowhere = client('', async () => {
      throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    });
    expect((await refusal(get(nowhere, 'http://nowhere.test/'))).message).toContain('ENOTFOUND');
    await Promise.all([mixed.close(), nowhere.close()]);
  });

  it('resolves again when connecting: a name that turns into 127.0.0.1 (DNS rebinding) is refused', async () => {
    let lookups = 0;
    const rebinding = client('', async () => (++lookups === 1 ? ['93.184.216.34'] : ['127.0.0.1']));
    const err = await refusal(get(rebinding, `http://rebind.test:${a.port}/secret`));
    expect(lookups).toBe(2);
    expect(err.key).toBe('outbound.refused');
    expect(a.hits).toHaveLength(0);
    await rebinding.close();
  });

  it('a host name on the allow-list may resolve to a private address', async () => {
    const named = client('ci.internal', async () => ['127.0.0.1']);
    expect((await get(named, `http://ci.internal:${a.port}/named`)).status).toBe(200);
    expect(a.hits.map((h) => h.url)).toEqual(['/named']);
    a.hits.length = 0;
    await named.close();
  });

  it('re-checks after a redirect: an allowed host redirecting to a blocked one is refused', async () => {
    a.handle = (_req, res) => {
      res.statusCode = 302;
      res.setHeader('location', 'http://169.254.169.254/latest/meta-data/iam/');
      res.end();
    };
    const err = await refusal(get(loopback, `${a.url}/start`));
    expect(err.message).toContain('169.254.169.254');
    expect(a.hits).toHaveLength(1);
    a.hits.length = 0;
  });

  it(`follows at most ${MAX_REDIRECTS} redirects`, async () => {
    a.handle = (req, res) => {
      const n = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('n'));
      if (n > 0) {
        res.statusCode = 307;
        res.setHeader('location', `/hop?n=${n - 1}`);
        res.end();
      } else res.end('arrived');
    };
    const three = await get(loopback, `${a.url}/hop?n=${MAX_REDIRECTS}`);
    expect(three.text).toBe('arrived');
    expect(three.url).toBe(`${a.url}/hop?n=0`);
    a.hits.length = 0;
    const err = await refusal(get(loopback, `${a.url}/hop?n=${MAX_REDIRECTS + 1}`));
    expect(err.key).toBe('outbound.redirects');
    expect(a.hits).toHaveLength(MAX_REDIRECTS + 1);
    a.hits.length = 0;
  });

  it('does not carry credentials to another origin, and turns a POST answered 303 into a GET', async () => {
    a.handle = (_req, res) => {
      res.statusCode = 303;
      res.setHeader('location', `${b.url}/landed`);
      res.end();
    };
    b.handle = (_req, res) => res.end('ok');
    const res = await loopback.request({
      method: 'POST',
      url: `${a.url}/post`,
      headers: { authorization: 'Bearer t0ken', 'x-api-key': 'k3y', 'content-type': 'application/json' },
      body: '{}',
      timeoutMs: 3000,
    });
    expect(res.status).toBe(200);
    expect(a.hits[0]!.headers.authorization).toBe('Bearer t0ken');
    expect(b.hits[0]!.method).toBe('GET');
    expect(b.hits[0]!.headers.authorization).toBeUndefined();
    expect(b.hits[0]!.headers['x-api-key']).toBeUndefined();
    a.hits.length = 0;
    b.hits.length = 0;
  });

  it('refuses an answer over the size cap, announced or not', async () => {
    const small = client('127.0.0.1', undefined, 1024);
    a.handle = (req, res) => {
      if (req.url === '/chunked') {
        res.write('x'.repeat(800));
        res.end('y'.repeat(800));
      } else res.end('z'.repeat(2000));
    };
    expect((await refusal(get(small, `${a.url}/announced`))).key).toBe('outbound.too_large');
    expect((await refusal(get(small, `${a.url}/chunked`))).key).toBe('outbound.too_large');
    a.handle = (_req, res) => res.end('z'.repeat(1024));
    expect((await get(small, `${a.url}/exact`)).text).toHaveLength(1024);
    a.hits.length = 0;
    await small.close();
  });

  it('gives up after its timeout', async () => {
    a.handle = () => {};
    const err = await refusal(loopback.request({ method: 'GET', url: `${a.url}/slow`, timeoutMs: 200 }));
    expect(err.key).toBe('outbound.timeout');
    a.handle = (_req, res) => res.end('ok');
  });
});
