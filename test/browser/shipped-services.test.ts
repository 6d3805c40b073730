import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ApiClient } from '../support/client.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { assertBuilt, type Browser, describeInBrowser, launch, loginAs, screenshotDir } from './browser.ts';

/**
 * The shipped ITIL services in the browser: requested in the portal (every text in the reader's
 * language, a release's applications listed in a table), and logged by staff in the workspace.
 */
describeInBrowser('shipped services in the browser', () => {
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

  /** A page whose apps speak `locale` (what the language switch stores). */
  async function newPage(locale: 'zh-CN' | 'en'): Promise<Page> {
    const page = await browser.context.newPage();
    await page.addInitScript((l) => localStorage.setItem('opsloom.locale', l), locale);
    return page;
  }

  it('a developer requests a release of two applications; the process alone sets their CI/CD status', async () => {
    const shot = screenshotDir('portal-release');
    const page = await newPage('en');
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

    // A name the CI/CD could not take is refused in the form author's words, before sending.
    await page.locator('#root_apps_1_name').fill('pay service');
    await page.getByTestId('request-submit').click();
    await page
      .getByText('An application name has letters, digits, dots, underscores and hyphens only')
      .waitFor();
    expect(await page.getByText('must match pattern').count()).toBe(0);
    await page.locator('#root_apps_1_name').fill('pay-service');
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

    // Adding an application asks its name: a refused name shows at the dialog's field, a guard's
    // refusal as a message, the dialog staying open for another try.
    await page.getByTestId('action-addApp').click();
    const added = page.getByTestId('action-input');
    await added.locator('#root_app').fill('bad name');
    await page.getByTestId('action-confirm').click();
    await added.locator('.ant-form-item-explain-error, .error-detail').first().waitFor();
    await added.locator('#root_app').fill('pay-service');
    await page.getByTestId('action-confirm').click();
    await page.getByText('Application pay-service is already in this release').waitFor();
    await added.locator('#root_app').fill('web-portal');
    await page.getByTestId('action-confirm').click();
    await added.waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('field-value-apps').textContent()).toContain('web-portal');

    // The requester raises a merge request from the page: the action asks which application,
    // offering the release's own (the edge's x-choices over the record).
    await page.getByTestId('action-raiseMr').click();
    const input = page.getByTestId('action-input');
    await input.getByText('Application').waitFor();
    await input.locator('#root_app').click();
    const options = page.locator('.ant-select-dropdown:visible .ant-select-item-option');
    await expect
      .poll(async () => (await options.allTextContents()).filter(Boolean))
      .toEqual(['order-service', 'pay-service', 'web-portal']);
    await options.filter({ hasText: 'order-service' }).click();
    await page.getByTestId('action-confirm').click();
    await input.waitFor({ state: 'detached' });
    await expect
      .poll(async () => (await requester.get(`/records/${rec.id}`)).body.data.apps)
      .toEqual([
        { name: 'order-service', status: '有MR未确认' },
        { name: 'pay-service', status: '未发布' },
        { name: 'web-portal', status: '未发布' },
      ]);
    await expect
      .poll(() => page.getByTestId('field-value-apps').textContent())
      .toContain('Merge request open');
    // The timeline names the rows and cells the actions changed, not whole tables.
    await expect
      .poll(() => page.getByTestId('timeline').locator('[data-field="apps"] [data-row]').allTextContents())
      .toEqual(['web-portal (added)', 'order-service · CI/CD status:Not released→Merge request open']);
    await shot(page, 'merge-request');
    expect(errors).toEqual([]);
  });

  it("a password reset: its title in the reader's language, its request type fixed, no manager to name", async () => {
    const page = await newPage('en');
    await loginAs(page, srv.url, 'zhaolei', DEMO_PASSWORD, '/portal/request/service-catalog/password-reset');
    await page.getByTestId('request-form').waitFor();
    await expect.poll(() => page.locator('#root_title').inputValue()).toBe('Password reset');
    expect(await page.getByTestId('service-level').textContent()).toContain('Service request SLA');
    expect(await page.getByTestId('service-targets').textContent()).toBe(
      ' — Fulfilment within 2h (5×8 business hours)',
    );
    // The item is a password reset: its type is shown, not offered for change.
    expect(await page.locator('#root_requestType').textContent()).toBe('Password reset');
    expect(await page.locator('#root_requestType').locator('input, .ant-select').count()).toBe(0);
    expect(await page.getByTestId('request-form').textContent()).not.toContain('Approving manager');
    await page.locator('#root_account').fill('zhaolei@corp');
    await page.getByTestId('request-submit').click();
    await page.waitForURL(/\/portal\/requests\/\d+/);
    const requester = await new ApiClient(srv.url).login('zhaolei', DEMO_PASSWORD);
    const mine = (await requester.get('/records?type=service-request')).body.items;
    expect(mine[0]).toMatchObject({ title: 'Password reset', status: 'fulfilling' });
    expect(mine[0].data).toMatchObject({ requestType: 'password-reset', account: 'zhaolei@corp' });
    // The request is the catalog item's: the requester and the desk read which service it is.
    expect(mine[0].catalogItem.ref).toBe('service-catalog/password-reset');
    await expect
      .poll(() => page.getByTestId('request-item').textContent())
      .toContain('Service: Password reset');
    await page.close();
    const desk = await newPage('zh-CN');
    await loginAs(desk, srv.url, 'zhangwei', DEMO_PASSWORD, `/workspace/records/${mine[0].id}`);
    await expect.poll(() => desk.getByTestId('record-item').textContent()).toBe('密码重置');
    await desk.close();
  });

  it('a request shows its requester the values its form shows, not those its rules hide', async () => {
    // Sent by a client that ignored the form: a manager named on a password reset.
    const requester = await new ApiClient(srv.url).login('zhaolei', DEMO_PASSWORD);
    const rec = (
      await requester.post('/records', {
        type: 'service-request',
        catalogItem: 'service-catalog/password-reset',
        data: { account: 'zhaolei@corp', manager: 'chenjing' },
      })
    ).body;
    const page = await newPage('en');
    await loginAs(page, srv.url, 'zhaolei', DEMO_PASSWORD, `/portal/requests/${rec.id}`);
    const details = page.getByTestId('request-values');
    await expect.poll(() => details.textContent()).toContain('zhaolei@corp');
    expect(await details.textContent()).not.toContain('Approving manager');
    await page.close();
  });

  it("an incident's choices read in English", async () => {
    const shot = screenshotDir('portal-incident-en');
    const page = await newPage('en');
    await loginAs(page, srv.url, 'alice', DEMO_PASSWORD, '/portal/request/incident-catalog/report-incident');
    await page.getByTestId('request-form').waitFor();
    const form = page.getByTestId('request-form');
    await form.getByText('1 - High').first().waitFor();
    // The item says what service level it is offered under, in the reader's language.
    expect(await page.getByTestId('service-level').textContent()).toMatch(/^Service level: Incident SLA — /);
    await page.locator('#root_category').click();
    await page.locator('.ant-select-dropdown:visible').getByText('Network', { exact: true }).waitFor();
    await shot(page, 'choices');
    expect(await page.locator('body').textContent()).not.toMatch(/硬件|网络|高 \/|低 \//);
  });

  it("the same form in Chinese: its labels and the form library's own buttons", async () => {
    const page = await newPage('zh-CN');
    await loginAs(page, srv.url, 'zhaolei', DEMO_PASSWORD, '/portal/request/release-catalog/request-release');
    await page.getByTestId('request-form').waitFor();
    const apps = page.locator('#root_apps');
    for (const text of ['应用名称', 'CI/CD 状态', '未发布']) await apps.getByText(text).first().waitFor();
    expect(await page.locator('#root_apps__add').getAttribute('title')).toBe('添加一项');
    expect(await page.locator('#root_apps_0__remove').getAttribute('title')).toBe('删除');
  });

  it('an agent logs a phone call as an incident for the caller, who then follows it in the portal', async () => {
    const shot = screenshotDir('workspace-new-incident');
    const page = await newPage('zh-CN');
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

    // The agent asks the caller for more: the caller's request page says what to do, and
    // replying there sends the incident back to work (itil-incident's rule).
    const agent = await new ApiClient(srv.url).login('zhangwei', DEMO_PASSWORD);
    const step = async (action: string, body: Record<string, unknown> = {}) => {
      const [task] = (await agent.get(`/records/${logged.id}/tasks`)).body.items;
      if (task.can.claim) expect((await agent.post(`/tasks/${task.id}/claim`)).status).toBe(204);
      const res = await agent.post(`/tasks/${task.id}/actions/${action}`, body);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    };
    await step('accept');
    await step('askCustomer', { comment: '请问是哪个财务系统？' });
    await loginAs(page, srv.url, 'zhaolei', DEMO_PASSWORD, `/portal/requests/${logged.id}`);
    expect(await page.getByTestId('task-instructions').textContent()).toContain('直接在下方回复即可');
    await page.getByTestId('comment-input').fill('用友 U8 财务系统');
    await page.getByTestId('comment-send').click();
    await expect
      .poll(async () => (await caller.get(`/records/${logged.id}`)).body.status)
      .toBe('in-progress');
    await page.reload();
    await page.getByTestId('request-detail').waitFor();
    expect(await page.getByTestId('task-instructions').count()).toBe(0);
    await shot(page, 'replied');
    expect(errors).toEqual([]);
  });

  it("an agent raises a caller's password reset through its catalog item: its type fixed, its SLA the item's", async () => {
    const page = await newPage('zh-CN');
    await loginAs(page, srv.url, 'lina', DEMO_PASSWORD, '/workspace/new/service-request');
    // Before a request type is known, no type's own fields are asked for.
    await page.locator('#root_title').waitFor();
    expect(await page.getByTestId('new-record').textContent()).not.toMatch(
      /软件名称|新员工姓名|入职日期|账号/,
    );
    await page.getByTestId('new-record-item').click();
    await page.locator('.ant-select-dropdown:visible').getByText('密码重置', { exact: true }).click();
    await expect.poll(() => page.locator('#root_title').inputValue()).toBe('密码重置');
    // The item is what the request is: its type is a value, and no manager is asked for.
    expect(await page.locator('#root_requestType').textContent()).toBe('密码重置');
    expect(await page.locator('#root_requestType').locator('input, .ant-select').count()).toBe(0);
    expect(await page.getByTestId('new-record').textContent()).not.toContain('审批经理');
    await page.getByTestId('user-select').click();
    await page.getByTestId('user-select').locator('input').pressSequentially('alice');
    await page.locator('.ant-select-dropdown:visible').getByText('Alice Smith (alice)').click();
    await page.locator('#root_account').fill('alice@corp');
    await page.getByTestId('request-submit').click();
    await page.getByTestId('record-page').waitFor();
    await expect.poll(() => page.getByTestId('record-item').textContent()).toBe('密码重置');
    const id = Number(page.url().split('/').pop());
    const rec = (await srv.admin.get(`/records/${id}`)).body;
    expect(rec).toMatchObject({
      requester: 'alice',
      status: 'fulfilling',
      catalogItem: { ref: 'service-catalog/password-reset' },
      data: { requestType: 'password-reset', account: 'alice@corp' },
    });
    const sla = (await srv.admin.get(`/records/${id}/sla`)).body.items;
    expect(sla).toEqual([expect.objectContaining({ sla: 'service-request-sla', goal: 'password-reset' })]);
    // The queues say which service each request is.
    await page.goto(`${srv.url}/workspace/`);
    await page.getByTestId('queue-open').click();
    const row = page.locator('tr', { has: page.getByRole('link', { name: rec.number, exact: true }) });
    await expect.poll(() => row.textContent()).toContain('密码重置 · 密码重置');
    await page.close();
  });

  it('a record the reader may not see says so, in the portal and the workspace, instead of loading for ever', async () => {
    const requester = await new ApiClient(srv.url).login('zhaolei', DEMO_PASSWORD);
    // Awaiting its manager's approval, a software install is in no agent's queue.
    const rec = (
      await requester.post('/records', {
        type: 'service-request',
        catalogItem: 'service-catalog/software-install',
        data: { title: '装 Visio', software: 'Visio', manager: 'chenjing' },
      })
    ).body;
    const desk = await newPage('zh-CN');
    await loginAs(desk, srv.url, 'zhangwei', DEMO_PASSWORD, `/workspace/records/${rec.id}`);
    await expect
      .poll(() => desk.getByTestId('record-missing').textContent())
      .toBe('记录不存在，或您无权查看');
    await desk.close();
    const other = await newPage('en');
    await loginAs(other, srv.url, 'alice', DEMO_PASSWORD, `/portal/requests/${rec.id}`);
    await expect
      .poll(() => other.getByTestId('record-missing').textContent())
      .toBe('This record does not exist, or you may not see it');
    await other.close();
  });

  it('a change shows what its requester fills, not what later steps do', async () => {
    const page = await newPage('zh-CN');
    await loginAs(page, srv.url, 'lina', DEMO_PASSWORD, '/workspace/new/change');
    await page.locator('#root_title').waitFor();
    const form = page.getByTestId('new-record');
    await form.getByText('回退计划').waitFor();
    expect(await form.textContent()).not.toMatch(/实施结果|变更回顾/);
  });

  it("a problem's step: what it locks shows as values, and what its next status needs is asked for at the field", async () => {
    const shot = screenshotDir('workspace-problem');
    const agent = await new ApiClient(srv.url).login('wangfang', DEMO_PASSWORD);
    const prb = (
      await agent.post('/records', {
        type: 'problem',
        data: {
          title: '打印机队列每天卡死',
          description: '三楼打印机每天上午队列卡死',
          category: 'hardware',
          impact: 2,
        },
      })
    ).body;
    const page = await newPage('zh-CN');
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await loginAs(page, srv.url, 'wangfang', DEMO_PASSWORD, `/workspace/records/${prb.id}`);
    await page.getByTestId('record-page').waitFor();
    // Not yet claimed: the review step lets an edit change its classification only, as the
    // server would; the root cause is no input here.
    await page.locator('#root_category').waitFor();
    expect(await page.locator('#root_rootCause textarea, textarea#root_rootCause').count()).toBe(0);
    expect(await page.locator('#root_priority').textContent()).toBe('P4');
    await page.getByTestId('claim').click();
    await page.getByTestId('action-accept').click();
    await page.getByTestId('action-confirm').click();
    await page.getByTestId('task-investigation').waitFor();

    // A known error needs its workaround: the refusal is shown under that field.
    await page.locator('#root_rootCause').fill('打印服务内存泄漏');
    await page.getByTestId('action-knownError').click();
    await page.getByTestId('action-confirm').click();
    const workaround = page.locator('.ant-form-item').filter({ has: page.locator('#root_workaround') });
    await workaround.getByText('此操作进入的状态要求填写此项').waitFor();
    await shot(page, 'workaround-asked');
    await page.locator('#root_workaround').fill('每天早上重启打印服务');
    await expect.poll(() => workaround.getByText('此操作进入的状态要求填写此项').count()).toBe(0);
    await page.getByTestId('action-knownError').click();
    await page.getByTestId('action-confirm').click();
    await page.getByTestId('task-knownError').waitFor();
    await expect.poll(async () => (await agent.get(`/records/${prb.id}`)).body.status).toBe('known-error');
    await shot(page, 'known-error');
    // Switching the language makes it hers: her messages come in it from now on.
    await page.getByTestId('language-switch').click();
    await expect.poll(async () => (await agent.get('/auth/session')).body.user.locale).toBe('en');
    expect(errors).toEqual([]);
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
