import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// What a requester should not be able to do, replayed against the shipped plugins and demo people
// as the review found it: rewrite staff-owned fields, skip the catalog, pick their own approver,
// or find internal work in their requests.

describe.each(testDatabases())('what a requester may touch on %s', (dbName) => {
  let srv: TestServer;
  let zhaolei: ApiClient; // user
  let alice: ApiClient; // user
  let zhangwei: ApiClient; // agent, service-desk
  let wangfang: ApiClient; // agent, second-line + network
  let chenjing: ApiClient; // manager

  beforeAll(async () => {
    srv = await startTestServer(dbName, { pluginsDir: SHIPPED_PLUGINS, demo: true });
    const as = (u: string) => new ApiClient(srv.url).login(u, DEMO_PASSWORD);
    [zhaolei, alice, zhangwei, wangfang, chenjing] = await Promise.all([
      as('zhaolei'),
      as('alice'),
      as('zhangwei'),
      as('wangfang'),
      as('chenjing'),
    ]);
  });
  afterAll(() => srv?.close());

  const tasksOf = async (c: ApiClient, id: number) => (await c.get(`/records/${id}/tasks`)).body.items;
  async function act(c: ApiClient, id: number, action: string, body: Record<string, unknown> = {}) {
    const [task] = await tasksOf(c, id);
    return c.post(`/tasks/${task.id}/actions/${action}`, body);
  }
  const recordCount = async () => (await srv.admin.get('/records?limit=1')).body.total as number;

  /** zhaolei's P4 incident, raised through the portal's catalog and worked by zhangwei. */
  async function incident(title: string) {
    const created = await zhaolei.post('/records', {
      type: 'incident',
      catalogItem: 'incident-catalog/report-incident',
      data: { title, description: '-', category: 'hardware', impact: 3, urgency: 3 },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const [triage] = await tasksOf(zhangwei, created.body.id);
    expect((await zhangwei.post(`/tasks/${triage.id}/claim`)).status).toBe(204);
    expect((await act(zhangwei, created.body.id, 'accept')).status).toBe(200);
    return created.body as { id: number; number: string };
  }

  it('a requester reopening a resolved incident cannot rewrite its impact, urgency, category or title', async () => {
    const inc = await incident('显示器闪烁');
    const resolved = await act(zhangwei, inc.id, 'resolve', {
      data: { resolutionCode: 'fixed', resolutionNotes: '换了数据线' },
    });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    const before = (await zhaolei.get(`/records/${inc.id}`)).body;
    expect(before).toMatchObject({ status: 'resolved', priority: 'P4' });

    // What the requester's step offers: nothing to edit.
    const [confirm] = await tasksOf(zhaolei, inc.id);
    expect(confirm.fieldAccess.editable).toEqual([]);
    const hostile = await zhaolei.post(`/tasks/${confirm.id}/actions/reopen`, {
      data: { impact: 1, urgency: 1, category: 'security', title: '全公司断网' },
    });
    expect(hostile.status).toBe(400);
    const paths = hostile.body.error.details.problems.map((p: { path: string }) => p.path).sort();
    expect(paths).toEqual(['/category', '/impact', '/title', '/urgency']);
    const after = (await zhaolei.get(`/records/${inc.id}`)).body;
    expect(after).toMatchObject({
      status: 'resolved',
      priority: 'P4',
      title: '显示器闪烁',
      version: before.version,
    });

    // The requester may still say it is not fixed, with a comment.
    expect((await zhaolei.post(`/tasks/${confirm.id}/actions/reopen`, { comment: '还是闪' })).status).toBe(
      200,
    );
    expect((await zhaolei.get(`/records/${inc.id}`)).body.status).toBe('in-progress');
  });

  it('a requester step without an editable list edits nothing (a forgotten list fails closed)', async () => {
    await srv.admin.post('/groups', { key: 'fail-closed-desk', name: { en: 'Desk' }, type: 'support' });
    const defs = [
      {
        kind: 'form',
        key: 'fail-closed',
        name: { en: 'Fail closed', 'zh-CN': '默认不可改' },
        numberPrefix: 'FCL',
        schema: { type: 'object', properties: { title: { type: 'string' }, budget: { type: 'number' } } },
        titleField: 'title',
      },
      {
        kind: 'process',
        key: 'fail-closed-flow',
        name: { en: 'Fail closed', 'zh-CN': '默认不可改' },
        form: 'fail-closed',
        nodes: [
          { id: 'start', type: 'start', position: { x: 0, y: 0 } },
          {
            id: 'confirm',
            type: 'userTask',
            name: { en: 'Confirm', 'zh-CN': '确认' },
            position: { x: 1, y: 0 },
            status: 'confirming',
            assignee: { type: 'requester' },
          },
          { id: 'done', type: 'end', position: { x: 2, y: 0 }, outcome: 'resolved' },
        ],
        edges: [
          { id: 'e1', source: 'start', target: 'confirm' },
          {
            id: 'e2',
            source: 'confirm',
            target: 'done',
            action: { key: 'ok', label: { en: 'OK', 'zh-CN': '好' } },
          },
        ],
      },
      {
        kind: 'catalog',
        key: 'fail-closed-catalog',
        name: { en: 'Fail closed', 'zh-CN': '默认不可改' },
        categories: [{ id: 'c', name: { en: 'C', 'zh-CN': 'C' } }],
        items: [
          {
            id: 'ask',
            name: { en: 'Ask', 'zh-CN': '申请' },
            category: 'c',
            form: 'fail-closed',
            process: 'fail-closed-flow',
          },
        ],
      },
    ];
    for (const def of defs) {
      expect((await srv.admin.post('/definitions', def)).status).toBe(201);
      expect((await srv.admin.post(`/definitions/${def.kind}/${def.key}/publish`)).status).toBe(201);
    }
    const rec = await alice.post('/records', {
      type: 'fail-closed',
      catalogItem: 'fail-closed-catalog/ask',
      data: { title: 'x', budget: 10 },
    });
    expect(rec.status, JSON.stringify(rec.body)).toBe(201);
    const refused = await act(alice, rec.body.id, 'ok', { data: { budget: 1_000_000 } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.problems[0].path).toBe('/budget');
    expect((await act(alice, rec.body.id, 'ok')).status).toBe(200);
    expect((await alice.get(`/records/${rec.body.id}`)).body.data.budget).toBe(10);
  });

  it('a requester creates only through a catalog item published to them; staff create what their groups work', async () => {
    const before = await recordCount();
    const onboarding = {
      title: '新员工入职',
      requestType: 'onboarding',
      newHireName: '王五',
      startDate: '2026-12-20',
      department: 'IT',
      manager: 'chenjing',
    };
    // The manager-only item is not published to zhaolei ...
    const throughItem = await zhaolei.post('/records', {
      type: 'service-request',
      catalogItem: 'service-catalog/onboarding',
      data: onboarding,
    });
    expect(throughItem.status).toBe(404);
    // ... and leaving the item out no longer skips that decision.
    const direct = await zhaolei.post('/records', { type: 'service-request', data: onboarding });
    expect(direct.status).toBe(403);
    expect(direct.body.error.code).toBe('catalog_item_required');
    const change = await zhaolei.post('/records', {
      type: 'change',
      data: { title: '改防火墙', changeType: 'normal', risk: 'high', plan: '-', backoutPlan: '-' },
    });
    expect(change.status).toBe(403);
    zhaolei.locale = 'zh-CN';
    const inChinese = await zhaolei.post('/records', { type: 'incident', data: { title: 'x' } });
    zhaolei.locale = 'en';
    expect(inChinese.body.error.message).toContain('服务目录');
    expect(await recordCount()).toBe(before);

    // An agent logs an incident for a caller (the desk works incidents), not a change for the CAB.
    const phoned = await zhangwei.post('/records', {
      type: 'incident',
      requester: 'zhaolei',
      data: { title: '电话报修', description: '-', category: 'hardware', impact: 3, urgency: 3 },
    });
    expect(phoned.status, JSON.stringify(phoned.body)).toBe(201);
    const agentChange = await zhangwei.post('/records', {
      type: 'change',
      data: { title: '改防火墙', changeType: 'normal', risk: 'high', plan: '-', backoutPlan: '-' },
    });
    expect(agentChange.status).toBe(403);
    expect(agentChange.body.error.code).toBe('type_not_worked');
    // A manager raises any type.
    const managerChange = await chenjing.post('/records', {
      type: 'change',
      data: {
        title: '改防火墙',
        description: '-',
        changeType: 'normal',
        risk: 'high',
        plan: '-',
        backoutPlan: '-',
        testPlan: '-',
        windowStart: '2026-12-20T22:00:00+08:00',
        windowEnd: '2026-12-20T23:00:00+08:00',
      },
    });
    expect(managerChange.status, JSON.stringify(managerChange.body)).toBe(201);
    expect(await recordCount()).toBe(before + 2);
  });

  it('a requester cannot pick a colleague without authority as the approving manager', async () => {
    const request = (manager: string) =>
      zhaolei.post('/records', {
        type: 'service-request',
        catalogItem: 'service-catalog/software-install',
        data: { title: '装 Visio', requestType: 'software-install', software: 'Visio', manager },
      });
    const before = await recordCount();
    for (const who of ['alice', 'zhaolei', 'zhangwei', 'nobody-at-all']) {
      const refused = await request(who);
      expect(refused.status, who).toBe(422);
      expect(refused.body.error.code).toBe('not_assignable');
      expect(refused.body.error.details.problems[0].path).toBe('/manager');
      expect(refused.body.error.message).toContain('manager');
    }
    expect(await recordCount()).toBe(before);
    // The picker offers only managers.
    const people = (await zhaolei.get('/people?roles=manager')).body.items.map(
      (p: { username: string }) => p.username,
    );
    expect(people).toContain('chenjing');
    expect(people).not.toContain('alice');

    const ok = await request('chenjing');
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    const [approval] = await tasksOf(chenjing, ok.body.id);
    expect(approval.can.act).toBe(true);
    // Nor can it be moved to someone else while the approval waits: the step locks the field.
    const rec = (await srv.admin.get(`/records/${ok.body.id}`)).body;
    const edit = await srv.admin.patch(`/records/${ok.body.id}`, {
      version: rec.version,
      data: { manager: 'alice' },
    });
    expect(edit.status).toBe(400);
    expect(edit.body.error.details.problems[0].path).toBe('/manager');
    // alice was never asked.
    expect((await alice.get('/tasks?mine=true')).body.items).toEqual([]);
  });

  it('a problem raised from an incident is the agent’s: not in the requester’s requests, and as urgent as the incident', async () => {
    const created = await zhaolei.post('/records', {
      type: 'incident',
      catalogItem: 'incident-catalog/report-incident',
      data: { title: '邮件服务器宕机', description: '-', category: 'software', impact: 1, urgency: 2 },
    });
    expect(created.body.priority).toBe('P2');
    const [triage] = await tasksOf(zhangwei, created.body.id);
    await zhangwei.post(`/tasks/${triage.id}/claim`);
    expect((await act(zhangwei, created.body.id, 'accept')).status).toBe(200);
    expect((await act(zhangwei, created.body.id, 'createProblem')).status).toBe(200);
    const number = (await zhangwei.get(`/records/${created.body.id}`)).body.data.problemNumber as string;
    const problem = (await srv.admin.get(`/records?q=${number}`)).body.items[0];
    expect(problem).toMatchObject({ number, requester: 'zhangwei', priority: 'P2' });

    // Not among zhaolei's requests, not openable, nothing to withdraw.
    const mine = (await zhaolei.get('/records?requester=zhaolei&limit=100')).body.items.map(
      (r: { number: string }) => r.number,
    );
    expect(mine).toContain(created.body.number);
    expect(mine).not.toContain(number);
    expect((await zhaolei.get(`/records/${problem.id}`)).status).toBe(404);
    expect((await zhaolei.post(`/records/${problem.id}/withdraw`)).status).toBe(404);
    // The desk and problem management see it.
    expect((await wangfang.get(`/records/${problem.id}`)).status).toBe(200);
  });
});
