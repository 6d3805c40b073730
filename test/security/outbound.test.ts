import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

/**
 * Issue 23 §14, server-side request forgery: a service task calls `{{ record.target }}`, which the
 * requester writes. Outbound calls go through one policy (runtime/src/outbound): http(s) only, no
 * loopback / private / link-local / metadata address unless OPSLOOM_OUTBOUND_ALLOW lists it, each
 * redirect re-checked, at most 3 followed, answers capped. A refused call fails like any failed
 * call — dead-lettered with the reason — and the address never sees a request.
 */

const pos = { x: 0, y: 0 };
const STRONG = 'kettle-Orbit-93-lantern';

interface Peer {
  url: string;
  port: number;
  hits: string[];
  handle: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  close(): Promise<void>;
}

async function startPeer(host = '127.0.0.1'): Promise<Peer> {
  const p = {
    hits: [] as string[],
    handle: (_q: http.IncomingMessage, res: http.ServerResponse) => res.end('{"secretData":"internal"}'),
  } as unknown as Peer;
  const server = http.createServer((req, res) => {
    p.hits.push(req.url ?? '');
    req.resume();
    req.on('end', () => p.handle(req, res));
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  p.port = (server.address() as AddressInfo).port;
  p.url = `http://${host}:${p.port}`;
  p.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return p;
}

const FORM = {
  kind: 'form',
  key: 'probe',
  name: 'Probe',
  numberPrefix: 'PRB',
  schema: {
    type: 'object',
    properties: { title: { type: 'string' }, target: { type: 'string' }, answer: {} },
  },
};

const FLOW = {
  kind: 'process',
  key: 'probe-flow',
  name: 'Probe flow',
  form: 'probe',
  nodes: [
    { id: 'start', type: 'start', position: pos },
    {
      id: 'fetch',
      type: 'serviceTask',
      position: pos,
      status: 'fetching',
      action: {
        type: 'http',
        method: 'GET',
        url: '{{ record.target }}',
        timeoutMs: 3000,
        retries: 0,
        resultField: 'answer',
      },
    },
    { id: 'end', type: 'end', position: pos, outcome: 'done' },
  ],
  edges: [
    { id: 'e1', source: 'start', target: 'fetch' },
    { id: 'e2', source: 'fetch', target: 'end' },
  ],
};

/** Requesters raise requests through the catalog: the probe is an item anyone may use. */
const CATALOG = {
  kind: 'catalog',
  key: 'probe-catalog',
  name: 'Probe catalog',
  categories: [{ id: 'tools', name: 'Tools' }],
  items: [{ id: 'probe', name: 'Probe', category: 'tools', form: 'probe', process: 'probe-flow' }],
};

const hookRule = () => ({
  kind: 'rule',
  key: 'probe-hook',
  name: 'Probe hook',
  event: 'record.created',
  form: 'probe',
  condition: 'record.title == "hook"',
  // Through vars: compiled definitions are cached by key@version for the whole process.
  actions: [
    {
      type: 'notify',
      channel: 'webhook',
      url: '{{ vars.PEER }}/hook',
      template: { body: '{{ record.number }}' },
    },
  ],
});

async function publish(srv: TestServer, def: Record<string, unknown>): Promise<void> {
  const created = await srv.admin.post('/definitions', def);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const published = await srv.admin.post(`/definitions/${def.kind}/${def.key}/publish`);
  expect(published.status, JSON.stringify(published.body)).toBe(201);
}

/** A requester (role user) of this server, with a password the policy accepts. */
async function requester(srv: TestServer): Promise<ApiClient> {
  const res = await srv.admin.post('/users', { username: 'req', roles: ['user'], password: STRONG });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return srv.client().login('req', STRONG);
}

async function setUp(srv: TestServer): Promise<ApiClient> {
  await publish(srv, FORM);
  await publish(srv, FLOW);
  await publish(srv, CATALOG);
  return requester(srv);
}

describe.each(testDatabases())('outbound calls on %s', (dbName) => {
  let peer: Peer;
  let other: Peer;
  /** Runs with an empty allow-list: loopback is refused. */
  let strict: TestServer;
  /** Allows 127.0.0.1 (not 127.0.0.2), answers capped at 4 KB. */
  let lenient: TestServer;
  let strictUser: ApiClient;
  let lenientUser: ApiClient;

  beforeAll(async () => {
    peer = await startPeer();
    other = await startPeer('127.0.0.2');
    const env = { OPSLOOM_JOB_POLL_MS: '50', OPSLOOM_NOTIFY_MAX_ATTEMPTS: '1', OPSLOOM_VAR_PEER: peer.url };
    strict = await startTestServer(dbName, { env: { ...env, OPSLOOM_OUTBOUND_ALLOW: '' } });
    lenient = await startTestServer(dbName, {
      env: { ...env, OPSLOOM_OUTBOUND_ALLOW: '127.0.0.1', OPSLOOM_OUTBOUND_MAX_BYTES: '4096' },
    });
    strictUser = await setUp(strict);
    lenientUser = await setUp(lenient);
  });
  afterAll(async () => {
    await strict?.close();
    await lenient?.close();
    await peer?.close();
    await other?.close();
  });

  const raise = async (client: ApiClient, target: string, title = 'probe') => {
    const res = await client.post('/records', {
      type: 'probe',
      process: 'probe-flow',
      catalogItem: 'probe-catalog/probe',
      data: { title, target },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: number; number: string };
  };

  /** The error of the record's dead-lettered call, as its history and the job list show it. */
  const deadCall = async (srv: TestServer, id: number): Promise<string> => {
    const entry = await waitFor(async () => {
      const items = (await srv.admin.get(`/records/${id}/history`)).body.items as any[];
      return items?.find((h) => h.kind === 'job_failed');
    }, `the call of record ${id} to be dead-lettered`);
    const error = String(entry.detail.error);
    expect(entry.detail.errorText['zh-CN']).toMatch(/[\u4e00-\u9fff]/);
    const jobs = (await srv.admin.get('/jobs?status=dead&type=http&limit=500')).body.items as any[];
    expect(jobs.some((j) => j.lastError === error)).toBe(true);
    const rec = (await srv.admin.get(`/records/${id}`)).body;
    expect(rec.status).toBe('fetching');
    expect(rec.data.answer).toBeUndefined();
    return error;
  };

  it('refuses a requester-chosen loopback target that is not allow-listed: the peer gets no request', async () => {
    const rec = await raise(strictUser, `${peer.url}/admin/keys`);
    const error = await deadCall(strict, rec.id);
    expect(error).toContain(`GET ${peer.url}/admin/keys`);
    expect(error).toContain('127.0.0.1 is a loopback address');
    expect(error).toContain('OPSLOOM_OUTBOUND_ALLOW');
    expect(peer.hits).toEqual([]);
    // What the requester reads holds no answer of the internal service.
    const mine = (await strictUser.get(`/records/${rec.id}`)).body;
    expect(JSON.stringify(mine)).not.toContain('internal');
  });

  it('calls the same target when the allow-list names it', async () => {
    const rec = await raise(lenientUser, `${peer.url}/status`);
    const done = await waitFor(async () => {
      const r = (await lenient.admin.get(`/records/${rec.id}`)).body;
      return r.status === 'done' ? r : null;
    }, 'the allowed call');
    expect(done.data.answer).toEqual({ secretData: 'internal' });
    expect(peer.hits).toEqual(['/status']);
    peer.hits.length = 0;
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data/iam/security-credentials/', '169.254.169.254 is a link-local'],
    ['http://[::1]:{port}/', '::1 is a loopback'],
    ['http://0x7f000001:{port}/', '127.0.0.1 is a loopback'],
    ['http://[::ffff:127.0.0.1]:{port}/', '::ffff:7f00:1 (127.0.0.1) is a loopback'],
    ['file:///etc/passwd', 'only http and https calls are allowed, not file:'],
  ])('refuses %s', async (target, reason) => {
    const rec = await raise(strictUser, target.replace('{port}', String(peer.port)));
    expect(await deadCall(strict, rec.id)).toContain(reason);
    expect(peer.hits).toEqual([]);
  });

  it('re-checks after a redirect: an allowed host redirecting to a blocked one is refused there', async () => {
    peer.handle = (_req, res) => {
      res.statusCode = 302;
      res.setHeader('location', `${other.url}/inside`);
      res.end();
    };
    try {
      const rec = await raise(lenientUser, `${peer.url}/moved`);
      const error = await deadCall(lenient, rec.id);
      expect(error).toContain('127.0.0.2 is a loopback address');
      expect(peer.hits).toEqual(['/moved']);
      expect(other.hits).toEqual([]);
    } finally {
      peer.hits.length = 0;
      peer.handle = (_q, res) => res.end('{"secretData":"internal"}');
    }
  });

  it('follows at most 3 redirects', async () => {
    peer.handle = (req, res) => {
      const n = Number(req.url?.split('/').pop());
      if (n > 0) {
        res.statusCode = 301;
        res.setHeader('location', `/hop/${n - 1}`);
        res.end();
      } else res.end('"arrived"');
    };
    try {
      const ok = await raise(lenientUser, `${peer.url}/hop/3`);
      await waitFor(
        async () => (await lenient.admin.get(`/records/${ok.id}`)).body.data.answer === 'arrived',
        '3 hops',
      );
      peer.hits.length = 0;
      const rec = await raise(lenientUser, `${peer.url}/hop/4`);
      expect(await deadCall(lenient, rec.id)).toContain('more than 3 redirects');
      expect(peer.hits).toEqual(['/hop/4', '/hop/3', '/hop/2', '/hop/1']);
    } finally {
      peer.hits.length = 0;
      peer.handle = (_q, res) => res.end('{"secretData":"internal"}');
    }
  });

  it('refuses an answer larger than OPSLOOM_OUTBOUND_MAX_BYTES instead of storing it', async () => {
    peer.handle = (_req, res) => res.end(JSON.stringify({ blob: 'x'.repeat(10_000) }));
    try {
      const rec = await raise(lenientUser, `${peer.url}/big`);
      expect(await deadCall(lenient, rec.id)).toContain('larger than 4096 bytes');
    } finally {
      peer.hits.length = 0;
      peer.handle = (_q, res) => res.end('{"secretData":"internal"}');
    }
  });

  it('a webhook to a blocked address is dead-lettered with the reason, and never sent', async () => {
    await publish(strict, hookRule());
    const rec = await raise(strictUser, 'https://example.com/', 'hook');
    const dead = await waitFor(async () => {
      const items = (await strict.admin.get('/notifications/dead')).body.items as any[];
      return items.find((m) => m.recordId === rec.id);
    }, 'the webhook to be dead-lettered');
    expect(dead.lastError).toContain(`POST ${peer.url}/hook`);
    expect(dead.lastError).toContain('127.0.0.1 is a loopback address');
    const history = (await strict.admin.get(`/records/${rec.id}/history`)).body.items as any[];
    const failed = history.find((h) => h.kind === 'notification_failed');
    expect(failed.detail.error).toContain('loopback');
    expect(failed.detail.errorText['zh-CN']).toContain('回环');
    expect(peer.hits).toEqual([]);
  });

  it('publishing a literal file: URL is refused; a template URL is judged when it is called', async () => {
    const bad = structuredClone(FLOW) as any;
    bad.key = 'probe-file';
    bad.nodes[1].action.url = 'file:///etc/passwd';
    const res = await strict.admin.post('/definitions', bad);
    expect(res.status).toBe(422);
    expect(res.body.error.details.problems).toContainEqual(
      expect.objectContaining({ code: 'url.scheme', path: '/nodes/1/action/url' }),
    );
  });
});
