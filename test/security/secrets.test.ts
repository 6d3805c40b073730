import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../support/client.ts';
import { createTestDatabase, type TestDatabase, testDatabases } from '../support/databases.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

/**
 * Issue 23 §9: secrets in definitions were readable by any agent. Credentials now live in the
 * secret store (runtime/src/secrets: AES-256-GCM under OPSLOOM_SECRET_KEY or the data dir's key
 * file) and definitions refer to them by name, `{{ secrets.NAME }}`. The value reaches the peer
 * and nothing else: not the definition, the export, the job payload, history, audit or logs.
 */

const pos = { x: 0, y: 0 };
const STRONG = 'kettle-Orbit-93-lantern';
const KEY_A = 'a'.repeat(64);
const KEY_B = Buffer.alloc(32, 7).toString('base64');
const VALUES = {
  HOOK_SECRET: 'hook-signing-5f2c9e1d',
  CICD_TOKEN: 'tok-7d3e1a9b4c',
  CICD_KEY: 'key-0b8f2e6a',
};

class LogSink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}

interface Hit {
  url: string;
  headers: http.IncomingHttpHeaders;
  raw: string;
}

/** Records what reaches it; `/echo` answers with the request's headers, as some peers do. */
async function startPeer() {
  const hits: Hit[] = [];
  let status = 200;
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      hits.push({ url: req.url ?? '', headers: req.headers, raw });
      res.statusCode = status;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ echo: req.headers.authorization ?? null, url: req.url }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    hits,
    fail(code: number) {
      status = code;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const FORM = {
  kind: 'form',
  key: 'deploy',
  name: 'Deploy',
  numberPrefix: 'DEP',
  schema: { type: 'object', properties: { title: { type: 'string' }, result: {} } },
};

const flow = (key = 'deploy-flow', header = 'Bearer {{ secrets.CICD_TOKEN }}') => ({
  kind: 'process',
  key,
  name: 'Deploy flow',
  form: 'deploy',
  nodes: [
    { id: 'start', type: 'start', position: pos },
    {
      id: 'call',
      type: 'serviceTask',
      position: pos,
      status: 'deploying',
      action: {
        type: 'http',
        method: 'POST',
        // Through vars: compiled flows are cached by key@version for the whole process, across suites' servers.
        url: '{{ vars.PEER }}/deploy?key={{ secrets.CICD_KEY }}&n={{ record.number }}',
        headers: { Authorization: header },
        body: { number: '{{ record.number }}' },
        timeoutMs: 3000,
        retries: 0,
        resultField: 'result',
      },
    },
    { id: 'end', type: 'end', position: pos, outcome: 'done' },
  ],
  edges: [
    { id: 'e1', source: 'start', target: 'call' },
    { id: 'e2', source: 'call', target: 'end' },
  ],
});

const hookRule = () => ({
  kind: 'rule',
  key: 'deploy-hook',
  name: 'Deploy hook',
  event: 'record.created',
  form: 'deploy',
  condition: 'record.title == "hook"',
  actions: [
    {
      type: 'notify',
      channel: 'webhook',
      url: '{{ vars.PEER }}/hook',
      secret: '{{ secrets.HOOK_SECRET }}',
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

const containsAnyValue = (text: string) => Object.values(VALUES).filter((v) => text.includes(v));

describe.each(testDatabases())('secrets on %s', (dbName) => {
  let db: TestDatabase;
  let srv: TestServer;
  let agent: ApiClient;
  let peer: Awaited<ReturnType<typeof startPeer>>;
  const logs = new LogSink();
  const env: Record<string, string> = {
    OPSLOOM_JOB_POLL_MS: '50',
    OPSLOOM_NOTIFY_MAX_ATTEMPTS: '1',
    OPSLOOM_SECRET_KEY: KEY_A,
  };

  beforeAll(async () => {
    peer = await startPeer();
    env.OPSLOOM_VAR_PEER = peer.url;
    db = await createTestDatabase(dbName);
    srv = await startTestServer(dbName, {
      database: db,
      env: { ...env, LOG_LEVEL: 'debug' },
      logDestination: logs,
    });
    for (const [name, value] of Object.entries(VALUES)) {
      const res = await srv.admin.put(`/secrets/${name}`, { value, description: `for ${name}` });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(containsAnyValue(JSON.stringify(res.body))).toEqual([]);
    }
    const res = await srv.admin.post('/users', { username: 'agent1', roles: ['agent'], password: STRONG });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    agent = await srv.client().login('agent1', STRONG);
    await publish(srv, FORM);
    await publish(srv, flow());
    await publish(srv, hookRule());
  });
  afterAll(async () => {
    await srv?.close();
    await peer?.close();
    await db?.drop();
  });

  const raise = async (title: string) => {
    const res = await srv.admin.post('/records', { type: 'deploy', process: 'deploy-flow', data: { title } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: number; number: string };
  };

  it('only admins manage secrets, and nobody reads a value back', async () => {
    const list = await srv.admin.get('/secrets');
    expect(list.status).toBe(200);
    expect(list.body.items.map((s: { name: string }) => s.name)).toEqual([
      'CICD_KEY',
      'CICD_TOKEN',
      'HOOK_SECRET',
    ]);
    expect(list.body.items[0]).toMatchObject({
      createdBy: 'admin',
      readable: true,
      description: 'for CICD_KEY',
    });
    expect(containsAnyValue(JSON.stringify(list.body))).toEqual([]);
    expect((await agent.get('/secrets')).status).toBe(403);
    expect((await agent.put('/secrets/CICD_TOKEN', { value: 'mine' })).status).toBe(403);
    expect((await agent.delete('/secrets/CICD_TOKEN')).status).toBe(403);
    expect((await srv.admin.put('/secrets/lower_case', { value: 'x' })).status).toBe(400);
    expect((await srv.admin.delete('/secrets/NOT_THERE')).status).toBe(404);
    const audit = await srv.admin.get('/audit?entityType=secret');
    expect(audit.body.items.map((a: { action: string }) => a.action)).toContain('secret.create');
    expect(containsAnyValue(JSON.stringify(audit.body))).toEqual([]);
  });

  it('an agent reading the definitions sees references, not values; publish refuses a literal', async () => {
    const rule = await agent.get('/definitions/rule/deploy-hook');
    expect(rule.status).toBe(200);
    expect(JSON.stringify(rule.body)).toContain('{{ secrets.HOOK_SECRET }}');
    const process = await agent.get('/definitions/process/deploy-flow');
    expect(JSON.stringify(process.body)).toContain('Bearer {{ secrets.CICD_TOKEN }}');
    expect(containsAnyValue(JSON.stringify([rule.body, process.body]))).toEqual([]);

    const literal = { ...hookRule(), key: 'literal-hook' };
    (literal.actions[0] as { secret: string }).secret = 'plain-text-secret';
    const refused = await srv.admin.post('/definitions', literal);
    expect(refused.status).toBe(422);
    expect(refused.body.error.details.problems).toContainEqual(
      expect.objectContaining({ code: 'secret.literal', path: '/actions/0/secret' }),
    );
  });

  it('the webhook receiver gets a signature made with the real secret', async () => {
    const rec = await raise('hook');
    const hit = await waitFor(async () => peer.hits.find((h) => h.url === '/hook'), 'the webhook');
    expect(hit.headers['x-opsloom-signature']).toBe(
      `sha256=${createHmac('sha256', VALUES.HOOK_SECRET).update(hit.raw).digest('hex')}`,
    );
    // The queued message (the job row) held a placeholder, never the value.
    const jobs = await srv.services.db('jobs').where({ type: 'deliver' }).select('payload');
    expect(containsAnyValue(JSON.stringify(jobs))).toEqual([]);
    expect(rec.id).toBeGreaterThan(0);
  });

  it('the service task sends the real header and URL; history and the record keep references', async () => {
    const rec = await raise('deploy');
    const done = await waitFor(async () => {
      const r = (await srv.admin.get(`/records/${rec.id}`)).body;
      return r.status === 'done' ? r : null;
    }, 'the deploy call');
    const hit = peer.hits.find((h) => h.url.endsWith(`&n=${rec.number}`))!;
    expect(hit.headers.authorization).toBe(`Bearer ${VALUES.CICD_TOKEN}`);
    expect(hit.url).toBe(`/deploy?key=${VALUES.CICD_KEY}&n=${rec.number}`);
    // The peer echoed both; the record keeps neither.
    expect(done.data.result).toEqual({ echo: 'Bearer ***', url: `/deploy?key=***&n=${rec.number}` });
    const history = (await srv.admin.get(`/records/${rec.id}/history`)).body.items as any[];
    const call = history.find((h) => h.kind === 'http');
    expect(call.detail.url).toBe(`${peer.url}/deploy?key={{ secrets.CICD_KEY }}&n=${rec.number}`);
    expect(containsAnyValue(JSON.stringify(history))).toEqual([]);
  });

  it('a failed call keeps no value in its error, history or the log', async () => {
    peer.fail(500);
    try {
      const rec = await raise('failing');
      const entry = await waitFor(async () => {
        const items = (await srv.admin.get(`/records/${rec.id}/history`)).body.items as any[];
        return items.find((h) => h.kind === 'job_failed');
      }, 'the failed call');
      // The peer's answer echoed the token: it is blanked out of what is kept.
      expect(entry.detail.error).toContain('answered 500');
      expect(entry.detail.error).toContain('Bearer ***');
      expect(entry.detail.error).toContain('key={{ secrets.CICD_KEY }}');
      const dead = (await srv.admin.get('/jobs?status=dead&type=http')).body.items;
      expect(containsAnyValue(JSON.stringify(dead))).toEqual([]);
    } finally {
      peer.fail(200);
    }
    expect(logs.text).toContain('job failed');
    expect(containsAnyValue(logs.text)).toEqual([]);
  });

  it('a secret that is not set fails the call with a clear reason', async () => {
    await publish(srv, flow('deploy-missing', 'Bearer {{ secrets.NOT_SET_YET }}'));
    const res = await srv.admin.post('/records', {
      type: 'deploy',
      process: 'deploy-missing',
      data: { title: 'm' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const entry = await waitFor(async () => {
      const items = (await srv.admin.get(`/records/${res.body.id}/history`)).body.items as any[];
      return items.find((h) => h.kind === 'job_failed');
    }, 'the call without its secret');
    expect(entry.detail.error).toContain('secret NOT_SET_YET is not set');
    expect(entry.detail.errorText['zh-CN']).toContain('密钥 NOT_SET_YET 未设置');
  });

  it('values are encrypted at rest, and nothing else stored holds them', async () => {
    const rows = await srv.services.db('secrets').select('*');
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row.ciphertext).not.toContain(VALUES[row.name as keyof typeof VALUES]);
      expect(Buffer.from(row.ciphertext, 'base64').toString('utf8')).not.toContain(
        VALUES[row.name as keyof typeof VALUES],
      );
    }
    for (const table of [
      'secrets',
      'jobs',
      'record_history',
      'records',
      'audit_log',
      'definition_versions',
      'definitions',
    ]) {
      const all = await srv.services.db(table).select('*');
      expect(containsAnyValue(JSON.stringify(all)), table).toEqual([]);
    }
  });

  it('exports carry references only', async () => {
    const exported = await srv.admin.get('/definitions/export');
    expect(exported.status).toBe(200);
    const text = JSON.stringify(exported.body);
    expect(text).toContain('{{ secrets.HOOK_SECRET }}');
    expect(text).toContain('{{ secrets.CICD_KEY }}');
    expect(containsAnyValue(text)).toEqual([]);
  });

  it('a restart with the same key reads the secrets; another key says so by name, never a 500', async () => {
    await srv.close();
    srv = await startTestServer(dbName, { database: db, env });
    const rec = await raise('after restart');
    await waitFor(async () => (await srv.admin.get(`/records/${rec.id}`)).body.status === 'done', 'the call');
    expect(peer.hits.at(-1)!.headers.authorization).toBe(`Bearer ${VALUES.CICD_TOKEN}`);

    await srv.close();
    srv = await startTestServer(dbName, { database: db, env: { ...env, OPSLOOM_SECRET_KEY: KEY_B } });
    const list = await srv.admin.get('/secrets');
    expect(list.status).toBe(200);
    expect(list.body.items.every((s: { readable: boolean }) => !s.readable)).toBe(true);
    const before = peer.hits.length;
    const other = await raise('other key');
    const entry = await waitFor(async () => {
      const items = (await srv.admin.get(`/records/${other.id}/history`)).body.items as any[];
      return items.find((h) => h.kind === 'job_failed');
    }, 'the call under another key');
    expect(entry.detail.error).toMatch(
      /secret CICD_KEY was encrypted with key [0-9a-f]{16}, but this runtime's key is [0-9a-f]{16}/,
    );
    expect(entry.detail.error).toContain('OPSLOOM_SECRET_KEY');
    expect(peer.hits.length).toBe(before);
    // Setting it again under this key makes it readable here.
    expect((await srv.admin.put('/secrets/CICD_KEY', { value: VALUES.CICD_KEY })).body.readable).toBe(true);
  });
});
