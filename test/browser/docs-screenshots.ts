import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { SHIPPED_PLUGINS } from '../support/plugins.ts';
import { ADMIN_PASSWORD, startTestServer } from '../support/server.ts';
import { assertBuilt } from './browser.ts';
import { ensureDesignerBuilt, launchChromium, REPO } from './designer-support.ts';

// The designer screenshots in README.md, taken from the built apps the runtime serves, over a
// fresh database with the shipped ITIL plugins and the demo people (as `pnpm start` runs).
// In English like the portal's (docs/portal-catalog.png), in a window a little wider than its
// 1280×720 so the canvas has room beside the palette and the properties panel.
//
//   npx -y pnpm@10.34.9 run build && npx tsx test/browser/docs-screenshots.ts
//
// Not a vitest suite: it rewrites files under docs/, which a test run must not do. Chinese text
// needs a CJK font on the machine (Debian: `apt-get install fonts-wqy-microhei`), or it shows as boxes.

const DOCS = path.join(REPO, 'docs');

async function main() {
  if (!execFileSync('fc-list', [':lang=zh'], { encoding: 'utf8' }).trim())
    console.warn(
      'no CJK font installed: Chinese text will show as boxes (apt-get install fonts-wqy-microhei)',
    );
  assertBuilt();
  ensureDesignerBuilt();
  const server = await startTestServer('sqlite', { demo: true, pluginsDir: SHIPPED_PLUGINS });
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 810 }, locale: 'en-GB' });
    await context.addInitScript(() => localStorage.setItem('opsloom.locale', 'en'));
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('pageerror', e.message));

    // The admin logs in on the shared login page the designer sends visitors to.
    await page.goto(`${server.url}/portal/login?next=${encodeURIComponent('/designer/')}`);
    await page.getByTestId('login-username').fill('admin');
    await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('definitions-list').waitFor();

    // The incident flow in the process designer, one step selected so its properties show.
    await page.goto(`${server.url}/designer/process/incident-flow`);
    await page.getByTestId('process-canvas').waitFor();
    await page.getByTestId('fit').click();
    await page.locator('.react-flow__node[data-id="inProgress"]').click();
    await page.getByTestId('node-panel-inProgress').waitFor();
    await page.mouse.move(640, 10); // away from the canvas and its buttons' tooltips
    await page.waitForTimeout(800); // the fit animation, the tooltip closing
    await page.screenshot({ path: path.join(DOCS, 'designer-process.png') });

    // The incident form in the form designer: palette, fields, a choice field's options, live preview.
    await page.goto(`${server.url}/designer/form/incident`);
    await page.getByTestId('form-canvas').waitFor();
    await page.getByTestId('form-preview').waitFor();
    await page.getByTestId('field-card-category').click(); // its options show in the panel
    await page.getByTestId('field-props-category').waitFor();
    await page.mouse.move(720, 10);
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(DOCS, 'designer-form.png') });
    console.log(`saved ${path.join(DOCS, 'designer-process.png')} and designer-form.png`);
  } finally {
    await browser.close();
    await server.close();
  }
}

await main();
