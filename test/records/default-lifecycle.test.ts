import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const form = (key: string, extra: Record<string, unknown> = {}) => ({
  kind: 'form',
  key,
  name: { 'zh-CN': '门禁卡申请', en: 'Badge request' },
  numberPrefix: key.toUpperCase().slice(0, 5),
  schema: { type: 'object', required: ['title'], properties: { title: { type: 'string', minLength: 2 } } },
  titleField: 'title',
  ...extra,
});

/**
 * Every record type has a lifecycle: a form no process runs on follows the default one the
 * runtime ships (plugins/opsloom-lifecycle, a process for any form), handled by the form's
 * handling group, and publishing such a form says so in both languages.
 */
describe.each(testDatabases())('the default lifecycle on %s', (dbName) => {
  let srv: TestServer;
  let plugins: string;
  let agent: ApiClient;
  let outsider: ApiClient;
  let requester: ApiClient;

  beforeAll(async () => {
    // Only the lifecycle plugin: no other type's process is around.
    plugins = fs.mkdtempSync(path.join(os.tmpdir(), 'opsloom-lifecycle-'));
    fs.cpSync(path.join(SHIPPED_PLUGINS, 'opsloom-lifecycle'), path.join(plugins, 'opsloom-lifecycle'), {
      recursive: true,
    });
    srv = await startTestServer(dbName, { pluginsDir: plugins });
    expect(srv.plugins.map((p) => [p.name, p.status])).toEqual([['opsloom-lifecycle', 'installed']]);
    for (const key of ['facilities', 'network'])
      expect(
        (
          await srv.admin.post('/groups', {
            key,
            name: { 'zh-CN': `组 ${key}`, en: `Group ${key}` },
            type: 'support',
          })
        ).status,
      ).toBe(201);
    agent = await srv.userClient('fac-agent', ['agent'], ['facilities']);
    outsider = await srv.userClient('net-agent', ['agent'], ['network']);
    requester = await srv.userClient('badge-user', ['user']);
  });
  afterAll(async () => {
    await srv?.close();
    fs.rmSync(plugins, { recursive: true, force: true });
  });

  async function publish(def: Record<string, unknown>) {
    expect((await srv.admin.post('/definitions', def)).status).toBe(201);
    const res = await srv.admin.post(`/definitions/${def.kind}/${def.key}/publish`);
    expect(res.status).toBe(201);
    return res.body as { version: number; notices: { code: string; message: Record<string, string> }[] };
  }
  const openTask = async (c: ApiClient, id: number) => (await c.get(`/records/${id}/tasks`)).body.items[0];
  async function act(c: ApiClient, id: number, action: string) {
    const task = await openTask(c, id);
    expect(task, `an open task for ${action}`).toBeTruthy();
    const res = await c.post(`/tasks/${task.id}/actions/${action}`, {});
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }

  it('publishing a form no process runs on says the default lifecycle applies, and who handles it', async () => {
    const published = await publish(form('badge', { group: 'facilities' }));
    expect(published.notices).toHaveLength(1);
    const [notice] = published.notices;
    expect(notice!.code).toBe('form.default_lifecycle');
    expect(notice!.message.en).toContain('default lifecycle "Default lifecycle"');
    expect(notice!.message.en).toContain('handled by group Group facilities');
    expect(notice!.message['zh-CN']).toContain('默认生命周期“默认生命周期”');
    expect(notice!.message['zh-CN']).toContain('由用户组“组 facilities”处理');

    const loose = await publish(form('parking'));
    expect(loose.notices[0]!.code).toBe('form.default_lifecycle');
    expect(loose.notices[0]!.message.en).toContain('dispatched by a manager');
    expect(loose.notices[0]!.message['zh-CN']).toContain('未指定处理组');
  });

  it('a form whose type has its own process gets no notice', async () => {
    await publish(form('own'));
    await publish({
      kind: 'process',
      key: 'own-flow',
      name: 'Own',
      form: 'own',
      nodes: [
        { id: 'start', type: 'start', position: { x: 0, y: 0 } },
        { id: 'end', type: 'end', position: { x: 0, y: 0 }, outcome: 'done' },
      ],
      edges: [{ id: 'e', source: 'start', target: 'end' }],
    });
    const got = (await srv.admin.get('/definitions/form/own')).body;
    const { version: _, ...def } = got.published;
    const again = await srv.admin.put('/definitions/form/own/draft', {
      revision: got.revision,
      definition: { ...def, description: 'changed' },
    });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    const res = await srv.admin.post('/definitions/form/own/publish');
    expect(res.status).toBe(201);
    expect(res.body.notices).toEqual([]);
  });

  it('a record of such a type is in its handling group, goes new → in progress → resolved → closed', async () => {
    const created = await srv.admin.post('/records', {
      type: 'badge',
      requester: 'badge-user',
      data: { title: '新员工门禁卡' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as number;
    expect(created.body.status).toBe('new');
    expect(created.body.statusName).toEqual({ 'zh-CN': '新建', en: 'New' });
    expect(created.body.group).toBe('facilities');

    // The task is the group's: its agent sees the record and may claim it; another group's does not.
    const task = await openTask(agent, id);
    expect(task).toMatchObject({ node: 'handle', group: 'facilities', assignee: null });
    expect((await outsider.get(`/records/${id}`)).status).toBe(404);
    expect((await agent.post(`/tasks/${task.id}/claim`, {})).status).toBe(204);

    await act(agent, id, 'start');
    let rec = (await agent.get(`/records/${id}`)).body;
    expect([rec.status, rec.statusName.en, rec.assignee]).toEqual([
      'in-progress',
      'In progress',
      'fac-agent',
    ]);

    await act(agent, id, 'resolve');
    rec = (await agent.get(`/records/${id}`)).body;
    expect([rec.status, rec.statusName['zh-CN']]).toEqual(['resolved', '已解决']);
    expect(rec.resolvedAt).not.toBeNull();

    // The requester confirms it in the portal: closed.
    await act(requester, id, 'close');
    rec = (await srv.admin.get(`/records/${id}`)).body;
    expect([rec.status, rec.statusName.en]).toEqual(['closed', 'Closed']);
    expect(rec.closedAt).not.toBeNull();
    const history = (await srv.admin.get(`/records/${id}/history`)).body.items;
    expect(history.find((e: { kind: string }) => e.kind === 'process').names.process).toEqual({
      'zh-CN': '默认生命周期',
      en: 'Default lifecycle',
    });
  });

  it('a type without a handling group goes to the managers to dispatch', async () => {
    const manager = await srv.userClient('fac-manager', ['manager']);
    const id = (await srv.admin.post('/records', { type: 'parking', data: { title: '访客车位' } })).body.id;
    const task = await openTask(manager, id);
    expect(task).toMatchObject({ node: 'handleAny', group: null });
    expect((await manager.post(`/tasks/${task.id}/claim`, {})).status).toBe(204);
    await act(manager, id, 'resolve');
    expect((await srv.admin.get(`/records/${id}`)).body.status).toBe('resolved');
  });

  it('without a default lifecycle, publishing says the records would wait in New', async () => {
    expect((await srv.admin.post('/definitions/process/default-lifecycle/retire')).status).toBe(200);
    const published = await publish(form('orphan'));
    expect(published.notices.map((n) => n.code)).toEqual(['form.no_process']);
    expect(published.notices[0]!.message['zh-CN']).toContain('停留在“新建”');
    const rec = (await srv.admin.post('/records', { type: 'orphan', data: { title: '无流程' } })).body;
    expect(rec.status).toBe('new');
    expect(rec.group).toBeNull();
  });
});
