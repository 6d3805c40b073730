import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_INCIDENT } from '../records/helpers.ts';
import { ApiClient } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const ATTEMPTS = 50;

/** Many people (or one impatient person) pressing the same button at once: the database decides. */
describe.each(testDatabases())('concurrent actions on one task on %s', (dbName) => {
  let srv: TestServer;
  let requester: ApiClient;
  let agent: ApiClient;
  beforeAll(async () => {
    srv = await startTestServer(dbName, { pluginsDir: SHIPPED_PLUGINS, demo: true });
    [requester, agent] = await Promise.all([
      new ApiClient(srv.url).login('zhaolei', DEMO_PASSWORD),
      new ApiClient(srv.url).login('zhangwei', DEMO_PASSWORD),
    ]);
  });
  afterAll(() => srv?.close());

  it(`${ATTEMPTS} simultaneous "accept" requests: one 200, the rest 409, one transition`, async () => {
    const created = await requester.post('/records', {
      type: 'incident',
      catalogItem: REPORT_INCIDENT,
      data: { title: '打印机卡纸', description: '三楼打印机', category: 'hardware', impact: 3, urgency: 3 },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    const [triage] = (await agent.get(`/records/${id}/tasks`)).body.items;
    expect((await agent.post(`/tasks/${triage.id}/claim`)).status).toBe(204);

    const replies = await Promise.all(
      Array.from({ length: ATTEMPTS }, () => agent.post(`/tasks/${triage.id}/actions/accept`)),
    );
    const statuses = replies.map((r) => r.status);
    const bad = replies.filter((r) => r.status !== 200 && r.status !== 409);
    expect(bad.map((r) => [r.status, r.body])).toEqual([]);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(ATTEMPTS - 1);
    for (const r of replies.filter((x) => x.status === 409)) expect(r.body.error.code).toBe('task_closed');

    // Exactly one transition out of triage, one task completed, and the record moved on once.
    const db = srv.services.db;
    const transitions = await db('record_history').where({ record_id: id, kind: 'transition' });
    expect(transitions).toHaveLength(1);
    const tasks = await db('tasks').where({ record_id: id }).orderBy('id');
    expect(tasks.map((t) => [t.node_id, t.status])).toEqual([
      ['triage', 'completed'],
      ['inProgress', 'open'],
    ]);
    const waiting = await db('process_tokens as k')
      .join('process_instances as i', 'i.id', 'k.instance_id')
      .where({ 'i.record_id': id, 'k.status': 'waiting' })
      .select('k.node_id');
    expect(waiting.map((t) => t.node_id)).toEqual(['inProgress']);
    const rec = (await agent.get(`/records/${id}`)).body;
    expect(rec).toMatchObject({ status: 'in-progress', assignee: 'zhangwei' });
  });
});
