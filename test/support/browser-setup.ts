import type { TestProject } from 'vitest/node';
import { findChromium, installChromium, NO_BROWSER_LINE } from './chromium.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Chromium the browser suites launch; null: none here, and they are skipped. */
    chromium: string | null;
  }
}

/**
 * vitest's global setup: find Chromium once for the whole run, installing Debian's package when
 * it can. Without one, the browser suites are skipped and the run ends with NO_BROWSER_LINE; under
 * CI=true a missing browser fails the run instead, never a silent skip.
 */
export default function setup(project: TestProject): void {
  let chromium = findChromium();
  // An explicit CHROMIUM_PATH that is not there is the caller's to fix: nothing is installed.
  if (!chromium && !process.env.CHROMIUM_PATH && installChromium((line) => process.stdout.write(`${line}\n`)))
    chromium = findChromium();
  if (!chromium && process.env.CI === 'true')
    throw new Error(`${NO_BROWSER_LINE} (CI=true: a missing browser fails the run)`);
  if (!chromium) process.env.OPSLOOM_NO_BROWSER = '1';
  project.provide('chromium', chromium);
}
