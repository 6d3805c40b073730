import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_INCIDENT } from '../records/helpers.ts';
import { ApiClient } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** The itil-incident plugin, driven through the HTTP API as people would use it. */
describe.each(testDatabases())('incident flow on %s', (dbName) => {
  let srv: TestServer;
  let requester: ApiClient;
  let agent: ApiClient;
  let agent2: ApiClient;
  let secondLine: ApiClient;
  beforeAll(async () => {
    srv = await startTestServer(dbName, { pluginsDir: SHIPPED_PLUGINS, demo: true });
    const as = (u: string) => new ApiClient(srv.url).login(u, DEMO_PASSWORD);
    [requester, agent, agent2, secondLine] = await Promise.all([
      as('zhaolei'),
      as('zhangwei'),
      as('lina'),
      as('wangfang'),
    ]);
  });
  afterAll(() => srv?.close());

  const tasksOf = async (c: ApiClient, id: number) => (await c.get(`/records/${id}/tasks`)).body.items;
  async function act(c: ApiClient, id: number, action: string, body: Record<string, unknown> = {}) {
    const [task] = await tasksOf(c, id);
    return c.post(`/tasks/${task.id}/actions/${action}`, body);
  }

  /** A P4 incident the agent has claimed and accepted. */
  async function inProgress(title: string, description: string, category: string) {
    const created = await requester.post('/records', {
      type: 'incident',
      catalogItem: REPORT_INCIDENT,
      data: { title, description, category, impact: 3, urgency: 3 },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const [triage] = await tasksOf(agent, created.body.id);
    expect((await agent.post(`/tasks/${triage.id}/claim`)).status).toBe(204);
    expect((await act(agent, created.body.id, 'accept')).status).toBe(200);
    return created.body as { id: number; number: string };
  }

  it('runs new → triage → in progress → pending customer → resolved → closed', async () => {
    const created = await requester.post('/records', {
      type: 'incident',
      catalogItem: REPORT_INCIDENT,
      data: {
        title: 'VPN 无法连接',
        description: '从家里连不上公司 VPN',
        category: 'network',
        impact: 1,
        urgency: 2,
      },
    });
    expect(created.status).toBe(201);
    const inc = created.body;
    expect(inc.number).toMatch(/^INC-\d{6}$/);
    expect(inc).toMatchObject({
      status: 'triage',
      group: 'service-desk',
      assignee: null,
      requester: 'zhaolei',
      priority: 'P2',
    });

    // The requester sees it but has no buttons; the queue's agents may claim it.
    expect((await tasksOf(requester, inc.id))[0].actions).toEqual([]);
    const [triage] = await tasksOf(agent, inc.id);
    expect(triage.can.claim).toBe(true);
    expect(triage.actions).toEqual([]);
    expect((await agent.post(`/tasks/${triage.id}/actions/accept`)).status).toBe(403);
    expect((await agent.post(`/tasks/${triage.id}/claim`)).status).toBe(204);
    expect((await agent2.post(`/tasks/${triage.id}/claim`)).status).toBe(409);
    const claimed = (await tasksOf(agent, inc.id))[0];
    expect(claimed.actions.map((a: { key: string }) => a.key).sort()).toEqual(['accept', 'cancel']);

    // Triage may re-grade impact; priority follows the matrix. The title is locked here.
    const locked = await act(agent, inc.id, 'accept', { data: { title: 'changed' } });
    expect(locked.status).toBe(400);
    expect(locked.body.error.details.problems[0].path).toBe('/title');
    expect((await act(agent, inc.id, 'accept', { data: { impact: 2 } })).status).toBe(200);
    let rec = (await agent.get(`/records/${inc.id}`)).body;
    expect(rec).toMatchObject({ status: 'in-progress', assignee: 'zhangwei', priority: 'P3' });

    expect((await act(agent, inc.id, 'askCustomer', { comment: '请提供报错截图' })).status).toBe(200);
    rec = (await agent.get(`/records/${inc.id}`)).body;
    expect(rec).toMatchObject({ status: 'pending-customer', assignee: 'zhangwei' });
    expect((await act(agent, inc.id, 'reply')).status).toBe(403);
    expect((await act(requester, inc.id, 'reply', { data: { description: '报错：证书过期' } })).status).toBe(
      200,
    );
    rec = (await agent.get(`/records/${inc.id}`)).body;
    expect(rec).toMatchObject({ status: 'in-progress', assignee: 'zhangwei', description: '报错：证书过期' });

    expect(
      (
        await act(agent, inc.id, 'resolve', {
          data: { resolutionCode: 'fixed', resolutionNotes: '更新证书' },
        })
      ).status,
    ).toBe(200);
    rec = (await agent.get(`/records/${inc.id}`)).body;
    expect(rec.status).toBe('resolved');
    expect(rec.resolvedAt).toBeGreaterThan(0);
    // The form's rule "resolution notes are required once resolved" tests record.status.
    const cleared = await agent.patch(`/records/${inc.id}`, {
      data: { resolutionNotes: '' },
      version: rec.version,
    });
    expect(cleared.status).toBe(400);
    expect(cleared.body.error.details.problems).toContainEqual({
      path: '/resolutionNotes',
      message: { en: 'is required here', 'zh-CN': '此处为必填项' },
    });
    expect((await act(requester, inc.id, 'confirm')).status).toBe(200);
    rec = (await requester.get(`/records/${inc.id}`)).body;
    expect(rec.status).toBe('closed');
    expect(rec.closedAt).toBeGreaterThan(0);
    expect(await tasksOf(agent, inc.id)).toEqual([]);
    expect(rec).toMatchObject({ statusName: { 'zh-CN': '已关闭', en: 'Closed' }, statusCategory: 'done' });

    // The history names the steps and actions its ids stand for, as the flow names them.
    const history = async (c: ApiClient) => (await c.get(`/records/${inc.id}/history`)).body.items;
    const staffView = await history(agent);
    expect(staffView.find((e: { kind: string }) => e.kind === 'transition')).toMatchObject({
      detail: { node: 'triage', action: 'accept', to: 'inProgress' },
      names: {
        node: { 'zh-CN': '服务台分派', en: 'Service-desk triage' },
        action: { 'zh-CN': '受理', en: 'Accept' },
        to: { 'zh-CN': '处理中', en: 'In progress' },
      },
    });
    // The requester sees what happened to the request, not the team's bookkeeping (here: the
    // notification rules that told the agents).
    const kinds = (items: { kind: string }[]) => new Set(items.map((e) => e.kind));
    expect(kinds(staffView)).toContain('rule');
    const requesterView = await history(requester);
    expect(kinds(requesterView)).not.toContain('rule');
    expect([...kinds(requesterView)].every((k) => kinds(staffView).has(k))).toBe(true);
    expect(requesterView.filter((e: { kind: string }) => e.kind === 'transition').length).toBe(
      staffView.filter((e: { kind: string }) => e.kind === 'transition').length,
    );

    // Lists filter on whether, and when, records were resolved and closed.
    const listed = async (q: string) => {
      const res = await agent.get(`/records?type=incident&${q}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.items.map((r: { id: number }) => r.id) as number[];
    };
    expect(await listed('closed=true')).toContain(inc.id);
    expect(await listed('resolved=true')).toContain(inc.id);
    expect(await listed('closed=false')).not.toContain(inc.id);
    expect(await listed('resolved=false')).not.toContain(inc.id);
    expect(await listed(`closedAt.gte=${rec.closedAt}&closedAt.lte=${rec.closedAt}`)).toEqual([inc.id]);
    expect(await listed(`resolvedAt.lte=${rec.resolvedAt - 1}`)).not.toContain(inc.id);
    const bad = await agent.get('/records?closed=maybe');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error)).toContain('closed');
  });

  it('goes back to work when the requester replies with a comment while it waits for them', async () => {
    const inc = await inProgress('邮件发不出', 'Outlook 报错', 'software');
    expect((await act(agent, inc.id, 'askCustomer', { comment: '请提供报错截图' })).status).toBe(200);
    // The step tells the requester what to do; only those who may act on it are told.
    expect((await tasksOf(requester, inc.id))[0].instructions).toMatchObject({
      'zh-CN': expect.stringContaining('直接在下方回复即可'),
      en: expect.stringContaining('Just reply below'),
    });
    const status = async () => (await agent.get(`/records/${inc.id}`)).body.status;
    // The agent's own comments, and the requester's before it waits for them, move nothing.
    expect(
      (await agent.post(`/records/${inc.id}/comments`, { body: '还在等截图', visibility: 'public' })).status,
    ).toBe(201);
    // Once every event job has run (the rule's runs there), it still waits.
    await expect
      .poll(
        async () =>
          (await srv.services.db('jobs').where({ type: 'event' }).whereNot({ status: 'done' })).length,
      )
      .toBe(0);
    expect(await status()).toBe('pending-customer');
    // The agent's public reply reached the requester (itil-notifications), an internal note would not.
    const replies = async () =>
      (
        (await requester.get('/inbox?limit=200')).body.items as {
          recordId: number;
          event: string;
          title: string;
          body: string;
        }[]
      )
        .filter((m) => m.recordId === inc.id && m.event === 'record.commented')
        .map((m) => [m.title, m.body]);
    expect(await replies()).toEqual([[`${inc.number} 有新回复`, '还在等截图']]);
    expect(
      (await agent.post(`/records/${inc.id}/comments`, { body: '用户电脑证书过期', visibility: 'internal' }))
        .status,
    ).toBe(201);

    expect((await requester.post(`/records/${inc.id}/comments`, { body: '截图已附上' })).status).toBe(201);
    await expect.poll(status).toBe('in-progress');
    // Nobody is told of their own reply, nor of the internal note.
    expect(await replies()).toHaveLength(1);
    const history = (await agent.get(`/records/${inc.id}/history`)).body.items;
    const moved = history.filter((e: { kind: string }) => e.kind === 'transition').at(-1);
    expect(moved).toMatchObject({
      actor: 'rule:incident-customer-replied',
      detail: { node: 'pendingCustomer', action: 'reply', to: 'inProgress' },
    });
    // The resolution clock, paused while it waited, runs again.
    const sla = (await agent.get(`/records/${inc.id}/sla`)).body.items;
    expect(sla.find((m: { metric: string }) => m.metric === 'resolution')).toMatchObject({
      state: 'running',
    });
    expect((await tasksOf(agent, inc.id))[0].can.act).toBe(true);
  });

  it('closes by itself when the requester has not confirmed the resolution within three days', async () => {
    const inc = await inProgress('打印机卡纸', '三楼打印机卡纸', 'hardware');
    const resolve = { data: { resolutionCode: 'fixed', resolutionNotes: '清理卡纸' } };
    expect((await act(agent, inc.id, 'resolve', resolve)).status).toBe(200);
    const [confirm] = await tasksOf(requester, inc.id);
    expect(confirm.node).toBe('resolved');
    const clock = await srv.services
      .db('sla_clocks')
      .where({ record_id: inc.id, task_id: confirm.id })
      .first();
    expect(Number(clock.due_at) - Number(clock.started_at)).toBe(3 * 86_400_000);
    await srv.slaChecker.pass(Number(clock.due_at) - 1);
    expect((await requester.get(`/records/${inc.id}`)).body.status).toBe('resolved');
    await srv.slaChecker.pass(Number(clock.due_at));
    const rec = (await requester.get(`/records/${inc.id}`)).body;
    expect(rec.status).toBe('closed');
    expect(rec.closedAt).toBeGreaterThan(0);
    const closing = (await agent.get(`/records/${inc.id}/history`)).body.items.find(
      (e: { kind: string; detail?: { action?: string } }) =>
        e.kind === 'transition' && e.detail?.action === 'confirm',
    );
    expect(closing.actor).toMatch(/^system:/);
  });

  it('reopens from resolved, escalates to second line, and creates a linked problem', async () => {
    const inc = (
      await requester.post('/records', {
        type: 'incident',
        catalogItem: REPORT_INCIDENT,
        data: {
          title: '邮件发送失败',
          description: 'Outlook 报错',
          category: 'software',
          impact: 2,
          urgency: 2,
        },
      })
    ).body;
    const [triage] = await tasksOf(agent, inc.id);
    await agent.post(`/tasks/${triage.id}/claim`);
    await act(agent, inc.id, 'accept');

    const problem = await act(agent, inc.id, 'createProblem');
    expect(problem.body).toEqual({ completed: true, recordId: inc.id });
    let rec = (await agent.get(`/records/${inc.id}`)).body;
    expect(rec.status).toBe('in-progress');
    // The new problem is the incident's one linked record.
    const [link] = (await srv.admin.get(`/records/${inc.id}/links`)).body.items;
    const problems = (await srv.admin.get(`/records/${link.record.id}`)).body;
    expect(problems.number).toMatch(/^PRB-/);
    expect(problems.title).toContain(inc.number);
    // And the incident names it in its own field (a field only the process may fill).
    expect(rec.data.problemNumber).toBe(problems.number);

    expect((await act(agent, inc.id, 'escalate')).status).toBe(200);
    rec = (await agent.get(`/records/${inc.id}`)).body;
    expect(rec.group).toBe('second-line');
    const [second] = await tasksOf(secondLine, inc.id);
    await secondLine.post(`/tasks/${second.id}/claim`);
    const unexplained = await act(secondLine, inc.id, 'resolve', { data: { resolutionCode: 'fixed' } });
    expect(unexplained.status).toBe(422);
    expect(unexplained.body.error).toMatchObject({
      code: 'guard_failed',
      message: 'Fill in the resolution notes',
    });
    // A refused action changes nothing, not even the fields sent with it.
    expect((await agent.get(`/records/${inc.id}`)).body.data.resolutionCode).toBeUndefined();
    const resolved = await act(secondLine, inc.id, 'resolve', {
      data: { resolutionCode: 'fixed', resolutionNotes: '重启服务' },
    });
    expect(resolved.status).toBe(200);
    const cycles = async (metric: string) =>
      ((await agent.get(`/records/${inc.id}/sla`)).body.items as { metric: string }[]).filter(
        (m) => m.metric === metric,
      );
    expect(await cycles('resolution')).toMatchObject([{ cycle: 1, state: 'stopped', met: true }]);
    expect((await act(requester, inc.id, 'reopen', { comment: '又坏了' })).status).toBe(200);
    rec = (await agent.get(`/records/${inc.id}`)).body;
    expect(rec.status).toBe('in-progress');
    expect(rec.assignee).toBe('wangfang');
    // Reopened, the incident is under a new resolution cycle (as Jira SLAs count cycles); the
    // first one keeps its outcome, and the first response is not measured again.
    expect(await cycles('resolution')).toMatchObject([
      { cycle: 1, state: 'stopped', met: true },
      { cycle: 2, state: 'running', met: null },
    ]);
    expect(await cycles('first-response')).toMatchObject([{ cycle: 1, state: 'stopped' }]);
    // Resolved again (by wangfang, who holds the reopened ticket), the second cycle stops.
    expect(
      (
        await act(secondLine, inc.id, 'resolve', {
          data: { resolutionCode: 'fixed', resolutionNotes: '换了证书' },
        })
      ).status,
    ).toBe(200);
    expect(await cycles('resolution')).toMatchObject([
      { cycle: 1, state: 'stopped' },
      { cycle: 2, state: 'stopped', met: true },
    ]);
  });
});
