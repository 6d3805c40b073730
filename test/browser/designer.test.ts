import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../support/server.ts';
import { describeInBrowser } from './browser.ts';
import { ensureDesignerBuilt, launchChromium, pointerDrag, REPO, screenshotDir } from './designer-support.ts';

/**
 * The admin designer in a real browser, served by the runtime from designer/dist:
 * build a form, a two-step approval flow for it and a catalog item, then break and mend
 * the flow's JSON in Monaco without losing the canvas.
 */
describeInBrowser('designer (browser)', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const shot = screenshotDir('designer');

  /** Picks `text` in the antd Select marked with the test id. */
  async function choose(testId: string, ...texts: string[]) {
    const select = page.getByTestId(testId);
    await select.click();
    for (const text of texts) {
      await page.keyboard.type(text);
      await page.waitForTimeout(150);
      await page.keyboard.press('Enter');
    }
    // A multiple select stays open after Enter and Escape closes it. A single one closes by
    // itself, and an Escape then reached the dialog around it, which closed: on a loaded machine
    // the dropdown had already gone when the key came.
    const multiple = await select.evaluate(
      (el) => el.classList.contains('ant-select-multiple') || el.closest('.ant-select-multiple') !== null,
    );
    if (multiple) await page.keyboard.press('Escape');
  }

  async function publishAndExpect(version: number) {
    await page.getByTestId('publish').click();
    await expect
      .poll(
        async () =>
          page
            .locator('.ant-message')
            .textContent()
            .catch(() => ''),
        { timeout: 10_000 },
      )
      .toContain(`v${version}`);
  }

  /** Logs in through the shared login page the designer redirects to. */
  async function logInAsAdmin() {
    await page.goto(`${server.url}/designer/`);
    await page.waitForURL(/\/portal\/login/, { timeout: 15_000 }).catch(() => {});
    if (page.url().includes('/portal/login')) {
      await page.getByTestId('login-username').fill('admin');
      await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
      await page.getByTestId('login-submit').click();
      await page.waitForURL(/\/designer/, { timeout: 15_000 });
    } else {
      await page.request.post(`${server.url}/api/v1/auth/login`, {
        data: { username: 'admin', password: ADMIN_PASSWORD },
      });
      await page.goto(`${server.url}/designer/`);
    }
  }

  beforeAll(async () => {
    ensureDesignerBuilt();
    server = await startTestServer('sqlite', { demo: true, pluginsDir: path.join(REPO, 'plugins') });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1600, height: 900 }, locale: 'zh-CN' });
    await context.addInitScript(() => localStorage.setItem('opsloom.locale', 'zh-CN'));
    page = await context.newPage();
    page.on('pageerror', (e) => console.error('pageerror', e.message));
    await logInAsAdmin();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('1: an admin builds a form, a 会签 approval flow for it and a catalog item, and publishes them', async () => {
    await page.goto(`${server.url}/designer/`);
    await page.getByTestId('definitions-list').waitFor();
    await shot(page, 'definitions-list');

    // A new form, four fields dragged from the palette.
    await page.getByTestId('new').click();
    await page.getByTestId('new-key').fill('laptop-request');
    await page.getByTestId('new-name-zh').fill('笔记本电脑申请');
    await page.getByTestId('new-name-en').fill('Laptop request');
    await page.getByRole('button', { name: /创\s*建/ }).click();
    await page.getByTestId('form-canvas').waitFor();

    await pointerDrag(page, '[data-testid=field-palette-select]', '[data-testid=form-canvas]', true);
    await page.getByTestId('field-props-select').waitFor();
    await page.getByTestId('field-label-zh').fill('型号');
    await page.getByTestId('field-label-en').fill('Model');
    await page.getByTestId('option-value-0').fill('thinkpad-x1');
    await page.getByTestId('option-label-0-zh').fill('ThinkPad X1');
    await page.getByTestId('option-label-0-en').fill('ThinkPad X1');
    await page.getByTestId('option-value-1').fill('macbook-pro');
    await page.getByTestId('option-label-1-zh').fill('苹果笔记本');
    await page.getByTestId('option-label-1-en').fill('MacBook Pro');
    await shot(page, 'choice-options');

    await pointerDrag(page, '[data-testid=field-palette-number]', '[data-testid=form-canvas]', true);
    await page.getByTestId('field-props-number').waitFor();
    await page.getByTestId('field-label-zh').fill('数量');
    await page.getByTestId('field-label-en').fill('Quantity');
    await page.getByTestId('field-required').click();
    await page.getByTestId('field-error-message-zh').fill('数量须为 1 到 5 台');
    await page.getByTestId('field-error-message-en').fill('Between 1 and 5 laptops');

    await pointerDrag(page, '[data-testid=field-palette-textarea]', '[data-testid=form-canvas]', true);
    await page.getByTestId('field-props-textarea').waitFor();
    await page.getByTestId('field-label-zh').fill('申请理由');
    await page.getByTestId('field-label-en').fill('Reason');

    await pointerDrag(page, '[data-testid=field-palette-date]', '[data-testid=form-canvas]', true);
    await page.getByTestId('field-props-date').waitFor();
    await page.getByTestId('field-label-zh').fill('需要日期');
    await page.getByTestId('field-label-en').fill('Needed by');

    // The record type's statuses, back on the form's own properties.
    await page.getByTestId('form-properties').click();
    for (const [i, key, zh, en] of [
      [0, 'approving', '审批中', 'Approving'],
      [1, 'done', '已完成', 'Done'],
    ] as const) {
      await page.getByTestId('status-add').click();
      const inputs = page.getByTestId(`status-${i}`).locator('input');
      await inputs.nth(0).fill(key);
      await inputs.nth(1).fill(zh);
      await inputs.nth(2).fill(en);
    }

    const preview = page.getByTestId('form-preview');
    await expect.poll(() => preview.textContent()).toContain('数量');
    await expect(await page.locator('[data-testid^=field-card-]').count()).toBe(5);
    await shot(page, 'form-built');
    await publishAndExpect(1);
    await shot(page, 'form-published');

    const form = await server.admin.get('/definitions/form/laptop-request');
    expect(form.body.status).toBe('published');
    const props = form.body.published.schema.properties;
    expect(Object.keys(props)).toEqual(['title', 'select', 'number', 'textarea', 'date']);
    expect(props.select.enum).toEqual(['thinkpad-x1', 'macbook-pro']);
    expect(props.select['x-title']).toEqual({ 'zh-CN': '型号', en: 'Model' });
    expect(form.body.published.uiSchema.select['ui:enumNames']).toEqual([
      { 'zh-CN': 'ThinkPad X1', en: 'ThinkPad X1' },
      { 'zh-CN': '苹果笔记本', en: 'MacBook Pro' },
    ]);
    expect(form.body.published.schema.required).toContain('number');
    expect(props.number['x-errorMessage']).toEqual({
      'zh-CN': '数量须为 1 到 5 台',
      en: 'Between 1 and 5 laptops',
    });
    expect(form.body.published.statuses).toEqual([
      { key: 'approving', name: { 'zh-CN': '审批中', en: 'Approving' }, category: 'active' },
      { key: 'done', name: { 'zh-CN': '已完成', en: 'Done' }, category: 'active' },
    ]);

    // The flow: manager approval (会签 of lina and chenjing), then fulfilment by the service desk.
    await page.getByTestId('home').click();
    await page.getByTestId('new').click();
    await choose('new-kind', '流程');
    await page.getByTestId('new-key').fill('laptop-flow');
    await page.getByTestId('new-name-zh').fill('笔记本电脑申请流程');
    await page.getByTestId('new-name-en').fill('Laptop request flow');
    await choose('new-process-form', 'laptop-request');
    await page.getByRole('button', { name: /创\s*建/ }).click();
    await page.getByTestId('process-canvas').waitFor();
    await page.waitForTimeout(500);

    const canvas = page.locator('.react-flow__pane');
    const box = (await canvas.boundingBox())!;
    await page.dragAndDrop('[data-testid=palette-userTask]', '.react-flow__pane', {
      targetPosition: { x: box.width * 0.35, y: box.height * 0.25 },
    });
    await page.getByTestId('node-panel-userTask').waitFor();
    await page.getByTestId('node-name-zh').fill('经理审批');
    await page.getByTestId('node-name-en').fill('Manager approval');
    await page.getByTestId('node-instructions-zh').fill('请核对申请理由与预算后审批');
    await page.getByTestId('node-instructions-en').fill('Check the reason and the budget, then decide');
    await choose('assignee-type', '指定人员');
    await choose('assignee-users', 'lina', 'chenjing');
    await page.getByTestId('approval-mode').getByText('会签').click();
    await page.getByTestId('approval-exclude-requester').click();
    // The status is picked from the form's.
    await page.getByTestId('node-status').click();
    await page.getByText('审批中 (approving)').click();

    await page.dragAndDrop('[data-testid=palette-userTask]', '.react-flow__pane', {
      targetPosition: { x: box.width * 0.6, y: box.height * 0.25 },
    });
    await page.getByTestId('node-panel-userTask-2').waitFor();
    await page.getByTestId('node-name-zh').fill('服务台履行');
    await page.getByTestId('node-name-en').fill('Fulfilment');
    await choose('assignee-type', '处理组');
    await choose('assignee-group', '服务台');

    // Re-wire: start → approval → fulfilment → end, rejection → end.
    const flow = async () => (await server.admin.get('/definitions/process/laptop-flow')).body;
    await page.locator('.react-flow__edge').first().click({ force: true });
    await page.getByTestId('edge-panel-e-start-end').waitFor();
    await page.keyboard.press('Delete');
    await page.getByTestId('auto-layout').click();
    await page.waitForTimeout(600);
    const connect = async (from: string, to: string) => {
      await pointerDrag(
        page,
        `[data-testid=node-${from}] ~ .react-flow__handle-right, .react-flow__node[data-id="${from}"] .react-flow__handle-right`,
        `.react-flow__node[data-id="${to}"] .react-flow__handle-left`,
      );
      await page.waitForTimeout(200);
    };
    await connect('start', 'userTask');
    await connect('userTask', 'userTask-2');
    await connect('userTask', 'end');
    await connect('userTask-2', 'end');
    await page.getByTestId('auto-layout').click();
    await page.waitForTimeout(600);
    await expect(await page.locator('.react-flow__edge').count()).toBe(4);
    await expect.poll(() => page.getByTestId('problems-header').textContent()).toContain('没有问题');
    await shot(page, 'flow-built');
    await publishAndExpect(1);
    await shot(page, 'flow-published');

    const published = (await flow()).published;
    const approval = published.nodes.find((n: any) => n.id === 'userTask');
    expect(approval.approval).toEqual({ mode: 'all', excludeRequester: true });
    expect(approval.status).toBe('approving');
    expect(approval.assignee).toEqual({ type: 'user', value: 'lina,chenjing' });
    expect(approval.instructions).toEqual({
      'zh-CN': '请核对申请理由与预算后审批',
      en: 'Check the reason and the budget, then decide',
    });
    const fulfil = published.nodes.find((n: any) => n.id === 'userTask-2');
    expect(fulfil.assignee).toEqual({ type: 'group', value: 'service-desk' });
    expect(
      published.edges
        .filter((e: any) => e.source === 'userTask')
        .map((e: any) => e.action.key)
        .sort(),
    ).toEqual(['approve', 'reject']);

    // A catalog item for it, with a Chinese name.
    await page.goto(`${server.url}/designer/catalog/service-catalog`);
    await page.getByTestId('catalog-editor').waitFor();
    await page.getByTestId('add-item-software').click();
    await page.getByTestId('item-name-zh').fill('笔记本电脑申请');
    await page.getByTestId('item-name-en').fill('Laptop request');
    await choose('item-form', 'laptop-request');
    await choose('item-process', 'laptop-flow');
    await choose('item-keywords', '笔记本', 'laptop');
    await shot(page, 'catalog-item');
    await publishAndExpect(2);
    const catalog = (await server.admin.get('/definitions/catalog/service-catalog')).body.published;
    const item = catalog.items.find((i: any) => i.form === 'laptop-request');
    expect(item).toMatchObject({
      name: { 'zh-CN': '笔记本电脑申请', en: 'Laptop request' },
      process: 'laptop-flow',
      category: 'software',
      keywords: ['笔记本', 'laptop'],
    });
  }, 180_000);

  it("the form designer's preview is the portal's form: a table field, rjsf's texts, the field's own message, no process-filled fields", async () => {
    await page.goto(`${server.url}/designer/form/release`);
    const preview = page.getByTestId('form-preview');
    await preview.waitFor();
    // The applications are a table: one header naming the columns, rows added by 添加一项.
    const table = preview.getByTestId('table-root_apps');
    await table.waitFor();
    expect(await table.textContent()).toContain('应用名称');
    expect(await table.textContent()).toContain('CI/CD 状态');
    // A plain list the palette does not make is named as what it is, not as an attachment.
    expect(await page.getByTestId('field-card-deployTargets').textContent()).toContain('值列表');
    // 本次部署的应用 is the process's to fill: the portal's request form leaves it out, so does the preview.
    expect(await preview.textContent()).not.toContain('本次部署的应用');
    await table.getByRole('button', { name: /添加一项/ }).click();
    await preview.locator('#root_apps_0_name').fill('pay service');
    // A new row's status shows its default as a value, not an input (it is read-only).
    await expect.poll(() => table.textContent()).toContain('未发布');
    await page.getByTestId('preview-check').click();
    // Checked as a submit would: the required title in Chinese, the name by the field's own message.
    await expect
      .poll(() => preview.textContent())
      .toContain('应用名只能包含字母、数字、点、下划线和短横线，并以字母或数字开头');
    expect(await preview.textContent()).toContain('此项为必填项');
    expect(await preview.textContent()).not.toContain('must match pattern');
    expect(await table.locator('legend').textContent()).toContain('应用');
    await page.waitForTimeout(400);
    await shot(page, 'preview-release-form');
    await preview.locator('#root_apps_0_name').fill('pay-service');
    await page.getByTestId('preview-check').click();
    await expect.poll(() => preview.textContent()).not.toContain('应用名只能包含');
  }, 60_000);

  it('4: breaking the flow JSON in Monaco shows the error and loses nothing on the canvas', async () => {
    await page.goto(`${server.url}/designer/process/service-request-flow`);
    await page.getByTestId('process-canvas').waitFor();
    await page.waitForTimeout(500);
    const nodesBefore = await page.locator('.react-flow__node').count();
    const edgesBefore = await page.locator('.react-flow__edge').count();
    expect(nodesBefore).toBeGreaterThan(3);

    await page.getByTestId('mode').getByText('JSON').click();
    const editor = page.locator('.monaco-editor').first();
    await editor.waitFor({ timeout: 30_000 });
    await page.waitForTimeout(800);
    await shot(page, 'json-open');
    await editor.click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('End');
    await page.keyboard.type(' oops');
    await page.getByTestId('json-error').waitFor();
    expect(await page.getByTestId('json-error').textContent()).toContain('JSON');
    await shot(page, 'json-broken');

    // Fix it.
    for (let i = 0; i < ' oops'.length; i++) await page.keyboard.press('Backspace');
    await expect.poll(() => page.getByTestId('json-error').count()).toBe(0);
    await shot(page, 'json-fixed');

    // Valid JSON that breaks spec's JSON Schema: squiggled as you type, hover names the problem.
    const squiggles = page.locator('.monaco-editor .squiggly-warning, .monaco-editor .squiggly-error');
    await expect.poll(() => squiggles.count()).toBe(0);
    const unknown = '"bogusProp": 1,';
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('End');
    await page.keyboard.type(unknown);
    await expect.poll(() => squiggles.count(), { timeout: 10_000 }).toBe(1);
    expect(await page.getByTestId('json-error').count()).toBe(0);
    // The squiggle lies under the text layer, so hover its spot with the mouse.
    const box = (await squiggles.first().boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await expect
      .poll(async () => (await page.locator('.monaco-hover').allTextContents()).join(' '), {
        timeout: 10_000,
      })
      .toContain('Property bogusProp is not allowed');
    await shot(page, 'json-schema-error');
    for (let i = 0; i < unknown.length; i++) await page.keyboard.press('Backspace');
    await expect.poll(() => squiggles.count(), { timeout: 10_000 }).toBe(0);
    await page.mouse.move(0, 0);

    await page.getByTestId('mode').getByText('可视化').click();
    await page.getByTestId('process-canvas').waitFor();
    await page.waitForTimeout(400);
    expect(await page.locator('.react-flow__node').count()).toBe(nodesBefore);
    expect(await page.locator('.react-flow__edge').count()).toBe(edgesBefore);
    await shot(page, 'canvas-after-json');

    // Broken JSON left behind when switching to the canvas: the last valid definition stays.
    await page.getByTestId('mode').getByText('JSON').click();
    await page.locator('.monaco-editor').first().waitFor();
    await page.waitForTimeout(800);
    await page.locator('.monaco-editor').first().click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(']]');
    await page.getByTestId('json-error').waitFor();
    await page.getByTestId('mode').getByText('可视化').click();
    await page.getByTestId('process-canvas').waitFor();
    await page.waitForTimeout(400);
    expect(await page.locator('.react-flow__node').count()).toBe(nodesBefore);
    expect(await page.locator('.react-flow__edge').count()).toBe(edgesBefore);
  }, 120_000);
});
