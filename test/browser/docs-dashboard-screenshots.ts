import path from 'node:path';
import { SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer } from '../support/server.ts';
import { assertBuilt, launch, loginAs, REPO_ROOT } from './browser.ts';

// The dashboard and big-screen screenshots in README.md, from the built apps over the demo as
// `pnpm start` loads it (ninety days of history): the manager's dashboard in English, the big
// screen (大屏) in Chinese at 1920 × 1080.
//
//   npx -y pnpm@10.34.9 run build && npx tsx test/browser/docs-dashboard-screenshots.ts
//
// Not a vitest suite: it rewrites files under docs/. Chinese text needs a CJK font on the machine
// (Debian: `apt-get install fonts-noto-cjk`), or it shows as boxes.

const DOCS = path.join(REPO_ROOT, 'docs');

async function main() {
  assertBuilt();
  const server = await startTestServer('sqlite', {
    pluginsDir: SHIPPED_PLUGINS,
    demo: true,
    demoRecords: true,
  });
  const browser = await launch();
  try {
    const page = await browser.context.newPage();
    await page.addInitScript(() => localStorage.setItem('opsloom.locale', 'en'));
    await page.setViewportSize({ width: 1440, height: 1180 });
    await loginAs(page, server.url, 'chenjing', 'opsloom-demo', '/workspace/');
    await page.waitForURL(/dashboards\/service-desk/);
    await page.waitForFunction(() => !document.querySelector('[data-loading="true"]'));
    await page.waitForTimeout(1500);
    await page.screenshot({ path: path.join(DOCS, 'dashboard-service-desk.png') });

    await page.addInitScript(() => localStorage.setItem('opsloom.locale', 'zh-CN'));
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.goto(`${server.url}/bigscreen/service-desk`);
    await page.getByTestId('bs-figure-open-now').waitFor();
    await page.waitForTimeout(2500);
    await page.screenshot({ path: path.join(DOCS, 'bigscreen.png') });
  } finally {
    await browser.close();
    await server.close();
  }
  console.log(`wrote ${DOCS}/dashboard-service-desk.png and ${DOCS}/bigscreen.png`);
}

await main();
