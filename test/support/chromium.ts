import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';

/**
 * Where the browser suites find Chromium. They drive the system's Chromium through
 * playwright-core and never download a browser; on a fresh machine with only Node and git it may
 * be missing, so the test command looks for it, installs it where it can, and otherwise runs
 * everything else and says loudly that the browser suites did not run (browser-setup.ts).
 */

/**
 * `CHROMIUM_PATH` when it is set (an explicit choice: nothing else is tried), else the usual
 * places of Debian's, Ubuntu's and Google's builds, else the PATH.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.CHROMIUM_PATH) return isExecutable(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : null;
  const candidates = [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
  ];
  for (const p of candidates) if (isExecutable(p)) return p;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
    if (found && isExecutable(found)) return found;
  }
  return null;
}

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Installs Debian's Chromium when this is Debian (or Ubuntu) and we are root; false otherwise. */
export function installChromium(log: (line: string) => void): boolean {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || !fs.existsSync('/usr/bin/apt-get')) return false;
  log("Chromium is missing: installing Debian's package (apt-get install chromium)…");
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { env, stdio: 'ignore', timeout: 300_000 });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { env, stdio: 'ignore', timeout: 600_000 });
    return true;
  } catch (err) {
    log(`Installing Chromium failed: ${(err as Error).message.split('\n')[0]}`);
    return false;
  }
}

/** The line a run without a browser ends with: what did not run, and how to get it. */
export const NO_BROWSER_LINE =
  '!!! The browser suites (test/browser) did NOT run: no Chromium found. Install it (Debian/Ubuntu: ' +
  'sudo apt-get install chromium) or point CHROMIUM_PATH at a Chromium or Chrome binary, then run the tests again.';
