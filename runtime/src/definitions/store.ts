import { type DefinitionKind, type Lookup, type Problem, validateDefinition } from '@opsloom/spec';
import type { Knex } from 'knex';
import diff from 'microdiff';
import { recordAudit } from '../audit/audit.ts';
import { type Actor, actorName } from '../context.ts';
import { isUniqueViolation } from '../db/connect.ts';
import { fromJson, toJson } from '../db/json.ts';
import { ApiError, conflict, notFound } from '../http/errors.ts';
import { translateBoth } from '../i18n/translate.ts';
import { checksum } from './canonical.ts';
import { loadLookup } from './lookup.ts';

export type DefinitionBody = Record<string, unknown> & { kind: DefinitionKind; key: string };
export type DefinitionStatus = 'draft' | 'published' | 'retired';

export interface DefinitionSummary {
  kind: DefinitionKind;
  key: string;
  name: unknown;
  status: DefinitionStatus;
  latestVersion: number;
  /** Optimistic-concurrency token of the draft: send it back with the next draft write. */
  revision: number;
  hasDraft: boolean;
  source: string | null;
  updatedAt: number;
  updatedBy: string | null;
}

export interface DefinitionDetail extends DefinitionSummary {
  /** What the designer edits: the draft if there is one, else the latest published version. */
  definition: DefinitionBody | null;
  published: DefinitionBody | null;
}

export interface VersionInfo {
  version: number;
  checksum: string;
  publishedAt: number;
  publishedBy: string;
}

interface DefinitionRow {
  id: number;
  kind: DefinitionKind;
  key: string;
  status: DefinitionStatus;
  draft: string | null;
  revision: number;
  latest_version: number;
  source: string | null;
  created_at: number;
  updated_at: number;
  updated_by: string | null;
}

const what = (kind: string, key: string) => translateBoth('what.definition', { kind, key });

function summary(row: DefinitionRow, draft?: DefinitionBody | null): DefinitionSummary {
  const body = draft ?? fromJson<DefinitionBody>(row.draft);
  return {
    kind: row.kind,
    key: row.key,
    name: body?.name ?? null,
    status: row.status,
    latestVersion: row.latest_version,
    revision: row.revision,
    hasDraft: row.draft !== null,
    source: row.source,
    updatedAt: Number(row.updated_at),
    updatedBy: row.updated_by,
  };
}

/** Refuses a definition with any problem: 422 with every problem, each naming its path. */
export function assertValid(def: unknown, lookup?: Lookup): asserts def is DefinitionBody {
  const { problems } = validateDefinition(def, lookup);
  if (problems.length) throw invalidDefinition(problems);
}

export function invalidDefinition(problems: Problem[]): ApiError {
  const first = problems[0]!;
  const at = first.path || '/';
  return new ApiError(
    422,
    'invalid_definition',
    'error.invalid_definition',
    {
      count: problems.length,
      first: { en: `${at}: ${first.message.en}`, 'zh-CN': `${at}：${first.message['zh-CN']}` },
    },
    { problems },
  );
}

function stripVersion(def: DefinitionBody): DefinitionBody {
  const { version: _v, ...rest } = def;
  return rest as DefinitionBody;
}

async function rowOf(db: Knex, kind: string, key: string): Promise<DefinitionRow> {
  const row: DefinitionRow | undefined = await db('definitions').where({ kind, key }).first();
  if (!row) throw notFound(what(kind, key));
  return row;
}

async function versionBody(db: Knex, kind: string, key: string, version: number): Promise<DefinitionBody> {
  const row = await db('definition_versions').where({ kind, key, version }).first('body');
  if (!row) throw notFound(translateBoth('what.version', { kind, key, version }));
  return fromJson<DefinitionBody>(row.body)!;
}

export async function listDefinitions(
  db: Knex,
  filter: { kind?: DefinitionKind; status?: DefinitionStatus },
): Promise<DefinitionSummary[]> {
  const q = db<DefinitionRow>('definitions').orderBy(['kind', 'key']);
  if (filter.kind) q.where('kind', filter.kind);
  if (filter.status) q.where('status', filter.status);
  const rows = await q;
  // Names of published definitions without a draft live in their latest version.
  const needNames = rows.filter((r) => r.draft === null && r.latest_version > 0);
  const names = new Map<string, unknown>();
  if (needNames.length) {
    const versions = await db('definition_versions as v')
      .join('definitions as d', function () {
        this.on('v.definition_id', 'd.id').andOn('v.version', 'd.latest_version');
      })
      .whereIn(
        'd.id',
        needNames.map((r) => r.id),
      )
      .select('d.id', 'v.body');
    for (const v of versions) names.set(String(v.id), fromJson<DefinitionBody>(v.body)?.name);
  }
  return rows.map((r) => ({ ...summary(r), name: summary(r).name ?? names.get(String(r.id)) ?? null }));
}

export async function getDefinition(db: Knex, kind: string, key: string): Promise<DefinitionDetail> {
  const row = await rowOf(db, kind, key);
  const published = row.latest_version > 0 ? await versionBody(db, kind, key, row.latest_version) : null;
  const draft = fromJson<DefinitionBody>(row.draft);
  const definition = draft ?? (published ? stripVersion(published) : null);
  return { ...summary(row, definition), hasDraft: draft !== null, definition, published };
}

/** The latest published version: what new work runs on. Retired definitions start nothing new. */
export async function getPublished(
  db: Knex,
  kind: string,
  key: string,
  version?: number,
): Promise<DefinitionBody> {
  const row = await rowOf(db, kind, key);
  if (version !== undefined) return versionBody(db, kind, key, version);
  if (row.latest_version === 0 || row.status === 'retired') throw notFound(what(kind, key));
  return versionBody(db, kind, key, row.latest_version);
}

export async function createDefinition(
  db: Knex,
  actor: Actor | string,
  def: unknown,
): Promise<DefinitionDetail> {
  assertValid(def);
  const body = stripVersion(def);
  const now = Date.now();
  try {
    await db.transaction(async (trx) => {
      await trx('definitions').insert({
        kind: body.kind,
        key: body.key,
        status: 'draft',
        draft: toJson(body),
        revision: 1,
        latest_version: 0,
        created_at: now,
        updated_at: now,
        updated_by: actorName(actor),
      });
      await recordAudit(trx, actorName(actor), 'definition.create', body.kind, body.key);
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw conflict('exists', 'error.conflict_exists', { what: what(body.kind, body.key) });
    throw err;
  }
  return getDefinition(db, body.kind, body.key);
}

function assertSameIdentity(def: DefinitionBody, kind: string, key: string): void {
  if (def.kind !== kind || def.key !== key) {
    throw new ApiError(400, 'definition_mismatch', 'error.definition_mismatch', {
      bodyKind: String(def.kind),
      bodyKey: String(def.key),
      kind,
      key,
    });
  }
}

/**
 * Replaces the draft. `revision` is the one the caller read: if someone saved since, the
 * write is refused with 409 and nothing changes (one conditional UPDATE decides the race).
 */
export async function saveDraft(
  db: Knex,
  actor: Actor | string,
  kind: string,
  key: string,
  def: unknown,
  revision: number,
): Promise<DefinitionDetail> {
  assertValid(def);
  assertSameIdentity(def, kind, key);
  await db.transaction(async (trx) => {
    const row = await rowOf(trx, kind, key);
    const updated = await trx('definitions')
      .where({ id: row.id, revision })
      .update({
        draft: toJson(stripVersion(def)),
        revision: revision + 1,
        updated_at: Date.now(),
        updated_by: actorName(actor),
      });
    if (updated !== 1) {
      throw conflict('stale_revision', 'error.stale_revision', {
        what: what(kind, key),
        read: revision,
        current: row.revision,
      });
    }
    await recordAudit(trx, actorName(actor), 'definition.save_draft', kind, key, { revision: revision + 1 });
  });
  return getDefinition(db, kind, key);
}

/** Drops the draft; a definition never published disappears entirely (then null is returned). */
export async function discardDraft(
  db: Knex,
  actor: Actor | string,
  kind: string,
  key: string,
): Promise<DefinitionDetail | null> {
  let existed = true;
  await db.transaction(async (trx) => {
    const row = await rowOf(trx, kind, key);
    if (row.latest_version === 0) {
      // A definition that was never published is nothing but its draft.
      await trx('definitions').where({ id: row.id }).delete();
      existed = false;
    } else {
      await trx('definitions')
        .where({ id: row.id })
        .update({ draft: null, revision: row.revision + 1 });
    }
    await recordAudit(trx, actorName(actor), 'definition.discard_draft', kind, key);
  });
  return existed ? getDefinition(db, kind, key) : null;
}

/** Validates against everything published, so references (forms, groups, calendars) must already exist. */
export async function validateStored(db: Knex, kind: string, key: string): Promise<Problem[]> {
  const detail = await getDefinition(db, kind, key);
  return validateDefinition(detail.definition, await loadLookup(db, [detail.definition ?? {}])).problems;
}

/**
 * Publishes the draft as the next immutable version, inside the caller's transaction when
 * one is given. Publishing content identical to the latest version is refused (409).
 */
export async function publishDefinition(
  db: Knex,
  actor: Actor | string,
  kind: string,
  key: string,
  opts: { revision?: number; lookup?: Lookup } = {},
): Promise<VersionInfo> {
  const lookup = opts.lookup;
  return db.transaction(async (trx) => {
    const row = await rowOf(trx, kind, key);
    if (opts.revision !== undefined && opts.revision !== row.revision) {
      throw conflict('stale_revision', 'error.stale_revision', {
        what: what(kind, key),
        read: opts.revision,
        current: row.revision,
      });
    }
    const draft = fromJson<DefinitionBody>(row.draft);
    if (!draft) throw conflict('no_draft', 'error.no_draft', { what: what(kind, key) });
    assertValid(draft, lookup ?? (await loadLookup(trx, [draft])));
    return insertVersion(trx, actor, row, draft);
  });
}

async function insertVersion(
  trx: Knex,
  actor: Actor | string,
  row: DefinitionRow,
  draft: DefinitionBody,
): Promise<VersionInfo> {
  const sum = checksum(draft);
  if (row.latest_version > 0) {
    const latest = await trx('definition_versions')
      .where({ kind: row.kind, key: row.key, version: row.latest_version })
      .first('checksum');
    if (latest?.checksum === sum) {
      throw conflict('nothing_to_publish', 'error.nothing_to_publish', {
        what: what(row.kind, row.key),
        version: row.latest_version,
      });
    }
  }
  const version = row.latest_version + 1;
  const now = Date.now();
  const by = actorName(actor);
  // The conditional update makes two concurrent publishes of one definition serialise: the
  // loser matches no row (or hits the unique key) and gets 409.
  const claimed = await trx('definitions')
    .where({ id: row.id, latest_version: row.latest_version })
    .update({
      latest_version: version,
      status: 'published',
      draft: null,
      revision: row.revision + 1,
      updated_at: now,
      updated_by: by,
    });
  if (claimed !== 1) {
    throw conflict('stale_revision', 'error.stale_revision', {
      what: what(row.kind, row.key),
      read: row.revision,
      current: row.revision + 1,
    });
  }
  await trx('definition_versions').insert({
    definition_id: row.id,
    kind: row.kind,
    key: row.key,
    version,
    body: toJson({ ...draft, version }),
    checksum: sum,
    published_at: now,
    published_by: by,
  });
  await recordAudit(trx, by, 'definition.publish', row.kind, row.key, { version, checksum: sum });
  return { version, checksum: sum, publishedAt: now, publishedBy: by };
}

/**
 * Creates or updates a definition and publishes it when its content changed: what the plugin
 * installer does for each definition it ships. Returns the new version, or null if unchanged.
 */
export async function upsertPublished(
  trx: Knex,
  actor: string,
  def: DefinitionBody,
  source: string,
): Promise<VersionInfo | null> {
  const body = stripVersion(def);
  let row = await trx<DefinitionRow>('definitions').where({ kind: body.kind, key: body.key }).first();
  const now = Date.now();
  if (!row) {
    await trx('definitions').insert({
      kind: body.kind,
      key: body.key,
      status: 'draft',
      draft: toJson(body),
      revision: 1,
      latest_version: 0,
      source,
      created_at: now,
      updated_at: now,
      updated_by: actor,
    });
    await recordAudit(trx, actor, 'definition.create', body.kind, body.key, { source });
    row = await rowOf(trx, body.kind, body.key);
  } else if (row.latest_version > 0) {
    const latest = await trx('definition_versions')
      .where({ kind: row.kind, key: row.key, version: row.latest_version })
      .first('checksum');
    if (latest?.checksum === checksum(body) && row.status !== 'retired') return null;
  }
  // A plugin upgrade replaces an admin's unpublished draft of a shipped definition; the draft
  // is kept in the audit entry so nothing an admin typed is lost.
  if (row.draft)
    await recordAudit(trx, actor, 'definition.draft_replaced', row.kind, row.key, {
      draft: fromJson(row.draft),
    });
  await trx('definitions')
    .where({ id: row.id })
    .update({ draft: toJson(body), source });
  return insertVersion(trx, actor, { ...row, draft: toJson(body) }, body);
}

export async function listVersions(db: Knex, kind: string, key: string): Promise<VersionInfo[]> {
  await rowOf(db, kind, key);
  const rows = await db('definition_versions').where({ kind, key }).orderBy('version', 'desc');
  return rows.map((r) => ({
    version: r.version,
    checksum: r.checksum,
    publishedAt: Number(r.published_at),
    publishedBy: r.published_by,
  }));
}

export const getVersion = versionBody;

export interface Change {
  op: 'add' | 'remove' | 'change';
  /** JSON Pointer of what changed. */
  path: string;
  from?: unknown;
  to?: unknown;
}

const pointer = (path: (string | number)[]) =>
  path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

/** Differences between two versions (`to` may be "draft"), as JSON Pointer changes. */
export async function diffVersions(
  db: Knex,
  kind: string,
  key: string,
  from: number,
  to: number | 'draft',
): Promise<Change[]> {
  const a = stripVersion(await versionBody(db, kind, key, from));
  let b: DefinitionBody;
  if (to === 'draft') {
    const detail = await getDefinition(db, kind, key);
    if (!detail.hasDraft || !detail.definition)
      throw conflict('no_draft', 'error.no_draft', { what: what(kind, key) });
    b = detail.definition;
  } else {
    b = stripVersion(await versionBody(db, kind, key, to));
  }
  return diff(a, b).map((d) => {
    const path = pointer(d.path);
    if (d.type === 'CREATE') return { op: 'add', path, to: d.value };
    if (d.type === 'REMOVE') return { op: 'remove', path, from: d.oldValue };
    return { op: 'change', path, from: d.oldValue, to: d.value };
  });
}

export async function retireDefinition(
  db: Knex,
  actor: Actor | string,
  kind: string,
  key: string,
): Promise<DefinitionSummary> {
  await db.transaction(async (trx) => {
    const row = await rowOf(trx, kind, key);
    await trx('definitions')
      .where({ id: row.id })
      .update({ status: 'retired', updated_at: Date.now(), updated_by: actorName(actor) });
    await recordAudit(trx, actorName(actor), 'definition.retire', kind, key);
  });
  return summary(await rowOf(db, kind, key));
}
