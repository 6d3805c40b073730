import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

/**
 * The itil-service-request plugin through the HTTP API: a password reset goes straight to the
 * service desk; anything else waits for the manager its requester names, who may not be the
 * requester themselves.
 */
describe.each(testDatabases())('service request flow on %s', (dbName) => {
  let srv: TestServer;
  const people: Record<string, ApiClient> = {};
  beforeAll(async () => {
    srv = await startTestServer(dbName, { pluginsDir: SHIPPED_PLUGINS, demo: true });
    // zhaolei requests, chenjing manages, zhangwei and lina are the service desk.
    for (const u of ['zhaolei', 'chenjing', 'zhangwei', 'lina'])
      people[u] = await new ApiClient(srv.url).login(u, DEMO_PASSWORD);
  });
  afterAll(() => srv?.close());

  const request = async (data: Record<string, unknown>) =>
    people.zhaolei!.post('/records', { type: 'service-request', data: { title: '申请', ...data } });
  const openTask = async (id: number, who = 'zhaolei') =>
    (await people[who]!.get(`/records/${id}/tasks`)).body.items.find(
      (t: { status: string }) => t.status === 'open',
    );
  const status = async (id: number) => (await people.zhaolei!.get(`/records/${id}`)).body.status as string;

  it('a password reset names no manager and goes straight to the service desk', async () => {
    const res = await request({ requestType: 'password-reset', account: 'zhaolei@corp' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.status).toBe('fulfilling');
    // Anything else needs the manager who approves it.
    const noManager = await request({ requestType: 'access', description: '财务系统只读权限' });
    expect(noManager.status).toBe(400);
    expect(noManager.body.error.details.problems.map((p: { path: string }) => p.path)).toEqual(['/manager']);
  });

  it('the named manager approves, then the service desk fulfils with its notes', async () => {
    const req = (
      await request({ requestType: 'software-install', software: 'Visio 2021', manager: 'chenjing' })
    ).body;
    expect(req.status).toBe('awaiting-approval');
    const approval = await openTask(req.id, 'chenjing');
    expect(approval.can.act).toBe(true);
    expect((await people.zhaolei!.post(`/tasks/${approval.id}/actions/approve`)).status).toBe(403);
    expect((await people.chenjing!.post(`/tasks/${approval.id}/actions/approve`)).status).toBe(200);
    expect(await status(req.id)).toBe('fulfilling');
    // The service desk hands its work out in turn.
    const fulfil = await openTask(req.id, 'zhangwei');
    const agent = people[fulfil.assignee as string]!;
    expect(fulfil.assignee).toMatch(/^(zhangwei|lina)$/);
    expect((await agent.post(`/tasks/${fulfil.id}/actions/fulfil`)).status).toBe(400);
    const done = await agent.post(`/tasks/${fulfil.id}/actions/fulfil`, {
      data: { fulfilmentNotes: '已远程安装' },
    });
    expect(done.status).toBe(200);
    let rec = (await people.zhaolei!.get(`/records/${req.id}`)).body;
    expect(rec).toMatchObject({
      status: 'resolved',
      data: { approved: true, fulfilmentNotes: '已远程安装' },
    });
    expect(rec.resolvedAt).toBeGreaterThan(0);

    // The requester checks: not working yet, so back to the same desk; then fulfilled for good.
    const confirm = await openTask(req.id);
    expect(confirm.node).toBe('confirm');
    expect(confirm.actions.map((a: { key: string }) => a.key).sort()).toEqual(['confirm', 'reopen']);
    expect(
      (await people.zhaolei!.post(`/tasks/${confirm.id}/actions/reopen`, { comment: '打不开' })).status,
    ).toBe(200);
    rec = (await people.zhaolei!.get(`/records/${req.id}`)).body;
    expect(rec).toMatchObject({ status: 'fulfilling', resolvedAt: null });
    const again = await openTask(req.id, 'zhangwei');
    expect((await people[again.assignee as string]!.post(`/tasks/${again.id}/actions/fulfil`)).status).toBe(
      200,
    );
    const confirmAgain = await openTask(req.id);
    expect((await people.zhaolei!.post(`/tasks/${confirmAgain.id}/actions/confirm`)).status).toBe(200);
    rec = (await people.zhaolei!.get(`/records/${req.id}`)).body;
    expect(rec.status).toBe('closed');
    expect(rec.closedAt).toBeGreaterThan(0);
  });

  it('a fulfilled request the requester never confirms closes by itself after three days', async () => {
    const req = (await request({ requestType: 'password-reset', account: 'zhaolei@corp' })).body;
    const fulfil = await openTask(req.id, 'zhangwei');
    expect(
      (
        await people[fulfil.assignee as string]!.post(`/tasks/${fulfil.id}/actions/fulfil`, {
          data: { fulfilmentNotes: '已重置' },
        })
      ).status,
    ).toBe(200);
    const confirm = await openTask(req.id);
    const clock = await srv.services
      .db('sla_clocks')
      .where({ record_id: req.id, task_id: confirm.id })
      .first();
    await srv.slaChecker.pass(Number(clock.due_at));
    expect(await status(req.id)).toBe('closed');
  });

  it('a requester who names themselves as manager cannot approve their own request: it waits for an admin', async () => {
    const req = (
      await request({ requestType: 'software-install', software: 'Visio 2021', manager: 'zhaolei' })
    ).body;
    expect(req.status).toBe('awaiting-approval');
    const task = await openTask(req.id);
    expect(task.assignee).toBeNull();
    expect(task.can).toMatchObject({ act: false, claim: false });
    expect((await people.zhaolei!.post(`/tasks/${task.id}/actions/approve`)).status).toBe(403);
    expect((await people.zhaolei!.post(`/tasks/${task.id}/claim`)).status).not.toBe(204);
    expect(await status(req.id)).toBe('awaiting-approval');
    // An admin hands the vote to the real manager.
    expect((await srv.admin.post(`/tasks/${task.id}/approvers`, { username: 'chenjing' })).status).toBe(204);
    expect((await people.chenjing!.post(`/tasks/${task.id}/actions/approve`)).status).toBe(200);
    expect(await status(req.id)).toBe('fulfilling');
  });

  it("a manager's approvals are asked for in the language they chose for themselves", async () => {
    const inboxTitle = async (number: string) =>
      ((await people.chenjing!.get('/inbox')).body.items as { title: string }[]).find((m) =>
        m.title.includes(number),
      )?.title;
    expect((await people.chenjing!.put('/auth/locale', { locale: 'fr' })).status).toBe(400);
    expect((await people.chenjing!.put('/auth/locale', { locale: 'en' })).status).toBe(204);
    expect((await people.chenjing!.get('/auth/session')).body.user.locale).toBe('en');
    const english = (await request({ requestType: 'access', manager: 'chenjing' })).body;
    await waitFor(async () => (await inboxTitle(english.number)) !== undefined, 'the approval message');
    expect(await inboxTitle(english.number)).toMatch(/^Your approval is requested on /);

    expect((await people.chenjing!.put('/auth/locale', { locale: 'zh-CN' })).status).toBe(204);
    const chinese = (await request({ requestType: 'access', manager: 'chenjing' })).body;
    await waitFor(async () => (await inboxTitle(chinese.number)) !== undefined, 'the approval message');
    expect(await inboxTitle(chinese.number)).toMatch(/请您审批/);
  });
});
