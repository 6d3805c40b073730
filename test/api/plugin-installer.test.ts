import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testDatabases } from '../support/databases.ts';
import { formDef, processDef } from '../support/fixtures.ts';
import { startTestServer } from '../support/server.ts';

function writePlugin(root: string, name: string, version: string, files: Record<string, unknown>) {
  const dir = path.join(root, name);
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), JSON.stringify(content, null, 2));
  }
  fs.writeFileSync(
    path.join(dir, 'plugin.json'),
    JSON.stringify({ name, version, title: { en: name }, definitions: Object.keys(files) }),
  );
}

function roleFlow(key: string, form: string) {
  const flow = processDef(key, form);
  flow.nodes[1] = { ...flow.nodes[1]!, assignee: { type: 'role', value: 'agent' } } as never;
  return flow;
}

describe.each(testDatabases())('plugin installer on %s', (dbName) => {
  let root: string;
  let db: TestDatabase;
  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'opsloom-plugins-'));
    db = await createTestDatabase(dbName);
  });
  afterAll(async () => {
    fs.rmSync(root, { recursive: true, force: true });
    await db.drop();
  });

  async function boot() {
    return startTestServer(dbName, { database: db, pluginsDir: root });
  }

  it('installs valid plugins, refuses an invalid one with the validator messages, and still starts', async () => {
    writePlugin(root, 'acme-desk', '1.0.0', {
      'forms/acme.json': formDef('acme-form'),
      'processes/acme.json': roleFlow('acme-flow', 'acme-form'),
    });
    const twoStarts = roleFlow('broken-flow', 'acme-form');
    twoStarts.nodes.push({ id: 'start2', type: 'start', position: { x: 0, y: 100 } } as never);
    writePlugin(root, 'broken', '1.0.0', { 'processes/broken.json': twoStarts });
    // Depends on the broken plugin's process: must be refused too, not installed half-linked.
    writePlugin(root, 'depends-on-broken', '1.0.0', {
      'catalogs/c.json': {
        kind: 'catalog',
        key: 'dep-catalog',
        name: { en: 'Dep' },
        categories: [{ id: 'general', name: { en: 'General' } }],
        items: [
          {
            id: 'thing',
            name: { en: 'Thing' },
            category: 'general',
            form: 'acme-form',
            process: 'broken-flow',
          },
        ],
      },
    });
    fs.mkdirSync(path.join(root, 'not-a-plugin'));

    const srv = await boot();
    try {
      expect((await srv.client().get('/health')).status).toBe(200);
      const plugins = (await srv.admin.get('/plugins')).body.items;
      const byName = Object.fromEntries(plugins.map((p: { name: string }) => [p.name, p]));
      expect(byName['acme-desk']).toMatchObject({ status: 'installed', version: '1.0.0', problems: [] });
      expect(byName.broken.status).toBe('refused');
      const problem = byName.broken.problems.find((p: { code: string }) => p.code === 'process.start.count');
      expect(problem).toMatchObject({ file: 'processes/broken.json' });
      expect(problem.message.en).toBeTruthy();
      expect(problem.message['zh-CN']).toBeTruthy();
      expect(byName['depends-on-broken'].status).toBe('refused');
      expect(byName['depends-on-broken'].problems[0].path).toContain('/items/0/process');

      const defs = (await srv.admin.get('/definitions')).body.items.map(
        (d: any) => `${d.kind}/${d.key}@${d.latestVersion}`,
      );
      expect(defs.sort()).toEqual(['form/acme-form@1', 'process/acme-flow@1']);
      const audit = (await srv.admin.get('/audit?entityKey=acme-form')).body.items;
      expect(audit[0].actor).toBe('system:plugin:acme-desk');
    } finally {
      await srv.close();
    }
  });

  it('is idempotent: a restart with the same plugin versions publishes nothing', async () => {
    const srv = await boot();
    try {
      expect(srv.plugins.find((p) => p.name === 'acme-desk')?.status).toBe('unchanged');
      const versions = (await srv.admin.get('/definitions/form/acme-form/versions')).body.items;
      expect(versions).toHaveLength(1);
    } finally {
      await srv.close();
    }
  });

  it('publishes new versions of changed definitions when the plugin version rises', async () => {
    writePlugin(root, 'acme-desk', '1.1.0', {
      'forms/acme.json': formDef('acme-form', { name: { en: 'Acme request v2', 'zh-CN': '申请 v2' } }),
      'processes/acme.json': roleFlow('acme-flow', 'acme-form'),
    });
    const srv = await boot();
    try {
      const report = srv.plugins.find((p) => p.name === 'acme-desk')!;
      expect(report.status).toBe('installed');
      expect(report.published).toEqual([{ kind: 'form', key: 'acme-form', version: 2 }]);
      expect((await srv.admin.get('/definitions/form/acme-form/versions/1')).body.name.en).toBe(
        'Laptop request',
      );
      expect((await srv.admin.get('/definitions/form/acme-form/versions/2')).body.name.en).toBe(
        'Acme request v2',
      );
      expect((await srv.admin.get('/definitions/process/acme-flow/versions')).body.items).toHaveLength(1);
      expect(
        (await srv.admin.get('/plugins')).body.items.find((p: any) => p.name === 'acme-desk').version,
      ).toBe('1.1.0');
    } finally {
      await srv.close();
    }
  });

  it('refuses a plugin whose manifest is invalid, naming the field', async () => {
    fs.mkdirSync(path.join(root, 'bad-manifest'), { recursive: true });
    fs.writeFileSync(
      path.join(root, 'bad-manifest', 'plugin.json'),
      JSON.stringify({ name: 'bad-manifest', version: 'one' }),
    );
    const srv = await boot();
    try {
      const report = srv.plugins.find((p) => p.name === 'bad-manifest')!;
      expect(report.status).toBe('refused');
      const paths = report.problems.map((p) => p.path);
      expect(paths).toContain('/version');
      expect(paths).toContain('/title');
    } finally {
      await srv.close();
    }
  });
});
