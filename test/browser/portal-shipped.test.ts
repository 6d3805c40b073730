import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/client.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { assertBuilt, type Browser, launch, loginAs, screenshotDir } from './browser.ts';

/** The shipped ITIL services requested in the portal, in English: every text in that language. */
describe('shipped services in the portal', () => {
  let srv: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    assertBuilt();
    srv = await startTestServer('sqlite', { pluginsDir: SHIPPED_PLUGINS, demo: true });
    browser = await launch();
    await browser.context.addInitScript(() => localStorage.setItem('opsloom.locale', 'en'));
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  it('a developer requests a release of two applications; the process alone sets their CI/CD status', async () => {
    const shot = screenshotDir('portal-release');
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await loginAs(page, srv.url, 'zhaolei', DEMO_PASSWORD, '/portal/request/release-catalog/request-release');
    await page.getByTestId('request-form').waitFor();
    // The list is the requester's to fill (a rule locks it once the release exists), its
    // columns and choice labels in English, the CI/CD status and merge request not theirs to type.
    await page.locator('#root_title').fill('July release');
    // The list starts with the one application it needs at least.
    await page.locator('#root_apps_0_name').fill('order-service');
    await page.locator('#root_apps__add').click();
    await page.locator('#root_apps_1_name').fill('pay-service');
    const apps = page.locator('#root_apps');
    for (const text of ['Application', 'CI/CD status', 'Not released'])
      await apps.getByText(text).first().waitFor();
    expect(await apps.textContent()).not.toMatch(/应用名称|未发布/);
    // A table: the columns are named once, in its header, not above every item's inputs.
    expect(await apps.getByText('CI/CD status', { exact: true }).count()).toBe(1);
    const status = page.locator('#root_apps_0_status');
    expect(await status.textContent()).toBe('Not released');
    expect(await status.locator('input, .ant-select').count()).toBe(0);
    expect(await page.locator('#root_apps__add').getAttribute('title')).toBe('Add Item');
    await shot(page, 'filled');

    await page.getByTestId('request-submit').click();
    await page.getByTestId('request-detail').waitFor();
    await expect.poll(() => page.getByTestId('field-value-apps').textContent()).toContain('Not released');
    await shot(page, 'submitted');
    expect(errors).toEqual([]);

    const requester = await new ApiClient(srv.url).login('zhaolei', DEMO_PASSWORD);
    const [rec] = (await requester.get('/records?type=release')).body.items;
    expect(rec.data.apps).toEqual([
      { name: 'order-service', status: '未发布' },
      { name: 'pay-service', status: '未发布' },
    ]);
    expect(rec.status).toBe('OPEN');
  });

  it("an incident's choices read in English", async () => {
    const shot = screenshotDir('portal-incident-en');
    const page = await browser.context.newPage();
    await loginAs(page, srv.url, 'alice', DEMO_PASSWORD, '/portal/request/incident-catalog/report-incident');
    await page.getByTestId('request-form').waitFor();
    const form = page.getByTestId('request-form');
    await form.getByText('1 - High').first().waitFor();
    await page.locator('#root_category').click();
    await page.locator('.ant-select-dropdown:visible').getByText('Network', { exact: true }).waitFor();
    await shot(page, 'choices');
    expect(await page.locator('body').textContent()).not.toMatch(/硬件|网络|高 \/|低 \//);
  });

  it("the same form in Chinese: its labels and the form library's own buttons", async () => {
    const page = await browser.context.newPage();
    await page.addInitScript(() => localStorage.setItem('opsloom.locale', 'zh-CN'));
    await loginAs(page, srv.url, 'zhaolei', DEMO_PASSWORD, '/portal/request/release-catalog/request-release');
    await page.getByTestId('request-form').waitFor();
    const apps = page.locator('#root_apps');
    for (const text of ['应用名称', 'CI/CD 状态', '未发布']) await apps.getByText(text).first().waitFor();
    expect(await page.locator('#root_apps__add').getAttribute('title')).toBe('添加一项');
    expect(await page.locator('#root_apps_0__remove').getAttribute('title')).toBe('删除');
  });
});
