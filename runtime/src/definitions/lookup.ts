import { type DefinitionKind, type Lookup, paramsOfReport, statusesOfForm } from '@opsloom/spec';
import type { Knex } from 'knex';
import { fromJson } from '../db/json.ts';

type AnyDef = {
  kind?: unknown;
  key?: unknown;
  schema?: { properties?: Record<string, unknown> };
  numberPrefix?: unknown;
};

function formFieldsOf(def: AnyDef | undefined): string[] | undefined {
  return def ? Object.keys(def.schema?.properties ?? {}) : undefined;
}

/**
 * A synchronous snapshot of what definitions may reference: every published (not retired)
 * definition, the groups and the users. `extra` adds definitions being installed together
 * (a plugin's process may name the plugin's own form before either is published).
 */
export async function loadLookup(db: Knex, extra: AnyDef[] = []): Promise<Lookup> {
  const published = await db('definitions')
    .whereNot('status', 'retired')
    .where('latest_version', '>', 0)
    .select('kind', 'key');
  const keys = new Set(published.map((r: { kind: string; key: string }) => `${r.kind}/${r.key}`));
  const forms = new Map<string, AnyDef>();
  const reports = new Map<string, AnyDef>();
  const bodyRows = await db('definitions as d')
    .join('definition_versions as v', function () {
      this.on('v.definition_id', 'd.id').andOn('v.version', 'd.latest_version');
    })
    .whereIn('d.kind', ['form', 'report'])
    .whereNot('d.status', 'retired')
    .select('d.kind', 'd.key', 'v.body');
  for (const r of bodyRows) (r.kind === 'form' ? forms : reports).set(r.key, fromJson<AnyDef>(r.body) ?? {});
  for (const def of extra) {
    if (typeof def.kind !== 'string' || typeof def.key !== 'string') continue;
    keys.add(`${def.kind}/${def.key}`);
    if (def.kind === 'form') forms.set(def.key, def);
    if (def.kind === 'report') reports.set(def.key, def);
  }
  const groups = new Set((await db('groups').select('key')).map((r: { key: string }) => r.key));
  const users = new Set((await db('users').select('username')).map((r: { username: string }) => r.username));
  return {
    hasDefinition: (kind: DefinitionKind, key: string) => keys.has(`${kind}/${key}`),
    formFields: (key: string) => formFieldsOf(forms.get(key)),
    formStatuses: (key: string) => statusesOfForm(forms.get(key)),
    formsNumberedWith: (prefix: string) =>
      [...forms].filter(([, def]) => def.numberPrefix === prefix).map(([key]) => key),
    hasGroup: (key: string) => groups.has(key),
    hasUser: (username: string) => users.has(username),
    reportParams: (key: string) => {
      const report = reports.get(key);
      return report ? paramsOfReport(report) : undefined;
    },
  };
}
