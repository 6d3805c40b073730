import fs from 'node:fs';
import path from 'node:path';
import { ApiClient } from '../support/client.ts';
import { ADMIN_PASSWORD, startTestServer } from '../support/server.ts';
import { ensureDesignerBuilt, launchChromium, REPO } from './designer-support.ts';

// Re-saves the shipped flows' node positions as the designer's auto-layout (ELK) places them, so a
// flow opens laid out — no overlaps — without anyone clicking "auto-layout" first. Rewrites
// plugins/*/processes/*.json (positions only; everything else is kept as written); bump the
// plugins' versions after running it.
//
//   npx -y pnpm@10.34.9 run build && npx tsx test/browser/relayout-shipped-flows.ts
//
// Not a vitest suite: it rewrites files under plugins/. Chinese titles are measured, so the
// layout is the zh-CN one (the wider of the two languages for most titles).

async function main() {
  ensureDesignerBuilt();
  const files = fs
    .readdirSync(path.join(REPO, 'plugins'))
    .flatMap((plugin) => {
      const dir = path.join(REPO, 'plugins', plugin, 'processes');
      return fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => path.join(dir, f)) : [];
    })
    .filter((f) => f.endsWith('.json'));
  const server = await startTestServer('sqlite', { demo: true, pluginsDir: path.join(REPO, 'plugins') });
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1600, height: 900 }, locale: 'zh-CN' });
    await context.addInitScript(() => localStorage.setItem('opsloom.locale', 'zh-CN'));
    const page = await context.newPage();
    await page.goto(`${server.url}/designer/`);
    await page.waitForURL(/\/portal\/login/);
    await page.getByTestId('login-username').fill('admin');
    await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/designer/);
    const admin = await new ApiClient(server.url).login('admin', ADMIN_PASSWORD);
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      const flow = JSON.parse(text) as { key: string; nodes: { id: string; position?: unknown }[] };
      await page.goto(`${server.url}/designer/process/${flow.key}`);
      await page.getByTestId('process-canvas').waitFor();
      await page.getByTestId('auto-layout').click();
      await page.waitForTimeout(1500);
      await page.getByTestId('save').click();
      await page.waitForTimeout(1000);
      // `definition`: the draft just saved (or the latest version when there is none).
      const detail = (await admin.get(`/definitions/process/${flow.key}`)).body as {
        hasDraft: boolean;
        definition: { nodes: { id: string; position: unknown }[] } | null;
      };
      if (!detail.hasDraft) throw new Error(`${flow.key}: the save made no draft`);
      const saved = detail.definition;
      if (!saved) throw new Error(`${flow.key}: no saved draft`);
      const at = new Map(saved.nodes.map((n) => [n.id, n.position]));
      // Only the positions change: the file's own formatting of the rest is rewritten by biome.
      for (const n of flow.nodes) if (at.has(n.id)) n.position = at.get(n.id);
      fs.writeFileSync(file, `${JSON.stringify(flow, null, 2)}\n`);
      console.log(`laid out ${path.relative(REPO, file)}`);
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

await main();
