import type { Knex } from 'knex';
import { groupKeysOf, usernamesOf } from '../people/names.ts';
import type { Rec } from './store.ts';

export interface RecordView {
  id: number;
  type: string;
  number: string;
  title: string;
  description: string | null;
  status: string;
  priority: string | null;
  requester: string | null;
  assignee: string | null;
  group: string | null;
  data: Record<string, unknown>;
  version: number;
  formVersion: number;
  createdAt: number;
  updatedAt: number;
  resolvedAt: number | null;
  closedAt: number | null;
}

/** Records as the API shows them: people by username, groups by key. Batched for lists. */
export async function viewRecords(db: Knex, recs: Rec[]): Promise<RecordView[]> {
  const userIds = [
    ...new Set(recs.flatMap((r) => [r.requesterId, r.assigneeId]).filter((x): x is number => x !== null)),
  ];
  const groupIds = [...new Set(recs.map((r) => r.groupId).filter((x): x is number => x !== null))];
  // Usernames and group keys never change: cached lookups (people/names.ts).
  const users = await usernamesOf(db, userIds);
  const groups = await groupKeysOf(db, groupIds);
  return recs.map((r) => ({
    id: r.id,
    type: r.type,
    number: r.number,
    title: r.title,
    description: r.description,
    status: r.status,
    priority: r.priority,
    requester: users.get(r.requesterId) ?? null,
    assignee: r.assigneeId ? (users.get(r.assigneeId) ?? null) : null,
    group: r.groupId ? (groups.get(r.groupId) ?? null) : null,
    data: r.data,
    version: r.version,
    formVersion: r.formVersion,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    resolvedAt: r.resolvedAt,
    closedAt: r.closedAt,
  }));
}

export async function viewRecord(db: Knex, rec: Rec): Promise<RecordView> {
  return (await viewRecords(db, [rec]))[0]!;
}
