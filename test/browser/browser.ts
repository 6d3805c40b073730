import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { describe, inject } from 'vitest';
import { findChromium } from '../support/chromium.ts';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/** The system's Chromium as the run's global setup found it (test/support/browser-setup.ts); never a downloaded browser. */
export const CHROMIUM: string | null = chromiumOfRun();

/** What the global setup provided; outside vitest (the docs screenshot scripts) a search of our own. */
function chromiumOfRun(): string | null {
  try {
    return inject('chromium');
  } catch {
    return findChromium();
  }
}

/**
 * A browser suite: runs when the run found a Chromium, else is skipped (and the run says so at
 * its end; under CI=true the run has already failed).
 */
export const describeInBrowser = CHROMIUM ? describe : describe.skip;

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Built web apps are what the runtime serves; `pnpm test` builds them before vitest runs. */
export function assertBuilt(): void {
  for (const app of ['portal', 'workspace', 'bigscreen']) {
    const index = path.join(REPO_ROOT, 'runtime/dist', app, 'index.html');
    if (!fs.existsSync(index)) throw new Error(`${index} is missing: run "pnpm run build" first`);
  }
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Chromium with a fresh profile (--user-data-dir), closed and removed by close(). */
export async function launch(): Promise<Browser> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'opsloom-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM ?? undefined,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 860 },
    locale: 'zh-CN',
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A folder for one test's screenshots, printed so a person can look at them. */
export function screenshotDir(name: string): (page: Page, step: string) => Promise<void> {
  const dir = path.join(REPO_ROOT, 'test-results', 'browser', name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  console.log(`screenshots of "${name}": ${dir}`);
  let n = 0;
  return async (page, step) => {
    n += 1;
    await page.screenshot({
      path: path.join(dir, `${String(n).padStart(2, '0')}-${step}.png`),
      fullPage: true,
    });
  };
}

/** Logs in through the portal's login page and waits for the app named by `next`. */
export async function loginAs(
  page: Page,
  baseUrl: string,
  username: string,
  password: string,
  next = '/portal/',
) {
  await page.goto(`${baseUrl}/portal/login?next=${encodeURIComponent(next)}`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('user-menu').waitFor();
}
