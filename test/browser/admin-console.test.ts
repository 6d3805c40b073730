import { createServer } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SMTP_PASSWORD, SMTP_USER, type SmtpPeer, startSmtp } from '../notify/peers.ts';
import { createTicket, type People, publishRule, startNotifyServer, until } from '../notify/setup.ts';
import { ADMIN_PASSWORD, type TestServer } from '../support/server.ts';
import { describeInBrowser } from './browser.ts';
import { ensureDesignerBuilt, launchChromium, screenshotDir } from './designer-support.ts';

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
 * The designer's administration console and everyone's profile page in a real browser: an admin
 * creates a user and puts them in a group, unlocks a person locked out by failed logins, fixes
 * the mail settings and sends a test message to a real SMTP server, then retries the e-mails that
 * died while the settings pointed at a closed port; a requester changes their language and
 * password on the profile page.
 */
describeInBrowser('administration console and profile page (browser)', () => {
  let srv: TestServer;
  let people: People;
  let smtp: SmtpPeer;
  let browser: Browser;
  let page: Page;
  const shot = screenshotDir('admin-console');
  let deadIds: number[] = [];

  /** Picks `text` in the antd Select marked with the test id (typing filters it, Enter takes it). */
  async function choose(testId: string, text: string) {
    await page.getByTestId(testId).click();
    await page.keyboard.type(text);
    await page.waitForTimeout(200);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
  }

  const api = async (path: string) => {
    const res = await page.request.get(`${srv.url}/api/v1${path}`);
    expect(res.status(), path).toBe(200);
    return res.json();
  };

  beforeAll(async () => {
    ensureDesignerBuilt();
    ({ srv, people } = await startNotifyServer('sqlite'));
    smtp = await startSmtp();
    // Mail goes to a closed port first: the ticket's e-mails die (three quick attempts).
    const settings = await srv.admin.put('/settings/smtp', {
      host: '127.0.0.1',
      port: await closedPort(),
      startTls: 'required',
      tlsRejectUnauthorized: false,
      username: SMTP_USER,
      password: SMTP_PASSWORD,
      from: 'Opsloom <noreply@example.com>',
    });
    expect(settings.status).toBe(200);
    await publishRule(srv, {
      kind: 'rule',
      key: 'mail-desk',
      name: { en: 'Mail the desk', 'zh-CN': '通知服务台' },
      event: 'record.created',
      form: 'ticket',
      actions: [
        {
          type: 'notify',
          channel: 'email',
          recipients: [{ type: 'address', value: 'desk@example.com' }],
          template: { subject: 'New ticket {{ record.number }}', body: '{{ record.title }}' },
        },
      ],
    });
    await createTicket(people.wang, { title: 'Printer jammed' });
    const dead = await until(async () => {
      const items = (await srv.admin.get('/jobs?status=dead&type=deliver')).body.items as { id: number }[];
      return items.length > 0 && items;
    }, 'a dead e-mail');
    deadIds = dead.map((j) => j.id);

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale: 'zh-CN' });
    await context.addInitScript(() => {
      if (!localStorage.getItem('opsloom.locale')) localStorage.setItem('opsloom.locale', 'zh-CN');
    });
    page = await context.newPage();
    page.on('pageerror', (e) => console.error('pageerror', e.message));
    const login = await page.request.post(`${srv.url}/api/v1/auth/login`, {
      data: { username: 'admin', password: ADMIN_PASSWORD },
    });
    expect(login.status()).toBe(200);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await smtp?.close();
    await srv?.close();
  });

  it('1: an admin creates a user and puts them in a support group', async () => {
    await page.goto(`${srv.url}/designer/`);
    await page.getByTestId('nav-admin').click();
    await page.getByTestId('admin-users').waitFor();
    await page.getByTestId('user-new').click();
    await page.getByTestId('user-username').fill('zhaolei');
    await page.getByTestId('user-display-name').fill('赵磊');
    await page.getByTestId('user-email').fill('zhaolei@example.com');
    await page.getByTestId('user-password').fill('zhaolei-quiet-harbour-lamp');
    await choose('user-roles', '处理人');
    await shot(page, 'new-user');
    await page.getByTestId('user-save').click();
    await page.getByTestId('user-row-zhaolei').waitFor();
    const created = await api('/users/zhaolei');
    expect(created).toMatchObject({ displayName: '赵磊', roles: ['user', 'agent'], groups: [] });
    await expect(page.getByTestId('user-row-zhaolei').textContent()).resolves.toContain('从未');

    // The groups screen: a tree of groups, the support group marked as a queue; add a member.
    await page.getByTestId('admin-nav-groups').click();
    await page.getByTestId('group-node-desk').click();
    await page.getByTestId('group-editor').waitFor();
    await choose('group-members', 'zhaolei');
    await shot(page, 'group-members');
    await page.getByTestId('group-save').click();
    await expect.poll(async () => (await api('/groups/desk')).members).toContain('zhaolei');
    expect((await api('/users/zhaolei')).groups).toEqual(['desk']);
  });

  it('2: an admin sees a person held back by failed logins and unlocks them', async () => {
    for (let i = 0; i < 6; i++)
      await srv.client().post('/auth/login', { username: 'bob', password: 'not-bobs-password' });
    const held = await srv.client().post('/auth/login', { username: 'bob', password: 'bob-test-password' });
    expect(held.status).toBe(429);

    await page.getByTestId('admin-nav-users').click();
    await page.getByTestId('users-reload').click();
    await page.getByTestId('locked-bob').waitFor();
    await shot(page, 'locked');
    await page.getByTestId('user-unlock-bob').click();
    await expect.poll(() => page.getByTestId('locked-bob').count()).toBe(0);
    expect((await api('/users/bob')).lockedUntil).toBeNull();
    const again = await srv.client().post('/auth/login', { username: 'bob', password: 'bob-test-password' });
    expect(again.status).toBe(200);
    // The login shows as bob's last one.
    await page.getByTestId('users-reload').click();
    await expect.poll(() => page.getByTestId('user-row-bob').textContent()).not.toContain('从未');
  });

  it('3: an admin fixes the mail settings and sends a test message to a real SMTP server', async () => {
    await page.getByTestId('admin-nav-notifications').click();
    await page.getByTestId('mail-settings').waitFor();
    await expect.poll(() => page.getByTestId('smtp-host').inputValue()).toBe('127.0.0.1');
    await page.getByTestId('smtp-port').fill(String(smtp.port));
    await page.getByTestId('smtp-save').click();
    await expect.poll(async () => (await api('/settings/smtp')).port).toBe(smtp.port);
    // The stored password was kept (the field was left empty).
    expect((await api('/settings/smtp')).passwordSet).toBe(true);

    await page.getByTestId('mail-test-to').fill('ops@example.com');
    await page.getByTestId('mail-test-send').click();
    await expect
      .poll(() => page.getByTestId('mail-test-outcome').textContent(), { timeout: 15_000 })
      .toContain('ops@example.com');
    await expect(page.locator('[data-testid=mail-test-outcome].ant-alert-success').count()).resolves.toBe(1);
    await shot(page, 'mail-test');
    const mail = smtp.mails.find((m) => m.envelopeTo.includes('ops@example.com'));
    expect(mail?.parsed.subject).toBe('Opsloom 测试消息');
    const audit = await api('/audit?action=notification.test');
    expect(audit.items[0]).toMatchObject({ actor: 'admin', detail: { to: 'ops@example.com' } });
  });

  it('4: an admin retries the e-mails that died, and they are delivered', async () => {
    await page.getByTestId('admin-nav-jobs').click();
    for (const id of deadIds) await page.getByTestId(`job-row-${id}`).waitFor();
    await expect(page.getByTestId(`job-row-${deadIds[0]}`).textContent()).resolves.toContain(
      'desk@example.com',
    );
    await shot(page, 'dead-jobs');
    for (const id of deadIds) await page.getByTestId(`job-row-${id}`).locator('.ant-checkbox-input').check();
    await page.getByTestId('jobs-retry-selected').click();
    await expect
      .poll(
        async () => {
          const jobs = (await api('/jobs?type=deliver&limit=500')).items as { id: number; status: string }[];
          return jobs.filter((j) => deadIds.includes(j.id)).every((j) => j.status === 'done');
        },
        { timeout: 20_000 },
      )
      .toBe(true);
    expect(smtp.mails.some((m) => m.envelopeTo.includes('desk@example.com'))).toBe(true);
    await page.getByTestId('jobs-reload').click();
    await expect.poll(() => page.getByTestId(`job-row-${deadIds[0]}`).count()).toBe(0);
    const audit = await api('/audit?action=job.retry');
    expect(audit.items.map((e: { entityKey: string }) => Number(e.entityKey))).toEqual(
      expect.arrayContaining(deadIds),
    );
  });

  it('5: a requester changes their language and password on the profile page', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const me = await context.newPage();
    me.on('pageerror', (e) => console.error('pageerror', e.message));
    await me.goto(`${srv.url}/portal/login?next=/portal/`);
    await me.getByTestId('login-username').fill('wang');
    await me.getByTestId('login-password').fill('wang-test-password');
    await me.keyboard.press('Enter');
    await me.getByTestId('user-menu').waitFor();
    await me.getByTestId('user-menu').hover();
    await me.getByTestId('nav-profile').click();
    await me.getByTestId('profile-page').waitFor();
    await expect.poll(() => me.getByTestId('profile-display-name').inputValue()).toBe('王小明');

    await me.getByTestId('profile-language').click();
    await me.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: 'English' }).click();
    await me.getByTestId('profile-save').click();
    await expect.poll(() => me.getByTestId('profile-page').textContent()).toContain('Your profile');
    expect((await srv.admin.get('/users/wang')).body.locale).toBe('en');

    await me.getByTestId('profile-current-password').fill('wang-test-password');
    await me.getByTestId('profile-new-password').fill('wang-copper-kettle-meadow');
    await me.getByTestId('profile-confirm-password').fill('wang-copper-kettle-meadow');
    await me.getByTestId('profile-change-password').click();
    await expect.poll(() => me.locator('.ant-message').textContent()).toContain('Password changed');
    await shot(me, 'profile');
    // The page keeps working on the new session: a second save goes through with its CSRF token.
    await me.getByTestId('profile-display-name').fill('Wang Xiaoming');
    await me.getByTestId('profile-save').click();
    await expect
      .poll(async () => (await srv.admin.get('/users/wang')).body.displayName)
      .toBe('Wang Xiaoming');
    expect(
      (await srv.client().post('/auth/login', { username: 'wang', password: 'wang-test-password' })).status,
    ).toBe(401);
    expect(
      (await srv.client().post('/auth/login', { username: 'wang', password: 'wang-copper-kettle-meadow' }))
        .status,
    ).toBe(200);
    await context.close();
  });
});
