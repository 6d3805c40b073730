import type { Knex } from 'knex';
import type { AuditEntry } from '../audit/audit.ts';
import { fromJson } from '../db/json.ts';

export interface AuditFilter {
  entityType?: string;
  entityKey?: string;
  actor?: string;
  /** An action (`user.update`) or, ending in a dot, every action under it (`user.`). */
  action?: string;
  /** Entries at or after this instant (epoch ms). */
  from?: number;
  /** Entries before this instant (epoch ms). */
  to?: number;
  before?: number;
  limit: number;
}

/** The audit log, newest first, by who (actor), what (action, entity) and when (from / to). */
export async function searchAudit(
  db: Knex,
  f: AuditFilter,
): Promise<{ items: AuditEntry[]; nextBefore: number | null }> {
  const q = db('audit_log')
    .orderBy('id', 'desc')
    .limit(f.limit + 1);
  if (f.entityType) q.where('entity_type', f.entityType);
  if (f.entityKey) q.where('entity_key', f.entityKey);
  if (f.actor) q.where('actor', f.actor);
  if (f.action?.endsWith('.'))
    q.whereRaw("action like ? escape '!'", [`${f.action.replace(/[!%_]/g, (c) => `!${c}`)}%`]);
  else if (f.action) q.where('action', f.action);
  if (f.from !== undefined) q.where('at', '>=', f.from);
  if (f.to !== undefined) q.where('at', '<', f.to);
  if (f.before) q.where('id', '<', f.before);
  const rows = await q.select('*');
  const items = rows.slice(0, f.limit).map((r) => ({
    id: Number(r.id),
    at: Number(r.at),
    actor: r.actor,
    action: r.action,
    entityType: r.entity_type,
    entityKey: r.entity_key,
    detail: fromJson(r.detail),
  }));
  return { items, nextBefore: rows.length > f.limit ? (items.at(-1)?.id ?? null) : null };
}
