import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { findChromium, NO_BROWSER_LINE } from './chromium.ts';

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '../..');

/** The test command on a machine without a browser: the rest runs, the end says so; CI fails. */
describe('the browser suites without a browser', () => {
  it('CHROMIUM_PATH is used when it is a program, and is the only place looked at when set', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsloom-chromium-path-'));
    const fake = path.join(dir, 'chrome');
    fs.writeFileSync(fake, '#!/bin/sh\n', { mode: 0o755 });
    try {
      expect(findChromium({ CHROMIUM_PATH: fake })).toBe(fake);
      expect(findChromium({ CHROMIUM_PATH: path.join(dir, 'missing') })).toBeNull();
      fs.chmodSync(fake, 0o644);
      expect(findChromium({ CHROMIUM_PATH: fake })).toBeNull();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('skips the browser suites and ends with a loud line; under CI=true the run fails', {
    timeout: 120_000,
  }, async () => {
    const vitest = path.join(REPO, 'node_modules/.bin/vitest');
    const env = { ...process.env, CHROMIUM_PATH: '/nonexistent/chromium', CI: '' };
    const skipped = await run(vitest, ['run', 'test/browser/csp.test.ts'], { cwd: REPO, env });
    expect(skipped.stdout).toContain('0 passed, 0 failed, 4 skipped');
    expect(skipped.stdout).toContain(NO_BROWSER_LINE);

    const failed = await run(vitest, ['run', 'test/browser/csp.test.ts'], {
      cwd: REPO,
      env: { ...env, CI: 'true' },
    }).then(
      () => null,
      (err: { code: number; stdout: string; stderr: string }) => err,
    );
    expect(failed?.code).not.toBe(0);
    expect(`${failed?.stdout}${failed?.stderr}`).toContain('CI=true: a missing browser fails the run');
  });
});
