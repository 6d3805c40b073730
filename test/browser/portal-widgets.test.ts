import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ApiClient } from '../support/client.ts';
import { DEMO_PASSWORD } from '../support/plugins.ts';
import { LAPTOP_ITEM, publishPortalFixtures } from '../support/portal-fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { assertBuilt, type Browser, describeInBrowser, launch, loginAs, screenshotDir } from './browser.ts';

// A form as the designer writes it (designer/src/form/fieldTypes.ts), with every widget the
// designer offers and a section, requested in the portal by an end user.

const pos = { x: 0, y: 0 };
const titled = (zh: string, en: string) => ({ title: zh, 'x-title': { 'zh-CN': zh, en } });

const WIDGET_FORM = {
  kind: 'form',
  key: 'widget-showcase',
  name: { 'zh-CN': '控件大全', en: 'Every widget' },
  numberPrefix: 'WID',
  titleField: 'title',
  schema: {
    type: 'object',
    required: ['title', 'owner'],
    properties: {
      title: { type: 'string', ...titled('标题', 'Title') },
      people: { type: 'null', ...titled('相关人员', 'People'), 'x-section': true },
      owner: { type: 'string', ...titled('负责人', 'Owner') },
      team: { type: 'string', ...titled('处理组', 'Team') },
      more: { type: 'null', ...titled('补充信息', 'More'), 'x-section': true },
      related: { type: 'string', ...titled('关联工单', 'Related record') },
      ci: { type: 'string', ...titled('配置项', 'CI') },
      files: { type: 'array', ...titled('截图', 'Screenshots'), items: { type: 'string' } },
      details: { type: 'string', ...titled('详细描述', 'Details') },
      score: { type: 'integer', ...titled('紧急程度', 'Urgency'), minimum: 0, maximum: 5 },
    },
  },
  uiSchema: {
    owner: { 'ui:widget': 'user' },
    team: { 'ui:widget': 'group' },
    related: { 'ui:widget': 'record' },
    ci: { 'ui:widget': 'ci' },
    files: { 'ui:widget': 'attachment' },
    details: { 'ui:widget': 'richtext' },
    score: { 'ui:widget': 'rating' },
  },
};

const WIDGET_PROCESS = {
  kind: 'process',
  key: 'widget-flow',
  name: { 'zh-CN': '控件流程', en: 'Widget flow' },
  form: 'widget-showcase',
  nodes: [
    { id: 'start', type: 'start', position: pos },
    {
      id: 'handle',
      type: 'userTask',
      name: { 'zh-CN': '处理', en: 'Handle' },
      position: pos,
      status: 'in-progress',
      assignee: { type: 'group', value: 'service-desk' },
      distribution: 'claim',
    },
    { id: 'done', type: 'end', position: pos, outcome: 'resolved' },
  ],
  edges: [
    { id: 'e1', source: 'start', target: 'handle' },
    {
      id: 'e2',
      source: 'handle',
      target: 'done',
      action: { key: 'resolve', label: { 'zh-CN': '已解决', en: 'Resolve' }, style: 'primary' },
    },
  ],
};

const WIDGET_CATALOG = {
  kind: 'catalog',
  key: 'widget-catalog',
  name: { 'zh-CN': '控件目录', en: 'Widget catalog' },
  categories: [{ id: 'misc', name: { 'zh-CN': '其他', en: 'Other' }, order: 3 }],
  items: [
    {
      id: 'widgets',
      name: { 'zh-CN': '控件大全', en: 'Every widget' },
      category: 'misc',
      form: 'widget-showcase',
      process: 'widget-flow',
    },
  ],
};

/** Opens an antd Select by its input id, types, and picks the option showing `option`. */
async function pick(page: Page, id: string, typed: string, option: string) {
  await page.locator(`#${id}`).click();
  if (typed) await page.locator(`#${id}`).pressSequentially(typed);
  const choice = page
    .locator('.ant-select-dropdown:visible .ant-select-item-option')
    .filter({ hasText: option });
  await choice.first().waitFor();
  await choice.first().click();
}

describeInBrowser('designer widgets in the portal', () => {
  let srv: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    assertBuilt();
    srv = await startTestServer('sqlite', { demo: true });
    await publishPortalFixtures(srv.admin, 'lina,chenjing');
    for (const def of [WIDGET_FORM, WIDGET_PROCESS, WIDGET_CATALOG]) {
      const created = await srv.admin.post('/definitions', def);
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const published = await srv.admin.post(`/definitions/${def.kind}/${def.key}/publish`);
      expect(published.status, JSON.stringify(published.body)).toBe(201);
    }
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  it('an end user fills every widget; the record keeps the values and the chosen files', async () => {
    const shot = screenshotDir('portal-widgets');
    const requester = await new ApiClient(srv.url).login('zhaolei', DEMO_PASSWORD);
    const earlier = await requester.post('/records', {
      type: 'laptop-request',
      process: 'laptop-flow',
      catalogItem: LAPTOP_ITEM,
      data: { title: '旧电脑蓝屏', reason: '经常蓝屏' },
    });
    expect(earlier.status).toBe(201);
    const earlierNumber = earlier.body.number as string;

    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await loginAs(page, srv.url, 'zhaolei', DEMO_PASSWORD, '/portal/request/widget-catalog/widgets');
    await page.getByTestId('request-form').waitFor();
    await page.getByTestId('section-people').waitFor();
    await shot(page, 'empty-form');

    await page.locator('#root_title').fill('数据库服务器磁盘告警');
    await pick(page, 'root_owner', 'zhang', '张伟 (zhangwei)');
    await pick(page, 'root_team', '', '网络组');
    await pick(page, 'root_related', earlierNumber, `${earlierNumber} · 旧电脑蓝屏`);
    await page.locator('#root_ci').fill('srv-db-01');
    await page
      .getByTestId('attachment-root_files')
      .locator('input[type=file]')
      .setInputFiles([
        { name: 'disk.txt', mimeType: 'text/plain', buffer: Buffer.from('/dev/sda1 98%') },
        { name: 'df.csv', mimeType: 'text/csv', buffer: Buffer.from('fs,used\n/,98\n') },
      ]);
    await page.getByTestId('attachment-root_files').getByText('df.csv').waitFor();
    await page.locator('#root_details').fill('磁盘已满');
    await page.locator('#root_details').selectText();
    await page.getByTestId('richtext-bold').click();
    await expect.poll(() => page.locator('#root_details').inputValue()).toBe('**磁盘已满**');
    await page.locator('#root_details').press('End');
    await page.locator('#root_details').pressSequentially('\n请扩容');
    await page.locator('#root_score li.ant-rate-star, [id=root_score] ~ * li.ant-rate-star').nth(3).click();
    await shot(page, 'filled');

    await page.getByTestId('request-submit').click();
    await page.getByTestId('request-detail').waitFor();
    // The details show each value as its widget does: files as download links, stars, Markdown.
    const shown = (field: string) => page.getByTestId(`field-value-${field}`);
    for (const name of ['disk.txt', 'df.csv']) await shown('files').getByRole('link', { name }).waitFor();
    await expect.poll(() => shown('score').locator('li.ant-rate-star-full').count()).toBe(4);
    expect(await shown('details').locator('strong').textContent()).toBe('磁盘已满');
    await expect.poll(() => shown('owner').textContent()).toBe('张伟');
    await shot(page, 'submitted');
    expect(errors).toEqual([]);

    const mine = (await requester.get('/records?type=widget-showcase')).body.items;
    expect(mine).toHaveLength(1);
    const rec = mine[0];
    expect(rec.data).toEqual({
      title: '数据库服务器磁盘告警',
      owner: 'zhangwei',
      team: 'network',
      related: earlierNumber,
      ci: 'srv-db-01',
      files: ['disk.txt', 'df.csv'],
      details: '**磁盘已满**\n请扩容',
      score: 4,
    });
    const files = (await requester.get(`/records/${rec.id}/attachments`)).body.items as {
      filename: string;
    }[];
    expect(files.map((f) => f.filename).sort()).toEqual(['df.csv', 'disk.txt']);

    // The agent sees the same form in the workspace, the widgets showing the stored values.
    await loginAs(page, srv.url, 'zhangwei', DEMO_PASSWORD, `/workspace/records/${rec.id}`);
    await page.getByTestId('record-page').waitFor();
    await page.getByTestId('section-more').waitFor();
    await expect.poll(() => page.locator('#root_ci').inputValue()).toBe('srv-db-01');
    // A stored person is looked up for its label (the linked record only if the agent may see it).
    await page.getByText('张伟 (zhangwei)').waitFor();
    await shot(page, 'workspace-record');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
