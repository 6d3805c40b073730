import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { reportIncident } from './helpers.ts';

/** Links between records (and to CIs), the history of a record, and optimistic concurrency. */
describe.each(testDatabases())('record links, history and versions on %s', (dbName) => {
  let srv: TestServer;
  let zhaolei: ApiClient;
  let zhangwei: ApiClient;
  let wangfang: ApiClient;
  let a: { id: number; number: string; version: number };
  let b: { id: number; number: string; version: number };

  beforeAll(async () => {
    srv = await startTestServer(dbName, { pluginsDir: SHIPPED_PLUGINS, demo: true });
    const as = (u: string) => new ApiClient(srv.url).login(u, DEMO_PASSWORD);
    [zhaolei, zhangwei, wangfang] = await Promise.all([as('zhaolei'), as('zhangwei'), as('wangfang')]);
    a = await reportIncident(zhaolei, { title: '数据库连接超时', category: 'software' });
    b = await reportIncident(zhaolei, { title: '订单系统报错', category: 'software' });
  });
  afterAll(() => srv?.close());

  it('links two records; both ends see it, the far end with the inverse relation', async () => {
    const made = await zhangwei.post(`/records/${a.id}/links`, { to: b.number, relation: 'blocks' });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({
      relation: 'blocks',
      direction: 'outgoing',
      record: { number: b.number },
    });

    const fromA = (await zhangwei.get(`/records/${a.id}/links`)).body.items;
    expect(fromA).toEqual([
      expect.objectContaining({
        relation: 'blocks',
        direction: 'outgoing',
        record: expect.objectContaining({ id: b.id }),
      }),
    ]);
    const fromB = (await zhaolei.get(`/records/${b.id}/links`)).body.items;
    expect(fromB).toEqual([
      expect.objectContaining({
        relation: 'blocked-by',
        direction: 'incoming',
        record: expect.objectContaining({ number: a.number }),
        createdBy: 'zhangwei',
      }),
    ]);

    // The same link said from the other end is the same link.
    const again = await zhangwei.post(`/records/${b.id}/links`, { to: a.id, relation: 'blocked-by' });
    expect(again.status).toBe(409);
    // An inverse name is stored the other way round.
    const dup = await zhangwei.post(`/records/${b.id}/links`, {
      to: String(a.id),
      relation: 'duplicated-by',
    });
    expect(dup.status).toBe(201);
    expect(dup.body).toMatchObject({ relation: 'duplicated-by', direction: 'incoming' });
    expect((await zhangwei.get(`/records/${a.id}/links`)).body.items.map((l: any) => l.relation)).toEqual([
      'blocks',
      'duplicates',
    ]);

    const ci = await zhangwei.post(`/records/${a.id}/links`, { ci: 'db-prod-01', relation: 'related-to' });
    expect(ci.status).toBe(201);
    expect(ci.body).toMatchObject({ ci: 'db-prod-01', record: null });
    expect(
      (await zhangwei.post(`/records/${a.id}/links`, { ci: 'db-prod-01', relation: 'related-to' })).status,
    ).toBe(409);

    const histA = (await zhangwei.get(`/records/${a.id}/history`)).body.items.filter(
      (h: any) => h.kind === 'link',
    );
    expect(histA.map((h: any) => h.detail)).toEqual([
      { added: b.number, relation: 'blocks' },
      // "B duplicated-by A" is stored as "A duplicates B", so A holds the outgoing end.
      { added: b.number, relation: 'duplicates' },
      { added: 'db-prod-01', ci: true, relation: 'related-to' },
    ]);
    const histB = (await zhangwei.get(`/records/${b.id}/history`)).body.items.filter(
      (h: any) => h.kind === 'link',
    );
    expect(histB.map((h: any) => h.detail)).toEqual([
      { added: a.number, relation: 'blocks', incoming: true },
      { added: a.number, relation: 'duplicates', incoming: true },
    ]);
  });

  it('refuses links to itself, to nothing, by requesters, and to records the caller cannot see', async () => {
    const self = await zhangwei.post(`/records/${a.id}/links`, { to: a.number, relation: 'related-to' });
    expect(self.status).toBe(400);
    expect(self.body.error.details.problems[0].path).toBe('/to');
    expect((await zhangwei.post(`/records/${a.id}/links`, { relation: 'related-to' })).status).toBe(400);
    expect(
      (await zhangwei.post(`/records/${a.id}/links`, { to: b.number, ci: 'x', relation: 'related-to' }))
        .status,
    ).toBe(400);
    const badRelation = await zhangwei.post(`/records/${a.id}/links`, { to: b.number, relation: 'loves' });
    expect(badRelation.status).toBe(400);
    expect(badRelation.body.error.details.problems[0].path).toBe('/relation');
    expect(
      (await zhangwei.post(`/records/${a.id}/links`, { to: 'INC-999999', relation: 'blocks' })).status,
    ).toBe(404);
    expect((await zhaolei.post(`/records/${a.id}/links`, { to: b.number, relation: 'blocks' })).status).toBe(
      403,
    );

    // wangfang (second-line) sees her own request but not the service desk's queue.
    const own = await reportIncident(wangfang, { title: '我自己的电脑坏了' });
    const hidden = await wangfang.post(`/records/${own.id}/links`, { to: a.number, relation: 'related-to' });
    expect(hidden.status).toBe(404);
    expect(JSON.stringify(hidden.body)).not.toContain('数据库');
    expect(
      (await wangfang.post(`/records/${a.id}/links`, { to: own.number, relation: 'related-to' })).status,
    ).toBe(404);
    // A link from a visible record to a hidden one is listed without the hidden end.
    expect(
      (await zhangwei.post(`/records/${own.id}/links`, { to: a.id, relation: 'related-to' })).status,
    ).toBe(201);
    expect((await wangfang.get(`/records/${own.id}/links`)).body.items).toEqual([]);
    expect((await zhangwei.get(`/records/${own.id}/links`)).body.items).toHaveLength(1);
  });

  it('removes a link from either end, with history on both', async () => {
    const link = (await zhangwei.get(`/records/${b.id}/links`)).body.items.find(
      (l: any) => l.relation === 'blocked-by',
    );
    expect((await zhaolei.delete(`/records/${b.id}/links/${link.id}`)).status).toBe(403);
    expect((await zhangwei.delete(`/records/${b.id}/links/${link.id}`)).status).toBe(204);
    expect((await zhangwei.delete(`/records/${b.id}/links/${link.id}`)).status).toBe(404);
    expect(
      (await zhangwei.get(`/records/${a.id}/links`)).body.items.map((l: any) => l.relation),
    ).not.toContain('blocks');
    const last = async (id: number) => (await zhangwei.get(`/records/${id}/history`)).body.items.at(-1);
    expect((await last(a.id)).detail).toEqual({ removed: b.number, relation: 'blocks' });
    expect((await last(b.id)).detail).toEqual({ removed: a.number, relation: 'blocks', incoming: true });
  });

  it('keeps the full history: creation, field changes with people by username, comments, transitions', async () => {
    const [task] = (await zhangwei.get(`/records/${b.id}/tasks`)).body.items;
    expect((await zhangwei.post(`/tasks/${task.id}/claim`)).status).toBe(204);
    const rec = (await zhangwei.get(`/records/${b.id}`)).body;
    expect(
      (
        await zhangwei.patch(`/records/${b.id}`, {
          version: rec.version,
          data: { affectedService: '订单系统' },
        })
      ).status,
    ).toBe(200);
    await zhaolei.post(`/records/${b.id}/comments`, { body: '很急' });
    const items = (await zhaolei.get(`/records/${b.id}/history`)).body.items;
    expect(items[0]).toMatchObject({ kind: 'created', actor: 'zhaolei', to: { number: b.number } });
    expect(items).toContainEqual(
      expect.objectContaining({
        kind: 'field',
        field: 'assignee',
        from: null,
        to: 'zhangwei',
        actor: 'zhangwei',
      }),
    );
    expect(items).toContainEqual(
      expect.objectContaining({ kind: 'field', field: 'affectedService', to: '订单系统', actor: 'zhangwei' }),
    );
    expect(items).toContainEqual(
      expect.objectContaining({
        kind: 'comment',
        actor: 'zhaolei',
        detail: expect.objectContaining({ excerpt: '很急' }),
      }),
    );
    const ids = items.map((h: any) => h.id);
    expect(ids).toEqual([...ids].sort((x: number, y: number) => x - y));
    for (const h of items) expect(h.at).toBeGreaterThan(0);
  });

  it('returns a long history whole and in order', async () => {
    const rec = await reportIncident(zhaolei, { title: '很长的历史记录' });
    for (let i = 0; i < 200; i += 20)
      await Promise.all(
        Array.from({ length: 20 }, (_, j) =>
          zhangwei.post(`/records/${rec.id}/comments`, { body: `第 ${i + j} 条` }),
        ),
      );
    const items = (await zhaolei.get(`/records/${rec.id}/history`)).body.items;
    expect(items.filter((h: any) => h.kind === 'comment')).toHaveLength(200);
    const ids = items.map((h: any) => h.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort((x: number, y: number) => x - y));
  });

  it('lets one of two edits with the same version win; the other gets 409 and changes nothing', async () => {
    const rec = (await zhangwei.get(`/records/${a.id}`)).body;
    const results = await Promise.all(
      ['first', 'second'].map((v) =>
        zhangwei.patch(`/records/${a.id}`, { version: rec.version, data: { affectedService: v } }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const loser = results.find((r) => r.status === 409)!;
    expect(loser.body.error.code).toBe('stale_version');
    const winner = results.find((r) => r.status === 200)!;
    const now = (await zhangwei.get(`/records/${a.id}`)).body;
    expect(now.version).toBe(rec.version + 1);
    expect(now.data.affectedService).toBe(winner.body.data.affectedService);
    const changes = (await zhangwei.get(`/records/${a.id}/history`)).body.items.filter(
      (h: any) => h.kind === 'field' && h.field === 'affectedService',
    );
    expect(changes).toHaveLength(1);
    // Re-sending the stale version later still fails.
    const stale = await zhangwei.patch(`/records/${a.id}`, {
      version: rec.version,
      data: { affectedService: 'x' },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toContain(
      `you read revision ${rec.version}, it is now ${rec.version + 1})`,
    );
  });

  it('an edit that changes nothing writes nothing: same version, no history; a stale one still gets 409', async () => {
    const rec = (await zhangwei.get(`/records/${a.id}`)).body;
    const before = (await zhangwei.get(`/records/${a.id}/history`)).body.items.length;
    for (const data of [{}, { affectedService: rec.data.affectedService }]) {
      const same = await zhangwei.patch(`/records/${a.id}`, { version: rec.version, data });
      expect(same.status).toBe(200);
      expect(same.body.version).toBe(rec.version);
      expect(same.body.updatedAt).toBe(rec.updatedAt);
    }
    expect((await zhangwei.get(`/records/${a.id}/history`)).body.items).toHaveLength(before);
    const stale = await zhangwei.patch(`/records/${a.id}`, { version: rec.version - 1, data: {} });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('stale_version');
    expect(stale.body.error.message).toContain(
      `you read revision ${rec.version - 1}, it is now ${rec.version})`,
    );
  });
});
