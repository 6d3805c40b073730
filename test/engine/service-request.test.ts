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

  /** The shipped catalog's item for each request type zhaolei asks for. */
  const ITEMS: Record<string, string> = {
    'password-reset': 'password-reset',
    'software-install': 'software-install',
    access: 'access-request',
  };
  /** zhaolei's request through the catalog item of its type, as requesters raise them. */
  const request = async (data: Record<string, unknown>, who = 'zhaolei') =>
    people[who]!.post('/records', {
      type: 'service-request',
      catalogItem: `service-catalog/${ITEMS[data.requestType as string]}`,
      data: { title: '申请', ...data },
    });
  /** A request the service desk logs for zhaolei (a phone call): no catalog item. */
  const logged = async (data: Record<string, unknown>) =>
    people.zhangwei!.post('/records', {
      type: 'service-request',
      requester: 'zhaolei',
      data: { title: '申请', ...data },
    });
  const openTask = async (id: number, who = 'zhaolei') =>
    (await people[who]!.get(`/records/${id}/tasks`)).body.items.find(
      (t: { status: string }) => t.status === 'open',
    );
  const status = async (id: number, who = 'zhaolei') =>
    (await people[who]!.get(`/records/${id}`)).body.status as string;
  /** A request through an item of the shipped service catalog, as the portal sends it. */
  const throughItem = (item: string, body: Record<string, unknown> = {}, who = 'zhaolei') =>
    people[who]!.post('/records', {
      type: 'service-request',
      catalogItem: `service-catalog/${item}`,
      data: {},
      ...body,
    });
  const fulfilment = async (id: number) =>
    ((await srv.admin.get(`/records/${id}/sla`)).body.items as Record<string, unknown>[]).filter(
      (m) => m.sla === 'service-request-sla',
    );

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

  it('a manager who names themselves as manager cannot approve their own request: it waits for an admin', async () => {
    // A requester may name only a manager (x-assignable; test/security/requester-access covers
    // the refusal), so the approver-is-the-requester case is a manager's own request.
    const req = (
      await request(
        { requestType: 'software-install', software: 'Visio 2021', manager: 'chenjing' },
        'chenjing',
      )
    ).body;
    expect(req.status).toBe('awaiting-approval');
    const task = await openTask(req.id, 'chenjing');
    expect(task.assignee).toBeNull();
    expect(task.can).toMatchObject({ act: false, claim: false });
    expect((await people.chenjing!.post(`/tasks/${task.id}/actions/approve`)).status).toBe(403);
    expect((await people.chenjing!.post(`/tasks/${task.id}/claim`)).status).not.toBe(204);
    expect(await status(req.id, 'chenjing')).toBe('awaiting-approval');
    // An admin hands the vote to another manager.
    const other = await srv.userClient('sunmin', ['manager']);
    expect((await srv.admin.post(`/tasks/${task.id}/approvers`, { username: 'sunmin' })).status).toBe(204);
    expect((await other.post(`/tasks/${task.id}/actions/approve`)).status).toBe(200);
    expect(await status(req.id, 'chenjing')).toBe('fulfilling');
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

  it('a request through a catalog item is held to the item: its audience, form, process and fixed fields', async () => {
    const total = async () => (await srv.admin.get('/records?type=service-request&limit=1')).body.total;
    const before = await total();
    const problems = (res: { body: { error: { details: { problems: { path: string }[] } } } }) =>
      res.body.error.details.problems.map((p) => p.path);

    // A password reset cannot be turned into a software install, whatever the client sends.
    const sneaky = await throughItem('password-reset', {
      data: { title: '装个软件', requestType: 'software-install', software: 'Visio', manager: 'chenjing' },
    });
    expect(sneaky.status).toBe(400);
    expect(problems(sneaky)).toEqual(['/requestType']);
    for (const [field, value] of [
      ['type', 'incident'],
      ['process', 'incident-flow'],
    ] as const) {
      const res = await throughItem('password-reset', { [field]: value, data: { account: 'zhaolei@corp' } });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'catalog_item_mismatch' });
      expect(res.body.error.message).toContain(field);
    }
    // An item not published to the requester is as unknown as one that does not exist.
    const onboarding = {
      title: '新员工',
      newHireName: '王五',
      startDate: '2027-01-04',
      department: '财务部',
    };
    expect((await throughItem('onboarding', { data: { ...onboarding, manager: 'chenjing' } })).status).toBe(
      404,
    );
    expect((await throughItem('no-such-item')).status).toBe(404);
    const malformed = await people.zhaolei!.post('/records', {
      type: 'service-request',
      catalogItem: 'password-reset',
      data: { title: 'x', requestType: 'password-reset', account: 'a' },
    });
    expect(malformed.status).toBe(400);
    expect(problems(malformed)).toEqual(['/catalogItem']);
    expect(await total()).toBe(before);

    // The item's defaults fill what was left out, a text per language in the requester's own.
    const reset = await throughItem('password-reset', { data: { account: 'zhaolei@corp' } });
    expect(reset.status, JSON.stringify(reset.body)).toBe(201);
    expect(reset.body).toMatchObject({
      status: 'fulfilling',
      title: '密码重置',
      data: { requestType: 'password-reset', account: 'zhaolei@corp' },
      catalogItem: {
        ref: 'service-catalog/password-reset',
        name: { 'zh-CN': '密码重置', en: 'Password reset' },
      },
    });
    // Sending the fixed value itself (as the portal does) is what the item is.
    const same = await throughItem('password-reset', {
      data: { title: '忘记密码', requestType: 'password-reset', account: 'zhaolei@corp' },
    });
    expect(same.status).toBe(201);
    // Onboarding is published to managers.
    const hire = await throughItem(
      'onboarding',
      { data: { ...onboarding, manager: 'chenjing' } },
      'chenjing',
    );
    expect(hire.status, JSON.stringify(hire.body)).toBe(201);
    expect(hire.body.data.requestType).toBe('onboarding');

    // Lists filter by item; a record the desk logged without one has none.
    const plain = (await logged({ requestType: 'password-reset', account: 'zhaolei@corp' })).body;
    expect(plain.catalogItem).toBeNull();
    const listed = (
      await people.zhangwei!.get('/records?catalogItem=service-catalog/password-reset&limit=100')
    ).body.items as { id: number; catalogItem: { ref: string } }[];
    expect(listed.map((r) => r.id)).toEqual(expect.arrayContaining([reset.body.id, same.body.id]));
    expect(listed.map((r) => r.id)).not.toContain(plain.id);
    expect(new Set(listed.map((r) => r.catalogItem.ref))).toEqual(
      new Set(['service-catalog/password-reset']),
    );
  });

  it('staff raise a request through an item for someone it is published to, in their language', async () => {
    const onboarding = {
      title: '新员工',
      newHireName: '王五',
      startDate: '2027-01-04',
      department: '财务部',
    };
    // Onboarding is published to managers: zhangwei may log it for chenjing, not for zhaolei.
    const forUser = await throughItem(
      'onboarding',
      { requester: 'zhaolei', data: { ...onboarding, manager: 'chenjing' } },
      'zhangwei',
    );
    expect(forUser.status).toBe(404);
    const forManager = await throughItem(
      'onboarding',
      { requester: 'chenjing', data: { ...onboarding, manager: 'chenjing' } },
      'zhangwei',
    );
    expect(forManager.status, JSON.stringify(forManager.body)).toBe(201);
    expect(forManager.body).toMatchObject({
      requester: 'chenjing',
      catalogItem: { ref: 'service-catalog/onboarding' },
    });
    // Left out, the item's title is the one in the requester's language (alice reads English).
    const reset = await throughItem(
      'password-reset',
      { requester: 'alice', data: { account: 'alice@corp' } },
      'zhangwei',
    );
    expect(reset.status, JSON.stringify(reset.body)).toBe(201);
    expect(reset.body).toMatchObject({ requester: 'alice', title: 'Password reset' });
    // The workspace offers each record type's items.
    const types = (await people.zhangwei!.get('/forms')).body.items as {
      key: string;
      catalogItems: { ref: string; process: string; fixed: string[] }[];
    }[];
    const sr = types.find((t) => t.key === 'service-request')!;
    expect(sr.catalogItems.map((i) => i.ref)).toEqual([
      'service-catalog/password-reset',
      'service-catalog/software-install',
      'service-catalog/onboarding',
      'service-catalog/access-request',
    ]);
    expect(sr.catalogItems[0]).toMatchObject({ process: 'service-request-flow', fixed: ['requestType'] });
    expect(types.find((t) => t.key === 'problem')!.catalogItems).toEqual([]);
  });

  it("the catalog tells each item's requester the target its requests are held to", async () => {
    const items = (await people.zhaolei!.get('/catalog')).body.items as {
      ref: string;
      serviceLevel: {
        name: unknown;
        targets: { metric: unknown; minutes: number; calendar: unknown }[];
      } | null;
    }[];
    const level = (ref: string) => items.find((i) => i.ref === ref)!.serviceLevel;
    expect(level('service-catalog/password-reset')).toMatchObject({
      name: { 'zh-CN': '服务请求 SLA', en: 'Service request SLA' },
      targets: [
        {
          metric: { 'zh-CN': '履行', en: 'Fulfilment' },
          minutes: 120,
          calendar: { 'zh-CN': '5×8 工作时间', en: '5×8 business hours' },
        },
      ],
    });
    expect(level('service-catalog/software-install')!.targets.map((x) => x.minutes)).toEqual([1440]);
    // An incident's targets follow its priority, unknown before it is reported: none is promised.
    expect(level('incident-catalog/report-incident')).toMatchObject({
      name: { 'zh-CN': '故障 SLA', en: 'Incident SLA' },
      targets: [],
    });
  });

  it("each catalog item has its own fulfilment target, paused while a manager's approval is awaited", async () => {
    const reset = (await throughItem('password-reset', { data: { account: 'zhaolei@corp' } })).body;
    expect(await fulfilment(reset.id)).toEqual([
      expect.objectContaining({ goal: 'password-reset', targetMinutes: 120, state: 'running', cycle: 1 }),
    ]);
    const install = (
      await throughItem('software-install', {
        data: { title: '装 Visio', software: 'Visio', manager: 'chenjing' },
      })
    ).body;
    expect(install.status).toBe('awaiting-approval');
    expect(await fulfilment(install.id)).toEqual([
      expect.objectContaining({ goal: 'software', targetMinutes: 1440, state: 'paused' }),
    ]);
    const approval = await openTask(install.id, 'chenjing');
    expect((await people.chenjing!.post(`/tasks/${approval.id}/actions/approve`)).status).toBe(200);
    expect(await fulfilment(install.id)).toEqual([
      expect.objectContaining({ goal: 'software', state: 'running' }),
    ]);
    // A request logged without an item gets the SLA's other goal.
    const plain = (await logged({ requestType: 'access', manager: 'chenjing' })).body;
    expect(await fulfilment(plain.id)).toEqual([
      expect.objectContaining({ goal: 'other', targetMinutes: 960 }),
    ]);

    // Fulfilled in time: met.
    const task = await openTask(reset.id, 'zhangwei');
    expect(
      (
        await people[task.assignee as string]!.post(`/tasks/${task.id}/actions/fulfil`, {
          data: { fulfilmentNotes: '已重置' },
        })
      ).status,
    ).toBe(200);
    expect(await fulfilment(reset.id)).toEqual([expect.objectContaining({ state: 'stopped', met: true })]);
  });
});
