import { defineConfig } from 'vitest/config';

// One vitest run covers every package. Database suites run once per configured database
// (SQLite always, MySQL/MariaDB when TEST_MYSQL_URL is set) through test/support/databases.ts.
export default defineConfig({
  test: {
    include: [
      'spec/src/**/*.test.ts',
      'runtime/src/**/*.test.ts',
      'reports/src/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', 'test/bench/**'],
    testTimeout: 30_000,
    // Polls wait on real browsers, servers and job runners on a shared two-core machine, where a
    // page's second round trip can take two seconds: vitest's default of one second flaked.
    expect: { poll: { timeout: 10_000 } },
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
    // Finds (or installs) Chromium for the browser suites, once per run.
    globalSetup: ['./test/support/browser-setup.ts'],
  },
});
