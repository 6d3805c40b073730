import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../support/databases.ts';
import { formDef, processDef } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe.each(testDatabases())('definitions lifecycle on %s', (dbName) => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer(dbName);
    await srv.admin.post('/groups', { key: 'service-desk', name: { en: 'Service desk' }, type: 'support' });
  });
  afterAll(() => srv?.close());

  it('runs draft → validate → publish v1 → edit → publish v2 and keeps v1 unchanged', async () => {
    const a = srv.admin;
    const created = await a.post('/definitions', formDef());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      kind: 'form',
      key: 'laptop-request',
      status: 'draft',
      latestVersion: 0,
      revision: 1,
    });

    const valid = await a.post('/definitions/form/laptop-request/validate');
    expect(valid.body).toEqual({ ok: true, problems: [] });

    const v1 = await a.post('/definitions/form/laptop-request/publish', { revision: 1 });
    expect(v1.status).toBe(201);
    expect(v1.body.version).toBe(1);
    const v1Body = (await a.get('/definitions/form/laptop-request/versions/1')).body;
    expect(v1Body.version).toBe(1);

    const current = (await a.get('/definitions/form/laptop-request')).body;
    expect(current.hasDraft).toBe(false);
    const edited = formDef('laptop-request', {
      name: { 'zh-CN': '笔记本电脑申请', en: 'Laptop computer request' },
    });
    const saved = await a.put('/definitions/form/laptop-request/draft', {
      revision: current.revision,
      definition: edited,
    });
    expect(saved.status).toBe(200);
    expect(saved.body.hasDraft).toBe(true);

    const diff = await a.get('/definitions/form/laptop-request/diff?from=1&to=draft');
    expect(diff.body.changes).toEqual([
      { op: 'change', path: '/name/zh-CN', from: '笔记本申请', to: '笔记本电脑申请' },
      { op: 'change', path: '/name/en', from: 'Laptop request', to: 'Laptop computer request' },
    ]);

    const v2 = await a.post('/definitions/form/laptop-request/publish', { revision: saved.body.revision });
    expect(v2.body.version).toBe(2);
    expect((await a.get('/definitions/form/laptop-request/versions/1')).body).toEqual(v1Body);
    expect((await a.get('/definitions/form/laptop-request/versions/2')).body.name.en).toBe(
      'Laptop computer request',
    );
    const versions = (await a.get('/definitions/form/laptop-request/versions')).body.items;
    expect(versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(versions[0].publishedBy).toBe('admin');
    expect((await a.get('/definitions/form/laptop-request/diff?from=1&to=2')).body.changes).toHaveLength(2);

    const audit = (await a.get('/audit?entityType=form&entityKey=laptop-request')).body.items;
    expect(audit.map((e: { action: string }) => e.action)).toEqual([
      'definition.publish',
      'definition.save_draft',
      'definition.publish',
      'definition.create',
    ]);
  });

  it('refuses publishing with nothing changed (409) and a stale draft revision (409)', async () => {
    const a = srv.admin;
    const detail = (await a.get('/definitions/form/laptop-request')).body;
    const first = await a.put('/definitions/form/laptop-request/draft', {
      revision: detail.revision,
      definition: formDef(),
    });
    expect(first.status).toBe(200);
    const stale = await a.put('/definitions/form/laptop-request/draft', {
      revision: detail.revision,
      definition: formDef('laptop-request', { numberPrefix: 'LTP' }),
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('stale_revision');
    expect((await a.get('/definitions/form/laptop-request')).body.definition.numberPrefix).toBe('LAP');

    // The draft equals v1's content, not v2's, so publishing it is a real change (v3)...
    expect((await a.post('/definitions/form/laptop-request/publish')).body.version).toBe(3);
    // ...and publishing the same content again is refused.
    const again = await a.put('/definitions/form/laptop-request/draft', {
      revision: (await a.get('/definitions/form/laptop-request')).body.revision,
      definition: formDef(),
    });
    expect(again.status).toBe(200);
    const same = await a.post('/definitions/form/laptop-request/publish');
    expect(same.status).toBe(409);
    expect(same.body.error.code).toBe('nothing_to_publish');
    await a.delete('/definitions/form/laptop-request/draft');
  });

  it('checks references at publish: a process naming a missing form or group is refused with the path', async () => {
    const a = srv.admin;
    expect(
      (await a.post('/definitions', processDef('orphan-flow', 'no-such-form', 'no-such-group'))).status,
    ).toBe(201);
    const res = await a.post('/definitions/process/orphan-flow/publish');
    expect(res.status).toBe(422);
    const paths = res.body.error.details.problems.map((p: { path: string }) => p.path);
    expect(paths).toContain('/form');
    expect(paths.some((p: string) => p.startsWith('/nodes/1/assignee'))).toBe(true);
    expect((await a.get('/definitions/process/orphan-flow')).body.latestVersion).toBe(0);

    expect((await a.post('/definitions', processDef())).status).toBe(201);
    expect((await a.post('/definitions/process/laptop-flow/publish')).status).toBe(201);
  });

  it('retires a definition: it stays readable but is no longer the current one', async () => {
    const a = srv.admin;
    const res = await a.post('/definitions/process/laptop-flow/retire');
    expect(res.body.status).toBe('retired');
    expect(
      (await a.get('/definitions?status=retired')).body.items.map((d: { key: string }) => d.key),
    ).toContain('laptop-flow');
    expect((await a.get('/definitions/process/laptop-flow/versions/1')).status).toBe(200);
  });

  it('lets only admins write definitions', async () => {
    const agent = await srv.userClient('designer-agent', ['agent']);
    expect((await agent.get('/definitions')).status).toBe(200);
    expect((await agent.post('/definitions', formDef('agent-form'))).status).toBe(403);
    expect((await agent.post('/definitions/form/laptop-request/publish')).status).toBe(403);
  });

  it('exports a bundle that imports into an empty database as identical definitions', async () => {
    const exported = await srv.admin.get('/definitions/export');
    expect(exported.status).toBe(200);
    expect(exported.body.definitions.length).toBeGreaterThanOrEqual(3);

    const other = await startTestServer(dbName);
    try {
      const imported = await other.admin.post('/definitions/import', exported.body);
      expect(imported.status).toBe(200);
      expect(imported.body.created.length).toBe(exported.body.definitions.length);
      const again = await other.admin.get('/definitions/export');
      expect(JSON.stringify(again.body)).toBe(JSON.stringify(exported.body));
      // Importing the same bundle twice changes nothing.
      const twice = await other.admin.post('/definitions/import', exported.body);
      expect(twice.body.unchanged.length).toBe(exported.body.definitions.length);
    } finally {
      await other.close();
    }
  });

  it('imports all or nothing: a conflicting version refuses the whole bundle', async () => {
    const bundle = (await srv.admin.get('/definitions/export')).body;
    const other = await startTestServer(dbName);
    try {
      await other.admin.post('/groups', {
        key: 'service-desk',
        name: { en: 'Service desk' },
        type: 'support',
      });
      await other.admin.post('/definitions', formDef());
      await other.admin.post('/definitions/form/laptop-request/publish');
      // Tamper: v1 in the bundle now differs from v1 already in the target database.
      const tampered = structuredClone(bundle);
      const form = tampered.definitions.find((d: { key: string }) => d.key === 'laptop-request');
      form.versions[0].definition.numberPrefix = 'ZZZ';
      const res = await other.admin.post('/definitions/import', tampered);
      expect(res.status).toBe(409);
      expect(res.body.error.message).toContain('laptop-request');
      const after = (await other.admin.get('/definitions')).body.items;
      expect(after.map((d: { key: string }) => d.key)).toEqual(['laptop-request']);
    } finally {
      await other.close();
    }
  });
});
