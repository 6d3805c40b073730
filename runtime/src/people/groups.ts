import type { Knex } from 'knex';
import { recordAudit } from '../audit/audit.ts';
import { type Actor, actorName } from '../context.ts';
import { isUniqueViolation } from '../db/connect.ts';
import { fromJson } from '../db/json.ts';
import { ApiError, conflict, notFound } from '../http/errors.ts';
import { translateBoth } from '../i18n/translate.ts';

export const GROUP_TYPES = ['support', 'org'] as const;
export type GroupType = (typeof GROUP_TYPES)[number];
export type GroupName = { 'zh-CN'?: string; en?: string };

export interface Group {
  key: string;
  name: GroupName;
  type: GroupType;
  parent: string | null;
  members: string[];
}

interface GroupRow {
  id: number;
  key: string;
  name: string;
  type: GroupType;
  parent_id: number | null;
}

async function toGroups(db: Knex, rows: GroupRow[]): Promise<Group[]> {
  const ids = rows.map((r) => r.id);
  const parents = new Map<number, string>();
  const parentIds = rows.map((r) => r.parent_id).filter((p): p is number => p !== null);
  if (parentIds.length)
    for (const p of await db<GroupRow>('groups').whereIn('id', parentIds)) parents.set(p.id, p.key);
  const members = ids.length
    ? await db('group_members as m')
        .join('users as u', 'u.id', 'm.user_id')
        .whereIn('m.group_id', ids)
        .orderBy('u.username')
        .select<{ group_id: number; username: string }[]>('m.group_id', 'u.username')
    : [];
  return rows.map((r) => ({
    key: r.key,
    name: fromJson<GroupName>(r.name) ?? {},
    type: r.type,
    parent: r.parent_id === null ? null : (parents.get(r.parent_id) ?? null),
    members: members.filter((m) => m.group_id === r.id).map((m) => m.username),
  }));
}

export async function listGroups(db: Knex, type?: GroupType): Promise<Group[]> {
  const q = db<GroupRow>('groups').orderBy('key');
  if (type) q.where({ type });
  return toGroups(db, await q);
}

export async function getGroup(db: Knex, key: string): Promise<Group> {
  const row = await db<GroupRow>('groups').where({ key }).first();
  if (!row) throw notFound(translateBoth('what.group', { key: key }));
  return (await toGroups(db, [row]))[0]!;
}

export async function groupKeys(db: Knex): Promise<Set<string>> {
  return new Set((await db('groups').select('key')).map((r: { key: string }) => r.key));
}

async function resolveParent(
  trx: Knex,
  parent: string | null | undefined,
  self?: string,
): Promise<number | null> {
  if (!parent) return null;
  if (parent === self) {
    throw new ApiError(400, 'validation_failed', 'error.validation_body', {
      detail: { en: '/parent a group cannot be its own parent', 'zh-CN': '/parent 组不能是自己的上级' },
    });
  }
  const row = await trx<GroupRow>('groups').where({ key: parent }).first();
  if (!row) {
    throw new ApiError(400, 'validation_failed', 'error.validation_body', {
      detail: { en: `/parent unknown group "${parent}"`, 'zh-CN': `/parent 组“${parent}”不存在` },
    });
  }
  return row.id;
}

async function setMembers(trx: Knex, groupId: number, usernames: string[]): Promise<void> {
  const users = usernames.length
    ? await trx('users').whereIn('username', usernames).select('id', 'username')
    : [];
  const missing = usernames.filter((u) => !users.some((r: { username: string }) => r.username === u));
  if (missing.length) {
    throw new ApiError(400, 'validation_failed', 'error.validation_body', {
      detail: { en: `/members unknown user "${missing[0]}"`, 'zh-CN': `/members 用户“${missing[0]}”不存在` },
    });
  }
  await trx('group_members').where({ group_id: groupId }).delete();
  if (users.length)
    await trx('group_members').insert(
      users.map((u: { id: number }) => ({ group_id: groupId, user_id: u.id })),
    );
}

export interface GroupInput {
  key: string;
  name: GroupName;
  type: GroupType;
  parent?: string | null;
  members?: string[];
}

export async function createGroup(db: Knex, actor: Actor | string, input: GroupInput): Promise<Group> {
  const now = Date.now();
  try {
    await db.transaction(async (trx) => {
      const [id] = await trx('groups').insert({
        key: input.key,
        name: JSON.stringify(input.name),
        type: input.type,
        parent_id: await resolveParent(trx, input.parent),
        created_at: now,
        updated_at: now,
      });
      await setMembers(trx, Number(id), input.members ?? []);
      await recordAudit(trx, actorName(actor), 'group.create', 'group', input.key, input);
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw conflict('exists', 'error.conflict_exists', {
        what: translateBoth('what.group', { key: input.key }),
      });
    throw err;
  }
  return getGroup(db, input.key);
}

export async function updateGroup(
  db: Knex,
  actor: Actor | string,
  key: string,
  patch: Partial<Omit<GroupInput, 'key'>>,
): Promise<Group> {
  await db.transaction(async (trx) => {
    const row = await trx<GroupRow>('groups').where({ key }).first();
    if (!row) throw notFound(translateBoth('what.group', { key: key }));
    const changes: Record<string, unknown> = { updated_at: Date.now() };
    if (patch.name) changes.name = JSON.stringify(patch.name);
    if (patch.type) changes.type = patch.type;
    if (patch.parent !== undefined) changes.parent_id = await resolveParent(trx, patch.parent, key);
    await trx('groups').where({ id: row.id }).update(changes);
    if (patch.members) await setMembers(trx, row.id, patch.members);
    await recordAudit(trx, actorName(actor), 'group.update', 'group', key, patch);
  });
  return getGroup(db, key);
}
