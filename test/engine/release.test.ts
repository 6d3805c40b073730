import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

interface Call {
  path: string;
  body: { release: string; app: string; env?: string; callback: string };
}

interface Posted {
  url: string;
  body: unknown;
  status: number;
  reply: unknown;
}

/**
 * A real HTTP server standing in for Git and CI/CD. Merge requests are only recorded (the test
 * approves them, like a reviewer would). A deployment is answered 202 and its result is posted
 * to the signed callback URL it came with, as a CI server does when the job has run; `failOnce`
 * makes the next deployment of an application to an environment fail.
 */
async function startFakeCicd() {
  const calls: Call[] = [];
  const posted: Posted[] = [];
  const pending: Promise<void>[] = [];
  const failOnce = new Set<string>();
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => {
      raw += chunk;
    });
    req.on('end', () => {
      const body = JSON.parse(raw || '{}') as Call['body'];
      calls.push({ path: req.url ?? '', body });
      if (req.url === '/merge-requests') {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ mr: `!${calls.length}` }));
        return;
      }
      if (req.url === '/deployments') {
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ queued: true }));
        const ok = !failOnce.delete(`${body.env}:${body.app}`);
        // No id: the runtime tells a repeat from a new result by the wait it answers.
        res.on('finish', () => {
          pending.push(post(body.callback, { result: { status: ok ? 'success' : 'failed' } }));
        });
        return;
      }
      res.writeHead(404);
      res.end();
    });
  });
  async function post(url: string, body: unknown): Promise<void> {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    posted.push({ url, body, status: res.status, reply: text ? JSON.parse(text) : null });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    posted,
    failOnce,
    deployments: (env: string) => calls.filter((c) => c.path === '/deployments' && c.body.env === env),
    mergeRequests: (app: string) => calls.filter((c) => c.path === '/merge-requests' && c.body.app === app),
    /** Every result posted so far has had its answer. */
    settled: () => Promise.allSettled(pending),
    async close() {
      await Promise.allSettled(pending);
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  let last: unknown;
  for (;;) {
    const value = await fn();
    if (value) return value;
    last = value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function postTo(url: string, body: unknown) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept-language': 'en' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** The shipped catalog item developers request releases through. */
const REQUEST_RELEASE = 'release-catalog/request-release';

/** The itil-release plugin driven through the HTTP API, with Git and CI/CD over real HTTP. */
describe.each(testDatabases())('release flow on %s', (dbName) => {
  let srv: TestServer;
  let cicd: Awaited<ReturnType<typeof startFakeCicd>>;
  let dev: ApiClient;
  let releaseManager: ApiClient;

  beforeAll(async () => {
    cicd = await startFakeCicd();
    srv = await startTestServer(dbName, {
      pluginsDir: SHIPPED_PLUGINS,
      demo: true,
      env: { OPSLOOM_JOB_POLL_MS: '50', OPSLOOM_VAR_CICD_URL: cicd.url },
    });
    const as = (u: string) => new ApiClient(srv.url).login(u, DEMO_PASSWORD);
    [dev, releaseManager] = await Promise.all([as('zhaolei'), as('lina')]);
  });
  afterAll(async () => {
    await srv?.close();
    await cicd?.close();
  });

  const record = async (id: number) => (await srv.admin.get(`/records/${id}`)).body;
  const statuses = async (id: number): Promise<Record<string, string>> =>
    Object.fromEntries(
      (await record(id)).data.apps.map((a: { name: string; status: string }) => [a.name, a.status]),
    );
  const openTask = async (c: ApiClient, id: number) => (await c.get(`/records/${id}/tasks`)).body.items[0];
  async function act(c: ApiClient, id: number, action: string, body: Record<string, unknown> = {}) {
    const task = await openTask(c, id);
    if (!task) throw new Error(`record ${id} has no open task for ${action}`);
    return c.post(`/tasks/${task.id}/actions/${action}`, body);
  }
  /** The flow is back at a user task (an HTTP call or a deployment finished). */
  const taskAt = (id: number, node: string) =>
    waitFor(`task ${node}`, async () => {
      const task = await openTask(dev, id);
      return task?.node === node ? task : undefined;
    });
  async function raiseAndMerge(id: number, app: string, mr: string) {
    expect((await act(dev, id, 'raiseMr', { input: { app } })).status).toBe(200);
    expect((await statuses(id))[app]).toBe('有MR未确认');
    const call = await waitFor(`merge request of ${app}`, async () => cicd.mergeRequests(app).at(-1));
    const rec = await record(id);
    const task = await taskAt(id, rec.status === 'OPEN' ? 'open' : 'sitTest');
    const approved = await postTo(call.body.callback, { id: `approve-${mr}`, result: { merged: true, mr } });
    expect(approved).toMatchObject({ status: 200, body: { accepted: true, duplicate: false } });
    // The approval settles the merge request while the task stays open.
    expect((await openTask(dev, id)).id).toBe(task.id);
    return call;
  }

  it("refuses an application name the CI/CD could not take, in the form author's words", async () => {
    const refused = await dev.post('/records', {
      type: 'release',
      catalogItem: REQUEST_RELEASE,
      data: { title: '七月版本发布', apps: [{ name: 'order-service' }, { name: 'pay service' }] },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.problems).toEqual([
      {
        path: '/apps/1/name',
        message: {
          'zh-CN': '应用名只能包含字母、数字、点、下划线和短横线，并以字母或数字开头',
          en: 'An application name has letters, digits, dots, underscores and hyphens only, and starts with a letter or digit',
        },
      },
    ]);
    // A required name is still the runtime's own message.
    const empty = await dev.post('/records', {
      type: 'release',
      catalogItem: REQUEST_RELEASE,
      data: { title: '七月版本发布', apps: [{}] },
    });
    expect(empty.body.error.details.problems[0].path).toBe('/apps/0/name');
    expect(empty.body.error.details.problems[0].message.en).not.toContain('letters, digits');
  });

  it('runs OPEN → SIT → UAT → done with merge requests, failed deployments and a regression', async () => {
    const created = await dev.post('/records', {
      type: 'release',
      catalogItem: REQUEST_RELEASE,
      data: { title: '六月版本发布', apps: [{ name: 'order-service' }, { name: 'pay-service' }] },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(created.body.number).toMatch(/^REL-\d{6}$/);
    expect(created.body.status).toBe('OPEN');
    expect(await statuses(id)).toEqual({ 'order-service': '未发布', 'pay-service': '未发布' });

    const open = await openTask(dev, id);
    expect(open.actions.map((a: { key: string }) => a.key).sort()).toEqual(['addApp', 'raiseMr', 'submit']);
    const raiseMr = open.actions.find((a: { key: string }) => a.key === 'raiseMr');
    expect(raiseMr.input.required).toEqual(['app']);

    // Leaving OPEN needs a merged merge request for every application; the refusal names them.
    let refused = await act(dev, id, 'submit');
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('guard_failed');
    expect(refused.body.error.message).toContain('order-service (not released)');
    expect(refused.body.error.message).toContain('pay-service (not released)');
    expect(refused.body.error.details.message['zh-CN']).toContain('order-service（未发布）');

    // An action's input is checked against the schema the edge declares.
    const noApp = await act(dev, id, 'raiseMr', { input: {} });
    expect(noApp.status).toBe(400);
    expect(noApp.body.error.details.problems[0].path).toBe('/input/app');
    const unknownApp = await act(dev, id, 'raiseMr', { input: { app: 'nope' } });
    expect(unknownApp.status).toBe(422);
    expect(unknownApp.body.error.message).toContain('nope');

    // A merge request goes to Git with a signed callback URL for that application.
    expect((await act(dev, id, 'raiseMr', { input: { app: 'order-service' } })).status).toBe(200);
    const mrCall = await waitFor('merge request call', async () => cicd.mergeRequests('order-service')[0]);
    expect(mrCall.body).toMatchObject({ app: 'order-service', release: created.body.number });
    expect(mrCall.body.callback).toContain(`${srv.url}/api/v1/callbacks/`);
    expect(mrCall.body.callback).toContain('item=order-service');
    await taskAt(id, 'open');
    expect(await statuses(id)).toMatchObject({ 'order-service': '有MR未确认' });

    // While that merge request is open, another one for the same application is refused.
    refused = await act(dev, id, 'raiseMr', { input: { app: 'order-service' } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toContain('order-service');
    expect(refused.body.error.details.message['zh-CN']).toContain('应用 order-service 的合并请求尚未确认');
    expect(cicd.mergeRequests('order-service')).toHaveLength(1);

    // A forged signature is refused and changes nothing.
    const before = await record(id);
    const forged = await postTo(mrCall.body.callback.replace(/sig=[^&]+/, 'sig=forged'), {
      result: { merged: true, mr: '!666' },
    });
    expect(forged.status).toBe(401);
    expect((await record(id)).version).toBe(before.version);
    expect(await statuses(id)).toMatchObject({ 'order-service': '有MR未确认' });

    // Git approves: the application has a merged change; the OPEN task is still the same.
    const approved = await postTo(mrCall.body.callback, { id: 'mr-1', result: { merged: true, mr: '!1' } });
    expect(approved).toMatchObject({ status: 200, body: { accepted: true, duplicate: false } });
    let rec = await record(id);
    expect(rec.data.apps[0]).toEqual({ name: 'order-service', status: '有变更未发布', mr: '!1' });
    expect(rec.status).toBe('OPEN');

    refused = await act(dev, id, 'submit');
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toContain('pay-service');
    expect(refused.body.error.message).not.toContain('order-service');

    await raiseAndMerge(id, 'pay-service', '!2');
    expect((await act(dev, id, 'submit')).status).toBe(200);
    expect((await record(id)).status).toBe('确认中');

    // Confirmed: every application goes to CI/CD for SIT; pay-service fails.
    cicd.failOnce.add('SIT:pay-service');
    const confirmTask = await openTask(releaseManager, id);
    expect((await releaseManager.post(`/tasks/${confirmTask.id}/claim`)).status).toBe(204);
    expect((await act(releaseManager, id, 'confirm')).status).toBe(200);
    expect((await record(id)).status).toBe('SIT部署中');
    const failedTask = await taskAt(id, 'sitFailed');
    expect(failedTask.actions.map((a: { key: string }) => a.key)).toEqual(['redeploy']);
    rec = await record(id);
    expect(rec.status).toBe('SIT部署中');
    expect(await statuses(id)).toEqual({ 'order-service': 'SIT发布成功', 'pay-service': 'SIT发布失败' });
    expect(
      cicd
        .deployments('SIT')
        .map((c) => c.body.app)
        .sort(),
    ).toEqual(['order-service', 'pay-service']);
    await cicd.settled();
    expect(cicd.posted.filter((p) => p.url.includes('/sitDeployed')).map((p) => p.status)).toEqual([
      200, 200,
    ]);

    // The same result again is a repeat: answered, nothing changes.
    const payResult = cicd.posted.find((p) => p.url.includes('item=pay-service'))!;
    const repeat = await postTo(payResult.url, payResult.body);
    expect(repeat).toMatchObject({ status: 200, body: { accepted: true, duplicate: true } });
    expect((await record(id)).version).toBe(rec.version);

    // 重新发布 sends only what failed (or changed) again; all green moves on by itself.
    expect((await act(dev, id, 'redeploy')).status).toBe(200);
    await taskAt(id, 'sitTest');
    expect(cicd.deployments('SIT').map((c) => c.body.app)).toEqual([
      ...cicd
        .deployments('SIT')
        .slice(0, 2)
        .map((c) => c.body.app),
      'pay-service',
    ]);
    expect((await record(id)).status).toBe('SIT测试中');
    expect(await statuses(id)).toEqual({ 'order-service': 'SIT发布成功', 'pay-service': 'SIT发布成功' });

    // An application added during SIT blocks moving on until it is merged and deployed.
    expect((await act(dev, id, 'addApp', { input: { app: 'report-service' } })).status).toBe(200);
    expect((await act(dev, id, 'addApp', { input: { app: 'report-service' } })).status).toBe(422);
    refused = await act(dev, id, 'passSit');
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toContain('report-service (not released)');
    expect(refused.body.error.message).not.toContain('pay-service');
    await raiseAndMerge(id, 'report-service', '!3');
    refused = await act(dev, id, 'passSit');
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toContain('report-service (merged, not released)');

    // 回归发布 deploys the whole release again (the same "success" as last time is a new result).
    const sitBefore = cicd.deployments('SIT').length;
    expect((await act(dev, id, 'regression')).status).toBe(200);
    await waitFor('regression deployed', async () => {
      const s = await statuses(id);
      return (
        Object.values(s).every((v) => v === 'SIT发布成功') && (await openTask(dev, id))?.node === 'sitTest'
      );
    });
    expect(
      cicd
        .deployments('SIT')
        .slice(sitBefore)
        .map((c) => c.body.app)
        .sort(),
    ).toEqual(['order-service', 'pay-service', 'report-service']);
    expect((await act(dev, id, 'passSit')).status).toBe(200);
    expect((await record(id)).status).toBe('待提交UAT');

    // UAT: admission check, deployment (order-service fails once), redeploy, testing, done.
    expect((await act(dev, id, 'submitUat')).status).toBe(200);
    expect((await record(id)).status).toBe('UAT准入检查');
    cicd.failOnce.add('UAT:order-service');
    const check = await openTask(releaseManager, id);
    expect((await releaseManager.post(`/tasks/${check.id}/claim`)).status).toBe(204);
    expect((await act(releaseManager, id, 'admit')).status).toBe(200);
    await taskAt(id, 'uatFailed');
    expect((await record(id)).status).toBe('UAT部署中');
    expect(await statuses(id)).toEqual({
      'order-service': 'UAT发布失败',
      'pay-service': 'UAT发布成功',
      'report-service': 'UAT发布成功',
    });
    expect((await act(dev, id, 'redeploy')).status).toBe(200);
    await taskAt(id, 'uatTest');
    expect(cicd.deployments('UAT').map((c) => c.body.app)).toHaveLength(4);
    expect(cicd.deployments('UAT')[3]!.body.app).toBe('order-service');
    expect((await record(id)).status).toBe('UAT测试中');

    expect((await act(dev, id, 'finish')).status).toBe(200);
    rec = await record(id);
    expect(rec.status).toBe('done');
    expect(rec.closedAt).toBeGreaterThan(0);
    expect(await openTask(dev, id)).toBeUndefined();

    // A result for a finished release is not waited for: 409, nothing changes.
    const late = await postTo(payResult.url, { result: { status: 'failed' } });
    expect(late.status).toBe(409);
    expect((await record(id)).version).toBe(rec.version);
    await cicd.settled();
    expect(cicd.posted).toHaveLength(cicd.calls.filter((c) => c.path === '/deployments').length);
    expect(cicd.posted.every((p) => p.status === 200)).toBe(true);
  });
});
