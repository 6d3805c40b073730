import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type HttpPeer,
  SMTP_PASSWORD,
  SMTP_USER,
  type SmtpPeer,
  startHttpPeer,
  startSmtp,
} from '../notify/peers.ts';
import { createTicket, type People, publishRule, startNotifyServer, until } from '../notify/setup.ts';
import { testDatabases } from '../support/databases.ts';
import type { TestServer } from '../support/server.ts';

/** A port nothing listens on: taken from the OS, then released. */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * The endpoints the designer's administration console and everyone's profile page use, beyond the
 * plain user and group routes: login state of users, the profile, every token, audit filters,
 * retrying many jobs, test messages through real peers.
 */
describe.each(testDatabases())('admin console API on %s', (dbName) => {
  let srv: TestServer;
  let people: People;
  let smtp: SmtpPeer;
  let peer: HttpPeer;

  beforeAll(async () => {
    ({ srv, people } = await startNotifyServer(dbName));
    smtp = await startSmtp();
    peer = await startHttpPeer();
  });
  afterAll(async () => {
    await peer?.close();
    await smtp?.close();
    await srv?.close();
  });

  it('admins see last login and a back-off in force; unlock clears it; others see neither', async () => {
    const created = await srv.admin.post('/users', {
      username: 'lena',
      roles: ['user'],
      password: 'lena-test-password',
    });
    expect(created.status).toBe(201);
    let lena = (await srv.admin.get('/users/lena')).body;
    expect(lena).toMatchObject({ lastLoginAt: null, lockedUntil: null, failedLogins: 0 });

    const before = Date.now();
    await srv.client().login('lena', 'lena-test-password');
    lena = (await srv.admin.get('/users/lena')).body;
    expect(lena.lastLoginAt).toBeGreaterThanOrEqual(before);

    // Six wrong passwords: five are free, the sixth must wait.
    for (let i = 0; i < 6; i++)
      await srv.client().post('/auth/login', { username: 'lena', password: 'wrong-password' });
    lena = (await srv.admin.get('/users?q=lena')).body.items.find((u: any) => u.username === 'lena');
    expect(lena.lockedUntil).toBeGreaterThan(Date.now());
    expect(lena.failedLogins).toBeGreaterThanOrEqual(5);
    const refused = await srv
      .client()
      .post('/auth/login', { username: 'lena', password: 'lena-test-password' });
    expect(refused.status).toBe(429);

    const asAgent = (await people.bob.get('/users/lena')).body;
    expect(asAgent.username).toBe('lena');
    expect(asAgent).not.toHaveProperty('lastLoginAt');
    expect(asAgent).not.toHaveProperty('lockedUntil');

    expect((await srv.admin.post('/users/lena/unlock')).status).toBe(200);
    lena = (await srv.admin.get('/users/lena')).body;
    expect(lena).toMatchObject({ lockedUntil: null, failedLogins: 0 });
    expect(
      (await srv.client().post('/auth/login', { username: 'lena', password: 'lena-test-password' })).status,
    ).toBe(200);
  });

  it('an admin deactivates a user and resets a password: sessions end, tokens are revoked', async () => {
    const first = 'omar-first-password-lantern';
    expect(
      (await srv.admin.post('/users', { username: 'omar', roles: ['user'], password: first })).status,
    ).toBe(201);
    const omar = await srv.client().login('omar', first);
    const token = (await omar.post('/auth/tokens', { name: 'script' })).body;
    expect((await srv.admin.patch('/users/omar', { password: 'Tr0ub4dor-and-horse-staple' })).status).toBe(
      200,
    );
    expect((await omar.get('/auth/session')).status).toBe(401);
    const listed = (await srv.admin.get('/tokens?username=omar&revoked=true')).body.items;
    expect(listed.find((t: any) => t.id === token.id)).toMatchObject({ revoked: true, username: 'omar' });
    expect((await srv.client().login('omar', 'Tr0ub4dor-and-horse-staple')).cookie).toBeTruthy();
    expect((await srv.admin.patch('/users/omar', { active: false })).body.active).toBe(false);
    const login = await srv
      .client()
      .post('/auth/login', { username: 'omar', password: 'Tr0ub4dor-and-horse-staple' });
    expect(login.status).toBe(401);
  });

  it('everyone edits their own profile; admins list every token, others may not', async () => {
    const own = await people.wang.patch('/auth/profile', {
      displayName: '王小明（IT）',
      email: 'wang.it@example.com',
      locale: 'en',
    });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({
      displayName: '王小明（IT）',
      email: 'wang.it@example.com',
      locale: 'en',
    });
    const bad = await people.wang.patch('/auth/profile', { email: 'not an address' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.problems[0].path).toBe('/email');
    expect((await people.wang.patch('/auth/profile', { roles: ['admin'] })).status).toBe(400);
    expect((await people.wang.patch('/auth/profile', { email: 'wang@example.com' })).status).toBe(200);

    const mine = (await people.wang.post('/auth/tokens', { name: 'wang-cli' })).body;
    const ownList = (await people.wang.get('/auth/tokens')).body.items;
    expect(ownList.map((t: any) => t.name)).toEqual(['wang-cli']);
    expect(ownList[0].username).toBe('wang');
    const all = (await srv.admin.get('/tokens')).body.items;
    expect(all.find((t: any) => t.id === mine.id)).toMatchObject({
      username: 'wang',
      name: 'wang-cli',
      revoked: false,
    });
    expect(JSON.stringify(all)).not.toContain(mine.token);
    expect((await people.wang.get('/tokens')).status).toBe(403);
    expect((await srv.admin.delete(`/auth/tokens/${mine.id}`)).status).toBe(204);
    expect((await srv.admin.get('/tokens')).body.items.some((t: any) => t.id === mine.id)).toBe(false);
  });

  it('the audit log filters by who, what and when', async () => {
    const t0 = Date.now();
    await srv.admin.patch('/users/wang', { displayName: 'Wang Xiaoming' });
    const byAction = (await srv.admin.get('/audit?action=user.update&actor=admin')).body.items;
    expect(byAction[0]).toMatchObject({ action: 'user.update', entityKey: 'wang', actor: 'admin' });
    const prefix = (await srv.admin.get(`/audit?action=user.&from=${t0}`)).body.items;
    expect(prefix.length).toBeGreaterThan(0);
    expect(prefix.every((e: any) => e.action.startsWith('user.') && e.at >= t0)).toBe(true);
    const before = (await srv.admin.get(`/audit?to=${t0}&action=user.update&entityKey=wang`)).body.items;
    expect(before.every((e: any) => e.at < t0)).toBe(true);
    const wrong = await srv.admin.get(`/audit?from=${t0}&to=${t0 - 1}`);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details.problems[0].path).toBe('/to');
    expect(wrong.body.error.message).toContain('later than');
    expect((await people.bob.get('/audit')).status).toBe(403);
  });

  it('failed and dead jobs are listed with their error and retried many at once', async () => {
    const port = await closedPort();
    await publishRule(srv, {
      kind: 'rule',
      key: 'hook-down',
      name: 'Hook to a closed port',
      event: 'record.created',
      form: 'ticket',
      condition: 'record.category == "down"',
      actions: [
        {
          type: 'notify',
          channel: 'webhook',
          url: `http://127.0.0.1:${port}/hook`,
          template: { subject: 'x', body: 'y' },
        },
      ],
    });
    await createTicket(people.wang, { category: 'down', title: 'one' });
    await createTicket(people.wang, { category: 'down', title: 'two' });
    const dead = await until(async () => {
      const items = (await srv.admin.get('/jobs?status=dead&type=deliver')).body.items as any[];
      return items.length >= 2 && items;
    }, 'two dead deliveries');
    expect(dead[0].lastError).toBeTruthy();
    expect(dead[0].target).toBe(`webhook → http://127.0.0.1:${port}/hook`);
    expect(dead[0].recordId).toBeGreaterThan(0);

    const ids = dead.slice(0, 2).map((j: any) => j.id);
    const done = await srv.admin.post('/jobs/retry', {
      ids: [...ids, 999_999],
    });
    expect(done.status).toBe(200);
    expect(done.body.retried).toEqual(ids);
    expect(done.body.skipped).toEqual([{ id: 999_999, status: null }]);
    const audit = (await srv.admin.get('/audit?action=job.retry')).body.items.map((e: any) =>
      Number(e.entityKey),
    );
    expect(audit).toEqual(expect.arrayContaining(ids));
    // They fail again (the port is still closed): retrying, then dead once more.
    await until(async () => {
      const items = (await srv.admin.get('/jobs?type=deliver&limit=500')).body.items as any[];
      return items
        .filter((j) => ids.includes(j.id))
        .every((j) => j.status === 'dead' || j.status === 'pending');
    }, 'retried jobs running again');

    const bad = await srv.admin.post('/jobs/retry', { ids: [] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.problems[0].path).toBe('/ids');
    expect((await people.bob.post('/jobs/retry', { ids })).status).toBe(403);
  });

  it('a test e-mail goes through the saved SMTP settings; failures say why', async () => {
    const missing = await srv.admin.post('/notifications/test', { channel: 'email' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details.problems[0].path).toBe('/to');
    expect(missing.body.error.message).toContain('address');

    const unset = await srv.admin.post('/notifications/test', { channel: 'email', to: 'ops@example.com' });
    expect(unset.status).toBe(409);
    expect(unset.body.error.code).toBe('smtp_not_configured');

    const settings = {
      host: '127.0.0.1',
      port: await closedPort(),
      startTls: 'required',
      tlsRejectUnauthorized: false,
      username: SMTP_USER,
      password: SMTP_PASSWORD,
      from: 'Opsloom <noreply@example.com>',
    };
    expect((await srv.admin.put('/settings/smtp', settings)).status).toBe(200);
    const down = await srv.admin.post('/notifications/test', { channel: 'email', to: 'ops@example.com' });
    expect(down.status).toBe(422);
    expect(down.body.error.code).toBe('test_message_failed');
    expect(down.body.error.message).toMatch(/not delivered/);

    expect((await srv.admin.put('/settings/smtp', { ...settings, port: smtp.port })).status).toBe(200);
    srv.admin.locale = 'zh-CN';
    const sent = await srv.admin.post('/notifications/test', { channel: 'email', to: 'ops@example.com' });
    srv.admin.locale = 'en';
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(sent.body).toMatchObject({ delivered: true, to: 'ops@example.com' });
    const mail = smtp.mails.at(-1)!;
    expect(mail.envelopeTo).toEqual(['ops@example.com']);
    expect(mail.parsed.subject).toBe('Opsloom 测试消息');
    const audit = (await srv.admin.get('/audit?action=notification.test')).body.items;
    expect(audit[0]).toMatchObject({ actor: 'admin', entityKey: 'email', detail: { to: 'ops@example.com' } });
    expect(
      (await people.bob.post('/notifications/test', { channel: 'email', to: 'x@example.com' })).status,
    ).toBe(403);
  });

  it('a test IM message posts to the robot, its token taken from a secret and kept out of answers', async () => {
    expect((await srv.admin.put('/secrets/TEST_ROBOT_KEY', { value: 'robot-key-9876' })).status).toBe(200);
    const url = `${peer.url}/robot/send?key={{ secrets.TEST_ROBOT_KEY }}`;
    const sent = await srv.admin.post('/notifications/test', { channel: 'im', format: 'wecom', url });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    const seen = peer.requests.at(-1)!;
    expect(seen.url).toBe('/robot/send?key=robot-key-9876');
    expect(seen.json.msgtype).toBe('markdown');
    expect(JSON.stringify(sent.body)).not.toContain('robot-key-9876');

    const noFormat = await srv.admin.post('/notifications/test', { channel: 'im', url });
    expect(noFormat.status).toBe(400);
    expect(noFormat.body.error.details.problems[0].path).toBe('/format');

    peer.answer = { status: 200, body: '{"errcode":93000,"errmsg":"invalid webhook url robot-key-9876"}' };
    const refused = await srv.admin.post('/notifications/test', { channel: 'im', format: 'wecom', url });
    peer.answer = { status: 200, body: '{"errcode":0,"code":0}' };
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toContain('invalid webhook url');
    expect(JSON.stringify(refused.body)).not.toContain('robot-key-9876');
  });
});
