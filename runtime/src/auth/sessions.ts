import type { Knex } from 'knex';
import type Koa from 'koa';
import type { Actor, Services } from '../context.ts';
import { toUser, type UserRow } from '../people/users.ts';
import { randomToken, sha256 } from './secrets.ts';

export const SESSION_COOKIE = 'opsloom_sid';
export const CSRF_HEADER = 'x-csrf-token';
const TOKEN_PREFIX = 'olt_';

export async function createSession(
  db: Knex,
  userId: number,
  ttlHours: number,
): Promise<{ sid: string; csrfToken: string; expiresAt: number }> {
  const sid = randomToken();
  const csrfToken = randomToken(24);
  const now = Date.now();
  const expiresAt = now + ttlHours * 3_600_000;
  await db('sessions').insert({
    id_hash: sha256(sid),
    user_id: userId,
    csrf_token: csrfToken,
    created_at: now,
    expires_at: expiresAt,
  });
  // Expired sessions are swept opportunistically at login rather than by a timer.
  await db('sessions').where('expires_at', '<', now).delete();
  return { sid, csrfToken, expiresAt };
}

export async function destroySession(db: Knex, sid: string): Promise<void> {
  await db('sessions')
    .where({ id_hash: sha256(sid) })
    .delete();
}

export async function sessionCsrf(db: Knex, sid: string): Promise<string | null> {
  const row = await db('sessions')
    .where({ id_hash: sha256(sid) })
    .first('csrf_token');
  return row?.csrf_token ?? null;
}

/** `olt_<random>`: recognisable in logs and secret scanners, stored only as a hash. */
export async function createApiToken(
  db: Knex,
  userId: number,
  name: string,
  expiresAt: number | null,
): Promise<{ id: number; token: string; prefix: string }> {
  const token = `${TOKEN_PREFIX}${randomToken()}`;
  const prefix = token.slice(0, 10);
  const [id] = await db('api_tokens').insert({
    user_id: userId,
    name,
    token_hash: sha256(token),
    prefix,
    created_at: Date.now(),
    expires_at: expiresAt,
  });
  return { id: Number(id), token, prefix };
}

function actorFrom(row: UserRow, via: Actor['via']): Actor {
  const user = toUser(row);
  return {
    userId: user.id,
    username: user.username,
    displayName: user.displayName,
    roles: user.roles,
    locale: user.locale,
    via,
  };
}

/**
 * Resolves who is calling: a bearer API token wins over a cookie, since a system sending a
 * token never relies on a browser session. Unknown or expired credentials resolve to nobody;
 * a bad bearer token is reported by the caller as 401.
 */
export async function resolveActor(services: Services, ctx: Koa.Context): Promise<Actor | null> {
  const { db } = services;
  const now = Date.now();
  const auth = ctx.get('authorization');
  if (auth) {
    const match = /^Bearer\s+(\S+)$/i.exec(auth);
    const row = match
      ? await db('api_tokens as t')
          .join('users as u', 'u.id', 't.user_id')
          .where('t.token_hash', sha256(match[1]!))
          .whereNull('t.revoked_at')
          .andWhere((q) => q.whereNull('t.expires_at').orWhere('t.expires_at', '>', now))
          .first('u.*', 't.id as token_id', 't.last_used_at as token_last_used')
      : undefined;
    if (!row?.active) {
      ctx.state.badToken = true;
      return null;
    }
    // Touch at most once a minute: a busy integration should not turn every read into a write.
    if (!row.token_last_used || now - Number(row.token_last_used) > 60_000)
      await db('api_tokens').where({ id: row.token_id }).update({ last_used_at: now });
    return actorFrom(row as UserRow, 'token');
  }
  const sid = ctx.cookies.get(SESSION_COOKIE);
  if (!sid) return null;
  const row = await db('sessions as s')
    .join('users as u', 'u.id', 's.user_id')
    .where('s.id_hash', sha256(sid))
    .andWhere('s.expires_at', '>', now)
    .first('u.*', 's.csrf_token');
  if (!row?.active) return null;
  const actor = actorFrom(row as UserRow, 'session');
  actor.csrfOk = ctx.get(CSRF_HEADER) === row.csrf_token;
  return actor;
}
