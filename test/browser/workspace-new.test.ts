import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/client.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { assertBuilt, type Browser, launch, loginAs, screenshotDir } from './browser.ts';

/** Staff log records by hand in the workspace: a phone call for a requester, a change to raise. */
describe('new records in the workspace', () => {
  let srv: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    assertBuilt();
    srv = await startTestServer('sqlite', { pluginsDir: SHIPPED_PLUGINS, demo: true });
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  it('an agent logs a phone call as an incident for the caller, who then follows it in the portal', async () => {
    const shot = screenshotDir('workspace-new-incident');
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await loginAs(page, srv.url, 'zhangwei', DEMO_PASSWORD, '/workspace/');
    await page.getByTestId('new-record-button').click();
    await page.getByTestId('new-record').waitFor();
    await page.getByTestId('new-record-type').click();
    await page.locator('.ant-select-dropdown:visible').getByText('故障单 (INC)').click();
    await page.getByTestId('user-select').click();
    await page.getByTestId('user-select').locator('input').pressSequentially('zhao');
    await page.locator('.ant-select-dropdown:visible').getByText('赵磊 (zhaolei)').click();

    await page.locator('#root_title').fill('电话报障：财务系统登录超时');
    await page.locator('#root_category').click();
    await page.locator('.ant-select-dropdown:visible').getByText('软件', { exact: true }).click();
    await page.locator('#root_impact').getByText('2 - 中').click();
    await page.locator('#root_urgency').getByText('1 - 高').click();
    await page.locator('#root_description').fill('赵磊来电：登录财务系统一直转圈');
    await shot(page, 'filled');
    await page.getByTestId('request-submit').click();

    await page.getByTestId('record-page').waitFor();
    await page.getByText('电话报障：财务系统登录超时').first().waitFor();
    await shot(page, 'created');
    expect(errors).toEqual([]);

    const caller = await new ApiClient(srv.url).login('zhaolei', DEMO_PASSWORD);
    const mine = (await caller.get('/records?type=incident')).body.items;
    const logged = mine.find((r: { title: string }) => r.title === '电话报障：财务系统登录超时');
    expect(logged).toMatchObject({ requester: 'zhaolei', priority: 'P2', status: 'triage' });
    expect(logged.data).toMatchObject({ category: 'software', impact: 2, urgency: 1 });
    const history = (await caller.get(`/records/${logged.id}/history`)).body.items;
    expect(history.find((h: { kind: string }) => h.kind === 'created').actor).toBe('zhangwei');
  });

  it('a change shows what its requester fills, not what later steps do', async () => {
    const page = await browser.context.newPage();
    await loginAs(page, srv.url, 'lina', DEMO_PASSWORD, '/workspace/new/change');
    await page.locator('#root_title').waitFor();
    const form = page.getByTestId('new-record');
    await form.getByText('回退计划').waitFor();
    expect(await form.textContent()).not.toMatch(/实施结果|变更回顾/);
  });

  it('the record types are staff-only', async () => {
    const requester = await new ApiClient(srv.url).login('zhaolei', DEMO_PASSWORD);
    expect((await requester.get('/forms')).status).toBe(403);
    const agent = await new ApiClient(srv.url).login('zhangwei', DEMO_PASSWORD);
    const types = (await agent.get('/forms')).body.items as { key: string; processes: { key: string }[] }[];
    expect(types.map((x) => x.key)).toEqual(
      expect.arrayContaining(['incident', 'problem', 'change', 'release', 'service-request', 'inspection']),
    );
    expect(types.find((x) => x.key === 'change')?.processes.map((p) => p.key)).toEqual(['change-flow']);
  });
});
