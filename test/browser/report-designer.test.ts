import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedFixture } from '../reports/fixture.ts';
import { SHIPPED_PLUGINS } from '../support/plugins.ts';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../support/server.ts';
import { describeInBrowser } from './browser.ts';
import { ensureDesignerBuilt, launchChromium, pointerDrag, screenshotDir } from './designer-support.ts';

/**
 * The report and dashboard designers in a real browser, served by the runtime from designer/dist:
 * an admin builds a report by dragging fields into its zones (real pointer drags), sees the
 * preview on the real data, sees a problem highlight the filter it concerns, publishes; then drags
 * the report onto a new dashboard's grid, resizes the widget, sets its parameter and a dashboard
 * filter, and publishes. The API then lists both.
 */
describeInBrowser('report and dashboard designers (browser)', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const shot = screenshotDir('report-designer');
  const REPORT = 'tickets-by-priority';
  const DASHBOARD = 'desk-overview';

  /** Picks `text` in the antd Select marked with the test id (a single select closes by itself). */
  async function choose(testId: string, text: string) {
    await page.getByTestId(testId).click();
    await page.keyboard.type(text);
    await page.waitForTimeout(150);
    await page.keyboard.press('Enter');
  }

  /** Picks an option by its visible label in an antd Select without search. */
  async function pick(testId: string, label: string) {
    await page.getByTestId(testId).click();
    await page
      .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: label })
      .first()
      .click();
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
        { timeout: 15_000 },
      )
      .toContain(`v${version}`);
  }

  async function newDefinition(kindLabel: string, key: string, zh: string, en: string) {
    await page.goto(`${server.url}/designer/`);
    await page.getByTestId('definitions-list').waitFor();
    await page.getByTestId('new').click();
    await choose('new-kind', kindLabel);
    await page.getByTestId('new-key').fill(key);
    await page.getByTestId('new-name-zh').fill(zh);
    await page.getByTestId('new-name-en').fill(en);
    await page.getByRole('button', { name: /创\s*建/ }).click();
  }

  const api = async (path: string) => {
    const res = await page.request.get(`${server.url}/api/v1${path}`);
    expect(res.status(), path).toBe(200);
    return res.json();
  };

  beforeAll(async () => {
    ensureDesignerBuilt();
    server = await startTestServer('sqlite', { demo: true, pluginsDir: SHIPPED_PLUGINS, jobs: false });
    await seedFixture(server);
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale: 'zh-CN' });
    await context.addInitScript(() => localStorage.setItem('opsloom.locale', 'zh-CN'));
    page = await context.newPage();
    page.on('pageerror', (e) => console.error('pageerror', e.message));
    // The session cookie the login sets is the browser context's: the designer opens signed in.
    const login = await page.request.post(`${server.url}/api/v1/auth/login`, {
      data: { username: 'admin', password: ADMIN_PASSWORD },
    });
    expect(login.status()).toBe(200);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('1: an admin builds a report by dragging fields, sees the preview, and publishes it', async () => {
    await newDefinition('报表', REPORT, '按优先级的工单', 'Tickets by priority');
    await page.getByTestId('report-designer').waitFor();

    // A dimension by dragging: priority.
    await pointerDrag(page, '[data-testid=report-field-priority]', '[data-testid=report-zone-dimensions]');
    await expect
      .poll(() => page.getByTestId('report-dimensions-0').getAttribute('data-field'))
      .toBe('priority');

    // A date field as a dimension gets a granularity picker (by day at first): by month.
    await pointerDrag(page, '[data-testid=report-field-createdAt]', '[data-testid=report-zone-dimensions]');
    await page.getByTestId('report-dimensions-1-granularity').waitFor();
    await pick('report-dimensions-1-granularity', '按月');

    // A measure gets an aggregation: time to resolve, P90 instead of the average it starts with.
    await pointerDrag(
      page,
      '[data-testid=report-field-resolutionTime]',
      '[data-testid=report-zone-measures]',
    );
    await expect
      .poll(() => page.getByTestId('report-measures-1').getAttribute('data-field'))
      .toBe('resolutionTime');
    await expect(page.getByTestId('report-measures-1-agg').textContent()).resolves.toContain('平均值');
    await pick('report-measures-1-agg', 'P90');

    // A filter without a value is a problem, and it highlights the filter it concerns.
    await pointerDrag(page, '[data-testid=report-field-title]', '[data-testid=report-zone-filters]');
    await expect
      .poll(() => page.getByTestId('report-filters-0').getAttribute('data-invalid'), { timeout: 5_000 })
      .toBe('true');
    await expect
      .poll(() => page.locator('[data-testid=problem][data-path="/filters/0/value"]').count())
      .toBeGreaterThan(0);
    await shot(page, 'filter-problem');
    await page.getByTestId('report-filters-0-value').fill('打印机');
    await expect
      .poll(() => page.getByTestId('report-filters-0').getAttribute('data-invalid'), { timeout: 5_000 })
      .toBeNull();
    await page.getByTestId('report-filters-0-remove').click();

    // A date filter becomes a period parameter a dashboard filter can set.
    await pointerDrag(page, '[data-testid=report-field-createdAt]', '[data-testid=report-zone-filters]');
    await expect
      .poll(() => page.getByTestId('report-filters-0').getAttribute('data-field'))
      .toBe('createdAt');
    await expect(page.getByTestId('report-filters-0-source').textContent()).resolves.toContain('period');

    // Chart type and options in the side panel.
    await page.getByTestId('report-chart-bar').click();
    await page.getByTestId('report-opt-stack').click();
    await page.getByTestId('report-opt-labels').click();
    await page.getByTestId('report-opt-title-zh').fill('按优先级的工单');
    await page.getByTestId('report-opt-title-en').fill('Tickets by priority');
    await page.getByTestId('report-opt-color-add').click();

    // The live preview runs on the real data and draws the chart.
    const preview = page.getByTestId('report-preview');
    await expect.poll(() => preview.getAttribute('data-status'), { timeout: 20_000 }).toBe('ok');
    await expect
      .poll(async () => Number(await preview.getAttribute('data-rows')), { timeout: 20_000 })
      .toBeGreaterThan(0);
    await page.locator('[data-testid=preview-chart] canvas').first().waitFor();
    // The preview runs again shortly after each change: the last one drew the options set above.
    const drawn = () =>
      page.getByTestId('preview-chart').evaluate((el) => {
        const option = (
          el as unknown as { echartsInstance: { getOption(): Record<string, any> } }
        ).echartsInstance.getOption();
        return {
          series: option.series.length > 0,
          stack: option.series[0]?.stack,
          title: option.title?.[0]?.text,
        };
      });
    await expect
      .poll(drawn, { timeout: 15_000 })
      .toEqual({ series: true, stack: 'total', title: '按优先级的工单' });
    await shot(page, 'report-preview');

    // The same definition in Monaco, as for every kind.
    await page.getByTestId('mode').getByText('JSON').click();
    await page.getByTestId('json-editor').waitFor();
    await expect
      .poll(() => page.locator('.monaco-editor').textContent(), { timeout: 15_000 })
      .toContain('resolutionTime');
    await page.getByTestId('mode').getByText('可视化').click();
    await page.getByTestId('report-designer').waitFor();

    await publishAndExpect(1);

    const { items } = await api('/reports');
    const mine = items.find((r: { key: string }) => r.key === REPORT);
    expect(mine).toMatchObject({ key: REPORT, version: 1, dataset: 'records', chart: 'bar' });
    expect(mine.params).toEqual([expect.objectContaining({ key: 'period', type: 'dateRange' })]);
    const def = (await api(`/definitions/report/${REPORT}`)).published;
    expect(def.dimensions).toEqual([{ field: 'priority' }, { field: 'createdAt', granularity: 'month' }]);
    expect(def.measures).toEqual([
      { id: 'count', agg: 'count' },
      { id: 'avg_resolutionTime', agg: 'p90', field: 'resolutionTime' },
    ]);
    expect(def.filters).toEqual([{ field: 'createdAt', op: 'between', param: 'period' }]);
    expect(def.chart.options).toMatchObject({
      stack: true,
      labels: true,
      title: { 'zh-CN': '按优先级的工单', en: 'Tickets by priority' },
    });
  }, 180_000);

  it('2: the admin drags the report onto a new dashboard, resizes it, sets its parameter and a filter, and publishes', async () => {
    await newDefinition('仪表盘', DASHBOARD, '服务台概览', 'Desk overview');
    await page.getByTestId('dashboard-designer').waitFor();
    await page.getByTestId(`dashboard-report-${REPORT}`).waitFor();

    // The palette lists every published report; the search narrows it to ours.
    await page.getByTestId('dashboard-reports').locator('input').fill('priority');
    await pointerDrag(page, `[data-testid=dashboard-report-${REPORT}]`, '[data-testid=dashboard-grid]');
    const widget = page.getByTestId(`dashboard-widget-${REPORT}`);
    await widget.waitFor();
    await page.getByTestId('dashboard-widget-panel').waitFor();
    await expect(page.getByTestId('widget-w').inputValue()).resolves.toBe('8');

    // A second report, a shipped one, dropped on the grid too: it takes a free place.
    await pointerDrag(
      page,
      '[data-testid=dashboard-report-open-backlog-by-priority]',
      '[data-testid=dashboard-grid]',
    );
    const second = page.getByTestId('dashboard-widget-open-backlog-by-priority');
    await second.waitFor();

    // Moved by its title bar to the left edge of the grid.
    const secondCard = page.getByTestId('dashboard-widget-open-backlog-by-priority-card');
    const startX = Number(await secondCard.getAttribute('data-x'));
    const grid = (await page.getByTestId('dashboard-grid').boundingBox())!;
    const handleBox = (await page
      .getByTestId('dashboard-widget-open-backlog-by-priority-handle')
      .boundingBox())!;
    await page.mouse.move(handleBox.x + 30, handleBox.y + handleBox.height / 2);
    await page.mouse.down();
    await page.mouse.move(handleBox.x, handleBox.y + 10, { steps: 8 });
    await page.mouse.move(grid.x + 20, handleBox.y + 10, { steps: 12 });
    await page.mouse.up();
    expect(startX).toBeGreaterThan(0);
    await expect.poll(() => secondCard.getAttribute('data-x')).toBe('0');

    // Resize the first widget by its corner: wider.
    await widget.click({ position: { x: 40, y: 12 } });
    const handle = widget.locator('.react-resizable-handle').first();
    const box = (await handle.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + 150, box.y + 60, { steps: 10 });
    await page.mouse.move(box.x + 300, box.y + 120, { steps: 10 });
    await page.mouse.up();
    await expect.poll(async () => Number(await page.getByTestId('widget-w').inputValue())).toBeGreaterThan(8);

    // Its report's parameter, and a title.
    await page.getByTestId('widget-title-zh').fill('本年工单');
    await choose('widget-param-period', '今年');
    await expect
      .poll(
        async () =>
          Number(await page.getByTestId(`dashboard-widget-${REPORT}-preview`).getAttribute('data-rows')),
        {
          timeout: 20_000,
        },
      )
      .toBeGreaterThan(0);

    // A problem highlights the widget it concerns: too few columns for it.
    await page.getByTestId('dashboard-widget-panel').getByRole('button', { name: '仪表盘设置' }).click();
    await page.getByTestId('dashboard-panel').waitFor();
    const card = page.getByTestId(`dashboard-widget-${REPORT}-card`);
    const columns = page.getByTestId('dashboard-panel').locator('input').first();
    await columns.fill('6');
    await expect.poll(() => card.getAttribute('data-invalid'), { timeout: 5_000 }).toBe('true');
    await expect
      .poll(() => page.locator('[data-testid=problem][data-path="/widgets/0"]').count())
      .toBeGreaterThan(0);
    await shot(page, 'widget-problem');
    await columns.fill('24');
    await expect.poll(() => card.getAttribute('data-invalid'), { timeout: 5_000 }).toBeNull();

    // A dashboard filter for the period.
    await page.getByTestId('dashboard-filter-add').click();
    await expect(page.getByTestId('dashboard-filter-0-param').inputValue()).resolves.toBe('period');
    await page.getByTestId('dashboard-filter-0-label-zh').fill('时间范围');
    await page.getByTestId('dashboard-filter-0-label-en').fill('Period');
    await shot(page, 'dashboard');

    await publishAndExpect(1);

    const dashboard = await api(`/dashboards/${DASHBOARD}`);
    const body = JSON.stringify(dashboard);
    expect(body).toContain(REPORT);
    const def = dashboard.definition ?? dashboard.dashboard ?? dashboard;
    const w = def.widgets.find((x: { id: string }) => x.id === REPORT);
    expect(w).toMatchObject({
      report: REPORT,
      params: { period: 'thisYear' },
      title: { 'zh-CN': '本年工单' },
    });
    expect(w.w).toBeGreaterThan(8);
    expect(
      def.widgets.find((x: { report: string }) => x.report === 'open-backlog-by-priority'),
    ).toMatchObject({
      x: 0,
    });
    expect(def.filters).toEqual([
      {
        param: 'period',
        type: 'dateRange',
        default: 'last30days',
        label: { 'zh-CN': '时间范围', en: 'Period' },
      },
    ]);
    expect((await api('/reports')).items.map((r: { key: string }) => r.key)).toContain(REPORT);
  }, 180_000);

  it("3: the process designer overlays each step's figures from the reports engine", async () => {
    await page.goto(`${server.url}/designer/process/incident-flow`);
    await page.getByTestId('node-triage').waitFor();
    await page.getByTestId('process-figures').click();
    await choose('process-figures-period', '今年');
    // The fixture's two triage tasks of incident-flow: 10 and 30 minutes, none late, none open.
    const triage = page.getByTestId('node-figures-triage');
    await expect
      .poll(() => triage.textContent(), { timeout: 15_000 })
      .toContain('2 个任务 · 超期 0 · 等待 0');
    await expect(triage.textContent()).resolves.toContain('停留 20 分钟 · P90 30 分钟');
    await expect(page.getByTestId('node-figures-secondLine').textContent()).resolves.toContain('没有任务');
    await shot(page, 'process-figures');
    await page.getByTestId('process-figures').click();
    await expect.poll(() => triage.count()).toBe(0);
  }, 120_000);
});
