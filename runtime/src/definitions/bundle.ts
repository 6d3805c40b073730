import { type DefinitionKind, validateDefinition } from '@opsloom/spec';
import type { Knex } from 'knex';
import { recordAudit } from '../audit/audit.ts';
import { type Actor, actorName } from '../context.ts';
import { fromJson, toJson } from '../db/json.ts';
import { ApiError, conflict } from '../http/errors.ts';
import { translateBoth } from '../i18n/translate.ts';
import { checksum } from './canonical.ts';
import { type DefinitionBody, type DefinitionStatus, invalidDefinition } from './store.ts';

export const BUNDLE_FORMAT = 'opsloom.definitions/v1';

/** One definition with its whole history: the unit of a bundle and of one exported file. */
export interface BundleEntry {
  kind: DefinitionKind;
  key: string;
  status: DefinitionStatus;
  source: string | null;
  draft: DefinitionBody | null;
  versions: { version: number; publishedAt: number; publishedBy: string; definition: DefinitionBody }[];
}

export interface Bundle {
  format: typeof BUNDLE_FORMAT;
  definitions: BundleEntry[];
}

/** Every definition with every version, sorted by kind and key so two exports of one database are identical. */
export async function exportBundle(db: Knex, filter: { kind?: DefinitionKind } = {}): Promise<Bundle> {
  const q = db('definitions').orderBy(['kind', 'key']);
  if (filter.kind) q.where('kind', filter.kind);
  const rows = await q.select('*');
  const versions = await db('definition_versions')
    .whereIn(
      'definition_id',
      rows.map((r) => r.id),
    )
    .orderBy(['definition_id', 'version'])
    .select('*');
  return {
    format: BUNDLE_FORMAT,
    definitions: rows.map((r) => ({
      kind: r.kind,
      key: r.key,
      status: r.status,
      source: r.source,
      draft: fromJson<DefinitionBody>(r.draft),
      versions: versions
        .filter((v) => v.definition_id === r.id)
        .map((v) => ({
          version: v.version,
          publishedAt: Number(v.published_at),
          publishedBy: v.published_by,
          definition: fromJson<DefinitionBody>(v.body)!,
        })),
    })),
  };
}

function badBundle(detail: string, zh: string): ApiError {
  return new ApiError(400, 'bad_bundle', 'error.bad_bundle', { detail: { en: detail, 'zh-CN': zh } });
}

function checkEntry(entry: BundleEntry, index: number): void {
  const at = `/definitions/${index}`;
  const bodies = [
    ...entry.versions.map((v, i) => ({ body: v.definition, path: `${at}/versions/${i}/definition` })),
    ...(entry.draft ? [{ body: entry.draft, path: `${at}/draft` }] : []),
  ];
  for (const { body, path } of bodies) {
    if (body.kind !== entry.kind || body.key !== entry.key)
      throw badBundle(
        `${path} is ${body.kind}/${body.key}, not ${entry.kind}/${entry.key}`,
        `${path} 与条目不一致`,
      );
    const { problems } = validateDefinition(body);
    if (problems.length) throw invalidDefinition(problems.map((p) => ({ ...p, path: `${path}${p.path}` })));
  }
  entry.versions.forEach((v, i) => {
    if (v.version !== i + 1 || v.definition.version !== v.version)
      throw badBundle(
        `${at}/versions/${i} must be version ${i + 1}`,
        `${at}/versions/${i} 应为版本 ${i + 1}`,
      );
  });
  if (entry.status !== 'draft' && entry.versions.length === 0)
    throw badBundle(
      `${at} is ${entry.status} but has no versions`,
      `${at} 状态为 ${entry.status} 但没有版本`,
    );
}

/**
 * Imports a bundle in one transaction: either every definition lands or none does. Versions
 * already present must have the same content (else 409 naming the version); new versions are
 * appended with their original numbers, times and authors.
 */
export async function importBundle(
  db: Knex,
  actor: Actor | string,
  bundle: Bundle,
): Promise<{ created: string[]; updated: string[]; unchanged: string[] }> {
  bundle.definitions.forEach(checkEntry);
  const result = { created: [] as string[], updated: [] as string[], unchanged: [] as string[] };
  const by = actorName(actor);
  await db.transaction(async (trx) => {
    for (const entry of bundle.definitions) {
      const id = `${entry.kind}/${entry.key}`;
      const now = Date.now();
      let row = await trx('definitions').where({ kind: entry.kind, key: entry.key }).first();
      const latest = entry.versions.length;
      if (!row) {
        await trx('definitions').insert({
          kind: entry.kind,
          key: entry.key,
          status: entry.status,
          draft: toJson(entry.draft),
          revision: 1,
          latest_version: 0,
          source: entry.source,
          created_at: now,
          updated_at: now,
          updated_by: by,
        });
        row = await trx('definitions').where({ kind: entry.kind, key: entry.key }).first();
        result.created.push(id);
      }
      const existing = await trx('definition_versions')
        .where({ definition_id: row.id })
        .select('version', 'checksum');
      let added = 0;
      for (const v of entry.versions) {
        const sum = checksum(v.definition);
        const have = existing.find((e: { version: number }) => e.version === v.version);
        if (have) {
          if (have.checksum !== sum)
            throw conflict('import_conflict', 'error.import_conflict', {
              what: translateBoth('what.definition', { kind: entry.kind, key: entry.key }),
              version: v.version,
            });
          continue;
        }
        await trx('definition_versions').insert({
          definition_id: row.id,
          kind: entry.kind,
          key: entry.key,
          version: v.version,
          body: toJson(v.definition),
          checksum: sum,
          published_at: v.publishedAt,
          published_by: v.publishedBy,
        });
        added++;
      }
      if (latest > row.latest_version) {
        await trx('definitions')
          .where({ id: row.id })
          .update({
            latest_version: latest,
            status: entry.status,
            draft: toJson(entry.draft),
            updated_at: now,
            updated_by: by,
          });
      }
      if (added > 0 && !result.created.includes(id)) result.updated.push(id);
      else if (added === 0 && !result.created.includes(id)) result.unchanged.push(id);
      if (added > 0 || result.created.includes(id))
        await recordAudit(trx, by, 'definition.import', entry.kind, entry.key, { versionsAdded: added });
    }
  });
  return result;
}
