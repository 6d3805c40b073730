import type { I18nText, StatusCategory } from '@opsloom/spec';
import type { Knex } from 'knex';
import { catalogItemNames } from '../catalog/items.ts';
import { groupKeysOf, usernamesOf } from '../people/names.ts';
import { recordStatus, statusFields } from './forms.ts';
import type { Rec } from './store.ts';

export interface RecordView {
  id: number;
  type: string;
  number: string;
  title: string;
  description: string | null;
  status: string;
  /** The status's name and category as the record type's form declares them; null if it does not. */
  statusName: I18nText | null;
  statusCategory: StatusCategory | null;
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
  /** The catalog item it was requested through; `name` is null once the item left the catalog. */
  catalogItem: { ref: string; name: I18nText | null } | null;
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
  // Form versions are cached (forms.ts): one look-up per type, version and status on the page.
  const statuses = new Map<string, Awaited<ReturnType<typeof recordStatus>>>();
  for (const r of recs) {
    const key = `${r.type}@${r.formVersion}/${r.status}`;
    if (!statuses.has(key)) statuses.set(key, await recordStatus(db, r.type, r.formVersion, r.status));
  }
  const refs = recs.flatMap((r) => (r.catalogItem ? [r.catalogItem] : []));
  const items = refs.length ? await catalogItemNames(db, refs) : null;
  return recs.map((r) => {
    const status = statuses.get(`${r.type}@${r.formVersion}/${r.status}`);
    return {
      id: r.id,
      type: r.type,
      number: r.number,
      title: r.title,
      description: r.description,
      status: r.status,
      ...statusFields(status ?? null),
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
      catalogItem: r.catalogItem ? { ref: r.catalogItem, name: items?.get(r.catalogItem) ?? null } : null,
    };
  });
}

export async function viewRecord(db: Knex, rec: Rec): Promise<RecordView> {
  return (await viewRecords(db, [rec]))[0]!;
}
