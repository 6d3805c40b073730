import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * The itil-inspection plugin's flow through the HTTP API (its schedule is test/schedules'): the
 * data-centre team records what it measured; anything out of range goes to a follow-up, and
 * whatever sends it there is described in the findings the follow-up works from.
 */
describe.each(testDatabases())('inspection flow on %s', (dbName) => {
  let srv: TestServer;
  // liuyang is the data-centre team (dc-ops).
  let ops: ApiClient;
  beforeAll(async () => {
    srv = await startTestServer(dbName, { pluginsDir: SHIPPED_PLUGINS, demo: true });
    ops = await new ApiClient(srv.url).login('liuyang', DEMO_PASSWORD);
  });
  afterAll(() => srv?.close());

  const raise = async () => {
    const res = await srv.admin.post('/records', {
      type: 'inspection',
      data: { title: 'IDC-A 巡检', room: 'IDC-A' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };
  const act = async (id: number, action: string, data: Record<string, unknown>) => {
    const task = (await ops.get(`/records/${id}/tasks`)).body.items.find(
      (t: { status: string }) => t.status === 'open',
    );
    if (task.can.claim) expect((await ops.post(`/tasks/${task.id}/claim`)).status).toBe(204);
    return ops.post(`/tasks/${task.id}/actions/${action}`, { data });
  };
  const normal = { humidity: 45, upsStatus: 'normal', coolingStatus: 'normal', fireSystem: 'normal' };

  it('all in range: done at once', async () => {
    const rec = await raise();
    expect((await act(rec.id, 'submit', { temperature: 22.5, ...normal })).status).toBe(200);
    expect((await ops.get(`/records/${rec.id}`)).body.status).toBe('closed');
  });

  it('too hot: the findings say what is wrong, and the follow-up records what was done', async () => {
    const rec = await raise();
    const silent = await act(rec.id, 'submit', { temperature: 31.5, ...normal });
    expect(silent.status).toBe(400);
    expect(silent.body.error.details.problems.map((p: { path: string }) => p.path)).toEqual(['/findings']);
    const told = await act(rec.id, 'submit', {
      temperature: 31.5,
      ...normal,
      findings: '3 号列头柜空调回风温度高',
    });
    expect(told.status, JSON.stringify(told.body)).toBe(200);
    expect((await ops.get(`/records/${rec.id}`)).body.status).toBe('follow-up');
    expect((await act(rec.id, 'fixed', {})).status).toBe(400);
    expect((await act(rec.id, 'fixed', { followUpNotes: '清洗空调滤网，温度回落到 24°C' })).status).toBe(200);
    expect((await ops.get(`/records/${rec.id}`)).body.status).toBe('closed');
  });
});
