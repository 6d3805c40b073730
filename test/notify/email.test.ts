import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../support/databases.ts';
import type { TestServer } from '../support/server.ts';
import { SMTP_PASSWORD, SMTP_USER, type SmtpPeer, startSmtp } from './peers.ts';
import { createTicket, type People, publishRule, retire, startNotifyServer, until } from './setup.ts';

const EMAIL_RULE = {
  kind: 'rule',
  key: 'email-on-create',
  name: { en: 'Email on create', 'zh-CN': '创建时发邮件' },
  event: 'record.created',
  form: 'ticket',
  condition: 'record.category == "mail"',
  actions: [
    {
      type: 'notify',
      channel: 'email',
      recipients: [
        { type: 'requester' },
        { type: 'assignmentGroup' },
        { type: 'address', value: 'ops-list@example.com' },
      ],
      template: {
        subject: {
          'zh-CN': '新工单 {{ record.number }}：{{ record.title }}',
          en: 'New ticket {{ record.number }}: {{ record.title }}',
        },
        body: {
          'zh-CN': '您好 {{ recipient.displayName }}，{{ actor }} 提交了工单。\n链接：{{ link }}',
          en: 'Hello {{ recipient.displayName }}, {{ actor }} opened a ticket.\nLink: {{ link }}',
        },
      },
    },
  ],
};

describe.each(testDatabases())('email notifications on %s', (dbName) => {
  let srv: TestServer;
  let people: People;
  let smtp: SmtpPeer;

  beforeAll(async () => {
    ({ srv, people } = await startNotifyServer(dbName));
    smtp = await startSmtp();
  });
  afterAll(async () => {
    await smtp?.close();
    await srv?.close();
  });

  const configure = (port: number) =>
    srv.admin.put('/settings/smtp', {
      host: '127.0.0.1',
      port,
      startTls: 'required',
      tlsRejectUnauthorized: false,
      username: SMTP_USER,
      password: SMTP_PASSWORD,
      from: 'Opsloom <noreply@example.com>',
    });

  it('SMTP settings: admin only, the password is never returned, bad input is a 400', async () => {
    const before = await srv.admin.get('/settings/smtp');
    expect(before.status).toBe(200);
    expect(before.body.source).toBe('none');
    const saved = await configure(smtp.port);
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body).toMatchObject({
      host: '127.0.0.1',
      port: smtp.port,
      passwordSet: true,
      source: 'settings',
    });
    expect(JSON.stringify(saved.body)).not.toContain(SMTP_PASSWORD);
    expect(JSON.stringify((await srv.admin.get('/settings/smtp')).body)).not.toContain(SMTP_PASSWORD);
    expect((await people.bob.get('/settings/smtp')).status).toBe(403);
    expect((await people.bob.put('/settings/smtp', { host: 'x', port: 25, from: 'a@b.c' })).status).toBe(403);
    const bad = await srv.admin.put('/settings/smtp', { host: '', port: 70000, from: 'x@y.z' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.problems.length).toBeGreaterThan(0);
    // Saving without a password keeps the stored one.
    const kept = await srv.admin.put('/settings/smtp', {
      host: '127.0.0.1',
      port: smtp.port,
      startTls: 'required',
      tlsRejectUnauthorized: false,
      username: SMTP_USER,
      from: 'Opsloom <noreply@example.com>',
    });
    expect(kept.body.passwordSet).toBe(true);
  });

  it('a rule emails requester, group and a fixed address, each in their own language', async () => {
    await configure(smtp.port);
    await publishRule(srv, EMAIL_RULE);
    const start = smtp.mails.length;
    // The condition does not hold: no mail at all.
    const quiet = await createTicket(people.wang, { category: 'other' });
    const rec = await createTicket(people.wang, { category: 'mail' });
    const mails = await until(
      async () => (smtp.mails.length - start >= 3 ? smtp.mails.slice(start) : null),
      'three mails',
    );
    const to = (addr: string) => mails.find((m) => m.envelopeTo.includes(addr))!;
    expect(mails.flatMap((m) => m.envelopeTo).sort()).toEqual([
      'bob@example.com',
      'ops-list@example.com',
      'wang@example.com',
    ]);
    // The zh-CN requester gets Chinese and a portal link.
    const wang = to('wang@example.com').parsed;
    expect(wang.subject).toBe(`新工单 ${rec.number}：Printer on fire`);
    expect(wang.text).toContain('您好 王小明，wang 提交了工单。');
    expect(wang.text).toContain(`https://itsm.example.com/portal/requests/${rec.id}`);
    expect(wang.from?.text).toContain('noreply@example.com');
    expect(wang.messageId).toMatch(/^<opsloom-outbox-\d+@itsm\.example\.com>$/);
    // The English agent gets English and a workspace link.
    const bob = to('bob@example.com').parsed;
    expect(bob.subject).toBe(`New ticket ${rec.number}: Printer on fire`);
    expect(bob.text).toContain('Hello Bob Jones, wang opened a ticket.');
    expect(bob.text).toContain(`https://itsm.example.com/workspace/records/${rec.id}`);
    // A group member without an e-mail address is noted, not failed.
    const history = (await srv.admin.get(`/records/${rec.id}/history`)).body.items as any[];
    const note = history.find((h) => h.kind === 'notification');
    expect(JSON.stringify(note)).toContain('nomail');
    expect(smtp.mails.some((m) => m.parsed.text?.includes(quiet.number))).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.mails.length - start).toBe(3);
  });

  it('SMTP down for a while: the mail is delivered exactly once when it comes back', async () => {
    const down = await startSmtp({ listen: false });
    await configure(down.port);
    const rec = await createTicket(people.wang, { category: 'mail', title: 'while down' });
    // At least one failed attempt, the error visible to admins, and still pending.
    const failing = await until(async () => {
      const items = (await srv.admin.get('/notifications/outbox?status=pending')).body.items as any[];
      const mine = items.filter((m) => m.recordId === rec.id && m.attempts >= 1 && m.lastError);
      return mine.length === 3 ? mine : null;
    }, 'failed attempts');
    expect(failing[0].lastError).toMatch(/ECONNREFUSED|connect/i);
    await down.listen();
    try {
      await until(async () => down.mails.length >= 3, 'mails after the server came back');
      await until(async () => {
        const items = (await srv.admin.get('/notifications/outbox?status=done')).body.items as any[];
        return items.filter((m) => m.recordId === rec.id).length === 3;
      }, 'outbox rows done');
      await new Promise((r) => setTimeout(r, 600));
      expect(down.mails.length).toBe(3);
      expect(new Set(down.mails.map((m) => m.parsed.messageId)).size).toBe(3);
    } finally {
      await down.close();
    }
  });

  it('a server that refuses (451) is retried too, and the message arrives once', async () => {
    await configure(smtp.port);
    smtp.refuse = 'try again later';
    const start = smtp.mails.length;
    const rec = await createTicket(people.wang, { category: 'mail', title: 'refused first' });
    await until(async () => {
      const items = (await srv.admin.get('/notifications/outbox?status=pending')).body.items as any[];
      return items.some((m) => m.recordId === rec.id && /451|try again/.test(m.lastError ?? ''));
    }, 'a refused attempt');
    smtp.refuse = null;
    await until(async () => smtp.mails.length - start >= 3, 'mails after refusals');
    await new Promise((r) => setTimeout(r, 600));
    expect(smtp.mails.length - start).toBe(3);
  });

  it('after the last attempt a message is dead-lettered, visible to admins and retryable', async () => {
    const down = await startSmtp({ listen: false });
    await configure(down.port);
    const rec = await createTicket(people.wang, { category: 'mail', title: 'dead letter' });
    const dead = await until(async () => {
      const items = (await srv.admin.get('/notifications/dead')).body.items as any[];
      const mine = items.filter((m) => m.recordId === rec.id);
      return mine.length === 3 ? mine : null;
    }, 'dead letters');
    expect(dead[0]).toMatchObject({ channel: 'email', status: 'dead', attempts: 3, maxAttempts: 3 });
    expect(dead[0].lastError).toBeTruthy();
    expect((await people.bob.get('/notifications/dead')).status).toBe(403);
    const history = (await srv.admin.get(`/records/${rec.id}/history`)).body.items as any[];
    expect(history.filter((h) => h.kind === 'notification_failed')).toHaveLength(3);

    await down.listen();
    try {
      const wangMail = dead.find((m) => m.to === 'wang@example.com');
      const retried = await srv.admin.post(`/notifications/${wangMail.id}/retry`);
      expect(retried.status, JSON.stringify(retried.body)).toBe(200);
      expect(retried.body).toMatchObject({ status: 'pending', attempts: 0 });
      await until(async () => down.mails.length === 1, 'the retried mail');
      expect(down.mails[0]!.envelopeTo).toEqual(['wang@example.com']);
      // Only dead letters can be retried; unknown ids are 404; bad ids 400.
      await until(
        async () =>
          ((await srv.admin.get('/notifications/outbox?status=done')).body.items as any[]).some(
            (m) => m.id === wangMail.id,
          ),
        'retried message done',
      );
      const again = await srv.admin.post(`/notifications/${wangMail.id}/retry`);
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('not_dead');
      expect((await srv.admin.post('/notifications/99999999/retry')).status).toBe(404);
      expect((await srv.admin.post('/notifications/abc/retry')).status).toBe(400);
      await new Promise((r) => setTimeout(r, 300));
      expect(down.mails).toHaveLength(1);
    } finally {
      await down.close();
      await retire(srv, EMAIL_RULE.key);
    }
  });
});
