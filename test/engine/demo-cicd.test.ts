import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoOutcome } from '../../runtime/src/demo/cicd.ts';
import { ApiClient } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

const REQUEST_RELEASE = 'release-catalog/request-release';

it('the stand-in chooses what happens by the application’s name', () => {
  expect(demoOutcome('order-service', 1)).toBe('success');
  expect(demoOutcome('billing-fail', 2)).toBe('failed');
  expect(demoOutcome('flaky-api', 1)).toBe('failed');
  expect(demoOutcome('flaky-api', 2)).toBe('success');
  expect(demoOutcome('legacy-down', 1)).toBe('unavailable');
});

/**
 * The demo (`serve --demo`, here `demo: true` without OPSLOOM_VAR_CICD_URL) starts its CI/CD
 * stand-in and points the release flow at it, so a release can be walked to UAT with nobody
 * posting callbacks by hand; an application the stand-in fails stops where the flow says, and
 * one it cannot reach takes the merge request's error edge, the requester told, staff shown why.
 */
describe.each(testDatabases())('the release flow on the demo CI/CD stand-in on %s', (dbName) => {
  let srv: TestServer;
  let dev: ApiClient;
  let releaseManager: ApiClient;

  beforeAll(async () => {
    srv = await startTestServer(dbName, {
      pluginsDir: SHIPPED_PLUGINS,
      demo: true,
      // No loopback allowed by the test set-up: the demo allows its own stand-in.
      env: { OPSLOOM_JOB_POLL_MS: '50', OPSLOOM_OUTBOUND_ALLOW: '' },
    });
    const as = (u: string) => new ApiClient(srv.url).login(u, DEMO_PASSWORD);
    [dev, releaseManager] = await Promise.all([as('zhaolei'), as('lina')]);
  });
  afterAll(async () => {
    await srv?.close();
  });

  const record = async (id: number) => (await srv.admin.get(`/records/${id}`)).body;
  const openTask = async (c: ApiClient, id: number) => (await c.get(`/records/${id}/tasks`)).body.items[0];
  const taskAt = (c: ApiClient, id: number, node: string) =>
    waitFor(async () => {
      const task = await openTask(c, id);
      return task?.node === node ? task : null;
    }, `task ${node}`);
  async function act(
    c: ApiClient,
    id: number,
    node: string,
    action: string,
    body: Record<string, unknown> = {},
  ) {
    const task = await taskAt(c, id, node);
    if (!task.assignee && task.can.claim)
      expect((await c.post(`/tasks/${task.id}/claim`, {})).status).toBe(204);
    const res = await c.post(`/tasks/${task.id}/actions/${action}`, body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
  const appStatus = async (id: number, app: string) =>
    (await record(id)).data.apps.find((a: { name: string }) => a.name === app);
  async function request(apps: string[]) {
    const created = await dev.post('/records', {
      type: 'release',
      catalogItem: REQUEST_RELEASE,
      data: { title: `演示发布 ${apps.join(' ')}`, apps: apps.map((name) => ({ name })) },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body;
  }
  async function merge(id: number, app: string) {
    await act(dev, id, 'open', 'raiseMr', { input: { app } });
    await waitFor(async () => (await appStatus(id, app)).status === '有变更未发布', `${app} merged`, 20_000);
  }

  it('starts only in the demo, on loopback allowed for it alone', () => {
    expect(srv.demoCicd?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(srv.services.config.vars.CICD_URL).toBe(srv.demoCicd?.url);
    expect(srv.services.config.outboundAllow.entries).toEqual(['127.0.0.1']);
  });

  it('walks a release to UAT: the handling group sees it from the start, 待提交 reads as such', async () => {
    const created = await request(['order-service']);
    expect(created.status).toBe('OPEN');
    expect(created.statusName).toEqual({ 'zh-CN': '待提交', en: 'To submit' });
    expect(created.group).toBe('cab');
    // The release manager (cab) sees it while the developer prepares it.
    expect((await releaseManager.get(`/records/${created.id}`)).status).toBe(200);

    await merge(created.id, 'order-service');
    expect((await appStatus(created.id, 'order-service')).mr).toMatch(/^order-service!\d+$/);
    await act(dev, created.id, 'open', 'submit');
    await act(releaseManager, created.id, 'confirming', 'confirm');
    await taskAt(dev, created.id, 'sitTest');
    expect((await appStatus(created.id, 'order-service')).status).toBe('SIT发布成功');
    await act(dev, created.id, 'sitTest', 'passSit');
    await act(dev, created.id, 'awaitUat', 'submitUat');
    await act(releaseManager, created.id, 'uatCheck', 'admit');
    await taskAt(dev, created.id, 'uatTest');
    expect((await record(created.id)).status).toBe('UAT测试中');
    expect((await appStatus(created.id, 'order-service')).status).toBe('UAT发布成功');
    const calls = srv.demoCicd!.calls.filter((c) => c.body.release === created.number);
    expect(calls.map((c) => [c.path, c.body.env ?? null])).toEqual([
      ['/merge-requests', null],
      ['/deployments', 'SIT'],
      ['/deployments', 'UAT'],
    ]);
  });

  it('an application the stand-in fails stops the release at the failed SIT deployment', async () => {
    const created = await request(['billing-fail']);
    await merge(created.id, 'billing-fail');
    await act(dev, created.id, 'open', 'submit');
    await act(releaseManager, created.id, 'confirming', 'confirm');
    await taskAt(dev, created.id, 'sitFailed');
    expect((await appStatus(created.id, 'billing-fail')).status).toBe('SIT发布失败');
  });

  it('an application it cannot reach: the merge request takes its error edge, the requester is told', async () => {
    const created = await request(['legacy-down']);
    await act(dev, created.id, 'open', 'raiseMr', { input: { app: 'legacy-down' } });
    expect((await appStatus(created.id, 'legacy-down')).status).toBe('有MR未确认');
    // Three attempts (1 s and 2 s apart), then back at OPEN with the application raisable again.
    await waitFor(
      async () => (await appStatus(created.id, 'legacy-down')).status === '未发布',
      'the error edge',
      20_000,
    );
    await taskAt(dev, created.id, 'open');
    const inbox = (await dev.get('/inbox')).body.items;
    expect(
      inbox.some((m: { title: string }) => m.title.includes(`${created.number}：合并请求未能提交`)),
    ).toBe(true);
    // Staff see why; the requester does not.
    const failures = (await releaseManager.get(`/records/${created.id}/failures`)).body.items;
    expect(failures[0]).toMatchObject({ node: 'mrOpen', waiting: false, errorEdge: 'mrOpen-failed' });
    expect(failures[0].error.en).toContain('503');
    expect(failures[0].error['zh-CN']).toContain('503');
    const own = (await dev.get(`/records/${created.id}/history`)).body.items;
    expect(own.some((e: { kind: string }) => e.kind === 'job_failed')).toBe(false);
    expect((await dev.get(`/records/${created.id}/failures`)).status).toBe(403);
  });
});
