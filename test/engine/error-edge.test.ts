import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

const pos = { x: 0, y: 0 };

/** A peer answering 503 until `healthy` is set. */
async function startPeer() {
  const peer = { healthy: false, calls: 0, close: async () => {}, url: '' };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      peer.calls++;
      res.writeHead(peer.healthy ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify(peer.healthy ? { ok: true } : { error: 'maintenance' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  peer.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  peer.close = () => new Promise<void>((r) => server.close(() => r()));
  return peer;
}

const call = (id: string, status: string) => ({
  id,
  type: 'serviceTask',
  position: pos,
  status,
  action: { type: 'http', method: 'POST', url: '{{ vars.PEER }}/work', timeoutMs: 2000, retries: 1 },
});

/**
 * A service task's error edge: when its call fails for good the flow moves on along it, with why
 * in the record's history (staff only) and in what the edge sets; without one the flow waits, the
 * record shows staff why, and an admin's retry moves it on once the peer is back.
 */
describe.each(testDatabases())('error edges of service tasks on %s', (dbName) => {
  let srv: TestServer;
  let peer: Awaited<ReturnType<typeof startPeer>>;
  let agent: ApiClient;
  let requester: ApiClient;

  beforeAll(async () => {
    peer = await startPeer();
    srv = await startTestServer(dbName, {
      env: { OPSLOOM_JOB_POLL_MS: '50', OPSLOOM_VAR_PEER: peer.url },
    });
    expect(
      (await srv.admin.post('/groups', { key: 'ops', name: { 'zh-CN': '运维', en: 'Ops' }, type: 'support' }))
        .status,
    ).toBe(201);
    agent = await srv.userClient('ops-agent', ['agent'], ['ops']);
    requester = await srv.userClient('asker', ['user']);
    const defs = [
      {
        kind: 'form',
        key: 'job',
        name: 'Job',
        numberPrefix: 'JOB',
        group: 'ops',
        schema: {
          type: 'object',
          properties: {
            title: { type: 'string' },
            why: { type: 'string', readOnly: true },
            code: { type: ['integer', 'null'], readOnly: true },
          },
        },
      },
      {
        kind: 'process',
        key: 'job-guarded',
        name: 'Guarded',
        form: 'job',
        nodes: [
          { id: 'start', type: 'start', position: pos },
          call('call', 'calling'),
          {
            id: 'fix',
            type: 'userTask',
            position: pos,
            status: 'failed',
            assignee: { type: 'group', value: 'ops' },
          },
          { id: 'end', type: 'end', position: pos, outcome: 'done' },
        ],
        edges: [
          { id: 'e1', source: 'start', target: 'call' },
          { id: 'ok', source: 'call', target: 'end' },
          {
            id: 'broken',
            source: 'call',
            target: 'fix',
            error: true,
            set: { why: 'result.error', code: 'result.status' },
          },
          { id: 'again', source: 'fix', target: 'call', action: { key: 'again', label: 'Again' } },
          { id: 'skip', source: 'fix', target: 'end', action: { key: 'skip', label: 'Skip' } },
        ],
      },
      {
        kind: 'process',
        key: 'job-plain',
        name: 'Plain',
        form: 'job',
        nodes: [
          { id: 'start', type: 'start', position: pos },
          call('send', 'sending'),
          { id: 'end', type: 'end', position: pos, outcome: 'done' },
        ],
        edges: [
          { id: 'e1', source: 'start', target: 'send' },
          { id: 'e2', source: 'send', target: 'end' },
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
    await peer?.close();
  });

  const record = async (id: number) => (await srv.admin.get(`/records/${id}`)).body;
  const create = async (process: string) => {
    const res = await srv.admin.post('/records', {
      type: 'job',
      process,
      requester: 'asker',
      data: { title: 'nightly' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as number;
  };

  it('takes the error edge when the call fails for good, and says why', async () => {
    peer.healthy = false;
    const id = await create('job-guarded');
    const rec = await waitFor(async () => {
      const r = await record(id);
      return r.status === 'failed' ? r : null;
    }, 'the error edge');
    expect(rec.data.code).toBe(503);
    expect(rec.data.why).toContain('/work');
    expect(rec.data.why).toContain('503');
    const history = (await srv.admin.get(`/records/${id}/history`)).body.items;
    const failed = history.find((e: { kind: string }) => e.kind === 'job_failed');
    expect(failed.detail).toMatchObject({ type: 'http', node: 'call', errorEdge: 'broken' });
    expect(failed.detail.errorText['zh-CN']).toMatch(/[\u4e00-\u9fff]/);

    // Staff see the failure, as handled by the flow; the requester sees neither it nor the entry.
    const failures = (await agent.get(`/records/${id}/failures`)).body.items;
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ node: 'call', waiting: false, errorEdge: 'broken', attempts: 2 });
    expect(failures[0].error.en).toContain('503');
    expect((await requester.get(`/records/${id}/failures`)).status).toBe(403);
    const own = (await requester.get(`/records/${id}/history`)).body.items;
    expect(own.some((e: { kind: string }) => e.kind === 'job_failed')).toBe(false);
    // What the error edge copied into a field is the definition's choice: this one shows it.
    expect(own.some((e: { field: string }) => e.field === 'why')).toBe(true);

    // Round the loop: the same token calls again, and this time it gets through.
    peer.healthy = true;
    const task = (await agent.get(`/records/${id}/tasks`)).body.items[0];
    expect((await agent.post(`/tasks/${task.id}/claim`, {})).status).toBe(204);
    expect((await agent.post(`/tasks/${task.id}/actions/again`, {})).status).toBe(200);
    await waitFor(async () => (await record(id)).status === 'done', 'the call to succeed');
  });

  it('without an error edge the flow waits; the record shows why, and an admin retries it', async () => {
    peer.healthy = false;
    const id = await create('job-plain');
    const failure = await waitFor(async () => {
      const items = (await agent.get(`/records/${id}/failures`)).body.items;
      return items[0] ?? null;
    }, 'the call to give up');
    expect(failure).toMatchObject({ node: 'send', waiting: true, errorEdge: null });
    expect((await record(id)).status).toBe('sending');

    // Only an admin retries.
    expect((await agent.post(`/jobs/${failure.job}/retry`, {})).status).toBe(403);
    peer.healthy = true;
    expect((await srv.admin.post(`/jobs/${failure.job}/retry`, {})).status).toBe(204);
    await waitFor(async () => (await record(id)).status === 'done', 'the retried call');
    expect((await agent.get(`/records/${id}/failures`)).body.items).toEqual([]);
  });
});
