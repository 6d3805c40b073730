import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../support/server.ts';
import { assertBuilt, type Browser, describeInBrowser, launch, loginAs, screenshotDir } from './browser.ts';

/**
 * The three apps under their Content-Security-Policy: each screen that loads code or styles in its
 * own way (lazy chunks, antd's CSS-in-JS, rjsf forms, React Flow, Monaco and its workers) is
 * opened, and the browser must report no violation, neither as an event nor in the console.
 */
describeInBrowser('the apps under their CSP (browser)', () => {
  let srv: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    assertBuilt();
    srv = await startTestServer('sqlite', { pluginsDir: SHIPPED_PLUGINS, demo: true });
    browser = await launch();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  /** A page that records every CSP violation and page error it sees. */
  async function watchedPage(): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
      });
    });
    page.on('console', (m) => {
      if (/Content Security Policy|CSP violation/i.test(m.text())) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    return { page, problems };
  }

  it('sends a strict policy that forbids framing', async () => {
    for (const app of ['/portal/', '/workspace/', '/designer/']) {
      const res = await fetch(`${srv.url}${app}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      const scripts = csp.split(';').find((d) => d.trim().startsWith('script-src')) ?? '';
      expect(scripts, app).toContain("'self'");
      // No inline script runs: an injected <script> or onerror= attribute is blocked.
      expect(scripts, app).not.toContain('unsafe-inline');
      expect(csp, app).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-frame-options'), app).toBe('DENY');
    }
  });

  it('the portal: log in, the catalog, a request form, a submitted request', async () => {
    const shot = screenshotDir('csp-portal');
    const { page, problems } = await watchedPage();
    await loginAs(
      page,
      srv.url,
      'zhaolei',
      DEMO_PASSWORD,
      '/portal/request/incident-catalog/report-incident',
    );
    await page.getByTestId('request-form').waitFor();
    await page.locator('#root_title').fill('打印机卡纸');
    await page.locator('#root_category').click();
    await page.locator('.ant-select-dropdown:visible').getByText('硬件', { exact: true }).click();
    await page.locator('#root_description').fill('三楼打印机卡纸');
    await shot(page, 'form');
    await page.getByTestId('request-submit').click();
    await page.getByTestId('request-detail').waitFor({ timeout: 20_000 });
    await shot(page, 'request');
    expect(problems).toEqual([]);
  }, 90_000);

  it('the workspace: a queue and a record', async () => {
    const shot = screenshotDir('csp-workspace');
    const zhaolei = await srv.client().login('zhaolei', DEMO_PASSWORD);
    const created = await zhaolei.post('/records', {
      type: 'incident',
      catalogItem: 'incident-catalog/report-incident',
      data: { title: 'VPN 连不上', description: '-', category: 'network', impact: 2, urgency: 2 },
    });
    expect(created.status).toBe(201);
    const { page, problems } = await watchedPage();
    await loginAs(page, srv.url, 'zhangwei', DEMO_PASSWORD, '/workspace/');
    await page.getByTestId('queue-unassigned').click();
    await page.getByTestId('record-list').getByText(created.body.number).click({ timeout: 20_000 });
    await page.getByTestId('record-page').waitFor({ timeout: 20_000 });
    await shot(page, 'record');
    expect(problems).toEqual([]);
  }, 90_000);

  it('the designer: the process canvas and Monaco with its workers', async () => {
    const shot = screenshotDir('csp-designer');
    const { page, problems } = await watchedPage();
    // The designer has no portal header to wait for: log in on the shared page, then wait for it.
    await page.goto(`${srv.url}/portal/login?next=${encodeURIComponent('/designer/process/incident-flow')}`);
    await page.getByTestId('login-username').fill('admin');
    await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('process-canvas').waitFor({ timeout: 30_000 });
    await page.getByTestId('mode').getByText('JSON').click();
    await page.locator('.monaco-editor').first().waitFor({ timeout: 30_000 });
    // The JSON worker answers: the schema's hover and validation come from it.
    await page.locator('.monaco-editor').first().click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('End');
    await page.keyboard.type('"bogusProp": 1,');
    await expect
      .poll(() => page.locator('.monaco-editor .squiggly-warning, .monaco-editor .squiggly-error').count(), {
        timeout: 20_000,
      })
      .toBeGreaterThan(0);
    await shot(page, 'monaco');
    expect(problems).toEqual([]);
  }, 120_000);
});
