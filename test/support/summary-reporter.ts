import type { Reporter, TestModule } from 'vitest/node';
import { NO_BROWSER_LINE } from './chromium.ts';

/**
 * Ends the run with one plain line — "N passed, N failed, N skipped" — that CI tools read
 * regardless of the runner's own colourful summary.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const count = { passed: 0, failed: 0, skipped: 0 };
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') count.passed++;
        else if (state === 'failed') count.failed++;
        else count.skipped++;
      }
    }
    process.stdout.write(`\n${count.passed} passed, ${count.failed} failed, ${count.skipped} skipped\n`);
    // Set by browser-setup.ts when no Chromium could be found or installed.
    if (process.env.OPSLOOM_NO_BROWSER) process.stdout.write(`\n${NO_BROWSER_LINE}\n`);
  }
}
