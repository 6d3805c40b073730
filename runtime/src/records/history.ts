import type { Knex } from 'knex';
import type { Actor } from '../context.ts';
import { fromJson } from '../db/json.ts';
import { loadRecord } from './store.ts';
import { assertCanSee, isStaff } from './visibility.ts';

export interface HistoryEntry {
  id: number;
  at: number;
  /** Username, or `system:<what>` for work the runtime did on its own. */
  actor: string;
  /** field | created | transition | comment | attachment | link | watcher | task | callback | … */
  kind: string;
  field: string | null;
  from: unknown;
  to: unknown;
  detail: unknown;
}

interface HistoryRow {
  id: number;
  at: number;
  actor: string;
  kind: string;
  field: string | null;
  from_value: string | null;
  to_value: string | null;
  detail: string | null;
}

const PERSON_FIELDS = new Set(['assignee', 'requester']);

/**
 * A record's whole history, oldest first, read along the (record_id, id) index. People and groups
 * stored as ids (assignee, requester, group changes) are shown by username and group key;
 * requesters do not see the entries of internal comments.
 */
export async function recordHistory(db: Knex, actor: Actor, recordId: number): Promise<HistoryEntry[]> {
  const rec = await loadRecord(db, recordId);
  await assertCanSee(db, actor, rec);
  const rows: HistoryRow[] = await db('record_history')
    .where({ record_id: rec.id })
    .orderBy('id', 'asc')
    .select('id', 'at', 'actor', 'kind', 'field', 'from_value', 'to_value', 'detail');
  const staff = isStaff(actor);
  const entries = rows
    .map((r) => ({
      id: Number(r.id),
      at: Number(r.at),
      actor: r.actor,
      kind: r.kind,
      field: r.field,
      from: fromJson(r.from_value),
      to: fromJson(r.to_value),
      detail: fromJson(r.detail),
    }))
    .filter((e) => staff || (e.detail as { visibility?: string } | null)?.visibility !== 'internal');

  const userIds = new Set<number>();
  const groupIds = new Set<number>();
  for (const e of entries) {
    if (e.kind !== 'field' || !e.field) continue;
    const bucket = PERSON_FIELDS.has(e.field) ? userIds : e.field === 'group' ? groupIds : null;
    if (!bucket) continue;
    for (const v of [e.from, e.to]) if (typeof v === 'number') bucket.add(v);
  }
  const users = new Map<number, string>(
    userIds.size
      ? (
          await db('users')
            .whereIn('id', [...userIds])
            .select('id', 'username')
        ).map((u: { id: number; username: string }) => [Number(u.id), u.username])
      : [],
  );
  const groups = new Map<number, string>(
    groupIds.size
      ? (
          await db('groups')
            .whereIn('id', [...groupIds])
            .select('id', 'key')
        ).map((g: { id: number; key: string }) => [Number(g.id), g.key])
      : [],
  );
  for (const e of entries) {
    if (e.kind !== 'field' || !e.field) continue;
    const names = PERSON_FIELDS.has(e.field) ? users : e.field === 'group' ? groups : null;
    if (!names) continue;
    if (typeof e.from === 'number') e.from = names.get(e.from) ?? e.from;
    if (typeof e.to === 'number') e.to = names.get(e.to) ?? e.to;
  }
  return entries;
}
