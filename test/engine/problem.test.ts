import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * The itil-problem plugin through the HTTP API: reviewed by second line, investigated, a known
 * error with its workaround, fixed for good, verified and closed — and never left where its own
 * rules refuse every next step.
 */
describe.each(testDatabases())('problem flow on %s', (dbName) => {
  let srv: TestServer;
  // wangfang is second line, the group that reviews, investigates and verifies problems.
  let agent: ApiClient;
  beforeAll(async () => {
    srv = await startTestServer(dbName, { pluginsDir: SHIPPED_PLUGINS, demo: true });
    agent = await new ApiClient(srv.url).login('wangfang', DEMO_PASSWORD);
  });
  afterAll(() => srv?.close());

  const raise = async (data: Record<string, unknown> = {}) => {
    const res = await agent.post('/records', {
      type: 'problem',
      data: {
        title: 'VPN 每小时断线',
        description: '多名用户反映 VPN 每小时断线一次',
        category: 'network',
        ...data,
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };
  const openTask = async (id: number) =>
    (await agent.get(`/records/${id}/tasks`)).body.items.find((t: { status: string }) => t.status === 'open');
  const act = async (id: number, action: string, data?: Record<string, unknown>) => {
    const task = await openTask(id);
    if (task.can.claim) expect((await agent.post(`/tasks/${task.id}/claim`)).status).toBe(204);
    return agent.post(`/tasks/${task.id}/actions/${action}`, data ? { data } : {});
  };
  const record = async (id: number) => (await agent.get(`/records/${id}`)).body;

  it('is prioritised by impact × urgency like an incident, a left-out urgency counting as its default', async () => {
    expect((await raise({ impact: 1, urgency: 1 })).priority).toBe('P1');
    // Urgency defaults to 3 (low): impact 1 × urgency 3 is P3.
    const prb = await raise({ impact: 1 });
    expect(prb.priority).toBe('P3');
    expect(prb.data).toMatchObject({ urgency: 3, priority: 'P3' });
  });

  it('goes from review through a known error to a verified permanent fix', async () => {
    const prb = await raise({ impact: 2, urgency: 2 });
    expect(prb.status).toBe('new');
    expect(prb.group).toBe('second-line');
    expect((await act(prb.id, 'accept')).status).toBe(200);
    expect((await record(prb.id)).status).toBe('investigation');

    // A known error names its root cause (the action's guard) and the workaround it is known by
    // (the form's rule for the known-error status, met where the action leads).
    const noCause = await act(prb.id, 'knownError');
    expect(noCause.status).toBe(422);
    expect(noCause.body.error.code).toBe('guard_failed');
    const noWorkaround = await act(prb.id, 'knownError', { rootCause: 'VPN 网关证书链不完整' });
    expect(noWorkaround.status).toBe(400);
    expect(noWorkaround.body.error.details.problems).toEqual([
      {
        path: '/workaround',
        message: { en: 'is required where this action leads', 'zh-CN': '此操作进入的状态要求填写此项' },
      },
    ]);
    // Nothing of the refused action stayed: still investigated, the root cause not written.
    const still = await record(prb.id);
    expect(still.status).toBe('investigation');
    expect(still.data.rootCause).toBeUndefined();
    const known = await act(prb.id, 'knownError', {
      rootCause: 'VPN 网关证书链不完整',
      workaround: '手动导入中间证书',
    });
    expect(known.status).toBe(200);
    expect(await record(prb.id)).toMatchObject({ status: 'known-error', data: { knownError: true } });

    // A resolved problem names its permanent fix: without it the verifier could neither close
    // nor reopen it (both refused for a fix their step may not write).
    const noFix = await act(prb.id, 'resolve');
    expect(noFix.status).toBe(400);
    expect(noFix.body.error.details.problems.map((p: { path: string }) => p.path)).toEqual(['/permanentFix']);
    expect((await record(prb.id)).status).toBe('known-error');

    const fixed = await act(prb.id, 'resolve', {
      workaround: '手动导入中间证书',
      permanentFix: '补全网关证书链',
    });
    expect(fixed.status, JSON.stringify(fixed.body)).toBe(200);
    expect((await record(prb.id)).status).toBe('resolved');
    // The verifier may not rewrite what was found and fixed.
    const rewrite = await act(prb.id, 'close', { permanentFix: '别的方案' });
    expect(rewrite.status).toBe(400);
    expect((await act(prb.id, 'close')).status).toBe(200);
    const closed = await record(prb.id);
    expect(closed.status).toBe('closed');
    expect(closed.closedAt).not.toBeNull();
  });

  it('can be fixed straight from the investigation, and reopened when the fix does not hold', async () => {
    const prb = await raise();
    expect((await act(prb.id, 'accept')).status).toBe(200);
    const noFix = await act(prb.id, 'resolve', { rootCause: '交换机端口老化' });
    expect(noFix.status).toBe(400);
    expect(noFix.body.error.details.problems[0].path).toBe('/permanentFix');
    expect(
      (
        await act(prb.id, 'resolve', {
          rootCause: '交换机端口老化',
          permanentFix: '更换端口模块',
          changeNumber: 'CHG-000001',
        })
      ).status,
    ).toBe(200);
    expect((await act(prb.id, 'reopen')).status).toBe(200);
    expect((await record(prb.id)).status).toBe('investigation');
  });
});
