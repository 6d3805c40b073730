// JavaScript a browser downloads before the portal's service catalog shows, on a production
// build served by the runtime (gzip), measured in headless Chromium from CDP network events:
// the encoded (on-the-wire) size of every script response finished by the time the first
// catalog card is visible. A logged-in end user, cold cache. Target: ≤ 350 KB. See README.md.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, startServer } from '@opsloom/runtime';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, REPO_ROOT } from '../browser/browser.ts';
import { ApiClient } from '../support/client.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { emit, machine, note, round } from './lib/common.ts';
import { measureFirstLoad } from './lib/first-load.ts';

const TARGET_KB = 350;

if (
  !fs.existsSync(path.join(REPO_ROOT, 'runtime/dist/portal/index.html')) ||
  process.env.BENCH_BUILD === '1'
) {
  note('[portal-load] building the web apps (production build)…');
  const built = spawnSync('pnpm', ['--filter', '@opsloom/runtime', 'run', 'build'], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
  if (built.status !== 0) process.exit(1);
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsloom-bench-portal-'));
const running = await startServer(
  loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    OPSLOOM_DATA_DIR: dataDir,
    OPSLOOM_PLUGINS_DIR: SHIPPED_PLUGINS,
    OPSLOOM_ADMIN_PASSWORD: 'bench-admin-password',
    LOG_LEVEL: 'silent',
  }),
  { demo: true, print: () => {} },
);
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'opsloom-bench-chromium-'));
try {
  const user = await new ApiClient(running.url).login('zhaolei', DEMO_PASSWORD);
  const sid = user.cookie!.split('=')[1]!;
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM ?? undefined,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  await context.addCookies([{ name: 'opsloom_sid', value: sid, url: running.url }]);
  const page = context.pages()[0] ?? (await context.newPage());
  const { bytes, files, shownMs } = await measureFirstLoad(context, page, `${running.url}/portal/`, () =>
    page.locator('[data-testid^=catalog-item-]').first().waitFor({ timeout: 60_000 }),
  );
  note(`[portal-load] ${files.length} scripts before the catalog showed (${round(shownMs)} ms):`);
  for (const f of files) note(`  ${f}`);
  note(`[portal-load] ${machine()}; target ≤ ${TARGET_KB} KB`);
  emit({
    bench: 'portal-load',
    metric: 'portal_first_load_js_kb_gzip',
    value: round(bytes / 1024, 1),
    target: TARGET_KB,
    scripts: files.length,
  } as never);
  await context.close();
} finally {
  await running.stop();
  fs.rmSync(profile, { recursive: true, force: true });
  fs.rmSync(dataDir, { recursive: true, force: true });
}
