import fs from 'node:fs/promises';
import path from 'node:path';
import { type Problem, validateBundle } from '@opsloom/spec';
import type { Knex } from 'knex';
import semver from 'semver';
import type { Services } from '../context.ts';
import { isUniqueViolation } from '../db/connect.ts';
import { fromJson, toJson } from '../db/json.ts';
import { loadLookup } from '../definitions/lookup.ts';
import { type DefinitionBody, upsertPublished } from '../definitions/store.ts';
import { compileSchema, toFieldProblems } from '../http/validate.ts';
import { type PluginManifest, PluginManifestSchema } from './manifest.ts';

export interface PluginProblem {
  file: string;
  path: string;
  code: string;
  message: { 'zh-CN': string; en: string };
}

export interface PluginReport {
  name: string;
  version: string;
  status: 'installed' | 'unchanged' | 'refused';
  published: { kind: string; key: string; version: number }[];
  problems: PluginProblem[];
}

interface LoadedPlugin {
  dir: string;
  manifest: PluginManifest;
  files: { file: string; definition: DefinitionBody }[];
}

const fileProblem = (file: string, code: string, en: string, zh: string): PluginProblem => ({
  file,
  path: '',
  code,
  message: { en, 'zh-CN': zh },
});

async function loadPlugin(dir: string): Promise<LoadedPlugin | PluginReport> {
  const name = path.basename(dir);
  const refuse = (problems: PluginProblem[], version = '0.0.0'): PluginReport => ({
    name,
    version,
    status: 'refused',
    published: [],
    problems,
  });
  let manifest: unknown;
  try {
    manifest = JSON.parse(await fs.readFile(path.join(dir, 'plugin.json'), 'utf8'));
  } catch (err) {
    return refuse([
      fileProblem('plugin.json', 'plugin.manifest_unreadable', String(err), `无法读取清单：${err}`),
    ]);
  }
  const check = compileSchema(PluginManifestSchema, false);
  if (!check(manifest)) {
    return refuse(
      toFieldProblems(check.errors).map((p) => ({
        file: 'plugin.json',
        code: 'plugin.manifest_invalid',
        ...p,
      })),
    );
  }
  const m = manifest as PluginManifest;
  const files: LoadedPlugin['files'] = [];
  const problems: PluginProblem[] = [];
  for (const file of m.definitions) {
    try {
      files.push({ file, definition: JSON.parse(await fs.readFile(path.join(dir, file), 'utf8')) });
    } catch (err) {
      problems.push(
        fileProblem(file, 'plugin.definition_unreadable', String(err), `无法读取定义文件：${err}`),
      );
    }
  }
  if (problems.length) return refuse(problems, m.version);
  return { dir, manifest: m, files };
}

async function installedVersion(db: Knex, name: string): Promise<string | null> {
  const row = await db('plugins').where({ name, status: 'installed' }).first('version');
  return row?.version ?? null;
}

async function recordPlugin(db: Knex, report: PluginReport): Promise<void> {
  const values = {
    version: report.version,
    status: report.status,
    problems: toJson(report.problems),
    updated_at: Date.now(),
  };
  // A refused upgrade must not hide that an older version is still installed and running.
  if (report.status === 'refused' && (await installedVersion(db, report.name))) {
    await db('plugins')
      .where({ name: report.name })
      .update({ problems: values.problems, updated_at: values.updated_at });
    return;
  }
  await db('plugins')
    .insert({ name: report.name, ...values })
    .onConflict('name')
    .merge();
}

/**
 * Installs every plugin folder under `pluginsDir` (each with a plugin.json). A plugin is
 * installed whole or not at all: any invalid definition refuses it with the validator's
 * messages, and the server starts anyway. Re-running is a no-op unless a plugin's version rose;
 * then its changed definitions are published as new versions.
 */
export async function installPlugins(services: Services, pluginsDir: string): Promise<PluginReport[]> {
  const { db, log } = services;
  let entries: string[];
  try {
    entries = (await fs.readdir(pluginsDir, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch {
    log.warn({ pluginsDir }, 'plugins folder not found; nothing installed');
    return [];
  }
  const reports: PluginReport[] = [];
  const candidates: LoadedPlugin[] = [];
  for (const entry of entries) {
    const dir = path.join(pluginsDir, entry);
    if (!(await fs.stat(path.join(dir, 'plugin.json')).catch(() => null))) continue;
    const loaded = await loadPlugin(dir);
    if ('status' in loaded) reports.push(loaded);
    else candidates.push(loaded);
  }

  // Validate all plugins against each other and the database. A refused plugin's definitions
  // are then withdrawn from the lookup and the rest validated again, so nothing installed can
  // reference what was refused.
  let accepted = candidates;
  for (;;) {
    const lookup = await loadLookup(
      db,
      accepted.flatMap((p) => p.files.map((f) => f.definition)),
    );
    const refusedNow: LoadedPlugin[] = [];
    for (const plugin of accepted) {
      const byIndex = validateBundle(
        plugin.files.map((f) => f.definition),
        lookup,
      );
      const problems: PluginProblem[] = [];
      for (const [i, list] of byIndex) {
        for (const p of list as Problem[])
          problems.push({ file: plugin.files[i]!.file, path: p.path, code: p.code, message: p.message });
      }
      if (problems.length) {
        refusedNow.push(plugin);
        reports.push({
          name: plugin.manifest.name,
          version: plugin.manifest.version,
          status: 'refused',
          published: [],
          problems,
        });
      }
    }
    if (!refusedNow.length) break;
    accepted = accepted.filter((p) => !refusedNow.includes(p));
  }

  for (const plugin of accepted) {
    const { name, version } = plugin.manifest;
    const current = await installedVersion(db, name);
    if (current && semver.gte(current, version)) {
      reports.push({ name, version: current, status: 'unchanged', published: [], problems: [] });
      continue;
    }
    const published: PluginReport['published'] = [];
    try {
      await db.transaction(async (trx) => {
        for (const { definition } of plugin.files) {
          const v = await upsertPublished(
            trx,
            `system:plugin:${name}`,
            definition,
            `plugin:${name}@${version}`,
          );
          if (v) published.push({ kind: definition.kind, key: definition.key, version: v.version });
        }
        await trx('plugins')
          .insert({ name, version, status: 'installed', problems: toJson([]), updated_at: Date.now() })
          .onConflict('name')
          .merge();
      });
      reports.push({ name, version, status: 'installed', published, problems: [] });
    } catch (err) {
      // Another runtime starting on the same database installed it first.
      if (!isUniqueViolation(err)) throw err;
      reports.push({ name, version, status: 'unchanged', published: [], problems: [] });
    }
  }

  for (const report of reports) {
    if (report.status === 'refused') {
      await recordPlugin(db, report);
      log.warn(
        { plugin: report.name, problems: report.problems.map((p) => `${p.file}${p.path}: ${p.message.en}`) },
        'plugin refused',
      );
    } else if (report.status === 'installed') {
      log.info(
        { plugin: report.name, version: report.version, published: report.published.length },
        'plugin installed',
      );
    }
  }
  return reports.sort((a, b) => a.name.localeCompare(b.name));
}

export async function listPlugins(
  db: Knex,
): Promise<
  { name: string; version: string; status: string; problems: PluginProblem[]; updatedAt: number }[]
> {
  const rows = await db('plugins').orderBy('name');
  return rows.map((r) => ({
    name: r.name,
    version: r.version,
    status: r.status,
    problems: fromJson<PluginProblem[]>(r.problems) ?? [],
    updatedAt: Number(r.updated_at),
  }));
}
