import { afterAll, beforeAll, expect, it } from 'vitest';
import type { HistoryEntry } from '../../runtime/src/records/history.ts';
import { REPORT_INCIDENT } from '../records/helpers.ts';
import { ApiClient } from '../support/client.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { assertBuilt, type Browser, describeInBrowser, launch, loginAs, screenshotDir } from './browser.ts';

// An agent reads a ticket's SLA metrics on its record page (workspace/SlaPanel.tsx): the shipped
// incident SLA's first response and resolution, and after a reopen the resolution's two cycles.
// And its timeline (shared/activity.tsx): every field change, by the form's labels and values.

describeInBrowser('The workspace record page: SLA metrics and timeline', () => {
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

  const shot = screenshotDir('record-sla');

  it('shows each metric with its time left, then the met cycle and the new one after a reopen', async () => {
    const requester = await new ApiClient(srv.url).login('zhaolei', DEMO_PASSWORD);
    const agent = await new ApiClient(srv.url).login('zhangwei', DEMO_PASSWORD);
    const inc = (
      await requester.post('/records', {
        type: 'incident',
        catalogItem: REPORT_INCIDENT,
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
    // The reopen reads as the requester's action, with the status change it made.
    const reopened = page.getByTestId('timeline').locator('[data-kind="transition"]').last();
    await expect
      .poll(() => reopened.locator('[data-field="status"]').textContent())
      .toBe('状态:已解决→处理中');
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

  it('shows who changed which field from what to what, and what the rules sent to whom', async () => {
    const requester = await new ApiClient(srv.url).login('zhaolei', DEMO_PASSWORD);
    const agent = await new ApiClient(srv.url).login('zhangwei', DEMO_PASSWORD);
    const inc = (
      await requester.post('/records', {
        type: 'incident',
        catalogItem: REPORT_INCIDENT,
        data: { title: '显示器闪烁', description: '工位显示器', category: 'hardware', impact: 3, urgency: 3 },
      })
    ).body as { id: number; number: string };
    const [triage] = (await agent.get(`/records/${inc.id}/tasks`)).body.items;
    expect((await agent.post(`/tasks/${triage.id}/claim`)).status).toBe(204);
    const { version } = (await agent.get(`/records/${inc.id}`)).body as { version: number };
    const saved = await agent.patch(`/records/${inc.id}`, {
      version,
      data: { category: 'network', impact: 1 },
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect((await agent.post(`/tasks/${triage.id}/transfer`, { to: 'lina' })).status).toBe(204);
    // The shipped rule emails the new assignee, who has no address: its job writes why nobody got it.
    const history = async () => (await agent.get(`/records/${inc.id}/history`)).body.items as HistoryEntry[];
    await expect.poll(async () => (await history()).some((e) => e.kind === 'rule')).toBe(true);
    const rule = (await history()).find((e) => e.kind === 'rule')!;
    expect(rule.names?.rule).toMatchObject({ 'zh-CN': expect.any(String), en: expect.any(String) });

    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await loginAs(page, srv.url, 'zhangwei', DEMO_PASSWORD, `/workspace/records/${inc.id}`);
    const timeline = page.getByTestId('timeline');
    await timeline.waitFor();
    // The claim and the save, each one entry, each change by the form's label and value names.
    const change = (field: string) => timeline.locator(`[data-field="${field}"]`);
    await change('impact').waitFor();
    expect(await change('assignee').allTextContents()).toEqual(['处理人:∅→张伟', '处理人:张伟→李娜']);
    expect(await change('category').textContent()).toBe('分类:硬件→网络');
    expect(await change('impact').textContent()).toBe('影响度:3 - 低→1 - 高');
    const saveEntry = timeline
      .locator('[data-kind="field"]')
      .filter({ has: page.locator('[data-field="impact"]') });
    expect(await saveEntry.locator('[data-field]').count()).toBeGreaterThanOrEqual(2);
    expect(await saveEntry.textContent()).toContain('张伟 ·');
    // The save made it a P3: the SLA's running metrics moved to the P3 goal, and say so.
    expect(await timeline.locator('[data-kind="sla_goal"]').allTextContents()).toEqual([
      expect.stringContaining('SLA 目标变更 首次响应: P4 低（默认） → P3 中'),
      expect.stringContaining('SLA 目标变更 解决: P4 低（默认） → P3 中'),
    ]);
    // What the rule sent: the channel, who was left out and why, by the rule's name.
    const sent = timeline.locator('[data-kind="notification"]');
    await sent.waitFor();
    expect(await sent.textContent()).toMatch(
      /邮件 · 李娜: 无邮箱地址，未发送.*规则「任务分派时邮件通知处理人」/,
    );
    await shot(page, 'timeline');

    // The requester hears of a public reply in the portal's inbox, and opens the request from it.
    expect(
      (await agent.post(`/records/${inc.id}/comments`, { body: '请重启显示器试试', visibility: 'public' }))
        .status,
    ).toBe(201);
    await expect
      .poll(async () =>
        (await requester.get('/inbox?unread=true')).body.items.map((m: { body: string }) => m.body),
      )
      .toContain('请重启显示器试试');
    await loginAs(page, srv.url, 'zhaolei', DEMO_PASSWORD, '/portal/');
    await expect.poll(() => page.getByTestId('inbox-count').locator('.ant-badge-count').count()).toBe(1);
    await page.getByTestId('inbox').click();
    await page.getByTestId('inbox-page').getByText(`${inc.number} 有新回复`).click();
    await page.waitForURL(`**/portal/requests/${inc.id}`);

    // The requester's timeline: what happened to the request, without the tasks each step opens.
    await timeline.waitFor();
    await change('impact').waitFor();
    expect(await change('assignee').allTextContents()).toEqual(['处理人:∅→张伟', '处理人:张伟→李娜']);
    expect(await timeline.getByText('待办生成').count()).toBe(0);
    expect(await timeline.locator('[data-kind="notification"]').count()).toBe(0);
    await loginAs(page, srv.url, 'zhangwei', DEMO_PASSWORD, `/workspace/records/${inc.id}`);

    // Links read by their relation's name, on the timeline and in the links tab, where staff remove them.
    const other = (
      await requester.post('/records', {
        type: 'incident',
        catalogItem: REPORT_INCIDENT,
        data: { title: '网络中断', description: '三楼', category: 'network', impact: 2, urgency: 2 },
      })
    ).body as { id: number; number: string };
    expect(
      (await agent.post(`/records/${inc.id}/links`, { to: other.number, relation: 'blocks' })).status,
    ).toBe(201);
    await page.reload();
    await timeline.locator('[data-kind="link"]').getByText(`添加 阻塞 ${other.number}`).waitFor();
    await page.getByRole('tab', { name: '关联' }).click();
    const link = page.locator(`[data-link="${other.number}"]`);
    expect(await link.textContent()).toContain('阻塞');
    await link.getByRole('button').click();
    await page
      .locator('.ant-popconfirm')
      .getByRole('button', { name: /确\s*定|OK/ })
      .click();
    await link.waitFor({ state: 'detached' });
    expect((await agent.get(`/records/${other.id}/links`)).body.items).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);
});
