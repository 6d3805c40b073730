import type { Knex } from 'knex';

/**
 * Usernames and group keys never change, and users and groups are never deleted (only
 * deactivated), so id → username, id → group key and group key → id are facts that can be
 * cached for the life of the process. The cache is per database (a process may talk to
 * several, as tests do) and only remembers rows that exist; `active` and roles, which do
 * change, are never cached.
 */
interface Names {
  users: Map<number, string>;
  groups: Map<number, string>;
  groupIds: Map<string, number>;
}

const perDatabase = new WeakMap<object, Names>();
const LIMIT = 50_000;

function namesOf(db: Knex): Names {
  // A transaction has its own client object but shares its knex's config.
  const key = db.client.config as object;
  let names = perDatabase.get(key);
  if (!names) {
    names = { users: new Map(), groups: new Map(), groupIds: new Map() };
    perDatabase.set(key, names);
  }
  return names;
}

function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  if (map.size >= LIMIT) map.clear();
  map.set(key, value);
}

/** Usernames of these user ids (ids that do not exist are left out). */
export async function usernamesOf(db: Knex, ids: Iterable<number>): Promise<Map<number, string>> {
  const { users } = namesOf(db);
  const out = new Map<number, string>();
  const missing: number[] = [];
  for (const id of new Set(ids)) {
    const name = users.get(id);
    if (name === undefined) missing.push(id);
    else out.set(id, name);
  }
  if (missing.length) {
    for (const u of await db('users').whereIn('id', missing).select('id', 'username')) {
      remember(users, Number(u.id), u.username as string);
      out.set(Number(u.id), u.username);
    }
  }
  return out;
}

/** Keys of these group ids (ids that do not exist are left out). */
export async function groupKeysOf(db: Knex, ids: Iterable<number>): Promise<Map<number, string>> {
  const { groups, groupIds } = namesOf(db);
  const out = new Map<number, string>();
  const missing: number[] = [];
  for (const id of new Set(ids)) {
    const key = groups.get(id);
    if (key === undefined) missing.push(id);
    else out.set(id, key);
  }
  if (missing.length) {
    for (const g of await db('groups').whereIn('id', missing).select('id', 'key')) {
      remember(groups, Number(g.id), g.key as string);
      remember(groupIds, g.key as string, Number(g.id));
      out.set(Number(g.id), g.key);
    }
  }
  return out;
}

/** The id of the group with this key, or null if there is none (a miss is not remembered). */
export async function groupIdOf(db: Knex, key: string): Promise<number | null> {
  const { groups, groupIds } = namesOf(db);
  const hit = groupIds.get(key);
  if (hit !== undefined) return hit;
  const row = await db('groups').where({ key }).first('id');
  if (!row) return null;
  remember(groupIds, key, Number(row.id));
  remember(groups, Number(row.id), key);
  return Number(row.id);
}
