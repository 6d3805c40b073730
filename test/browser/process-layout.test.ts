import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../support/server.ts';
import { describeInBrowser } from './browser.ts';
import { ensureDesignerBuilt, launchChromium, REPO, screenshotDir } from './designer-support.ts';

/**
 * The process canvas reads well: every shipped flow, opened in the designer and auto-laid out
 * (ELK), is looked at at 100 % in both languages. No two nodes overlap, node titles are at least
 * 13 px, every edge with a button, a condition or the default has a label, and each label lies
 * inside the canvas, clear of every node and every other label, its text not cut; conditions
 * read as the form's words ("变更类型 = 标准"), not CEL.
 */

interface Flow {
  key: string;
  nodes: { id: string }[];
  edges: { id: string; action?: unknown; condition?: string; default?: boolean; error?: boolean }[];
}

const FLOWS: Flow[] = fs
  .readdirSync(path.join(REPO, 'plugins'))
  .flatMap((plugin) => {
    const dir = path.join(REPO, 'plugins', plugin, 'processes');
    return fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => path.join(dir, f)) : [];
  })
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as Flow);

interface Box {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

const overlap = (a: Box, b: Box) =>
  a.x < b.x + b.width - 0.5 &&
  b.x < a.x + a.width - 0.5 &&
  a.y < b.y + b.height - 0.5 &&
  b.y < a.y + a.height - 0.5;

function overlapping(boxes: Box[], others: Box[] = boxes): string[] {
  const out: string[] = [];
  for (const [i, a] of boxes.entries())
    for (const [j, b] of others.entries())
      if ((others !== boxes || j > i) && overlap(a, b)) out.push(`${a.id} × ${b.id}`);
  return out;
}

describeInBrowser('process canvas layout (browser)', () => {
  let server: TestServer;
  let browser: Browser;
  const shot = screenshotDir('process-layout');

  beforeAll(async () => {
    ensureDesignerBuilt();
    // The demo's groups and people: the shipped flows assign to them, and plugins referring to none are refused.
    server = await startTestServer('sqlite', { demo: true, pluginsDir: path.join(REPO, 'plugins') });
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function openAs(locale: 'zh-CN' | 'en'): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1600, height: 900 }, locale });
    await context.addInitScript((l) => localStorage.setItem('opsloom.locale', l), locale);
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('pageerror', e.message));
    // The designer sends a visitor without a session to the portal's login page.
    await page.goto(`${server.url}/designer/`);
    await page.waitForURL(/\/portal\/login/, { timeout: 15_000 });
    await page.getByTestId('login-username').fill('admin');
    await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/designer/, { timeout: 15_000 });
    return page;
  }

  /** The zoom React Flow draws the canvas at. */
  const zoomOf = (page: Page) =>
    page.locator('.react-flow__viewport').evaluate((el) => new DOMMatrix(getComputedStyle(el).transform).a);

  async function nodeBoxes(page: Page): Promise<Box[]> {
    return page.locator('.react-flow__node').evaluateAll((els) =>
      els.map((el) => {
        const r = el.getBoundingClientRect();
        return { id: el.getAttribute('data-id') ?? '', x: r.x, y: r.y, width: r.width, height: r.height };
      }),
    );
  }

  for (const locale of ['zh-CN', 'en'] as const) {
    it(`every shipped flow after auto-layout at 100 % (${locale}): no overlaps, legible titles, whole labels`, async () => {
      expect(FLOWS.length).toBeGreaterThanOrEqual(6);
      const page = await openAs(locale);
      for (const flow of FLOWS) {
        await page.setViewportSize({ width: 1600, height: 900 });
        await page.goto(`${server.url}/designer/process/${flow.key}`);
        await page.getByTestId('process-canvas').waitFor();
        await expect.poll(() => page.locator('.react-flow__node').count()).toBeGreaterThan(0);
        await page.getByTestId('auto-layout').click();
        // The layout is fitted: every node in view, and from their boxes the size at 100 %.
        await expect
          .poll(async () => (await nodeBoxes(page)).length, { timeout: 15_000 })
          .toBe(flow.nodes.length);
        await page.waitForTimeout(400);
        const zoom = await zoomOf(page);
        const fitted = await nodeBoxes(page);
        const width =
          (Math.max(...fitted.map((b) => b.x + b.width)) - Math.min(...fitted.map((b) => b.x))) / zoom;
        const height =
          (Math.max(...fitted.map((b) => b.y + b.height)) - Math.min(...fitted.map((b) => b.y))) / zoom;
        // A window the whole flow fits at 100 % (the palette and the panel beside the canvas).
        await page.setViewportSize({
          width: Math.max(1600, Math.ceil(width * 1.25) + 700),
          height: Math.max(900, Math.ceil(height * 1.25) + 400),
        });
        await page.getByTestId('fit').click();
        await page.getByTestId('zoom-100').click();
        await expect.poll(() => zoomOf(page)).toBe(1);
        await page.waitForTimeout(400);
        await shot(page, `${flow.key}-${locale}`);

        const nodes = await nodeBoxes(page);
        expect(nodes.length, flow.key).toBe(flow.nodes.length);
        expect(overlapping(nodes), `${flow.key}: nodes overlap`).toEqual([]);

        const titleSizes = await page
          .locator('[data-testid^="node-title-"]')
          .evaluateAll((els) => els.map((el) => Number.parseFloat(getComputedStyle(el).fontSize)));
        expect(titleSizes.length, flow.key).toBe(flow.nodes.length);
        expect(Math.min(...titleSizes), `${flow.key}: title font`).toBeGreaterThanOrEqual(13);

        const canvas = (await page.getByTestId('process-canvas').boundingBox())!;
        const labels = await page.locator('[data-testid^="edge-label-"]').evaluateAll((els) =>
          els.map((el) => {
            const r = el.getBoundingClientRect();
            const style = getComputedStyle(el);
            return {
              id: el.getAttribute('data-testid')!.slice('edge-label-'.length),
              x: r.x,
              y: r.y,
              width: r.width,
              height: r.height,
              text: (el as HTMLElement).textContent,
              cut:
                el.scrollWidth > el.clientWidth + 1 ||
                el.scrollHeight > el.clientHeight + 1 ||
                [...el.children].some((line) => line.scrollWidth > line.clientWidth + 1),
              ellipsis: style.textOverflow === 'ellipsis',
            };
          }),
        );
        const labelled = flow.edges
          .filter((e) => e.action || e.condition || e.default || e.error)
          .map((e) => e.id);
        expect(labels.map((l) => l.id).sort(), `${flow.key}: labelled edges`).toEqual([...labelled].sort());
        for (const l of labels) {
          expect(l.cut || l.ellipsis, `${flow.key}: label ${l.id} cut ("${l.text}")`).toBe(false);
          expect(l.text.trim(), `${flow.key}: label ${l.id} empty`).not.toBe('');
          // Whole: a shipped flow's labels are never shortened either.
          expect(l.text, `${flow.key}: label ${l.id} shortened`).not.toContain('…');
          const inside =
            l.x >= canvas.x &&
            l.y >= canvas.y &&
            l.x + l.width <= canvas.x + canvas.width &&
            l.y + l.height <= canvas.y + canvas.height;
          expect(inside, `${flow.key}: label ${l.id} outside the canvas`).toBe(true);
        }
        expect(overlapping(labels, nodes), `${flow.key}: labels over nodes`).toEqual([]);
        expect(overlapping(labels), `${flow.key}: labels over labels`).toEqual([]);
        // Conditions read as words: no CEL on the canvas.
        for (const e of flow.edges.filter((x) => x.condition && !x.action)) {
          const text = labels.find((l) => l.id === e.id)?.text ?? '';
          expect(text, `${flow.key}: ${e.id}`).not.toMatch(/record\.|==|&&|\|\|/);
        }
      }
      await page.context().close();
    }, 240_000);
  }

  it('conditions in the form’s words on the canvas and in the panels (CEL in the tooltip); durations and recipients in their pickers', async () => {
    const page = await openAs('zh-CN');
    await page.goto(`${server.url}/designer/process/change-flow`);
    await page.getByTestId('process-canvas').waitFor();
    const standard = page.getByTestId('edge-label-e-standard');
    await expect.poll(() => standard.textContent()).toBe('变更类型 = 标准');
    expect(await standard.getAttribute('title')).toBe('record.changeType == "standard"');
    await expect.poll(() => page.getByTestId('edge-label-e-cab').textContent()).toBe('其他情况');
    await expect.poll(() => page.getByTestId('edge-label-e-approve').textContent()).toBe('批准');
    // The edge's panel says how its condition reads, under the CEL.
    await standard.click();
    await page.getByTestId('edge-panel-e-standard').waitFor();
    expect(await page.getByTestId('edge-condition-summary').textContent()).toBe('变更类型 = 标准');
    // The gateway's panel lists its branches as they read.
    await page.locator('.react-flow__node[data-id="byType"]').click();
    await page.getByTestId('node-panel-byType').waitFor();
    await expect.poll(() => page.getByTestId('gateway-edges').textContent()).toContain('变更类型 = 标准');

    // The panels of other kinds, from the shared pieces: a step's due time in days, a
    // notification's recipients one per row.
    await page.goto(`${server.url}/designer/process/service-request-flow`);
    await page.getByTestId('process-canvas').waitFor();
    await page.locator('.react-flow__node[data-id="managerApproval"]').click();
    await page.getByTestId('node-panel-managerApproval').waitFor();
    expect(await page.getByTestId('node-due-in').inputValue()).toBe('2');
    expect(await page.getByTestId('node-due-in-unit').textContent()).toContain('天');
    await page.locator('.react-flow__node[data-id="notifyDone"]').click();
    await page.getByTestId('node-panel-notifyDone').waitFor();
    expect(await page.getByTestId('recipients-0-type').textContent()).toContain('申请人');
    await page.context().close();
  }, 60_000);
});
