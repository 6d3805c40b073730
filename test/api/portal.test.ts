import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { DEMO_PASSWORD } from '../support/plugins.ts';
import { LAPTOP_ITEM, publishPortalFixtures } from '../support/portal-fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** What the portal reads and does: catalog, forms, my tasks, withdraw and rating. */
describe.each(testDatabases())('portal API on %s', (dbName) => {
  let srv: TestServer;
  const as: Record<string, ApiClient> = {};
  beforeAll(async () => {
    srv = await startTestServer(dbName, { demo: true });
    for (const u of ['zhaolei', 'alice', 'zhangwei', 'lina', 'chenjing'])
      as[u] = await new ApiClient(srv.url).login(u, DEMO_PASSWORD);
    await publishPortalFixtures(srv.admin, 'lina,chenjing');
  });
  afterAll(() => srv?.close());

  async function request(who = 'zhaolei') {
    const res = await as[who]!.post('/records', {
      type: 'laptop-request',
      process: 'laptop-flow',
      catalogItem: LAPTOP_ITEM,
      data: { title: '新电脑', reason: '旧电脑坏了', model: 'x1' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: number; number: string };
  }
  const myTasks = async (who: string) => (await as[who]!.get('/tasks?mine=true')).body.items;
  async function act(who: string, id: number, action: string, body: object = {}) {
    const [task] = (await as[who]!.get(`/records/${id}/tasks`)).body.items;
    return as[who]!.post(`/tasks/${task.id}/actions/${action}`, body);
  }

  const ids = async (who: string) =>
    ((await as[who]!.get('/catalog')).body.items as { id: string }[]).map((i) => i.id).sort();

  it('lists the catalog narrowed by visibleTo, with pinyin initials of every reading', async () => {
    expect(await ids('zhaolei')).toEqual(['laptop', 'password']);
    expect(await ids('zhangwei')).toEqual(['desk-only', 'laptop', 'password']);
    expect(await ids('chenjing')).toEqual(['laptop', 'managers-only', 'password']);
    expect(await ids('zhangwei')).not.toContain('managers-only');
    const body = (await as.zhaolei!.get('/catalog')).body;
    const password = body.items.find((i: { id: string }) => i.id === 'password');
    // 重 reads zhòng and chóng: both initials are offered, so mmcz finds 密码重置.
    expect(password.search).toEqual(expect.arrayContaining(['密码重置', 'mmcz', 'mmzz', 'mimachongzhi']));
    expect(password).toMatchObject({ form: 'laptop-request', process: 'laptop-flow', catalog: 'it-catalog' });
    expect(body.categories.map((c: { id: string }) => c.id)).toEqual(['hardware', 'accounts']);
    expect((await srv.client().get('/catalog')).status).toBe(401);
  });

  it('serves a published form to any logged-in person, 404 for one not published', async () => {
    const res = await as.zhaolei!.get('/forms/laptop-request');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ key: 'laptop-request', version: 1, titleField: 'title' });
    expect(res.body.schema.required).toEqual(['title', 'reason']);
    expect((await as.zhaolei!.get('/forms/no-such-form')).status).toBe(404);
    expect((await srv.client().get('/forms/laptop-request')).status).toBe(401);
  });

  it('lists the tasks waiting for the caller, with record number and title', async () => {
    const rec = await request();
    const lina = await myTasks('lina');
    expect(lina).toContainEqual(
      expect.objectContaining({ recordId: rec.id, number: rec.number, title: '新电脑', approvalMode: 'all' }),
    );
    expect((lina[0].name as Record<string, string>)['zh-CN']).toBe('会签审批');
    expect(await myTasks('zhaolei')).toEqual([]);
    expect((await act('lina', rec.id, 'approve')).status).toBe(200);
    // lina has voted: the 会签 task waits for chenjing only.
    expect((await myTasks('lina')).map((t: { recordId: number }) => t.recordId)).not.toContain(rec.id);
    expect((await myTasks('chenjing')).map((t: { recordId: number }) => t.recordId)).toContain(rec.id);
    // The fulfilment step is claimable by the service desk, not yet theirs.
    expect((await act('chenjing', rec.id, 'approve')).status).toBe(200);
    const desk = (await as.zhangwei!.get('/tasks?claimable=true')).body.items;
    expect(desk).toContainEqual(expect.objectContaining({ recordId: rec.id, reason: 'claim' }));
    expect((await myTasks('zhangwei')).map((t: { recordId: number }) => t.recordId)).not.toContain(rec.id);
  });

  it('lets the requester withdraw: tasks cancelled, status withdrawn, closed; 409 afterwards', async () => {
    const rec = await request();
    expect((await as.lina!.post(`/records/${rec.id}/withdraw`)).status).toBe(403);
    expect((await as.alice!.post(`/records/${rec.id}/withdraw`)).status).toBe(404);
    expect((await as.zhaolei!.post(`/records/${rec.id}/withdraw`, { reason: '不需要了' })).status).toBe(204);
    const after = (await as.zhaolei!.get(`/records/${rec.id}`)).body;
    expect(after.status).toBe('withdrawn');
    expect(after.closedAt).toEqual(expect.any(Number));
    expect((await as.zhaolei!.get(`/records/${rec.id}/tasks`)).body.items).toEqual([]);
    expect((await myTasks('lina')).map((t: { recordId: number }) => t.recordId)).not.toContain(rec.id);
    const again = await as.zhaolei!.post(`/records/${rec.id}/withdraw`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('record_closed');
    const history = (await as.zhaolei!.get(`/records/${rec.id}/history`)).body.items;
    expect(history).toContainEqual(
      expect.objectContaining({ kind: 'field', field: 'status', to: 'withdrawn', actor: 'zhaolei' }),
    );
    expect(history).toContainEqual(
      expect.objectContaining({
        kind: 'transition',
        detail: expect.objectContaining({ action: 'withdraw' }),
      }),
    );
    const comments = (await as.zhaolei!.get(`/records/${rec.id}/comments`)).body.items;
    expect(comments.map((c: { body: string }) => c.body)).toContain('不需要了');
  });

  it('takes one rating from the requester once the request is resolved', async () => {
    const rec = await request();
    const stars = { attitude: 5, speed: 4, quality: 3 };
    const early = await as.zhaolei!.post(`/records/${rec.id}/rating`, stars);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('not_resolved');
    expect((await act('lina', rec.id, 'approve')).status).toBe(200);
    expect((await act('chenjing', rec.id, 'approve')).status).toBe(200);
    const [fulfil] = (await as.zhangwei!.get(`/records/${rec.id}/tasks`)).body.items;
    expect((await as.zhangwei!.post(`/tasks/${fulfil.id}/claim`)).status).toBe(204);
    expect((await act('zhangwei', rec.id, 'resolve', { data: { notes: '已发放 X1' } })).status).toBe(200);
    expect((await as.zhaolei!.get(`/records/${rec.id}`)).body.resolvedAt).toEqual(expect.any(Number));

    expect((await as.zhaolei!.get(`/records/${rec.id}/rating`)).body).toEqual({ rating: null });
    expect((await as.zhaolei!.post(`/records/${rec.id}/rating`, { ...stars, speed: 6 })).status).toBe(400);
    expect((await as.lina!.post(`/records/${rec.id}/rating`, stars)).status).toBe(403);
    const rated = await as.zhaolei!.post(`/records/${rec.id}/rating`, { ...stars, comment: '很快' });
    expect(rated.status, JSON.stringify(rated.body)).toBe(201);
    expect(rated.body).toMatchObject({ ...stars, comment: '很快', by: 'zhaolei', recordId: rec.id });
    const twice = await as.zhaolei!.post(`/records/${rec.id}/rating`, stars);
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('already_rated');
    expect((await as.zhangwei!.get(`/records/${rec.id}/rating`)).body.rating).toMatchObject(stars);
    expect((await as.alice!.get(`/records/${rec.id}/rating`)).status).toBe(404);
  });

  it('still names the service of requests whose catalog item was taken out since', async () => {
    const res = await as.zhaolei!.post('/records', {
      type: 'laptop-request',
      catalogItem: 'it-catalog/laptop',
      data: { title: '新电脑', reason: '旧电脑坏了', model: 'x1' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const named = res.body.catalogItem;
    expect(named).toMatchObject({ ref: 'it-catalog/laptop', name: expect.any(Object) });

    const detail = (await srv.admin.get('/definitions/catalog/it-catalog')).body;
    const without = {
      ...detail.definition,
      items: detail.definition.items.filter((i: { id: string }) => i.id !== 'laptop'),
    };
    const saved = await srv.admin.put('/definitions/catalog/it-catalog/draft', {
      revision: detail.revision,
      definition: without,
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect((await srv.admin.post('/definitions/catalog/it-catalog/publish')).status).toBe(201);
    try {
      expect(await ids('zhaolei')).not.toContain('laptop');
      expect((await as.zhaolei!.get(`/records/${res.body.id}`)).body.catalogItem).toEqual(named);
      const listed = (await as.zhaolei!.get('/records?catalogItem=it-catalog/laptop')).body.items;
      expect(listed.map((r: { catalogItem: unknown }) => r.catalogItem)).toContainEqual(named);
    } finally {
      const now = (await srv.admin.get('/definitions/catalog/it-catalog')).body;
      await srv.admin.put('/definitions/catalog/it-catalog/draft', {
        revision: now.revision,
        definition: detail.definition,
      });
      expect((await srv.admin.post('/definitions/catalog/it-catalog/publish')).status).toBe(201);
    }
  });
});
