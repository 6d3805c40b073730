import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { formDef, processDef, publishCatalogItems, throughItem } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const statuses = [
  { key: 'in-progress', name: { 'zh-CN': '交付中', en: 'Fulfilling' }, category: 'active' },
  { key: 'resolved', name: { 'zh-CN': '已交付', en: 'Delivered' }, category: 'done' },
];

/**
 * Status names: a form declares its record type's statuses, the record API sends each record's
 * status name and category beside its key, and processes may set only declared statuses.
 */
describe.each(testDatabases())('record statuses on %s', (dbName) => {
  let srv: TestServer;
  let user: ApiClient;
  let agent: ApiClient;

  async function save(def: Record<string, unknown>) {
    const existing = await srv.admin.get(`/definitions/${def.kind}/${def.key}`);
    const saved =
      existing.status === 404
        ? await srv.admin.post('/definitions', def)
        : await srv.admin.put(`/definitions/${def.kind}/${def.key}/draft`, {
            definition: def,
            revision: existing.body.revision,
          });
    expect(saved.status, JSON.stringify(saved.body)).toBeLessThan(300);
    return srv.admin.post(`/definitions/${def.kind}/${def.key}/publish`);
  }

  beforeAll(async () => {
    srv = await startTestServer(dbName);
    const group = await srv.admin.post('/groups', {
      key: 'service-desk',
      name: { en: 'Service desk' },
      type: 'support',
    });
    expect(group.status, JSON.stringify(group.body)).toBe(201);
    user = await srv.userClient('liuyang', ['user']);
    agent = await srv.userClient('chenjing', ['agent'], ['service-desk']);
    expect((await save(formDef('laptop-request', { statuses }))).status).toBe(201);
    expect((await save(processDef())).status).toBe(201);
    await publishCatalogItems(srv.admin, [{ form: 'laptop-request', process: 'laptop-flow' }]);
  });
  afterAll(() => srv?.close());

  const create = async (title: string) => {
    const res = await user.post('/records', throughItem('laptop-request', 'laptop-flow', { title }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };

  it("names a record's status in its view, the list and the other end of a link", async () => {
    const rec = await create('ThinkPad X1');
    expect(rec).toMatchObject({
      status: 'in-progress',
      statusName: { 'zh-CN': '交付中', en: 'Fulfilling' },
      statusCategory: 'active',
    });
    const other = await create('MacBook Pro');
    const listed = (await agent.get('/records?type=laptop-request')).body.items;
    expect(listed.map((r: { statusName: unknown }) => r.statusName)).toEqual([
      statuses[0]!.name,
      statuses[0]!.name,
    ]);
    expect(
      (await agent.post(`/records/${rec.id}/links`, { to: other.number, relation: 'related-to' })).status,
    ).toBe(201);
    const [link] = (await agent.get(`/records/${rec.id}/links`)).body.items;
    expect(link.record).toMatchObject({ status: 'in-progress', statusCategory: 'active' });

    // Resolved by its process's end: the outcome is the status, named as the form declares it.
    const [task] = (await agent.get(`/records/${other.id}/tasks`)).body.items;
    expect((await agent.post(`/tasks/${task.id}/claim`)).status).toBe(204);
    expect((await agent.post(`/tasks/${task.id}/actions/resolve`, {})).status).toBe(200);
    expect((await agent.get(`/records/${other.id}`)).body).toMatchObject({
      status: 'resolved',
      statusName: { en: 'Delivered' },
      statusCategory: 'done',
    });
  });

  it('names the system statuses a form does not declare, and lists them after its own', async () => {
    const form = (await user.get('/forms/laptop-request')).body;
    // Its own first (renaming the default lifecycle's in-progress and resolved), then the rest.
    expect(form.statuses.map((s: { key: string }) => s.key)).toEqual([
      'in-progress',
      'resolved',
      'new',
      'closed',
      'withdrawn',
    ]);
    const rec = await create('Dell XPS');
    expect((await user.post(`/records/${rec.id}/withdraw`, {})).status).toBe(204);
    expect((await user.get(`/records/${rec.id}`)).body).toMatchObject({
      status: 'withdrawn',
      statusName: { 'zh-CN': '已撤回', en: 'Withdrawn' },
      statusCategory: 'done',
    });
  });

  it('refuses a process setting a status its form does not declare, naming the node and the status', async () => {
    const bad = processDef('laptop-flow-2');
    (bad.nodes[1] as Record<string, unknown>).status = 'shipping';
    const created = await srv.admin.post('/definitions', bad);
    expect(created.status).toBe(201);
    const published = await srv.admin.post('/definitions/process/laptop-flow-2/publish');
    expect(published.status).toBe(422);
    expect(JSON.stringify(published.body)).toContain('ref.status');
    expect(JSON.stringify(published.body)).toContain('shipping');
  });

  it('renames a status on every record, old ones included, when a new form version renames it', async () => {
    const before = await create('Surface');
    const renamed = [{ ...statuses[0]!, name: { 'zh-CN': '配送中', en: 'On its way' } }, statuses[1]!];
    expect((await save(formDef('laptop-request', { statuses: renamed }))).status).toBe(201);
    const view = (await agent.get(`/records/${before.id}`)).body;
    expect(view.formVersion).toBe(1);
    expect(view.statusName).toEqual({ 'zh-CN': '配送中', en: 'On its way' });
  });

  it('refuses a second record type numbered like the first (their numbers would collide)', async () => {
    const res = await save(formDef('desk-request'));
    expect(res.status).toBe(422);
    expect(res.body.error.details.problems).toEqual([
      expect.objectContaining({ code: 'form.numberPrefix.taken', path: '/numberPrefix' }),
    ]);
  });

  it('where the form declares no statuses, only the system statuses have names', async () => {
    expect((await save(formDef('desk-request', { numberPrefix: 'DSK' }))).status).toBe(201);
    expect((await save(processDef('desk-flow', 'desk-request'))).status).toBe(201);
    await publishCatalogItems(srv.admin, [{ form: 'desk-request', process: 'desk-flow' }]);
    const res = await user.post(
      '/records',
      throughItem('desk-request', 'desk-flow', { title: 'Standing desk' }),
    );
    // in-progress is a system status (the default lifecycle's), so it has the system's name.
    expect(res.body).toMatchObject({
      status: 'in-progress',
      statusName: { 'zh-CN': '处理中', en: 'In progress' },
      statusCategory: 'active',
    });
  });
});
