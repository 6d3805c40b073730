import knex from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../support/databases.ts';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../support/server.ts';

describe.each(testDatabases())('auth and access on %s', (dbName) => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer(dbName);
  });
  afterAll(() => srv?.close());

  it('answers 401 with a clear message on a wrong password, and 200 on the right one', async () => {
    const c = srv.client();
    const bad = await c.post('/auth/login', { username: 'admin', password: 'not-the-password' });
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('bad_credentials');
    expect(bad.body.error.message).toMatch(/wrong username or password/i);
    const unknown = await c.post('/auth/login', { username: 'nobody', password: 'whatever' });
    expect(unknown.status).toBe(401);
    const ok = await c.post('/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
    expect(ok.status).toBe(200);
    expect(ok.body.user.roles).toEqual(['admin']);
    expect(typeof ok.body.csrfToken).toBe('string');
  });

  it('sets an httpOnly, SameSite session cookie', async () => {
    const res = await fetch(`${srv.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('opsloom_sid='))!;
    expect(cookie).toMatch(/httponly/i);
    expect(cookie).toMatch(/samesite=lax/i);
  });

  it('speaks Chinese to a zh-CN client', async () => {
    const c = srv.client();
    c.locale = 'zh-CN,zh;q=0.9';
    const bad = await c.post('/auth/login', { username: 'admin', password: 'wrong-password' });
    expect(bad.body.error.message).toBe('用户名或密码错误');
  });

  it('refuses a user on an admin route with 403, and nobody with 401', async () => {
    const user = await srv.userClient('plainuser', ['user']);
    const res = await user.post('/users', { username: 'x1', roles: ['user'] });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    expect(res.body.error.message).toContain('admin');
    expect((await srv.client().get('/users')).status).toBe(401);
    expect((await user.get('/definitions')).status).toBe(403);
    expect((await user.get('/auth/session')).status).toBe(200);
  });

  it('refuses a state-changing cookie request without the CSRF token, and accepts it with the token', async () => {
    const noToken = await srv.admin.post(
      '/groups',
      { key: 'csrf-test', name: { en: 'CSRF' }, type: 'support' },
      { csrf: false },
    );
    expect(noToken.status).toBe(403);
    expect(noToken.body.error.code).toBe('csrf_failed');
    expect((await srv.admin.get('/groups/csrf-test')).status).toBe(404);

    const wrong = await srv.admin.post(
      '/groups',
      { key: 'csrf-test', name: { en: 'CSRF' }, type: 'support' },
      { csrf: false, headers: { 'x-csrf-token': 'forged' } },
    );
    expect(wrong.status).toBe(403);
    const ok = await srv.admin.post('/groups', { key: 'csrf-test', name: { en: 'CSRF' }, type: 'support' });
    expect(ok.status).toBe(201);
    // Reads need no token.
    expect((await srv.admin.get('/groups/csrf-test', { csrf: false })).status).toBe(200);
  });

  it('lets a system use an API token without cookies or CSRF, and refuses it once revoked', async () => {
    await srv.admin.post('/users', { username: 'cmdb-sync', roles: ['admin'] });
    const created = await srv.admin.post('/auth/tokens', { name: 'CMDB sync', username: 'cmdb-sync' });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^olt_/);

    const system = srv.client();
    system.token = created.body.token;
    const write = await system.post('/groups', {
      key: 'from-token',
      name: { en: 'From token' },
      type: 'org',
    });
    expect(write.status).toBe(201);
    expect((await system.get('/auth/session')).body.user.username).toBe('cmdb-sync');

    const forged = srv.client();
    forged.token = `${created.body.token}x`;
    const denied = await forged.get('/groups');
    expect(denied.status).toBe(401);
    expect(denied.body.error.code).toBe('bad_token');
    expect(denied.headers.get('www-authenticate')).toMatch(/Bearer/);

    expect((await srv.admin.delete(`/auth/tokens/${created.body.id}`)).status).toBe(204);
    expect((await system.get('/groups')).status).toBe(401);
  });

  it('stores only a salted memory-hard hash of each password', async () => {
    await srv.admin.post('/users', { username: 'hashcheck', roles: ['user'], password: 'Sup3r-secret-pw' });
    await srv.admin.post('/users', { username: 'hashcheck2', roles: ['user'], password: 'Sup3r-secret-pw' });
    const db = knex({
      client: dbName === 'mysql' ? 'mysql2' : 'better-sqlite3',
      connection: connectionOf(srv.db.url),
      useNullAsDefault: true,
    });
    try {
      const rows = await db('users').whereIn('username', ['hashcheck', 'hashcheck2']).select('password_hash');
      expect(rows).toHaveLength(2);
      for (const r of rows) {
        expect(r.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
        expect(r.password_hash).not.toContain('Sup3r-secret-pw');
      }
      expect(rows[0].password_hash).not.toBe(rows[1].password_hash);
      const all = JSON.stringify(await db('users').select('*'));
      expect(all).not.toContain('Sup3r-secret-pw');
    } finally {
      await db.destroy();
    }
  });

  it('throttles repeated failed logins for an account with 429 and Retry-After', async () => {
    await srv.admin.post('/users', { username: 'victim', roles: ['user'], password: 'victim-password' });
    const c = srv.client();
    for (let i = 0; i < 5; i++)
      expect((await c.post('/auth/login', { username: 'victim', password: `guess-${i}` })).status).toBe(401);
    const locked = await c.post('/auth/login', { username: 'victim', password: 'victim-password' });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Other accounts are not affected.
    expect((await c.post('/auth/login', { username: 'admin', password: ADMIN_PASSWORD })).status).toBe(200);
  });

  it('ends the session on logout', async () => {
    const c = await srv.userClient('leaver', ['user']);
    const cookie = c.cookie;
    expect((await c.post('/auth/logout')).status).toBe(204);
    c.cookie = cookie;
    expect((await c.get('/auth/session')).status).toBe(401);
  });

  it('ends sessions of a deactivated user', async () => {
    const c = await srv.userClient('deactivated', ['agent']);
    expect((await c.get('/auth/session')).status).toBe(200);
    expect((await srv.admin.patch('/users/deactivated', { active: false })).status).toBe(200);
    expect((await c.get('/auth/session')).status).toBe(401);
    expect(
      (await srv.client().post('/auth/login', { username: 'deactivated', password: 'deactivated-password' }))
        .status,
    ).toBe(401);
  });

  it('keeps the last active admin an admin', async () => {
    // cmdb-sync (created above) is an admin too: demoting it leaves "admin" the last one.
    expect((await srv.admin.patch('/users/cmdb-sync', { roles: ['agent'] })).status).toBe(200);
    const res = await srv.admin.patch('/users/admin', { roles: ['user'] });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('last_admin');
    expect((await srv.admin.patch('/users/admin', { active: false })).status).toBe(409);
    expect((await srv.admin.get('/users/admin')).body.roles).toEqual(['admin']);
  });
});

function connectionOf(url: string) {
  if (url.startsWith('sqlite://')) return { filename: url.slice('sqlite://'.length) };
  return url;
}
