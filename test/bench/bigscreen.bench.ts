// bigscreen_update_ms: from a `POST /records` to the big screen's "open now" counter showing the
// new ticket, in headless Chromium on a share link, over the demo's ninety days of history on
// SQLite (production build served by the runtime). Median of BENCH_REPEAT (10) creates.
// Baseline, the same run: from the same kind of create to `GET /bigscreen/service-desk` (what
// the screen asks for) answering the new count — what the screen adds on top of the API (its
// one-second stamp poll, the result request, React and ECharts). Target: < 2,000 ms.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, startServer } from '@opsloom/runtime';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, REPO_ROOT } from '../browser/browser.ts';
import { ApiClient } from '../support/client.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { emit, machine, note, round } from './lib/common.ts';

const REPEAT = Number(process.env.BENCH_REPEAT ?? 10);
const TARGET_MS = 2000;

if (!fs.existsSync(path.join(REPO_ROOT, 'runtime/dist/bigscreen/index.html'))) {
  note('[bigscreen] runtime/dist/bigscreen is missing: run "pnpm build" first');
  process.exit(1);
}
if (!CHROMIUM) {
  note("[bigscreen] no Chromium: set CHROMIUM_PATH or install Debian's chromium");
  process.exit(1);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsloom-bench-bigscreen-'));
const running = await startServer(
  loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    OPSLOOM_DATA_DIR: dataDir,
    OPSLOOM_PLUGINS_DIR: SHIPPED_PLUGINS,
    OPSLOOM_ADMIN_PASSWORD: 'bench-admin-password',
    LOG_LEVEL: 'silent',
  }),
  { demo: true, demoRecords: true, print: () => {} },
);
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'opsloom-bench-chromium-'));
try {
  const admin = await new ApiClient(running.url).login('admin', 'bench-admin-password');
  const share = await admin.post('/dashboards/service-desk/share', { name: 'bench wall' });
  if (share.status !== 201) throw new Error(`share: ${share.status} ${JSON.stringify(share.body)}`);
  const requester = await new ApiClient(running.url).login('zhaolei', DEMO_PASSWORD);
  let n = 0;
  const create = async () => {
    const res = await requester.post('/records', {
      type: 'incident',
      process: 'incident-flow',
      catalogItem: 'incident-catalog/report-incident',
      data: {
        title: `大屏基准 ${++n}`,
        description: '打印机脱机',
        category: 'hardware',
        impact: 3,
        urgency: 3,
      },
    });
    if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
  };
  const { token } = share.body as { token: string };
  const openNow = async () => {
    const res = await fetch(`${running.url}/api/v1/bigscreen/service-desk?token=${token}`);
    const body = (await res.json()) as {
      widgets: { id: string; result: { rows: Record<string, unknown>[] } }[];
    };
    const w = body.widgets.find((x) => x.id === 'open-now')!;
    return Number(Object.values(w.result.rows[0] ?? {}).find((v) => typeof v === 'number') ?? 0);
  };

  // Baseline: the API alone, polled as fast as it answers.
  const api: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const before = await openNow();
    const t0 = performance.now();
    await create();
    while ((await openNow()) === before) await new Promise((r) => setTimeout(r, 5));
    api.push(performance.now() - t0);
  }

  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1920, height: 1080 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(new URL((share.body as { url: string }).url, running.url).toString());
  const figure = page.getByTestId('bs-figure-open-now');
  await figure.waitFor({ timeout: 60_000 });
  const shown = async () => Number((await figure.getAttribute('data-value')) || Number.NaN);
  while (Number.isNaN(await shown())) await new Promise((r) => setTimeout(r, 20));

  const screen: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const before = await shown();
    // Creates land at any point of the screen's one-second poll, as real tickets do.
    await new Promise((r) => setTimeout(r, 137 * i));
    const t0 = performance.now();
    await create();
    await page.waitForFunction(
      (prev) =>
        Number(document.querySelector('[data-testid=bs-figure-open-now]')?.getAttribute('data-value')) > prev,
      before,
      { timeout: 10_000, polling: 'raf' },
    );
    screen.push(performance.now() - t0);
  }
  await context.close();

  note(
    `[bigscreen] ${machine()}; ${REPEAT} creates each; screen ${screen.map((x) => round(x)).join(', ')} ms`,
  );
  const value = round(median(screen));
  const baseline = round(median(api), 1);
  emit({
    bench: 'bigscreen',
    metric: 'bigscreen_update_ms',
    value,
    baseline,
    ratio: round(value / baseline, 2),
    db: 'sqlite',
    max: round(Math.max(...screen)),
    target: TARGET_MS,
  });
} finally {
  await running.stop();
  fs.rmSync(profile, { recursive: true, force: true });
  fs.rmSync(dataDir, { recursive: true, force: true });
}
