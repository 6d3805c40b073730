import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { migrationSource } from '@opsloom/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/client.ts';
import { createTestDatabase, type TestDatabase, testDatabases } from '../support/databases.ts';
import { formDef } from '../support/fixtures.ts';
import { startTestServer } from '../support/server.ts';

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '../../runtime/bin/opsloom.mjs');

function cli(url: string, ...args: string[]) {
  return run(process.execPath, [BIN, ...args], {
    env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' },
    timeout: 60_000,
  });
}

describe.each(testDatabases())('opsloom CLI on %s', { timeout: 120_000 }, (dbName) => {
  let source: TestDatabase;
  let target: TestDatabase;
  let tmp: string;
  beforeAll(async () => {
    source = await createTestDatabase(dbName);
    target = await createTestDatabase(dbName);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'opsloom-cli-'));
  });
  afterAll(async () => {
    await source.drop();
    await target.drop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('migrates an empty database, and says so when it is current', async () => {
    // Every migration the runtime knows, in order, applied to an empty database.
    const all = await migrationSource.getMigrations([]);
    expect(all[0]).toBe('001_core');
    expect((await cli(source.url, 'migrate')).stdout).toContain(`applied: ${all.join(', ')}\n`);
    expect((await cli(source.url, 'migrate')).stdout).toMatch(/up to date/);
  });

  it('creates a user who can then log in', async () => {
    const { stdout } = await cli(
      source.url,
      'create-user',
      '-u',
      'ops1',
      '-r',
      'agent,manager',
      '-n',
      '运维一号',
    );
    expect(stdout).toMatch(/created ops1 \(agent, manager\)/);
    const password = /password: (\S+)/.exec(stdout)![1]!;
    const srv = await startTestServer(dbName, { database: source });
    try {
      const me = await new ApiClient(srv.url).login('ops1', password);
      expect((await me.get('/auth/session')).body.user).toMatchObject({
        displayName: '运维一号',
        roles: ['agent', 'manager'],
      });
      await srv.admin.post('/definitions', formDef('cli-form'));
      await srv.admin.post('/definitions/form/cli-form/publish');
    } finally {
      await srv.close();
    }
  });

  it('refuses an unknown role with a clear message', async () => {
    await expect(cli(source.url, 'create-user', '-u', 'bad', '-r', 'wizard')).rejects.toMatchObject({
      stderr: expect.stringMatching(/unknown role "wizard"/),
    });
  });

  it('refuses an easily guessed password with a clear message', async () => {
    await expect(
      cli(source.url, 'create-user', '-u', 'weak-admin', '-r', 'admin', '-p', 'password'),
    ).rejects.toMatchObject({
      stderr: expect.stringMatching(/password is too easy to guess: it is one of the most common passwords/),
    });
  });

  it('exports one file per definition and imports the folder into an empty database identically', async () => {
    const dir = path.join(tmp, 'defs');
    expect((await cli(source.url, 'export', '--dir', dir)).stdout).toMatch(/exported 1 definitions/);
    const file = path.join(dir, 'form', 'cli-form.json');
    const text = fs.readFileSync(file, 'utf8');
    // Stable key order: "draft" < "key" < "kind" < "source" < "status" < "versions".
    expect(Object.keys(JSON.parse(text))).toEqual(['draft', 'key', 'kind', 'source', 'status', 'versions']);
    expect((await cli(target.url, 'import', dir)).stdout).toMatch(/created 1, updated 0, unchanged 0/);
    const again = path.join(tmp, 'again');
    await cli(target.url, 'export', '--dir', again);
    expect(fs.readFileSync(path.join(again, 'form', 'cli-form.json'), 'utf8')).toBe(text);
    const bundleA = (await cli(source.url, 'export')).stdout;
    const bundleB = (await cli(target.url, 'export')).stdout;
    expect(bundleB).toBe(bundleA);
  });

  it('refuses to import an invalid definition and writes nothing', async () => {
    const bad = path.join(tmp, 'bad');
    fs.mkdirSync(path.join(bad, 'form'), { recursive: true });
    const entry = JSON.parse(fs.readFileSync(path.join(tmp, 'defs', 'form', 'cli-form.json'), 'utf8'));
    entry.key = 'other-form';
    entry.versions[0].definition.key = 'other-form';
    entry.versions[0].definition.numberPrefix = 'lower';
    fs.writeFileSync(path.join(bad, 'form', 'other-form.json'), JSON.stringify(entry));
    await expect(cli(target.url, 'import', bad)).rejects.toMatchObject({
      stderr: expect.stringMatching(/numberPrefix/),
    });
    expect((await cli(target.url, 'export')).stdout).not.toContain('other-form');
  });
});
