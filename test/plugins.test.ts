import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Definition, type DefinitionKind, type Lookup, localize, validateBundle } from '@opsloom/spec';
import { describe, expect, it } from 'vitest';

/**
 * The ITIL template plugins are plain JSON that the runtime's installer reads. Every
 * definition of every plugin must pass spec's validation, resolving references across all
 * plugins (the incident process creates problem records, SLAs use the shared calendars).
 */

const pluginsDir = fileURLToPath(new URL('../plugins/', import.meta.url));
const DEMO_GROUPS = ['service-desk', 'second-line', 'cab', 'network', 'dc-ops'];

interface Manifest {
  name: string;
  version: string;
  title: { 'zh-CN': string; en: string };
  description: { 'zh-CN': string; en: string };
  definitions: string[];
}

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

const plugins = readdirSync(pluginsDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(pluginsDir, d.name, 'plugin.json')))
  .map((d) => {
    const dir = join(pluginsDir, d.name);
    const manifest = readJson(join(dir, 'plugin.json')) as Manifest;
    const definitions = manifest.definitions.map((file) => ({
      file,
      definition: readJson(join(dir, file)) as Definition,
    }));
    return { folder: d.name, dir, manifest, definitions };
  });

const all = plugins.flatMap((p) => p.definitions.map((d) => ({ plugin: p.folder, ...d })));

const lookup: Lookup = {
  hasDefinition: (kind: DefinitionKind, key: string) =>
    all.some((d) => d.definition.kind === kind && d.definition.key === key),
  formFields: (key: string) => {
    const form = all.find((d) => d.definition.kind === 'form' && d.definition.key === key)?.definition;
    return form?.kind === 'form' ? Object.keys(form.schema.properties) : undefined;
  },
  hasGroup: (key: string) => DEMO_GROUPS.includes(key),
};

describe('ITIL plugins', () => {
  it('are all present', () => {
    expect(plugins.map((p) => p.folder).sort()).toEqual([
      'itil-calendars',
      'itil-change',
      'itil-incident',
      'itil-inspection',
      'itil-notifications',
      'itil-problem',
      'itil-release',
      'itil-reports',
      'itil-service-request',
      'opsloom-lifecycle',
    ]);
  });

  it.each(plugins.map((p) => [p.folder, p] as const))(
    '%s has a complete manifest and package',
    (folder, plugin) => {
      const { manifest } = plugin;
      expect(manifest.name).toBe(folder);
      expect(manifest.version).toMatch(/^\d+\.\d+\.\d+$/);
      for (const text of [manifest.title, manifest.description]) {
        expect(text['zh-CN']).toMatch(/[\u4e00-\u9fff]/);
        expect(text.en).not.toBe('');
      }
      expect(manifest.definitions.length).toBeGreaterThan(0);
      const pkg = readJson(join(plugin.dir, 'package.json')) as {
        name: string;
        private: boolean;
        version: string;
      };
      expect(pkg).toEqual({ name: `@opsloom/plugin-${folder}`, private: true, version: manifest.version });
    },
  );

  it('define every key once', () => {
    const ids = all.map((d) => `${d.definition.kind}:${d.definition.key}`);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it('pass validateBundle together with zero problems', () => {
    const result = validateBundle(
      all.map((d) => d.definition),
      lookup,
    );
    const problems = [...result].map(([i, list]) => ({
      file: `${all[i]?.plugin}/${all[i]?.file}`,
      problems: list.map((p) => `${p.code} ${p.path}: ${p.message.en}`),
    }));
    expect(problems).toEqual([]);
  });

  it('name everything in both languages', () => {
    for (const { plugin, file, definition } of all) {
      const where = `${plugin}/${file}`;
      expect(localize(definition.name, 'zh-CN'), where).toMatch(/[\u4e00-\u9fff]/);
      expect(typeof definition.name === 'object' && definition.name.en, where).toBeTruthy();
    }
  });
});
