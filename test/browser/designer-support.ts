import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { CHROMIUM } from './browser.ts';

export const REPO = path.resolve(import.meta.dirname, '../..');
const DIST = path.join(REPO, 'designer/dist/index.html');

/** Builds the designer when its production build is missing (the runtime serves designer/dist). */
export function ensureDesignerBuilt(): void {
  if (fs.existsSync(DIST) && process.env.DESIGNER_REBUILD !== '1') return;
  execFileSync('pnpm', ['--filter', '@opsloom/designer', 'build'], { cwd: REPO, stdio: 'inherit' });
}

/** Debian's Chromium, headless; playwright gives every launch a fresh temporary profile. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM ?? undefined,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** A folder for this run's screenshots, printed so a person can look at them. */
export function screenshotDir(name: string): (page: Page, step: string) => Promise<void> {
  const dir = path.join(REPO, 'test-results', `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  fs.mkdirSync(dir, { recursive: true });
  console.log(`screenshots: ${dir}`);
  let n = 0;
  return async (page, step) => {
    n++;
    await page.screenshot({ path: path.join(dir, `${String(n).padStart(2, '0')}-${step}.png`) });
  };
}

/** Drags with real pointer events (dnd-kit needs moves between press and release). */
/** `atBottom` drops near the target's bottom edge (the empty end of a list) instead of its centre. */
export async function pointerDrag(page: Page, from: string, to: string, atBottom = false): Promise<void> {
  const a = (await page.locator(from).first().boundingBox())!;
  const b = (await page.locator(to).first().boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 10, a.y + a.height / 2 + 10, { steps: 4 });
  const y = atBottom ? Math.min(b.y + b.height - 20, page.viewportSize()!.height - 20) : b.y + b.height / 2;
  await page.mouse.move(b.x + b.width / 2, y, { steps: 12 });
  await page.waitForTimeout(100);
  await page.mouse.up();
}
