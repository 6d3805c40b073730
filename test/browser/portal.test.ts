import { afterAll, beforeAll, expect, it } from 'vitest';
import { ApiClient } from '../support/client.ts';
import { DEMO_PASSWORD } from '../support/plugins.ts';
import { LAPTOP_ITEM, publishPortalFixtures } from '../support/portal-fixtures.ts';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../support/server.ts';
import { assertBuilt, type Browser, describeInBrowser, launch, loginAs, screenshotDir } from './browser.ts';

// The portal and the workspace in Chromium against a real runtime: the built apps served by it,
// definitions set up through the API (a form, a process with a 会签 approval, a catalog).
describeInBrowser('portal and workspace in the browser', () => {
  let srv: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    assertBuilt();
    srv = await startTestServer('sqlite', { demo: true });
    await publishPortalFixtures(srv.admin, 'lina,chenjing');
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  it('2. an end user finds an item by pinyin initials, is told about the empty required field, then submits', async () => {
    const shot = screenshotDir('2-request-by-pinyin');
    const page = await browser.context.newPage();
    await loginAs(page, srv.url, 'zhaolei', DEMO_PASSWORD);
    await page.getByTestId('catalog-item-laptop').waitFor();
    await shot(page, 'catalog');
    // Each card shows the icon its item (or else its category) names in the catalog definition.
    const catalog = (await (await new ApiClient(srv.url).login('zhaolei', DEMO_PASSWORD)).get('/catalog'))
      .body as {
      categories: { id: string; icon: string | null }[];
      items: { id: string; category: string; icon: string | null }[];
    };
    const categoryIcon = new Map(catalog.categories.map((c) => [c.id, c.icon]));
    for (const item of catalog.items) {
      const expected = item.icon ?? categoryIcon.get(item.category) ?? '';
      expect(await page.getByTestId(`catalog-icon-${item.id}`).getAttribute('data-icon'), item.id).toBe(
        expected,
      );
      if (expected)
        expect(await page.getByTestId(`catalog-icon-${item.id}`).locator(`.anticon`).count()).toBe(1);
    }
    expect(catalog.items.some((i) => i.icon && i.icon !== 'appstore')).toBe(true);

    await page.getByTestId('catalog-search').fill('mmcz');
    await expect.poll(() => page.locator('[data-testid^=catalog-item-]').count()).toBe(1);
    await page.getByTestId('catalog-item-password').waitFor();
    await shot(page, 'search-mmcz');

    await page.getByTestId('catalog-item-password').click();
    await page.getByTestId('request-form').waitFor();
    await expect.poll(() => page.locator('#root_title').inputValue()).toBe('密码重置');
    await page.getByTestId('request-submit').click();
    const reasonItem = page.locator('.ant-form-item-has-error').filter({ has: page.locator('#root_reason') });
    await expect.poll(() => reasonItem.textContent()).toContain('此项为必填项');
    // Only the empty field complains; nothing was created.
    await expect.poll(() => page.getByText('此项为必填项').count()).toBe(1);
    await shot(page, 'required-message-at-field');

    await page.locator('#root_reason').fill('忘记了邮箱密码');
    await page.getByTestId('request-submit').click();
    await page.getByTestId('request-detail').waitFor();
    await expect.poll(() => page.getByTestId('request-status').textContent()).toBe('approving');
    await shot(page, 'submitted');
    const mine = (await new ApiClient(srv.url).login('zhaolei', DEMO_PASSWORD)).get(
      '/records?requester=zhaolei',
    );
    const items = (await mine).body.items;
    expect(items).toHaveLength(1);
    expect(items[0].data).toEqual({ title: '密码重置', reason: '忘记了邮箱密码' });
    await page.close();
  });

  it("the workspace queue and the requester's list count what the server counts and load past their first page", async () => {
    const requester = await new ApiClient(srv.url).login('zhaolei', DEMO_PASSWORD);
    for (let i = 0; i < 12; i++)
      await Promise.all(
        Array.from({ length: 10 }, (_, j) =>
          requester.post('/records', {
            type: 'laptop-request',
            process: 'laptop-flow',
            catalogItem: LAPTOP_ITEM,
            data: { title: `批量申请 ${i * 10 + j}`, reason: '测试分页', model: 'mbp' },
          }),
        ),
      );
    const open = (await srv.admin.get('/records?closed=false&limit=1')).body as {
      total: number;
      totalExact: boolean;
    };
    expect(open.total).toBeGreaterThan(100);
    expect(open.totalExact).toBe(true);

    const page = await browser.context.newPage();
    await loginAs(page, srv.url, 'admin', ADMIN_PASSWORD, '/workspace/');
    await page.getByTestId('queue-open').click();
    // The badge's title holds its number (its digits animate).
    const badge = page.getByTestId('queue-open').locator('.ant-badge-count');
    await expect.poll(() => badge.getAttribute('title'), { timeout: 15_000 }).toBe(String(open.total));
    // The first page holds 100; the rest comes on request.
    const more = page.getByTestId('queue-more');
    await expect.poll(() => more.textContent(), { timeout: 15_000 }).toContain(`${open.total}`);
    await more.click();
    await more.waitFor({ state: 'detached' });
    // All of them are in the table now: 50 to a page.
    const pages = page.locator('.ant-table-pagination .ant-pagination-item');
    await expect
      .poll(() => pages.last().textContent(), { timeout: 15_000 })
      .toBe(String(Math.ceil(open.total / 50)));
    // Search words narrow every queue and its count, as the server's full-text filter does.
    const found = (await srv.admin.get(`/records?closed=false&limit=1&q=${encodeURIComponent('批量申请 7')}`))
      .body as { total: number };
    expect(found.total).toBeGreaterThan(1);
    expect(found.total).toBeLessThan(open.total);
    await page.getByTestId('queue-search').locator('input').fill('批量申请 7');
    await expect.poll(() => badge.getAttribute('title'), { timeout: 15_000 }).toBe(String(found.total));
    await expect
      .poll(() => page.getByTestId('record-list').locator('tbody tr[data-row-key]').count())
      .toBe(found.total);
    // The same records as the server's answer (words match the title, description or number).
    const expected = (
      await srv.admin.get(`/records?closed=false&limit=100&q=${encodeURIComponent('批量申请 7')}`)
    ).body.items.map((r: { number: string }) => r.number);
    const shown = await page
      .getByTestId('record-list')
      .locator('tbody tr[data-row-key] td:nth-child(2)')
      .allTextContents();
    expect(shown.sort()).toEqual(expected.sort());

    // The requester's own list pages the same way: 50, then the rest on request.
    const mine = (await requester.get('/records?requester=zhaolei&limit=1')).body as { total: number };
    expect(mine.total).toBeGreaterThan(100); // three pages: 50, 100, all
    expect(mine.total).toBeLessThanOrEqual(150);
    await loginAs(page, srv.url, 'zhaolei', DEMO_PASSWORD, '/portal/requests');
    const requests = page.getByTestId('my-requests').locator('.ant-list-item');
    await expect.poll(() => requests.count(), { timeout: 15_000 }).toBe(50);
    const moreRequests = page.getByTestId('requests-more');
    expect(await moreRequests.textContent()).toContain(`${mine.total}`);
    await moreRequests.click();
    await expect.poll(() => requests.count(), { timeout: 15_000 }).toBe(100);
    await moreRequests.click();
    await expect.poll(() => requests.count(), { timeout: 15_000 }).toBe(mine.total);
    await moreRequests.waitFor({ state: 'detached' });
    await page.close();
  }, 60_000);

  it('3. both approvers approve in the portal, an agent fulfils in the workspace, the requester rates it', async () => {
    const shot = screenshotDir('3-approve-fulfil-rate');
    const requester = await new ApiClient(srv.url).login('zhaolei', DEMO_PASSWORD);
    const created = await requester.post('/records', {
      type: 'laptop-request',
      process: 'laptop-flow',
      catalogItem: LAPTOP_ITEM,
      data: { title: '申请新笔记本', reason: '屏幕坏了', model: 'mbp' },
    });
    expect(created.status).toBe(201);
    const rec = created.body as { id: number; number: string };

    const page = await browser.context.newPage();
    for (const approver of ['lina', 'chenjing']) {
      await loginAs(page, srv.url, approver, DEMO_PASSWORD, '/portal/approvals');
      const card = page.getByTestId(`approval-${rec.number}`);
      // The approver sees whose request it is and, opened, what it asks for.
      await expect.poll(() => card.textContent()).toContain('赵磊');
      await card.getByTestId(`approval-details-${rec.number}`).getByText('申请内容').click();
      await card.getByText('屏幕坏了').waitFor();
      await card.getByTestId('action-approve').click();
      await shot(page, `${approver}-approving`);
      await page.getByTestId('action-confirm').click();
      await card.waitFor({ state: 'detached' });
      await shot(page, `${approver}-approved`);
    }

    await loginAs(page, srv.url, 'zhangwei', DEMO_PASSWORD, '/workspace/');
    await page.getByTestId('queue-unassigned').click();
    await page.getByRole('link', { name: rec.number }).click();
    await page.getByTestId('record-page').waitFor();
    await shot(page, 'agent-record');
    await page.getByTestId('claim').click();
    await page.getByTestId('action-resolve').waitFor();
    await page.locator('#root_notes').fill('已发放 MacBook Pro');
    await page.getByTestId('action-resolve').click();
    await page.getByTestId('action-confirm').click();
    await expect.poll(() => page.getByTestId('record-status').textContent()).toBe('已解决');
    await shot(page, 'agent-resolved');

    await loginAs(page, srv.url, 'zhaolei', DEMO_PASSWORD, `/portal/requests/${rec.id}`);
    await page.getByTestId('rating').waitFor();
    // The fixture's form names no 'resolved' status: the requester reads the system's name for it.
    expect(await page.getByTestId('request-status').textContent()).toBe('已解决');
    for (const [dimension, stars] of [
      ['attitude', 5],
      ['speed', 4],
      ['quality', 5],
    ] as const) {
      await page
        .getByTestId(`rate-${dimension}`)
        .locator('li.ant-rate-star')
        .nth(stars - 1)
        .click();
    }
    await shot(page, 'rating');
    await page.getByTestId('rating-submit').click();
    await page.getByTestId('rating-done').waitFor();
    await shot(page, 'rated');
    expect((await requester.get(`/records/${rec.id}/rating`)).body.rating).toMatchObject({
      attitude: 5,
      speed: 4,
      quality: 5,
    });
    await page.close();
    // Four people log in and act in turn: ~20 s alone, and it neared the default 30 s on a busy machine.
  }, 90_000);
});
