import type { RunResult } from '@opsloom/reports';
import type { Knex } from 'knex';
import type { Actor } from '../context.ts';
import { selectRows } from '../db/sql.ts';
import { groupIdsOf, seesEverything } from '../records/visibility.ts';

/**
 * Report results, kept for a short while per runtime, so a dashboard opened again (another
 * manager, the next refresh, a second tab) is answered without reading a million rows again.
 *
 * - Never across viewers who see different records: the key holds the viewer's visibility
 *   scope — "all" for admins and managers (they see every record, records/visibility.ts), else
 *   the person and, for agents, their groups — besides the report's key and version, the
 *   parameters, the locale and the zone.
 * - Never after a write: every entry carries the change stamp it was computed under, the largest
 *   id of `records` and of `record_history`, read in one statement of two primary-key look-ups.
 *   Every write a report can see adds a history row: a create, transition, edit, comment, task
 *   event, assignment, rating, SLA threshold or goal change (the big screen's stamp relies on the
 *   same, dashboards/bigscreen.ts). The stamp is read before the report runs, so a write that
 *   lands meanwhile makes the stamp move and the entry is not served again. Stamps come from the
 *   database, so a write on another runtime invalidates this runtime's entries too.
 * - Not for long: figures that depend on the clock alone ("today", ages, open durations, SLA
 *   clocks counting) are at most TTL_MS old.
 * - Runs asked for at once with the same key and stamp share one computation.
 * Only runs for a person are cached; a caller passing a visibility rule of its own is not. Each
 * database has its own entries.
 */

export const TTL_MS = 30_000;
const MAX_ENTRIES = 300;
/** Results with more rows are not kept (a dashboard widget has tens). */
const MAX_ROWS = 2000;

interface Entry {
  stamp: string;
  at: number;
  /** clearReportCache() moves it on, which leaves every entry behind. */
  generation: number;
  result: Promise<RunResult>;
}

// Per database (every knex instance and transaction of one database share its config object): a
// process may hold runtimes on several databases (tests), whose ids and versions may coincide.
const caches = new WeakMap<object, Map<string, Entry>>();
const cacheOf = <T>(map: WeakMap<object, Map<string, T>>, db: Knex): Map<string, T> => {
  const id = db.client.config as object;
  let m = map.get(id);
  if (!m) {
    m = new Map();
    map.set(id, m);
  }
  return m;
};
let generation = 0;

/** Drops every cached result (tests, benchmarks measuring cold runs). */
export function clearReportCache(): void {
  generation++;
}

/**
 * The body of a published report version. A version never changes once published (a new
 * publish is a new version), so it is read once: a cached run then costs no more than its
 * change stamp.
 */
const bodyCaches = new WeakMap<object, Map<string, Promise<unknown>>>();
export function versionBody(db: Knex, key: string, version: number): Promise<unknown> {
  const bodies = cacheOf(bodyCaches, db);
  const id = `${key}@${version}`;
  let body = bodies.get(id);
  if (!body) {
    if (bodies.size >= MAX_ENTRIES) bodies.delete(bodies.keys().next().value!);
    body = db('definition_versions')
      .where({ kind: 'report', key, version })
      .first('body')
      .then((row: { body: unknown } | undefined) => row?.body ?? null);
    // A failed or missing read is not kept.
    body.then(
      (b) => b === null && bodies.delete(id),
      () => bodies.delete(id),
    );
    bodies.set(id, body);
  }
  return body;
}

/** The change stamp of the tables reports read: see the module comment. */
export async function reportStamp(db: Knex): Promise<string> {
  const [row] = await selectRows<{ r: unknown; h: unknown }>(
    db,
    'SELECT (SELECT MAX(`id`) FROM `records`) AS `r`, (SELECT MAX(`id`) FROM `record_history`) AS `h`',
    [],
  );
  return `${Number(row?.r ?? 0)}.${Number(row?.h ?? 0)}`;
}

/** Who sees the same records: everyone who sees all of them, else one person (and their groups). */
export async function scopeKey(db: Knex, actor: Actor): Promise<string> {
  if (seesEverything(actor)) return 'all';
  if (!actor.roles.includes('agent')) return `u${actor.userId}`;
  const groups = (await groupIdsOf(db, actor.userId)).sort((a, b) => a - b);
  return `u${actor.userId}:g${groups.join(',')}`;
}

/** JSON with object keys sorted, so the same parameters give the same key. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/** The cached result of a run, or `compute`'s (kept when it succeeds). */
export async function cachedRun(
  db: Knex,
  actor: Actor,
  what: { key: string; version: number; params: Record<string, unknown>; locale: string; zone: string },
  compute: () => Promise<RunResult>,
): Promise<RunResult> {
  const [stamp, scope] = await Promise.all([reportStamp(db), scopeKey(db, actor)]);
  const key = `${what.key}@${what.version}|${scope}|${what.locale}|${what.zone}|${canonical(what.params)}`;
  const now = Date.now();
  const entries = cacheOf(caches, db);
  const hit = entries.get(key);
  if (hit && hit.stamp === stamp && hit.generation === generation && now - hit.at < TTL_MS) return hit.result;
  const result = compute();
  const entry: Entry = { stamp, at: now, generation, result };
  entries.delete(key);
  entries.set(key, entry);
  while (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
  try {
    const done = await result;
    if (done.rows.length > MAX_ROWS && entries.get(key) === entry) entries.delete(key);
    return done;
  } catch (err) {
    if (entries.get(key) === entry) entries.delete(key);
    throw err;
  }
}
