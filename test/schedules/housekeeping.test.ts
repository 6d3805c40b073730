import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportIncident } from '../records/helpers.ts';
import { ApiClient } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe.each(testDatabases())('housekeeping on %s', (dbName) => {
  let srv: TestServer;
  let requester: ApiClient;
  let agent: ApiClient;
  beforeAll(async () => {
    srv = await startTestServer(dbName, {
      pluginsDir: SHIPPED_PLUGINS,
      demo: true,
      env: { OPSLOOM_AUTO_CLOSE_DAYS: '7', OPSLOOM_AUTO_RATE_DAYS: '7' },
    });
    requester = await new ApiClient(srv.url).login('zhaolei', DEMO_PASSWORD);
    agent = await new ApiClient(srv.url).login('zhangwei', DEMO_PASSWORD);
  });
  afterAll(() => srv?.close());

  async function resolvedIncident(title: string) {
    const inc = await reportIncident(requester, { title, description: 'x', category: 'software' });
    const step = async (action: string, body: object = {}) => {
      const [task] = (await agent.get(`/records/${inc.id}/tasks`)).body.items;
      if (task.can.claim) await agent.post(`/tasks/${task.id}/claim`);
      const res = await agent.post(`/tasks/${task.id}/actions/${action}`, body);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    };
    await step('accept');
    await step('resolve', { data: { resolutionCode: 'fixed', resolutionNotes: 'done' } });
    return inc;
  }

  it('closes records resolved more than N days ago and rates the unrated ones, once per run', async () => {
    const old = await resolvedIncident('old printer');
    const recent = await resolvedIncident('recent printer');
    await srv.services
      .db('records')
      .where({ id: old.id })
      .update({ resolved_at: Date.now() - 8 * 86_400_000 });

    const at = Date.now();
    const result = await srv.scheduler.runHousekeeping(at);
    expect(result).toEqual({ closed: 1, rated: 1 });
    expect(await srv.scheduler.runHousekeeping(at)).toBeNull();

    const closed = (await srv.admin.get(`/records/${old.id}`)).body;
    expect(closed.status).toBe('closed');
    expect(closed.closedAt).toBeGreaterThan(0);
    expect((await srv.admin.get(`/records/${recent.id}`)).body.status).toBe('resolved');
    const rating = await srv.services.db('record_ratings').where({ record_id: old.id }).first();
    expect(rating).toMatchObject({ attitude: 5, speed: 5, quality: 5 });
    expect(Boolean(rating.auto)).toBe(true);
    // The requester can no longer rate it: the automatic rating stands.
    expect(
      (await requester.post(`/records/${old.id}/rating`, { attitude: 1, speed: 1, quality: 1 })).status,
    ).toBe(409);
  });
});
