import type { Knex } from 'knex';
import { onTransactionEnd } from '../db/connect.ts';
import { fromJson } from '../db/json.ts';

/**
 * Which version of each definition new work uses: the latest published one, unless retired.
 *
 * Every create asks this several times (its form, the processes that run on it, the SLAs and
 * calendars that start clocks), and the answer changes only when an admin publishes, retires or
 * imports. So the whole table's answer is kept in memory, read in one query, and dropped:
 *  - as soon as a statement writes `definitions` through this runtime (`watchDefinitionWrites`);
 *  - after `MAX_AGE_MS` regardless, which bounds how long a publish made by another runtime on the
 *    same database goes unseen here.
 * Published versions themselves are immutable and cached by key@version where they are compiled.
 */

export const MAX_AGE_MS = 1000;

interface Current {
  version: number;
  retired: boolean;
  /** Of the current version's body: tells apart same-numbered versions of two databases. */
  checksum: string;
}

type Index = Map<string, Current>;

interface Entry {
  loadedAt: number;
  index: Promise<Index>;
  /** A caller holding a transaction may wait on it: it is read already, or on a transaction's connection. */
  waitable: boolean;
}

// Per database: every knex instance and transaction of one database shares its config object.
const entries = new WeakMap<object, Entry>();

const idOf = (db: Knex) => db.client.config as object;

async function load(db: Knex): Promise<Index> {
  const rows = await db('definitions as d')
    .join('definition_versions as v', function () {
      this.on('v.kind', 'd.kind').andOn('v.key', 'd.key').andOn('v.version', 'd.latest_version');
    })
    .select('d.kind', 'd.key', 'd.latest_version', 'd.status', 'v.checksum');
  return new Map(
    rows.map((r: { kind: string; key: string; latest_version: number; status: string; checksum: string }) => [
      `${r.kind}/${r.key}`,
      { version: Number(r.latest_version), retired: r.status === 'retired', checksum: r.checksum },
    ]),
  );
}

function index(db: Knex): Promise<Index> {
  const id = idOf(db);
  const now = Date.now();
  const inTransaction = (db as Knex & { isTransaction?: boolean }).isTransaction === true;
  const cached = entries.get(id);
  if (cached && now - cached.loadedAt <= MAX_AGE_MS) {
    // A caller holding a transaction's connection never waits on a read that needs a pooled one:
    // with every pooled connection held by such callers, that read would never get one (MySQL).
    if (!inTransaction || cached.waitable) return cached.index;
    return load(db);
  }
  const entry: Entry = { loadedAt: now, index: load(db), waitable: inTransaction };
  entries.set(id, entry);
  entry.index.then(
    () => {
      entry.waitable = true;
    },
    () => {
      // A failed read must not be served to the next caller.
      if (entries.get(id) === entry) entries.delete(id);
    },
  );
  return entry.index;
}

/** The current version of a definition, or null when it is unpublished, retired or unknown. */
export async function currentVersion(db: Knex, kind: string, key: string): Promise<number | null> {
  const c = (await index(db)).get(`${kind}/${key}`);
  return c && !c.retired ? c.version : null;
}

/** The latest published version, retired or not (what running work keeps using), or null. */
export async function latestPublished(db: Knex, kind: string, key: string): Promise<number | null> {
  return (await index(db)).get(`${kind}/${key}`)?.version ?? null;
}

type OfKind = readonly { key: string; version: number; checksum: string }[];

// The answer of currentOfKind per kind, worked out once per loaded index (a create asks it for
// processes, SLAs and calendars).
const byKind = new WeakMap<Index, Map<string, OfKind>>();

/** Every definition of a kind new work may use, with its current version, by key. */
export async function currentOfKind(db: Knex, kind: string): Promise<OfKind> {
  const idx = await index(db);
  let kinds = byKind.get(idx);
  if (!kinds) {
    kinds = new Map();
    byKind.set(idx, kinds);
  }
  let out = kinds.get(kind);
  if (!out) {
    const prefix = `${kind}/`;
    const found: { key: string; version: number; checksum: string }[] = [];
    for (const [id, c] of idx)
      if (!c.retired && id.startsWith(prefix))
        found.push({ key: id.slice(prefix.length), version: c.version, checksum: c.checksum });
    out = found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    kinds.set(kind, out);
  }
  // Shared by every caller until the index reloads: read-only, so no caller can change it.
  return out;
}

// Published versions never change: each body is parsed once per kind/key@version, the checksum
// keeping two databases served by one process (tests) from sharing an entry.
const bodies = new Map<string, unknown>();

/** Every definition of a kind new work may use, with its current version's body. */
export async function currentBodies<T>(
  db: Knex,
  kind: string,
): Promise<{ key: string; version: number; def: T }[]> {
  const out: { key: string; version: number; def: T }[] = [];
  for (const c of await currentOfKind(db, kind)) {
    const id = `${kind}/${c.key}@${c.version}#${c.checksum}`;
    let def = bodies.get(id) as T | undefined;
    if (def === undefined) {
      const row = await db('definition_versions')
        .where({ kind, key: c.key, version: c.version })
        .first('body');
      if (!row) continue;
      def = fromJson<T>(row.body)!;
      bodies.set(id, def);
    }
    out.push({ key: c.key, version: c.version, def });
  }
  return out;
}

/**
 * Every published version's body of these definitions, oldest first: for the names of things the
 * current versions no longer hold (a retired rule, a catalog item taken out since). Read only when
 * such a thing is met, so it is not cached.
 */
export async function publishedBodies<T>(
  db: Knex,
  kind: string,
  keys: readonly string[],
): Promise<{ key: string; version: number; def: T }[]> {
  if (!keys.length) return [];
  const rows: { key: string; version: number; body: string }[] = await db('definition_versions')
    .where({ kind })
    .whereIn('key', [...keys])
    .orderBy('version', 'asc')
    .select('key', 'version', 'body');
  return rows.map((r) => ({ key: r.key, version: Number(r.version), def: fromJson<T>(r.body)! }));
}

const WRITES = /^\s*(insert\s+into|update|delete\s+from|replace\s+into)\s+[`"]?definitions[`"]?[\s(]/i;

interface QueryEvent {
  sql?: string;
  /** The connection the statement ran on (knex's query event). */
  __knexUid?: string;
  /** The transaction it ran in, if any. */
  __knexTxId?: string;
}

/**
 * Forgets the cached answer whenever a statement on this database writes `definitions` (the
 * publish, retire, import and plugin-install paths all do, and so would any future one), and
 * again when that write becomes visible to every connection — answered, if autocommitted; when
 * its transaction has ended (connect.ts `onTransactionEnd`), otherwise: a reader on another
 * connection may have cached the state from before the commit in between. Writers are known by
 * connection, so only their own transaction's end counts. (This used to wait for knex's response
 * event of the COMMIT, which knex never sends: such a reader's stale answer outlived the publish's
 * reply by up to MAX_AGE_MS, and a create right after a publish could be told the process did
 * not exist.)
 */
export function watchDefinitionWrites(db: Knex): void {
  const id = idOf(db);
  const writers = new Set<string>();
  db.on('query', (q: QueryEvent) => {
    if (!q.sql || !WRITES.test(q.sql)) return;
    entries.delete(id);
    if (q.__knexTxId !== undefined && q.__knexUid) writers.add(q.__knexUid);
  });
  db.on('query-response', (_response: unknown, q: QueryEvent) => {
    if (q.sql && q.__knexTxId === undefined && WRITES.test(q.sql)) entries.delete(id);
  });
  onTransactionEnd(db, (connection) => {
    if (writers.delete(connection)) entries.delete(id);
  });
}
