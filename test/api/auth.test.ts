import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, startServer } from '@opsloom/runtime';
import knex from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDatabases } from '../support/databases.ts';
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

  it('checks at most 5 of 30 concurrent wrong logins for one account against the password', async () => {
    await srv.admin.post('/users', { username: 'racer', roles: ['user'], password: 'racer-strong-pw' });
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        srv.client().post('/auth/login', { username: 'racer', password: `guess-${i}` }),
      ),
    );
    const statuses = replies.map((r) => r.status);
    // A 401 is an attempt that reached the password check; a 429 was held back before it.
    const checked = statuses.filter((s) => s === 401).length;
    expect(checked, statuses.join(',')).toBeGreaterThan(0);
    expect(checked, statuses.join(',')).toBeLessThanOrEqual(5);
    for (const r of replies.filter((r) => r.status !== 401)) {
      expect(r.status).toBe(429);
      expect(r.body.error.code).toBe('throttled');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it('checks at most 5 of 30 concurrent logins (29 wrong, 1 right), the right one included', async () => {
    await srv.admin.post('/users', { username: 'racer2', roles: ['user'], password: 'racer2-strong-pw' });
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        srv.client().post('/auth/login', {
          username: 'racer2',
          password: i === 17 ? 'racer2-strong-pw' : `guess-${i}`,
        }),
      ),
    );
    const statuses = replies.map((r) => r.status);
    const checked = statuses.filter((s) => s === 401 || s === 200).length;
    expect(checked, statuses.join(',')).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s !== 401 && s !== 200 && s !== 429)).toEqual([]);
  });

  it('backs off exponentially instead of locking: after 5 failures 2 s, then 4 s', async () => {
    await srv.admin.post('/users', { username: 'backoff', roles: ['user'], password: 'backoff-strong-pw' });
    const c = srv.client();
    const guess = () => c.post('/auth/login', { username: 'backoff', password: 'wrong-guess' });
    for (let i = 0; i < 5; i++) expect((await guess()).status).toBe(401);
    const first = await guess();
    expect(first.status).toBe(429);
    const firstWait = Number(first.headers.get('retry-after'));
    expect(firstWait).toBeGreaterThan(0);
    expect(firstWait).toBeLessThanOrEqual(2);
    await sleep(2100);
    expect((await guess()).status).toBe(401);
    const second = await guess();
    expect(second.status).toBe(429);
    // Retry-After rounds up, so a little time spent on the way may take a second off.
    const secondWait = Number(second.headers.get('retry-after'));
    expect(secondWait).toBeGreaterThan(2);
    expect(secondWait).toBeLessThanOrEqual(4);
  });

  it('lets an admin unlock an account, audited; nobody else may', async () => {
    await srv.admin.post('/users', {
      username: 'lockedout',
      roles: ['user'],
      password: 'lockedout-strong-pw',
    });
    const c = srv.client();
    for (let i = 0; i < 5; i++)
      await c.post('/auth/login', { username: 'lockedout', password: `guess-${i}` });
    const right = { username: 'lockedout', password: 'lockedout-strong-pw' };
    expect((await c.post('/auth/login', right)).status).toBe(429);
    const agent = await srv.userClient('unlocker', ['agent']);
    expect((await agent.post('/users/lockedout/unlock')).status).toBe(403);
    expect((await srv.admin.post('/users/nobody-here/unlock')).status).toBe(404);
    const unlocked = await srv.admin.post('/users/lockedout/unlock');
    expect(unlocked.status).toBe(200);
    expect(unlocked.body.cleared).toBeGreaterThan(0);
    const audit = await srv.admin.get('/audit?entityType=user&entityKey=lockedout');
    expect(audit.body.items.map((e: { action: string }) => e.action)).toContain('user.unlock');
    expect((await c.post('/auth/login', right)).status).toBe(200);
  });

  it('refuses easily guessed passwords for every path that sets one, in both languages', async () => {
    for (const password of ['password', '12345678', '        ', 'qwertyuiop']) {
      const res = await srv.admin.post('/users', { username: 'weakling', roles: ['admin'], password });
      expect(res.status, password).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      const [problem] = res.body.error.details.problems;
      expect(problem.path).toBe('/password');
      expect(problem.message.en).toMatch(/easy to guess/);
      expect(problem.message['zh-CN']).toMatch(/容易被猜到/);
    }
    expect((await srv.admin.get('/users/weakling')).status).toBe(404);
    const common = await srv.admin.post('/users', {
      username: 'weakling',
      roles: ['user'],
      password: 'password',
    });
    expect(common.body.error.details.problems[0].message.en).toMatch(/most common passwords/);
    // The person's own name is no secret.
    const own = await srv.admin.post('/users', {
      username: 'pwchanger',
      roles: ['user'],
      password: 'pwchanger1',
    });
    expect(own.status).toBe(400);
    expect(own.body.error.details.problems[0].message.en).toMatch(/name/);

    const zh = srv.client();
    zh.locale = 'zh-CN';
    zh.cookie = srv.admin.cookie;
    zh.csrf = srv.admin.csrf;
    const inChinese = await zh.post('/users', {
      username: 'weakling',
      roles: ['user'],
      password: '12345678',
    });
    expect(inChinese.body.error.message).toMatch(/容易被猜到/);

    const user = await srv.userClient('pwchanger', ['user']);
    const patched = await srv.admin.patch('/users/pwchanger', { password: 'password' });
    expect(patched.status).toBe(400);
    expect(patched.body.error.details.problems[0].path).toBe('/password');
    const own2 = await user.put('/auth/password', {
      currentPassword: 'pwchanger-password',
      newPassword: '12345678',
    });
    expect(own2.status).toBe(400);
    expect(own2.body.error.details.problems[0].path).toBe('/newPassword');
    expect(
      (await srv.client().post('/auth/login', { username: 'pwchanger', password: '12345678' })).status,
    ).toBe(401);
    const strong = await user.put('/auth/password', {
      currentPassword: 'pwchanger-password',
      newPassword: 'river-lamp-cactus',
    });
    expect(strong.status).toBe(200);
  });

  it('revokes API tokens when an admin resets the password, and when the user changes it', async () => {
    const user = await srv.userClient('tokenowner', ['agent']);
    const token = async (name: string) => {
      const created = await user.post('/auth/tokens', { name });
      expect(created.status).toBe(201);
      const system = srv.client();
      system.token = created.body.token;
      return system;
    };
    const first = await token('first');
    expect((await first.get('/auth/session')).status).toBe(200);
    expect((await srv.admin.patch('/users/tokenowner', { password: 'admin-reset-river-7' })).status).toBe(
      200,
    );
    expect((await first.get('/auth/session')).status).toBe(401);
    const audit = await srv.admin.get('/audit?entityType=user&entityKey=tokenowner');
    expect(audit.body.items.map((e: { action: string }) => e.action)).toContain('token.revoke_all');

    const again = await srv.client().login('tokenowner', 'admin-reset-river-7');
    const second = srv.client();
    const made = await again.post('/auth/tokens', { name: 'second' });
    second.token = made.body.token;
    expect((await second.get('/auth/session')).status).toBe(200);
    const changed = await again.put('/auth/password', {
      currentPassword: 'admin-reset-river-7',
      newPassword: 'own-choice-lantern-4',
    });
    expect(changed.status).toBe(200);
    expect((await second.get('/auth/session')).status).toBe(401);
    const listed = await again.get('/auth/tokens');
    expect(listed.body.items.map((t: { revoked: boolean }) => t.revoked)).toEqual([true, true]);
  });

  it('lets a user list and revoke only their own tokens', async () => {
    const ann = await srv.userClient('token-ann', ['user']);
    const ben = await srv.userClient('token-ben', ['user']);
    const annToken = (await ann.post('/auth/tokens', { name: 'ann laptop' })).body;
    const benToken = (await ben.post('/auth/tokens', { name: 'ben script' })).body;
    const names = async (c: typeof ann) =>
      (await c.get('/auth/tokens')).body.items.map((t: { name: string }) => t.name);
    expect(await names(ann)).toEqual(['ann laptop']);
    expect(await names(ben)).toEqual(['ben script']);
    expect((await ben.delete(`/auth/tokens/${annToken.id}`)).status).toBe(404);
    const annSystem = srv.client();
    annSystem.token = annToken.token;
    expect((await annSystem.get('/auth/session')).status).toBe(200);
    expect((await ann.delete(`/auth/tokens/${annToken.id}`)).status).toBe(204);
    expect((await annSystem.get('/auth/session')).status).toBe(401);
    expect((await ben.delete(`/auth/tokens/${benToken.id}`)).status).toBe(204);
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

describe.each(testDatabases())('login throttling by client on %s', (dbName) => {
  // Behind a proxy the client's address comes from X-Forwarded-For, so one test can speak from many.
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer(dbName, { env: { OPSLOOM_TRUST_PROXY: '1' } });
  });
  afterAll(() => srv?.close());

  async function loginFrom(address: string, username: string, password: string, device?: string) {
    const res = await fetch(`${srv.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-forwarded-for': address,
        ...(device ? { cookie: `opsloom_device=${device}` } : {}),
      },
      body: JSON.stringify({ username, password }),
    });
    const set = res.headers.getSetCookie().find((c) => c.startsWith('opsloom_device='));
    await res.text();
    return {
      status: res.status,
      retryAfter: Number(res.headers.get('retry-after')),
      device: set?.split(';')[0]?.slice('opsloom_device='.length),
    };
  }
  const createUser = async (username: string) => {
    const res = await srv.admin.post('/users', {
      username,
      roles: ['user'],
      password: `${username}-strong-pw`,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  };

  it("takes the client's address from the last X-Forwarded-For entry, the one the proxy added", async () => {
    await createUser('proxied');
    const res = await fetch(`${srv.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.1.0.1, 10.9.0.9' },
      body: JSON.stringify({ username: 'proxied', password: 'proxied-strong-pw' }),
    });
    expect(res.status).toBe(200);
    const audit = await srv.admin.get('/audit?entityType=user&entityKey=proxied');
    const login = audit.body.items.find((e: { action: string }) => e.action === 'auth.login');
    expect(login.detail.ip).toBe('10.9.0.9');
  });

  it('holds strangers back while the real user logs in from an address that logged them in before', async () => {
    await createUser('hana');
    expect((await loginFrom('10.1.0.1', 'hana', 'hana-strong-pw')).status).toBe(200);
    for (let i = 0; i < 8; i++) await loginFrom('10.1.0.66', 'hana', `guess-${i}`);
    // Even with the right password, a stranger waits.
    const stranger = await loginFrom('10.1.0.66', 'hana', 'hana-strong-pw');
    expect(stranger.status).toBe(429);
    expect(stranger.retryAfter).toBeGreaterThan(0);
    expect((await loginFrom('10.1.0.77', 'hana', 'hana-strong-pw')).status).toBe(429);
    expect((await loginFrom('10.1.0.1', 'hana', 'hana-strong-pw')).status).toBe(200);
  });

  it('lets the real user in from a new address with the device cookie of an earlier login', async () => {
    await createUser('kai');
    const first = await loginFrom('10.2.0.1', 'kai', 'kai-strong-pw');
    expect(first.status).toBe(200);
    expect(first.device).toMatch(/^[\w-]{20,}$/);
    for (let i = 0; i < 8; i++) await loginFrom('10.2.0.66', 'kai', `guess-${i}`);
    expect((await loginFrom('10.2.0.3', 'kai', 'kai-strong-pw')).status).toBe(429);
    expect((await loginFrom('10.2.0.3', 'kai', 'kai-strong-pw', 'forged-device-id')).status).toBe(429);
    expect((await loginFrom('10.2.0.2', 'kai', 'kai-strong-pw', first.device)).status).toBe(200);
  });

  it('does not lock an office behind one address: ten people mistyping five times each', async () => {
    await createUser('office-newcomer');
    for (let p = 0; p < 10; p++)
      for (let i = 0; i < 5; i++)
        expect((await loginFrom('10.3.0.1', `office-${p}`, `typo-${i}`)).status).toBe(401);
    expect((await loginFrom('10.3.0.1', 'office-newcomer', 'office-newcomer-strong-pw')).status).toBe(200);
  });

  it('holds an address back once it failed on 30 accounts, except for people it logged in before', async () => {
    await createUser('mei');
    await createUser('nao');
    expect((await loginFrom('10.4.0.1', 'mei', 'mei-strong-pw')).status).toBe(200);
    for (let a = 0; a < 30; a++)
      expect((await loginFrom('10.4.0.1', `sprayed-${a}`, 'Spring2026!')).status).toBe(401);
    const held = await loginFrom('10.4.0.1', 'nao', 'nao-strong-pw');
    expect(held.status).toBe(429);
    expect(held.retryAfter).toBeGreaterThan(0);
    expect((await loginFrom('10.4.0.1', 'mei', 'mei-strong-pw')).status).toBe(200);
    // Another address is not affected.
    expect((await loginFrom('10.4.0.2', 'nao', 'nao-strong-pw')).status).toBe(200);
  });
});

describe.each(testDatabases())('the first admin on %s', (dbName) => {
  it('refuses to start with a weak OPSLOOM_ADMIN_PASSWORD, saying why', async () => {
    const db = await createTestDatabase(dbName);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsloom-weak-admin-'));
    try {
      const config = loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: db.url,
        OPSLOOM_DATA_DIR: dataDir,
        OPSLOOM_PLUGINS_DIR: dataDir,
        OPSLOOM_ADMIN_PASSWORD: 'password',
        LOG_LEVEL: 'silent',
      });
      await expect(startServer(config, { print: () => {} })).rejects.toThrow(
        /OPSLOOM_ADMIN_PASSWORD.*most common passwords/,
      );
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
      await db.drop();
    }
  });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function connectionOf(url: string) {
  if (url.startsWith('sqlite://')) return { filename: url.slice('sqlite://'.length) };
  return url;
}
