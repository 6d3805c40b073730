import type { Knex } from 'knex';
import { recordAudit } from '../audit/audit.ts';
import { assertStrongPassword } from '../auth/password-policy.ts';
import { hashPassword } from '../auth/passwords.ts';
import { type Actor, actorName, ROLES, type Role } from '../context.ts';
import { isUniqueViolation } from '../db/connect.ts';
import { fromJson, toBool } from '../db/json.ts';
import { ApiError, conflict, notFound } from '../http/errors.ts';
import { translateBoth } from '../i18n/translate.ts';

/**
 * Active users holding `role`, by id. Roles are a JSON list per user: LIKE narrows the rows and
 * the list itself decides, so one role's name inside another's never matches.
 */
export async function userIdsWithRole(db: Knex, role: string): Promise<number[]> {
  const rows = await db('users')
    .where({ active: true })
    .andWhere('roles', 'like', `%"${role}"%`)
    .orderBy('id')
    .select('id', 'roles');
  return rows
    .filter((r: { roles: string }) => (fromJson<string[]>(r.roles) ?? []).includes(role))
    .map((r: { id: number }) => r.id);
}

export interface User {
  id: number;
  username: string;
  displayName: string;
  email: string | null;
  locale: 'zh-CN' | 'en';
  roles: Role[];
  active: boolean;
  groups: string[];
  createdAt: number;
  updatedAt: number;
}

export interface UserRow {
  id: number;
  username: string;
  display_name: string;
  email: string | null;
  locale: string;
  password_hash: string | null;
  roles: string;
  active: number | boolean;
  created_at: number;
  updated_at: number;
}

export function toUser(row: UserRow, groups: string[] = []): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    email: row.email,
    locale: row.locale === 'en' ? 'en' : 'zh-CN',
    roles: (fromJson<string[]>(row.roles) ?? []).filter((r): r is Role =>
      (ROLES as readonly string[]).includes(r),
    ),
    active: toBool(row.active),
    groups,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

async function groupKeysByUser(db: Knex, userIds: number[]): Promise<Map<number, string[]>> {
  const map = new Map<number, string[]>();
  if (!userIds.length) return map;
  const rows = await db('group_members as m')
    .join('groups as g', 'g.id', 'm.group_id')
    .whereIn('m.user_id', userIds)
    .orderBy('g.key')
    .select<{ user_id: number; key: string }[]>('m.user_id', 'g.key');
  for (const r of rows) map.set(r.user_id, [...(map.get(r.user_id) ?? []), r.key]);
  return map;
}

/** The keys of the groups a user is in. */
export async function groupKeysOfUser(db: Knex, userId: number): Promise<string[]> {
  return (await groupKeysByUser(db, [userId])).get(userId) ?? [];
}

export async function findUserRow(db: Knex, username: string): Promise<UserRow | undefined> {
  return db<UserRow>('users').where({ username }).first();
}

export async function getUser(db: Knex, username: string): Promise<User> {
  const row = await findUserRow(db, username);
  if (!row) throw notFound(translateBoth('what.user', { key: username }));
  return toUser(row, (await groupKeysByUser(db, [row.id])).get(row.id));
}

export async function listUsers(
  db: Knex,
  opts: { q?: string; role?: Role; group?: string; limit: number; offset: number },
): Promise<{ items: User[]; total: number }> {
  const base = db<UserRow>('users').where((qb) => {
    if (opts.q) qb.where('username', 'like', `%${opts.q}%`).orWhere('display_name', 'like', `%${opts.q}%`);
  });
  if (opts.role) base.andWhere('roles', 'like', `%"${opts.role}"%`);
  if (opts.group)
    base.whereIn(
      'id',
      db('group_members as m')
        .join('groups as g', 'g.id', 'm.group_id')
        .where('g.key', opts.group)
        .select('m.user_id'),
    );
  const [{ total } = { total: 0 }] = await base.clone().count<{ total: number }[]>({ total: '*' });
  const rows = await base.orderBy('username').limit(opts.limit).offset(opts.offset).select('*');
  const groups = await groupKeysByUser(
    db,
    rows.map((r) => r.id),
  );
  return { items: rows.map((r) => toUser(r, groups.get(r.id))), total: Number(total) };
}

/** Whom a person field may name (`x-assignable` in a form): any of the roles, or a member of any of the groups. */
export interface Assignable {
  roles?: string[];
  groups?: string[];
}

/** Narrows a users query to the people `within` allows; unchanged when it says nothing. */
function whereAssignable(db: Knex, q: Knex.QueryBuilder, within: Assignable | undefined): void {
  const roles = within?.roles ?? [];
  const groups = within?.groups ?? [];
  if (!roles.length && !groups.length) return;
  q.andWhere((w) => {
    // Roles are a JSON list in one column: each role is matched with its quotes.
    for (const role of roles) w.orWhere('roles', 'like', `%"${role}"%`);
    if (groups.length)
      w.orWhereIn(
        'id',
        db('group_members as m')
          .join('groups as g', 'g.id', 'm.group_id')
          .whereIn('g.key', groups)
          .select('m.user_id'),
      );
  });
}

/**
 * Active people whose username or display name contains `q`: the fields a person picker shows;
 * `within` narrows them to whom the field may name.
 */
export async function findPeople(
  db: Knex,
  q: string | undefined,
  within?: Assignable,
): Promise<{ username: string; displayName: string }[]> {
  const base = db<UserRow>('users').where({ active: true });
  if (q) {
    // LIKE wildcards typed by the person are taken literally ('!' escapes alike on SQLite and MySQL).
    const pattern = `%${q.replace(/[!%_]/g, (c) => `!${c}`)}%`;
    base.andWhere((qb) =>
      qb
        .whereRaw("username like ? escape '!'", [pattern])
        .orWhereRaw("display_name like ? escape '!'", [pattern]),
    );
  }
  whereAssignable(db, base, within);
  const rows = await base.orderBy('username').limit(20).select('username', 'display_name');
  return rows.map((r) => ({ username: r.username, displayName: r.display_name }));
}

/** Which of `usernames` are active people `within` allows. */
export async function assignableAmong(
  db: Knex,
  usernames: string[],
  within: Assignable,
): Promise<Set<string>> {
  if (!usernames.length) return new Set();
  const q = db<UserRow>('users').where({ active: true }).whereIn('username', usernames);
  whereAssignable(db, q, within);
  return new Set((await q.select('username')).map((r) => r.username));
}

export interface NewUser {
  username: string;
  displayName?: string;
  email?: string;
  locale?: 'zh-CN' | 'en';
  password?: string;
  roles: Role[];
  groups?: string[];
}

async function setMemberships(trx: Knex, userId: number, groupKeys: string[]): Promise<void> {
  const groups = groupKeys.length ? await trx('groups').whereIn('key', groupKeys).select('id', 'key') : [];
  const missing = groupKeys.filter((k) => !groups.some((g) => g.key === k));
  if (missing.length) {
    throw new ApiError(400, 'validation_failed', 'error.validation_body', {
      detail: { en: `/groups unknown group "${missing[0]}"`, 'zh-CN': `/groups 组“${missing[0]}”不存在` },
    });
  }
  await trx('group_members').where({ user_id: userId }).delete();
  if (groups.length)
    await trx('group_members').insert(groups.map((g) => ({ group_id: g.id, user_id: userId })));
}

export async function createUser(db: Knex, actor: Actor | string, input: NewUser): Promise<User> {
  const now = Date.now();
  if (input.password !== undefined)
    assertStrongPassword(input.password, [input.username, input.displayName, input.email]);
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  try {
    await db.transaction(async (trx) => {
      const [id] = await trx('users').insert({
        username: input.username,
        display_name: input.displayName ?? input.username,
        email: input.email ?? null,
        locale: input.locale ?? 'zh-CN',
        password_hash: passwordHash,
        roles: JSON.stringify([...new Set(input.roles)]),
        active: true,
        created_at: now,
        updated_at: now,
      });
      await setMemberships(trx, Number(id), input.groups ?? []);
      await recordAudit(trx, actorName(actor), 'user.create', 'user', input.username, {
        roles: input.roles,
        groups: input.groups ?? [],
      });
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw conflict('exists', 'error.conflict_exists', {
        what: translateBoth('what.user', { key: input.username }),
      });
    throw err;
  }
  return getUser(db, input.username);
}

export interface UserPatch {
  displayName?: string;
  email?: string | null;
  locale?: 'zh-CN' | 'en';
  password?: string;
  roles?: Role[];
  groups?: string[];
  active?: boolean;
}

/**
 * Changes a user. A new password must pass the password policy (refused at `passwordPath`); it
 * ends every session of the user and revokes their API tokens, whoever set it: a token minted
 * under a password someone may have known must not outlive it.
 */
export async function updateUser(
  db: Knex,
  actor: Actor | string,
  username: string,
  patch: UserPatch,
  opts: { passwordPath?: string } = {},
): Promise<User> {
  if (patch.password !== undefined) {
    const current = await findUserRow(db, username);
    if (!current) throw notFound(translateBoth('what.user', { key: username }));
    assertStrongPassword(
      patch.password,
      [current.username, patch.displayName ?? current.display_name, patch.email ?? current.email],
      opts.passwordPath,
    );
  }
  const passwordHash = patch.password ? await hashPassword(patch.password) : undefined;
  await db.transaction(async (trx) => {
    const row = await trx<UserRow>('users').where({ username }).first();
    if (!row) throw notFound(translateBoth('what.user', { key: username }));
    const losesAdmin = (patch.roles && !patch.roles.includes('admin')) || patch.active === false;
    if (losesAdmin && toUser(row).roles.includes('admin')) {
      const admins = (
        await trx<UserRow>('users').where('roles', 'like', '%"admin"%').andWhere({ active: true })
      ).length;
      if (admins <= 1) throw conflict('last_admin', 'error.last_admin');
    }
    const changes: Record<string, unknown> = { updated_at: Date.now() };
    if (patch.displayName !== undefined) changes.display_name = patch.displayName;
    if (patch.email !== undefined) changes.email = patch.email;
    if (patch.locale !== undefined) changes.locale = patch.locale;
    if (patch.roles !== undefined) changes.roles = JSON.stringify([...new Set(patch.roles)]);
    if (patch.active !== undefined) changes.active = patch.active;
    if (passwordHash) changes.password_hash = passwordHash;
    await trx('users').where({ id: row.id }).update(changes);
    if (patch.groups) await setMemberships(trx, row.id, patch.groups);
    // A deactivated user or a changed password ends every open session of that user.
    if (patch.active === false || passwordHash) await trx('sessions').where({ user_id: row.id }).delete();
    const { password: _omit, ...audited } = patch;
    await recordAudit(trx, actorName(actor), 'user.update', 'user', username, {
      ...audited,
      ...(passwordHash ? { password: 'changed' } : {}),
    });
    if (passwordHash) {
      const revoked = await trx('api_tokens')
        .where({ user_id: row.id })
        .whereNull('revoked_at')
        .update({ revoked_at: Date.now() });
      if (revoked)
        await recordAudit(trx, actorName(actor), 'token.revoke_all', 'user', username, {
          tokens: revoked,
          reason: 'password changed',
        });
    }
  });
  return getUser(db, username);
}

export async function countAdmins(db: Knex): Promise<number> {
  const rows = await db<UserRow>('users')
    .where('roles', 'like', '%"admin"%')
    .andWhere({ active: true })
    .select('id');
  return rows.length;
}
