import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/client.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { assertBuilt, type Browser, launch, loginAs, screenshotDir } from './browser.ts';

// An agent reads a ticket's SLA metrics on its record page (workspace/SlaPanel.tsx): the shipped
// incident SLA's first response and resolution, and after a reopen the resolution's two cycles.

describe('SLA metrics on the workspace record page', () => {
  let srv: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    assertBuilt();
    srv = await startTestServer('sqlite', { demo: true, pluginsDir: SHIPPED_PLUGINS });
    browser = await launch();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  it('shows each metric with its time left, then the met cycle and the new one after a reopen', async () => {
    const shot = screenshotDir('record-sla');
    const requester = await new ApiClient(srv.url).login('zhaolei', DEMO_PASSWORD);
    const agent = await new ApiClient(srv.url).login('zhangwei', DEMO_PASSWORD);
    const inc = (
      await requester.post('/records', {
        type: 'incident',
        data: { title: '打印机卡纸', description: '三楼打印机', category: 'hardware', impact: 3, urgency: 3 },
      })
    ).body as { id: number };
    const act = async (c: ApiClient, action: string, body: Record<string, unknown> = {}) => {
      const [task] = (await c.get(`/records/${inc.id}/tasks`)).body.items;
      const res = await c.post(`/tasks/${task.id}/actions/${action}`, body);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    };

    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const openSla = async () => {
      await loginAs(page, srv.url, 'zhangwei', DEMO_PASSWORD, `/workspace/records/${inc.id}`);
      await page.getByTestId('record-page').waitFor();
      await page.getByRole('tab', { name: 'SLA' }).click();
      await page.getByTestId('sla-metrics').waitFor();
    };
    const state = (metric: string, cycle: number) =>
      page.getByTestId(`sla-${metric}-${cycle}`).getByTestId('sla-state');

    // The status reads as itil-incident's form names it, in the page's language.
    await loginAs(page, srv.url, 'zhangwei', DEMO_PASSWORD, `/workspace/records/${inc.id}`);
    const status = page.getByTestId('record-status');
    await status.waitFor();
    expect([await status.textContent(), await status.getAttribute('data-status')]).toEqual([
      '待分派',
      'triage',
    ]);
    // So do the group and the people: by name, not by key.
    await expect.poll(() => page.locator('[data-group="service-desk"]').first().textContent()).toBe('服务台');
    await expect.poll(() => page.locator('[data-username="zhaolei"]').first().textContent()).toBe('赵磊');

    // New: both metrics run, each with its time left.
    await openSla();
    for (const metric of ['first-response', 'resolution'])
      expect(await state(metric, 1).locator('[data-countdown]').getAttribute('data-countdown')).toBe('ok');
    // A P4's targets (itil-incident's SLA) count business hours, and read so.
    expect(await page.getByTestId('sla-first-response-1').textContent()).toContain('4h');
    expect(await page.getByTestId('sla-resolution-1').textContent()).toContain('40h');
    await shot(page, 'new');

    // Accepted, resolved, reopened by the requester: first response and the first resolution
    // cycle were met, a second resolution cycle runs.
    const [triage] = (await agent.get(`/records/${inc.id}/tasks`)).body.items;
    expect((await agent.post(`/tasks/${triage.id}/claim`)).status).toBe(204);
    await act(agent, 'accept');
    await act(agent, 'resolve', { data: { resolutionCode: 'fixed', resolutionNotes: '取出卡纸' } });
    await act(requester, 'reopen', { comment: '又卡了' });
    await loginAs(page, srv.url, 'zhangwei', DEMO_PASSWORD, `/workspace/records/${inc.id}`);
    await page.getByTestId('timeline').getByText('已解决 → 处理中').waitFor();
    expect(await status.textContent()).toBe('处理中');
    await openSla();
    await state('resolution', 2).waitFor();
    expect(await state('first-response', 1).locator('.ant-tag-green').count()).toBe(1);
    expect(await state('resolution', 1).locator('.ant-tag-green').count()).toBe(1);
    expect(await state('resolution', 2).locator('[data-countdown]').getAttribute('data-countdown')).toBe(
      'ok',
    );
    expect(await page.getByTestId('sla-resolution-2').textContent()).toMatch(/第 2 轮|cycle 2/);
    await shot(page, 'reopened');
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);
});
