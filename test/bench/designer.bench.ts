// The admin designer on its production build served by the runtime, in headless Chromium:
//  - designer_first_load_js_kb_gzip: JavaScript on the wire (CDP encodedDataLength of every script
//    response) before the definitions list shows its first row; logged-in admin, cold cache.
//  - form300_keystroke_ms: a 300-field form open in the form designer; one keystroke typed into
//    the live preview's text input until the value is in the DOM and a frame has been painted
//    (median of 30; p95 beside it). The same for the property panel's label (label_* fields).
//    Target ≤ 50 ms.
//  - process300_drag_fps: a 300-node process open in the process designer; one node dragged with
//    60 pointer moves while requestAnimationFrame counts frames. Target ≥ 30 fps.
// See README.md.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, startServer } from '@opsloom/runtime';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, REPO_ROOT } from '../browser/browser.ts';
import { ApiClient } from '../support/client.ts';
import { SHIPPED_PLUGINS } from '../support/plugins.ts';
import { emit, machine, note, round } from './lib/common.ts';
import { measureFirstLoad } from './lib/first-load.ts';

const BENCH = 'designer';
const FIELDS = 300;
const NODES = 300;
const KEYSTROKES = Number(process.env.BENCH_KEYSTROKES ?? 30);
const DRAG_STEPS = Number(process.env.BENCH_DRAG_STEPS ?? 60);
const ADMIN_PASSWORD = 'bench-admin-password';

if (!fs.existsSync(path.join(REPO_ROOT, 'designer/dist/index.html')) || process.env.BENCH_BUILD === '1') {
  note(`[${BENCH}] building the designer (production build)…`);
  const built = spawnSync('pnpm', ['--filter', '@opsloom/designer', 'run', 'build'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 2, 2],
  });
  if (built.status !== 0) process.exit(1);
}

const pad = (i: number) => String(i).padStart(3, '0');

/** A form of 300 fields: mostly text, with numbers, dates, selects and text areas mixed in. */
function form300() {
  const properties: Record<string, unknown> = {};
  for (let i = 1; i <= FIELDS; i++) {
    const k = `f${pad(i)}`;
    const title = { 'zh-CN': `字段 ${i}`, en: `Field ${i}` };
    const base = { title: title['zh-CN'], 'x-title': title };
    if (i % 10 === 3) properties[k] = { ...base, type: 'number' };
    else if (i % 10 === 5) properties[k] = { ...base, type: 'string', format: 'date' };
    else if (i % 10 === 7) properties[k] = { ...base, type: 'string', enum: ['a', 'b', 'c'] };
    else properties[k] = { ...base, type: 'string', maxLength: 200 };
  }
  return {
    kind: 'form',
    key: 'bench-form300',
    name: { 'zh-CN': '三百字段表单', en: 'Form of 300 fields' },
    numberPrefix: 'BF',
    schema: { type: 'object', required: ['f001'], properties },
  };
}

/** start → 298 user tasks in a chain → end, laid out as a grid of 20 columns. */
function process300() {
  const at = (i: number) => ({ x: (i % 20) * 240, y: Math.floor(i / 20) * 120 });
  const nodes: unknown[] = [{ id: 'start', type: 'start', position: at(0) }];
  const edges: unknown[] = [];
  let prev = 'start';
  for (let i = 1; i < NODES - 1; i++) {
    const id = `t${pad(i)}`;
    nodes.push({
      id,
      type: 'userTask',
      name: { 'zh-CN': `任务 ${i}`, en: `Task ${i}` },
      position: at(i),
      assignee: { type: 'group', value: 'service-desk' },
    });
    edges.push(
      prev === 'start'
        ? { id: `e${pad(i)}`, source: prev, target: id }
        : {
            id: `e${pad(i)}`,
            source: prev,
            target: id,
            action: { key: 'approve', label: { 'zh-CN': '同意', en: 'Approve' }, style: 'primary' },
          },
    );
    prev = id;
  }
  nodes.push({ id: 'end', type: 'end', position: at(NODES - 1), status: 'closed', outcome: 'done' });
  edges.push({
    id: `e${pad(NODES - 1)}`,
    source: prev,
    target: 'end',
    action: { key: 'approve', label: { 'zh-CN': '同意', en: 'Approve' }, style: 'primary' },
  });
  return {
    kind: 'process',
    key: 'bench-process300',
    name: { 'zh-CN': '三百节点流程', en: 'Process of 300 nodes' },
    form: 'bench-form300',
    nodes,
    edges,
  };
}

function stats(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
  return { median: at(0.5), p95: at(0.95), max: s[s.length - 1]! };
}

/**
 * Installs the in-page timer: a keydown stamps the start (event.timeStamp, the renderer's own
 * clock); `window.__benchWait(check)` resolves with the milliseconds from that keydown to the
 * end of the first frame painted after `check()` held (rAF, then a task after it).
 */
async function installKeyTimer(page: Page) {
  await page.evaluate(() => {
    const w = window as unknown as Record<string, unknown>;
    w.__benchKeyAt = 0;
    window.addEventListener('keydown', (e) => (w.__benchKeyAt = e.timeStamp), true);
    w.__benchWait = (check: () => boolean) =>
      new Promise<number>((resolve) => {
        let done = false;
        const finish = () => {
          if (done || !check()) return;
          done = true;
          observer.disconnect();
          requestAnimationFrame(() =>
            setTimeout(() => resolve(performance.now() - (w.__benchKeyAt as number)), 0),
          );
        };
        const observer = new MutationObserver(finish);
        observer.observe(document.body, {
          subtree: true,
          childList: true,
          characterData: true,
          attributes: true,
        });
        document.addEventListener('input', () => queueMicrotask(finish), { capture: true, once: true });
        const poll = () => {
          finish();
          if (!done) requestAnimationFrame(poll);
        };
        requestAnimationFrame(poll);
      });
  });
}

/** Types KEYSTROKES characters one by one; `expect(text)` is an in-page check for the text so far. */
async function timeKeystrokes(page: Page, selector: string, start: string, label: string) {
  const times: number[] = [];
  let text = start;
  for (let i = 0; i < KEYSTROKES; i++) {
    const ch = 'abcdefghijklmnopqrstuvwxyz'[i % 26]!;
    text += ch;
    const waiting = page.evaluate(
      ({ selector, text }) => {
        const w = window as unknown as { __benchWait: (c: () => boolean) => Promise<number> };
        return w.__benchWait(() => {
          const el = document.querySelector(selector);
          if (!el) return false;
          return el instanceof HTMLInputElement ? el.value === text : (el.textContent ?? '').includes(text);
        });
      },
      { selector, text },
    );
    await page.keyboard.type(ch);
    times.push(await waiting);
    // A person types a few characters a second; the validator's 250 ms debounce may fire between.
    await page.waitForTimeout(150);
  }
  const s = stats(times.slice(2)); // the first two warm the JIT and rjsf's caches
  note(
    `[${BENCH}] ${label}: median ${round(s.median, 1)} ms, p95 ${round(s.p95, 1)} ms, max ${round(s.max, 1)} ms`,
  );
  return s;
}

/** BENCH_PROFILE=DIR writes a Chrome CPU profile of each timed phase there (for finding hot spots). */
async function profiled<T>(page: Page, name: string, run: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_PROFILE;
  if (!dir) return run();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.start');
  const result = await run();
  const { profile } = await cdp.send('Profiler.stop');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
  await cdp.detach();
  return result;
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsloom-bench-designer-'));
const running = await startServer(
  loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    OPSLOOM_DATA_DIR: dataDir,
    OPSLOOM_PLUGINS_DIR: SHIPPED_PLUGINS,
    OPSLOOM_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LOG_LEVEL: 'silent',
  }),
  { demo: true, print: () => {} },
);
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'opsloom-bench-chromium-'));
try {
  const admin = await new ApiClient(running.url).login('admin', ADMIN_PASSWORD);
  for (const def of [form300(), process300()]) {
    const created = await admin.post('/definitions', def);
    if (created.status >= 300)
      throw new Error(`create ${def.key}: ${created.status} ${JSON.stringify(created.body)}`);
    // Published, so the process can name the form (and both open as a user finds them).
    const published = await admin.post(`/definitions/${def.kind}/${def.key}/publish`, {
      revision: created.body.revision,
    });
    if (published.status >= 300)
      throw new Error(
        `publish ${def.key}: ${published.status} ${JSON.stringify(published.body).slice(0, 500)}`,
      );
  }
  const sid = admin.cookie!.split('=')[1]!;
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM ?? undefined,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1600, height: 900 },
    locale: 'zh-CN',
  });
  await context.addCookies([{ name: 'opsloom_sid', value: sid, url: running.url }]);
  await context.addInitScript(() => localStorage.setItem('opsloom.locale', 'zh-CN'));
  // tsx keeps function names with an `__name` helper the page does not have.
  await context.addInitScript({ content: 'globalThis.__name = (f) => f;' });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => note(`[${BENCH}] pageerror ${e.message}`));

  // 1. First load of the definitions list.
  const { bytes, files, shownMs } = await measureFirstLoad(context, page, `${running.url}/designer/`, () =>
    page.locator('[data-testid=definitions-list] .ant-table-row').first().waitFor({ timeout: 60_000 }),
  );
  note(`[${BENCH}] ${files.length} scripts before the definitions list showed (${round(shownMs)} ms):`);
  for (const f of files) note(`  ${f}`);
  emit({
    bench: BENCH,
    metric: 'designer_first_load_js_kb_gzip',
    value: round(bytes / 1024, 1),
    scripts: files.length,
  } as never);

  // 2. Typing in a 300-field form.
  await page.goto(`${running.url}/designer/form/bench-form300`);
  await page.getByTestId('form-preview').waitFor({ timeout: 60_000 });
  const previewInput = '[data-testid=form-preview] #root_f150';
  await page.locator(previewInput).waitFor({ timeout: 60_000 });
  await page.waitForTimeout(1000);
  await installKeyTimer(page);
  await page.locator(previewInput).click();
  const typed = await profiled(page, 'preview', () =>
    timeKeystrokes(page, previewInput, '', 'preview input'),
  );
  // The property panel: the selected field's Chinese label, seen in the preview's label.
  await page.getByTestId('field-card-f150').click();
  await page.getByTestId('field-props-f150').waitFor();
  const labelInput = page.getByTestId('field-label-zh');
  await labelInput.click();
  await page.keyboard.press('End');
  await page.waitForTimeout(500);
  const label = await profiled(page, 'label', () =>
    timeKeystrokes(
      page,
      '[data-testid=form-preview] label[for=root_f150]',
      '字段 150',
      'property panel label → preview',
    ),
  );
  // 3. Dragging a node among 300.
  await page.goto(`${running.url}/designer/process/bench-process300`);
  await page.getByTestId('process-canvas').waitFor({ timeout: 60_000 });
  const target = page.locator('.react-flow__node[data-id="t150"]');
  await target.waitFor({ timeout: 60_000 });
  await page.waitForTimeout(1500);
  const box = (await target.boundingBox())!;
  const x0 = box.x + box.width / 2;
  const y0 = box.y + box.height / 2;
  await page.mouse.move(x0, y0);
  await page.evaluate(() => {
    const w = window as unknown as Record<string, unknown>;
    w.__benchFrames = 0;
    w.__benchFrameGaps = [] as number[];
    w.__benchCounting = true;
    let last = performance.now();
    const tick = (t: number) => {
      if (!w.__benchCounting) return;
      (w.__benchFrames as number)++;
      (w.__benchFrameGaps as number[]).push(t - last);
      last = t;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    w.__benchDragStart = performance.now();
  });
  const drag = await profiled(page, 'drag', async () => {
    await page.mouse.down();
    await page.mouse.move(x0 + 240, y0 + 160, { steps: DRAG_STEPS });
    await page.mouse.up();
    return page.evaluate(async () => {
      // Let the frame that shows the drop be counted.
      await new Promise((r) => requestAnimationFrame(() => r(null)));
      const w = window as unknown as Record<string, unknown>;
      w.__benchCounting = false;
      return {
        frames: w.__benchFrames as number,
        ms: performance.now() - (w.__benchDragStart as number),
        gaps: (w.__benchFrameGaps as number[]).slice(1),
      };
    });
  });
  const moved = (await target.boundingBox())!;
  const fps = drag.frames / (drag.ms / 1000);
  const gaps = stats(drag.gaps.length ? drag.gaps : [0]);
  note(
    `[${BENCH}] drag: ${drag.frames} frames in ${round(drag.ms)} ms; longest frame ${round(gaps.max, 1)} ms; ` +
      `node moved by ${round(moved.x - box.x)},${round(moved.y - box.y)} px`,
  );
  note(`[${BENCH}] ${machine()}; targets: keystroke ≤ 50 ms, drag ≥ 30 fps`);
  emit({
    bench: BENCH,
    metric: 'form300_keystroke_ms',
    value: round(typed.median, 1),
    p95: round(typed.p95, 1),
    label_median: round(label.median, 1),
    label_p95: round(label.p95, 1),
    target: 50,
  } as never);
  emit({
    bench: BENCH,
    metric: 'process300_drag_fps',
    value: round(fps, 1),
    frames: drag.frames,
    ms: round(drag.ms),
    longest_frame_ms: round(gaps.max, 1),
    target: 30,
  } as never);
  await context.close();
} finally {
  await running.stop();
  fs.rmSync(profile, { recursive: true, force: true });
  fs.rmSync(dataDir, { recursive: true, force: true });
}
