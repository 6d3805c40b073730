import type { Knex } from 'knex';
import { fromJson, toJson } from '../db/json.ts';

export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: string;
  entityType: string;
  entityKey: string;
  detail: unknown;
}

/** Written inside the caller's transaction, so an audit entry exists exactly when its change does. */
export async function recordAudit(
  trx: Knex,
  actor: string,
  action: string,
  entityType: string,
  entityKey: string,
  detail?: unknown,
): Promise<void> {
  await trx('audit_log').insert({
    at: Date.now(),
    actor,
    action,
    entity_type: entityType,
    entity_key: entityKey,
    detail: toJson(detail ?? null),
  });
}

export async function listAudit(
  db: Knex,
  opts: { entityType?: string; entityKey?: string; actor?: string; before?: number; limit: number },
): Promise<{ items: AuditEntry[]; nextBefore: number | null }> {
  const q = db('audit_log')
    .orderBy('id', 'desc')
    .limit(opts.limit + 1);
  if (opts.entityType) q.where('entity_type', opts.entityType);
  if (opts.entityKey) q.where('entity_key', opts.entityKey);
  if (opts.actor) q.where('actor', opts.actor);
  if (opts.before) q.where('id', '<', opts.before);
  const rows = await q.select('*');
  const items = rows.slice(0, opts.limit).map((r) => ({
    id: Number(r.id),
    at: Number(r.at),
    actor: r.actor,
    action: r.action,
    entityType: r.entity_type,
    entityKey: r.entity_key,
    detail: fromJson(r.detail),
  }));
  return { items, nextBefore: rows.length > opts.limit ? (items.at(-1)?.id ?? null) : null };
}
