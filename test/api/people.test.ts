import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { DEMO_PASSWORD } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** GET /people: the person picker of request forms, open to every logged-in person. */
describe.each(testDatabases())('people lookup on %s', (dbName) => {
  let srv: TestServer;
  let enduser: ApiClient;
  beforeAll(async () => {
    srv = await startTestServer(dbName, { demo: true });
    enduser = await new ApiClient(srv.url).login('zhaolei', DEMO_PASSWORD);
  });
  afterAll(() => srv?.close());

  it('answers username and display name only, to an end user who cannot list users', async () => {
    expect((await enduser.get('/users')).status).toBe(403);
    const res = await enduser.get('/people?q=zhang');
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([{ username: 'zhangwei', displayName: '张伟' }]);
    const byName = await enduser.get(`/people?q=${encodeURIComponent('李')}`);
    expect(byName.body.items).toEqual([{ username: 'lina', displayName: '李娜' }]);
  });

  it('leaves out inactive people, takes LIKE wildcards literally, answers at most 20', async () => {
    expect((await srv.admin.patch('/users/wangfang', { active: false })).status).toBe(200);
    const all = (await enduser.get('/people')).body.items as { username: string }[];
    expect(all.map((p) => p.username)).not.toContain('wangfang');
    expect(all.map((p) => p.username)).toContain('zhaolei');
    expect((await enduser.get('/people?q=%25')).body.items).toEqual([]);
    expect((await enduser.get('/people?q=_')).body.items).toEqual([]);
    for (let i = 0; i < 25; i++) {
      const r = await srv.admin.post('/users', { username: `picker${i}`, roles: ['user'] });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    expect((await enduser.get('/people?q=picker')).body.items).toHaveLength(20);
  });

  it('refuses anonymous callers and unknown query parameters', async () => {
    expect((await srv.client().get('/people')).status).toBe(401);
    expect((await enduser.get('/people?limit=500')).status).toBe(400);
  });
});
