import type { Knex } from 'knex';
import { groupKeysOf, usernamesOf } from '../people/names.ts';
import type { Rec } from '../records/store.ts';

export interface ExprScope {
  input?: unknown;
  item?: unknown;
  result?: unknown;
}

/**
 * What expressions and templates see. Record fields sit at the top of `record` beside the
 * standard ones (number, status, priority, requester…), so `record.impact` and
 * `record.status` read the same way. Everything is plain JSON: instants are epoch ms.
 */
export async function recordContext(db: Knex, rec: Rec): Promise<Record<string, unknown>> {
  const ids = [rec.requesterId, rec.assigneeId].filter((x): x is number => x !== null);
  const users = await usernamesOf(db, ids);
  const group = rec.groupId ? { key: (await groupKeysOf(db, [rec.groupId])).get(rec.groupId) } : null;
  return {
    ...rec.data,
    id: rec.id,
    type: rec.type,
    number: rec.number,
    title: rec.title,
    status: rec.status,
    priority: rec.priority,
    requester: users.get(rec.requesterId) ?? null,
    assignee: rec.assigneeId ? (users.get(rec.assigneeId) ?? null) : null,
    group: group?.key ?? null,
    createdAt: rec.createdAt,
    catalogItem: rec.catalogItem,
  };
}

export function scopeOf(
  record: Record<string, unknown>,
  actor: string,
  scope: ExprScope = {},
): Record<string, unknown> {
  return {
    record,
    actor,
    now: Date.now(),
    input: scope.input ?? {},
    item: scope.item ?? null,
    result: scope.result ?? null,
  };
}
