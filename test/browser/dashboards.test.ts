import fs from 'node:fs';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ApiClient } from '../support/client.ts';
import { publishDefinitions } from '../support/fixtures.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { assertBuilt, type Browser, describeInBrowser, launch, loginAs, screenshotDir } from './browser.ts';

/**
 * A manager's day with the shipped service-desk dashboard, in a real Chromium over the demo's
 * ninety days of history: landing, a date filter, a click on a bar that opens exactly the records
 * it counted, an XLSX export read back with exceljs, and the big screen at 1920 × 1080 showing a
 * new ticket within its poll.
 */

/** The pixel of a bar (category `name` of series `series`) in a widget's chart, from ECharts itself. */
async function barPixel(page: Page, widget: string, name: string, series = 0): Promise<[number, number]> {
  const handle = page.getByTestId(`chart-${widget}`);
  await handle.waitFor();
  const box = (await handle.boundingBox())!;
  const [x, y] = await handle.evaluate(
    (el, [category, s]) => {
      const chart = (el as unknown as { echartsInstance: any }).echartsInstance;
      const option = chart.getOption();
      const data = option.series[s].data as { value: number }[];
      const categories = (option.xAxis?.[0]?.data ?? option.yAxis?.[0]?.data) as string[];
      const i = categories.indexOf(category as string);
      // Half way up the bar: a click on its middle, not on its edge.
      const horizontal = option.yAxis?.[0]?.type === 'category';
      const v = data[i]!.value / 2;
      return chart.convertToPixel({ seriesIndex: s }, horizontal ? [v, i] : [i, v]) as [number, number];
    },
    [name, series] as const,
  );
  return [box.x + x, box.y + y];
}

/** The value of a bar as the chart has it. */
async function barValue(page: Page, widget: string, name: string, series = 0): Promise<number> {
  return page.getByTestId(`chart-${widget}`).evaluate(
    (el, [category, s]) => {
      const option = (el as unknown as { echartsInstance: any }).echartsInstance.getOption();
      const categories = (option.xAxis?.[0]?.data ?? option.yAxis?.[0]?.data) as string[];
      return (option.series[s].data as { value: number }[])[categories.indexOf(category as string)]!.value;
    },
    [name, series] as const,
  );
}

describeInBrowser('dashboards and the big screen in a browser (sqlite)', () => {
  let srv: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    assertBuilt();
    srv = await startTestServer('sqlite', { pluginsDir: SHIPPED_PLUGINS, demo: true, demoRecords: true });
    browser = await launch();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  it('a manager lands on the service-desk dashboard, filters it, drills into a bar and exports XLSX', {
    timeout: 90_000,
  }, async () => {
    const shot = screenshotDir('dashboards');
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1440, height: 1000 });
    await loginAs(page, srv.url, 'chenjing', DEMO_PASSWORD, '/workspace/');
    await page.waitForURL(/\/workspace\/dashboards\/service-desk/);
    await expect.poll(() => page.locator('[data-loading="true"]').count()).toBe(0);
    await shot(page, 'landing');

    // The date filter: the last seven days instead of the default thirty.
    const manager = await new ApiClient(srv.url).login('chenjing', DEMO_PASSWORD);
    manager.locale = 'zh-CN'; // as the browser asks
    const run = async (params: Record<string, unknown>) =>
      (await manager.post('/reports/created-vs-resolved/run', { params })).body as { rows: unknown[] };
    expect((await run({ period: 'last30days' })).rows.length).toBeGreaterThan(20);
    await page.getByTestId('filter-period').click();
    await page.locator('.ant-select-item-option').filter({ hasText: '最近 7 天' }).click();
    await page.waitForURL(/period=last7days/);
    await expect.poll(() => page.locator('[data-loading="true"]').count()).toBe(0);
    const days = await page
      .getByTestId('chart-created-vs-resolved')
      .evaluate(
        (el) => (el as unknown as { echartsInstance: any }).echartsInstance.getOption().xAxis[0].data.length,
      );
    expect(days).toBe(7);
    await shot(page, 'last 7 days');

    // A bar of the open backlog by priority: the list it opens holds exactly the records it counted.
    const p3 = await barValue(page, 'backlog-priority', 'P3');
    expect(p3).toBeGreaterThan(0);
    const [x, y] = await barPixel(page, 'backlog-priority', 'P3');
    await page.mouse.click(x, y);
    await page.waitForURL(/\/workspace\/list\?/);
    const total = page.getByTestId('drill-total');
    await expect.poll(() => total.getAttribute('data-total')).toBe(String(p3));
    await expect.poll(() => page.getByTestId('drill-expected').textContent()).toContain(String(p3));
    // The list's own query, less what only the page reads (the expected count, where it came from).
    const query = new URLSearchParams(new URL(page.url()).search);
    for (const k of [...query.keys()]) if (k.startsWith('_')) query.delete(k);
    const api = await manager.get(`/records?${query}`);
    expect(api.status).toBe(200);
    expect((api.body as { total: number }).total).toBe(p3);
    await shot(page, 'drill-down list');

    // Back to the dashboard, as it was (the filter lives in the URL), and export a widget as XLSX.
    await page.goBack();
    await page.waitForURL(/period=last7days/);
    await page.getByTestId('widget-menu-backlog-group').click();
    const download = page.waitForEvent('download');
    await page.locator('.ant-dropdown-menu-item').filter({ hasText: 'XLSX' }).click();
    const file = await (await download).path();
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    const sheet = book.worksheets[0]!;
    const expected = (await manager.post('/reports/backlog-by-group/run', { params: {} })).body as {
      columns: { key: string; label: string }[];
      rows: Record<string, unknown>[];
      total: number;
    };
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual(expected.columns.map((c) => c.label));
    const measure = expected.columns.findIndex((c) => c.key === 'open');
    const cells: number[] = [];
    sheet.eachRow((row, n) => {
      if (n > 1) cells.push(Number(row.getCell(measure + 1).value));
    });
    expect(cells).toEqual(expected.rows.map((r) => Number(r.open)));
    expect(cells.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    fs.rmSync(file, { force: true });
    await page.close();
  });

  it('the big screen renders at 1920 × 1080 and shows a new ticket in its counter', async () => {
    const shot = screenshotDir('bigscreen');
    const admin = srv.admin;
    const share = await admin.post('/dashboards/service-desk/share', { name: '运维值班室' });
    expect(share.status).toBe(201);
    const { url } = share.body as { url: string; token: string };
    // A wall screen: nobody logged in, a share link only.
    const page = await browser.context.newPage();
    await page.context().clearCookies();
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.goto(new URL(url, srv.url).toString());
    const figure = page.getByTestId('bs-figure-open-now');
    await figure.waitFor();
    await expect.poll(() => figure.getAttribute('data-value')).toMatch(/^\d+$/);
    await page.waitForTimeout(1500); // the count-up animation settles
    await shot(page, 'big screen 1920x1080');
    const before = Number(await figure.getAttribute('data-value'));

    const requester = await new ApiClient(srv.url).login('zhaolei', DEMO_PASSWORD);
    const created = await requester.post('/records', {
      type: 'incident',
      process: 'incident-flow',
      catalogItem: 'incident-catalog/report-incident',
      data: {
        title: '大屏测试：打印机无法打印',
        description: '三楼打印机脱机',
        category: 'hardware',
        impact: 3,
        urgency: 3,
      },
    });
    const t0 = Date.now();
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await expect.poll(() => figure.getAttribute('data-value'), { timeout: 5000 }).toBe(String(before + 1));
    console.log(
      JSON.stringify({ bench: 'bigscreen', metric: 'bigscreen_update_ms', value: Date.now() - t0 }),
    );
    await page.close();
  });

  it('a wall screen rotates through its playlist and stops when its link is revoked', {
    timeout: 60_000,
  }, async () => {
    // The shipped service-desk wall, with its playlist turned every five seconds instead of thirty.
    const shipped = (await srv.admin.get('/dashboards/service-desk')).body as Record<string, any>;
    const { key: _k, kind: _kind, version: _v, landingFor: _l, ...rest } = shipped;
    const wall = {
      ...rest,
      kind: 'dashboard',
      key: 'wall-rotation',
      bigScreen: { ...shipped.bigScreen, playlist: { dashboards: ['service-quality'], seconds: 5 } },
    };
    await publishDefinitions(srv.admin, [wall]);
    const share = await srv.admin.post('/dashboards/wall-rotation/share', { name: '二楼大屏' });
    expect(share.status).toBe(201);
    const page = await browser.context.newPage();
    await page.context().clearCookies();
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto(new URL(share.body.url, srv.url).toString());
    const title = page.getByTestId('bs-title');
    await expect.poll(() => title.textContent()).toContain('IT 服务台运营大屏');
    await expect.poll(() => title.textContent(), { timeout: 15_000 }).toContain('IT 服务质量');
    await expect.poll(() => title.textContent(), { timeout: 15_000 }).toContain('IT 服务台运营大屏');

    expect((await srv.admin.delete(`/dashboards/shares/${share.body.id}`)).status).toBe(204);
    await expect.poll(() => page.getByTestId('bs-stopped').count(), { timeout: 5000 }).toBe(1);
    await page.close();
  });
});
