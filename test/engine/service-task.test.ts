import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../support/databases.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

const pos = { x: 0, y: 0 };

/** A real HTTP peer that can be taken down and brought back on the same port. */
class Peer {
  server: http.Server | null = null;
  calls: { url: string; body: unknown }[] = [];
  constructor(public port = 0) {}
  async up(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        this.calls.push({ url: req.url ?? '', body: JSON.parse(text || 'null') });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ ticket: `EXT-${this.calls.length}` }));
      });
    });
    await new Promise<void>((r) => this.server!.listen(this.port, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }
  async down(): Promise<void> {
    await new Promise<void>((r) => this.server?.close(() => r()));
    this.server = null;
  }
}

describe.each(testDatabases())('HTTP service tasks on %s', (dbName) => {
  let srv: TestServer;
  const peer = new Peer();
  beforeAll(async () => {
    await peer.up();
    srv = await startTestServer(dbName, {
      env: { OPSLOOM_JOB_POLL_MS: '50', OPSLOOM_VAR_PEER: `http://127.0.0.1:${peer.port}` },
    });
    const defs = [
      {
        kind: 'form',
        key: 'ext',
        name: 'External',
        numberPrefix: 'EXT',
        schema: { type: 'object', properties: { title: { type: 'string' }, ticket: { type: 'object' } } },
      },
      {
        kind: 'process',
        key: 'ext-flow',
        name: 'External flow',
        form: 'ext',
        nodes: [
          { id: 'start', type: 'start', position: pos },
          {
            id: 'call',
            type: 'serviceTask',
            position: pos,
            status: 'calling',
            action: {
              type: 'http',
              method: 'POST',
              url: '{{ vars.PEER }}/tickets',
              body: { number: '{{ record.number }}', title: '{{ record.title }}' },
              timeoutMs: 2000,
              retries: 1,
              resultField: 'ticket',
            },
          },
          { id: 'end', type: 'end', position: pos, outcome: 'done' },
        ],
        edges: [
          { id: 'e1', source: 'start', target: 'call' },
          { id: 'e2', source: 'call', target: 'end' },
        ],
      },
    ];
    for (const d of defs) {
      expect((await srv.admin.post('/definitions', d)).status).toBe(201);
      expect((await srv.admin.post(`/definitions/${d.kind}/${d.key}/publish`)).status).toBe(201);
    }
  });
  afterAll(async () => {
    await srv?.close();
    await peer.down();
  });

  const record = async (id: number) => (await srv.admin.get(`/records/${id}`)).body;

  it('calls the peer after commit, stores its answer, and moves on', async () => {
    const rec = (await srv.admin.post('/records', { type: 'ext', data: { title: '扩容' } })).body;
    expect(rec.status).toBe('calling');
    const done = await waitFor(
      async () => ((await record(rec.id)).status === 'done' ? record(rec.id) : null),
      'the call',
    );
    expect(done.data.ticket).toEqual({ ticket: 'EXT-1' });
    expect(peer.calls[0]).toEqual({ url: '/tickets', body: { number: rec.number, title: '扩容' } });
  });

  it('retries, dead-letters the call when the peer stays down, and runs it once again on retry', async () => {
    await peer.down();
    const rec = (await srv.admin.post('/records', { type: 'ext', data: { title: 'down' } })).body;
    const dead = await waitFor(
      async () => {
        const jobs = (await srv.admin.get('/jobs?status=dead&type=http')).body.items;
        return jobs.find((j: { instanceId: number }) => j.instanceId !== null) ?? null;
      },
      'the call to be dead-lettered',
      20_000,
    );
    expect(dead.attempts).toBe(2);
    expect(dead.lastError).toBeTruthy();
    expect((await record(rec.id)).status).toBe('calling');
    const history = (await srv.admin.get(`/records/${rec.id}/history`)).body.items ?? [];
    expect(JSON.stringify(history)).toContain('job_failed');

    await peer.up();
    const before = peer.calls.length;
    expect((await srv.admin.post(`/jobs/${dead.id}/retry`)).status).toBe(204);
    expect((await srv.admin.post(`/jobs/${dead.id}/retry`)).status).toBe(409);
    await waitFor(async () => (await record(rec.id)).status === 'done', 'the retried call');
    expect(peer.calls.length).toBe(before + 1);
  });
});
