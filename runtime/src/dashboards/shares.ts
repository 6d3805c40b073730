import type { Knex } from 'knex';
import { recordAudit } from '../audit/audit.ts';
import { randomToken, sha256 } from '../auth/secrets.ts';
import type { Actor } from '../context.ts';
import { fromJson } from '../db/json.ts';
import { ApiError, notFound } from '../http/errors.ts';
import { translateBoth } from '../i18n/translate.ts';
import { type Dashboard, openDashboard, sharedKeys } from './dashboards.ts';

/**
 * Read-only links for wall screens. A wall screen has no one to log in, so an admin issues a link
 * for one dashboard: `/bigscreen/<key>?token=ols_…`. The token opens that dashboard (and the ones
 * its playlist rotates through) through the big-screen routes and nothing else: it is not an API
 * token, `resolveActor` never accepts it, and no other route reads it. It shows what its issuer
 * sees, for as long as the issuer is an active admin and the share is not revoked or expired.
 */
const PREFIX = 'ols_';

export interface ShareView {
  id: number;
  dashboard: string;
  name: string;
  prefix: string;
  issuedBy: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

interface ShareRow {
  id: number;
  dashboard_key: string;
  name: string;
  prefix: string;
  issued_by: number;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

const shareWhat = (id: number | string) => translateBoth('what.share', { key: id });
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export async function createShare(
  db: Knex,
  actor: Actor,
  key: string,
  input: { name: string; expiresInDays?: number },
  publicUrl: string,
): Promise<ShareView & { token: string; url: string }> {
  await openDashboard(db, actor, key);
  const token = `${PREFIX}${randomToken()}`;
  const now = Date.now();
  const expiresAt = input.expiresInDays ? now + input.expiresInDays * 86_400_000 : null;
  const row = {
    dashboard_key: key,
    name: input.name,
    token_hash: sha256(token),
    prefix: token.slice(0, 10),
    issued_by: actor.userId,
    created_at: now,
    expires_at: expiresAt,
  };
  const id = await db.transaction(async (trx) => {
    const [inserted] = await trx('dashboard_shares').insert(row);
    await recordAudit(trx, actor.username, 'dashboard.share', 'dashboard', key, {
      share: Number(inserted),
      name: input.name,
      expiresAt,
    });
    return Number(inserted);
  });
  return {
    id,
    dashboard: key,
    name: input.name,
    prefix: row.prefix,
    issuedBy: actor.username,
    createdAt: now,
    expiresAt,
    revokedAt: null,
    lastUsedAt: null,
    token,
    url: `${publicUrl}/bigscreen/${encodeURIComponent(key)}?token=${token}`,
  };
}

export async function listShares(db: Knex, key: string): Promise<ShareView[]> {
  const rows = (await db('dashboard_shares as s')
    .join('users as u', 'u.id', 's.issued_by')
    .where('s.dashboard_key', key)
    .orderBy('s.id')
    .select('s.*', 'u.username')) as (ShareRow & { username: string })[];
  return rows.map((r) => ({
    id: Number(r.id),
    dashboard: r.dashboard_key,
    name: r.name,
    prefix: r.prefix,
    issuedBy: r.username,
    createdAt: Number(r.created_at),
    expiresAt: num(r.expires_at),
    revokedAt: num(r.revoked_at),
    lastUsedAt: num(r.last_used_at),
  }));
}

export async function revokeShare(db: Knex, actor: Actor, id: number): Promise<void> {
  await db.transaction(async (trx) => {
    const row = (await trx('dashboard_shares').where({ id }).first()) as ShareRow | undefined;
    if (!row) throw notFound(shareWhat(id));
    if (row.revoked_at !== null) return;
    await trx('dashboard_shares').where({ id }).update({ revoked_at: Date.now() });
    await recordAudit(trx, actor.username, 'dashboard.unshare', 'dashboard', row.dashboard_key, {
      share: id,
    });
  });
}

/**
 * Who a share token speaks for, if it opens dashboard `key`: its issuer, while they are an active
 * admin and the share is neither revoked nor expired. Anything else is one and the same 401, so a
 * guessed token learns nothing.
 */
export async function shareViewer(
  db: Knex,
  token: string | undefined,
  key: string,
): Promise<{ actor: Actor; def: Dashboard }> {
  const refused = () => new ApiError(401, 'bad_share', 'error.bad_share');
  if (!token?.startsWith(PREFIX)) throw refused();
  const now = Date.now();
  const row = (await db('dashboard_shares as s')
    .join('users as u', 'u.id', 's.issued_by')
    .where('s.token_hash', sha256(token))
    .whereNull('s.revoked_at')
    .andWhere((q) => q.whereNull('s.expires_at').orWhere('s.expires_at', '>', now))
    .first(
      's.id',
      's.dashboard_key',
      's.last_used_at',
      'u.id as user_id',
      'u.username',
      'u.display_name',
      'u.roles',
      'u.locale',
      'u.active',
    )) as
    | {
        id: number;
        dashboard_key: string;
        last_used_at: number | null;
        user_id: number;
        username: string;
        display_name: string;
        roles: string;
        locale: 'zh-CN' | 'en';
        active: unknown;
      }
    | undefined;
  const roles = fromJson<Actor['roles']>(row?.roles ?? null) ?? [];
  if (!row || !Number(row.active) || !roles.includes('admin')) throw refused();
  const shared = await openDashboard(db, null, row.dashboard_key).catch(() => null);
  if (!shared || !sharedKeys(row.dashboard_key, shared).includes(key)) throw refused();
  // Touched at most once a minute: a wall screen polls every second.
  if (!row.last_used_at || now - Number(row.last_used_at) > 60_000)
    await db('dashboard_shares').where({ id: row.id }).update({ last_used_at: now });
  const actor: Actor = {
    userId: Number(row.user_id),
    username: row.username,
    displayName: row.display_name,
    roles,
    locale: row.locale,
    via: 'token',
  };
  return { actor, def: key === row.dashboard_key ? shared : await openDashboard(db, null, key) };
}
