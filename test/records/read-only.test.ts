import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { REPORT_INCIDENT } from './helpers.ts';

const BY_PROCESS = {
  en: 'is set by the process and cannot be entered by hand',
  'zh-CN': '由流程设置，不能手工填写',
};

/** The shipped catalog item the requester asks for software through. */
const SOFTWARE_INSTALL = 'service-catalog/software-install';

/**
 * Fields a form's schema marks `readOnly` are filled by the process, never by a person: not when
 * creating, not when editing, not with a task action, at any depth. Checked on the shipped forms.
 */
describe.each(testDatabases())('read-only fields on %s', (dbName) => {
  let srv: TestServer;
  let requester: ApiClient;
  let agent: ApiClient;
  let manager: ApiClient;
  beforeAll(async () => {
    srv = await startTestServer(dbName, { pluginsDir: SHIPPED_PLUGINS, demo: true });
    const as = (u: string) => new ApiClient(srv.url).login(u, DEMO_PASSWORD);
    [requester, agent, manager] = await Promise.all([as('zhaolei'), as('zhangwei'), as('chenjing')]);
  });
  afterAll(() => srv?.close());

  const softwareRequest = {
    title: 'Visio 专业版',
    requestType: 'software-install',
    manager: 'chenjing',
    software: 'Visio 2024',
  };

  it('refuses a requester who marks their own request approved, and writes nothing', async () => {
    const before = (await srv.admin.get('/records?type=service-request')).body.total;
    const res = await requester.post('/records', {
      type: 'service-request',
      catalogItem: SOFTWARE_INSTALL,
      data: { ...softwareRequest, approved: true },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.problems).toEqual([{ path: '/approved', message: BY_PROCESS }]);
    expect((await srv.admin.get('/records?type=service-request')).body.total).toBe(before);

    // The approval sets it, and then no one may change it by hand.
    const created = await requester.post('/records', {
      type: 'service-request',
      catalogItem: SOFTWARE_INSTALL,
      data: softwareRequest,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.data.approved).toBeUndefined();
    const [task] = (await manager.get(`/records/${created.body.id}/tasks`)).body.items;
    const approve = task.actions.find((a: { key: string }) => a.key === 'approve');
    expect(approve, JSON.stringify(task.actions)).toBeDefined();
    const forged = await manager.post(`/tasks/${task.id}/actions/approve`, {
      data: { approved: false },
    });
    expect(forged.status).toBe(400);
    expect(forged.body.error.details.problems).toEqual([{ path: '/approved', message: BY_PROCESS }]);
    expect((await manager.post(`/tasks/${task.id}/actions/approve`)).status).toBe(200);
    const approved = (await agent.get(`/records/${created.body.id}`)).body;
    expect(approved.data.approved).toBe(true);
    const edit = await agent.patch(`/records/${approved.id}`, {
      version: approved.version,
      data: { approved: false },
    });
    expect(edit.status).toBe(400);
    expect(edit.body.error.details.problems).toEqual([{ path: '/approved', message: BY_PROCESS }]);
    // Sending the value it has is no change.
    const same = await agent.patch(`/records/${approved.id}`, {
      version: approved.version,
      data: { approved: true },
    });
    expect(same.status, JSON.stringify(same.body)).toBe(200);
    expect(same.body.version).toBe(approved.version);
  });

  it('derives a priority at create and on edit, but takes none by hand', async () => {
    const incident = {
      title: '打印机卡纸',
      description: '三楼打印机',
      category: 'hardware',
      impact: 3,
      urgency: 3,
    };
    const forged = await requester.post('/records', {
      type: 'incident',
      catalogItem: REPORT_INCIDENT,
      data: { ...incident, priority: 'P1' },
    });
    expect(forged.status).toBe(400);
    expect(forged.body.error.details.problems).toEqual([{ path: '/priority', message: BY_PROCESS }]);

    const created = await requester.post('/records', {
      type: 'incident',
      catalogItem: REPORT_INCIDENT,
      data: incident,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.priority).toBe('P4');
    const [task] = (await agent.get(`/records/${created.body.id}/tasks`)).body.items;
    expect((await agent.post(`/tasks/${task.id}/claim`)).status).toBe(204);
    const rec = (await agent.get(`/records/${created.body.id}`)).body;
    // The one problem is the read-only field; the rule that also locks it does not repeat it.
    const byHand = await agent.patch(`/records/${rec.id}`, {
      version: rec.version,
      data: { priority: 'P1' },
    });
    expect(byHand.status).toBe(400);
    expect(byHand.body.error.details.problems).toEqual([{ path: '/priority', message: BY_PROCESS }]);
    const derived = await agent.patch(`/records/${rec.id}`, {
      version: rec.version,
      data: { impact: 1, urgency: 2 },
    });
    expect(derived.status, JSON.stringify(derived.body)).toBe(200);
    expect(derived.body.priority).toBe('P2');
  });

  it("refuses an application's CI/CD status or merge request given with a new release", async () => {
    const release = (apps: unknown[]) =>
      requester.post('/records', {
        type: 'release',
        catalogItem: 'release-catalog/request-release',
        data: { title: '七月版本发布', apps },
      });
    const forged = await release([
      { name: 'order-service' },
      { name: 'pay-service', status: '有变更未发布', mr: '!42' },
    ]);
    expect(forged.status).toBe(400);
    expect(forged.body.error.details.problems).toEqual([
      { path: '/apps/1/status', message: BY_PROCESS },
      { path: '/apps/1/mr', message: BY_PROCESS },
    ]);
    // The default, sent as a form sends it, is what the process starts from.
    const ok = await release([{ name: 'order-service', status: '未发布' }, { name: 'pay-service' }]);
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.data.apps).toEqual([
      { name: 'order-service', status: '未发布' },
      { name: 'pay-service', status: '未发布' },
    ]);
  });
});
