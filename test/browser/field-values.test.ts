import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { upload } from '../records/helpers.ts';
import { ApiClient } from '../support/client.ts';
import { publishCatalogItems, throughItem } from '../support/fixtures.ts';
import { DEMO_PASSWORD } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { assertBuilt, type Browser, describeInBrowser, launch, loginAs, screenshotDir } from './browser.ts';

// A record's stored values shown as their fields' widgets show them (web-forms/src/field-value.tsx):
// in the portal's request details, and in the workspace where the step makes the fields read-only.

const pos = { x: 0, y: 0 };
const titled = (zh: string, en: string) => ({ title: zh, 'x-title': { 'zh-CN': zh, en } });

const VALUE_FORM = {
  kind: 'form',
  key: 'value-showcase',
  name: { 'zh-CN': '字段展示', en: 'Field values' },
  numberPrefix: 'VAL',
  titleField: 'title',
  schema: {
    type: 'object',
    required: ['title'],
    properties: {
      title: { type: 'string', ...titled('标题', 'Title') },
      score: { type: 'integer', ...titled('满意度', 'Satisfaction'), minimum: 0, maximum: 5 },
      details: { type: 'string', ...titled('详细描述', 'Details') },
      category: { type: 'string', ...titled('分类', 'Category'), enum: ['hw', 'sw'] },
      urgency: {
        type: 'string',
        ...titled('紧急度', 'Urgency'),
        oneOf: [
          { const: 'high', title: '高', 'x-title': { 'zh-CN': '高', en: 'High' } },
          { const: 'low', title: '低', 'x-title': { 'zh-CN': '低', en: 'Low' } },
        ],
      },
      platforms: {
        type: 'array',
        ...titled('平台', 'Platforms'),
        items: { type: 'string', enum: ['win', 'mac', 'linux'] },
        uniqueItems: true,
      },
      agreed: { type: 'boolean', ...titled('已同意', 'Agreed') },
      people: { type: 'null', ...titled('相关人员', 'People'), 'x-section': true },
      owner: { type: 'string', ...titled('负责人', 'Owner') },
      team: { type: 'string', ...titled('处理组', 'Team') },
      related: { type: 'string', ...titled('关联工单', 'Related record') },
      more: { type: 'null', ...titled('补充信息', 'More'), 'x-section': true },
      neededBy: { type: 'string', format: 'date', ...titled('需要日期', 'Needed by') },
      seenAt: { type: 'string', format: 'date-time', ...titled('发现时间', 'Seen at') },
      files: { type: 'array', ...titled('截图', 'Screenshots'), items: { type: 'string' } },
      parts: {
        type: 'array',
        ...titled('配件', 'Parts'),
        items: {
          type: 'object',
          properties: {
            item: { type: 'string', ...titled('名称', 'Item') },
            quantity: { type: 'integer', ...titled('数量', 'Quantity'), minimum: 1 },
          },
        },
      },
    },
  },
  uiSchema: {
    score: { 'ui:widget': 'rating' },
    details: { 'ui:widget': 'richtext' },
    category: { 'ui:enumNames': ['硬件 Hardware', '软件 Software'] },
    urgency: { 'ui:widget': 'radio' },
    platforms: { 'ui:widget': 'checkboxes', 'ui:enumNames': ['视窗 Windows', '苹果 macOS', '企鹅 Linux'] },
    owner: { 'ui:widget': 'user' },
    team: { 'ui:widget': 'group' },
    related: { 'ui:widget': 'record' },
    files: { 'ui:widget': 'attachment' },
  },
};

// One step assigned to the agent that leaves only the title editable: every other field is read-only.
const VALUE_PROCESS = {
  kind: 'process',
  key: 'value-flow',
  name: { 'zh-CN': '字段展示流程', en: 'Field values flow' },
  form: 'value-showcase',
  nodes: [
    { id: 'start', type: 'start', position: pos },
    {
      id: 'review',
      type: 'userTask',
      name: { 'zh-CN': '复核', en: 'Review' },
      position: pos,
      status: 'in-progress',
      assignee: { type: 'user', value: 'zhangwei' },
      fieldAccess: { editable: ['title'] },
    },
    { id: 'done', type: 'end', position: pos, outcome: 'resolved' },
  ],
  edges: [
    { id: 'e1', source: 'start', target: 'review' },
    {
      id: 'e2',
      source: 'review',
      target: 'done',
      action: { key: 'resolve', label: { 'zh-CN': '已解决', en: 'Resolve' }, style: 'primary' },
    },
  ],
};

const MARKDOWN = [
  '**磁盘已满**，请扩容',
  '',
  '- 清理日志',
  '- 加一块盘',
  '',
  '<img src=x onerror="window.__xss = 1"> [点我](javascript:window.__xss=2)',
].join('\n');

describeInBrowser('field values as their widgets show them', () => {
  let srv: TestServer;
  let browser: Browser;
  let requester: ApiClient;
  let rec: { id: number; number: string };
  let earlier: { id: number; number: string };
  let seenAt: string;

  beforeAll(async () => {
    assertBuilt();
    srv = await startTestServer('sqlite', { demo: true });
    for (const def of [VALUE_FORM, VALUE_PROCESS]) {
      const created = await srv.admin.post('/definitions', def);
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const published = await srv.admin.post(`/definitions/${def.kind}/${def.key}/publish`);
      expect(published.status, JSON.stringify(published.body)).toBe(201);
    }
    // zhaolei, a requester, raises them through a catalog item.
    await publishCatalogItems(srv.admin, [{ form: 'value-showcase', process: 'value-flow' }]);
    requester = await new ApiClient(srv.url).login('zhaolei', DEMO_PASSWORD);
    const first = await requester.post(
      '/records',
      throughItem('value-showcase', 'value-flow', { title: '上周的磁盘告警' }),
    );
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    earlier = first.body;
    seenAt = '2025-03-05T06:30:00.000Z';
    const created = await requester.post(
      '/records',
      throughItem('value-showcase', 'value-flow', {
        title: '数据库服务器磁盘告警',
        score: 4,
        details: MARKDOWN,
        category: 'sw',
        urgency: 'high',
        platforms: ['win', 'linux'],
        agreed: true,
        owner: 'zhangwei',
        team: 'network',
        related: earlier.number,
        neededBy: '2025-03-05',
        seenAt,
        files: ['df.txt'],
        parts: [
          { item: '硬盘', quantity: 2 },
          { item: '内存条', quantity: 4 },
        ],
      }),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    rec = created.body;
    const up = await upload(requester, rec.id, { name: 'df.txt', type: 'text/plain', content: '/ 98%' });
    expect(up.status).toBe(201);
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  /** The number of lit stars of the antd Rate inside `field`. */
  const stars = (field: Locator) => field.locator('li.ant-rate-star-full').count();

  /** What the browser makes of an instant with formatTime's options (web-forms/src/format.ts). */
  const localTime = (page: Page, iso: string, locale: string) =>
    page.evaluate(
      ([at, loc]) =>
        new Date(at!).toLocaleString(loc, {
          year: 'numeric',
          month: '2-digit',
          day: '2-digit',
          hour: '2-digit',
          minute: '2-digit',
        }),
      [iso, locale],
    );

  it('the requester sees stars, rendered Markdown, labels, names, links, local dates and a table', async () => {
    const shot = screenshotDir('field-values-portal');
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await loginAs(page, srv.url, 'zhaolei', DEMO_PASSWORD, `/portal/requests/${rec.id}`);
    await page.getByTestId('field-values').waitFor();
    const value = (field: string) => page.getByTestId(`field-value-${field}`);

    // Rating: a read-only Rate with 4 of 5 stars lit.
    await expect.poll(() => stars(value('score'))).toBe(4);
    expect(await value('score').locator('li.ant-rate-star').count()).toBe(5);
    expect(await value('score').locator('.ant-rate-disabled').count()).toBe(1);

    // Rich text: Markdown rendered, raw HTML and javascript: links neutralised.
    await value('details').locator('strong').waitFor();
    expect(await value('details').locator('strong').textContent()).toBe('磁盘已满');
    expect(await value('details').locator('li').allTextContents()).toEqual(['清理日志', '加一块盘']);
    expect(await value('details').locator('img').count()).toBe(0);
    expect(await value('details').locator('a[href^="javascript"]').count()).toBe(0);
    expect(await value('details').textContent()).not.toContain('**');

    // Choices by their labels; a oneOf title in the person's language; a yes/no.
    expect(await value('category').textContent()).toBe('软件 Software');
    expect(await value('urgency').textContent()).toBe('高');
    expect(await value('platforms').locator('.ant-tag').allTextContents()).toEqual([
      '视窗 Windows',
      '企鹅 Linux',
    ]);
    expect(await value('agreed').textContent()).toBe('是');

    // People and groups by name, the related record as a link to its page.
    await expect.poll(() => value('owner').textContent()).toBe('张伟');
    await expect.poll(() => value('team').textContent()).toBe('网络组');
    const link = value('related').getByRole('link', { name: earlier.number });
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(`/portal/requests/${earlier.id}`);
    expect(await value('related').textContent()).toContain('上周的磁盘告警');

    // Dates in the person's locale, not ISO text.
    expect(await value('neededBy').textContent()).toBe('2025/03/05');
    expect(await value('seenAt').textContent()).toBe(await localTime(page, seenAt, 'zh-CN'));

    // The file name is a download link to the record's attachment.
    const file = value('files').getByRole('link', { name: /df\.txt/ });
    await file.waitFor();
    const href = (await file.getAttribute('href'))!;
    expect(href).toMatch(/^\/api\/v1\/attachments\/\d+$/);
    expect((await page.request.get(`${srv.url}${href}`)).status()).toBe(200);

    // The table's rows and localised column titles.
    const table = value('parts').locator('table');
    await table.waitFor();
    expect(await table.locator('thead th').allTextContents()).toEqual(['名称', '数量']);
    expect(await table.locator('tbody tr.ant-table-row').count()).toBe(2);
    expect(await table.locator('tbody tr.ant-table-row').first().locator('td').allTextContents()).toEqual([
      '硬盘',
      '2',
    ]);

    // Sections group what follows them.
    expect(await page.getByTestId('values-section-people').textContent()).toContain('相关人员');
    await shot(page, 'zh-CN');

    // In English: the same values, labels and dates in English.
    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => value('agreed').textContent()).toBe('Yes');
    expect(await value('urgency').textContent()).toBe('High');
    expect(await value('neededBy').textContent()).toBe('05/03/2025');
    expect(await value('seenAt').textContent()).toBe(await localTime(page, seenAt, 'en-GB'));
    expect(await value('parts').locator('thead th').allTextContents()).toEqual(['Item', 'Quantity']);
    await shot(page, 'en');
    await page.getByRole('button', { name: '中文' }).click();
    await expect.poll(() => value('agreed').textContent()).toBe('是');

    expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('the agent sees the fields the step locks the same way, and can still edit the one it allows', async () => {
    const shot = screenshotDir('field-values-workspace');
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await loginAs(page, srv.url, 'zhangwei', DEMO_PASSWORD, `/workspace/records/${rec.id}`);
    await page.getByTestId('record-page').waitFor();
    await page.getByTestId('task-review').waitFor();
    const value = (field: string) => page.locator(`.opsloom-field-value#root_${field}`);

    // The editable title is still an input.
    await expect.poll(() => page.locator('input#root_title').inputValue()).toBe('数据库服务器磁盘告警');

    await expect.poll(() => stars(value('score'))).toBe(4);
    await value('details').locator('strong').waitFor();
    expect(await value('details').locator('strong').textContent()).toBe('磁盘已满');
    expect(await value('details').locator('img').count()).toBe(0);
    expect(await value('category').textContent()).toBe('软件 Software');
    expect(await value('urgency').textContent()).toBe('高');
    expect(await value('agreed').textContent()).toBe('是');
    await expect.poll(() => value('owner').textContent()).toBe('张伟');
    await expect.poll(() => value('team').textContent()).toBe('网络组');
    const link = value('related').getByRole('link', { name: earlier.number });
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(`/workspace/records/${earlier.id}`);
    expect(await value('neededBy').textContent()).toBe('2025/03/05');
    await value('files')
      .getByRole('link', { name: /df\.txt/ })
      .waitFor();
    // A lone checkbox keeps its label beside the yes / no.
    expect(await value('agreed').locator('xpath=../..').textContent()).toBe('已同意是');
    // A locked table is a small table, not a list of disabled inputs.
    const rows = value('parts').locator('table tbody tr.ant-table-row');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.nth(1).locator('td').allTextContents()).toEqual(['内存条', '4']);
    expect(await page.locator('#root_parts_0_item').count()).toBe(0);
    await shot(page, 'read-only-fields');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
