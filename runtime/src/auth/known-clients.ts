import type { Knex } from 'knex';
import type Koa from 'koa';
import { randomToken, sha256 } from './secrets.ts';

// Clients that logged a user in before (OWASP's "device cookies", plus the address): attempts
// from them are throttled on their own count, so strangers hammering an account cannot keep its
// owner out. A device cookie is a random id, stored hashed; it proves nothing by itself, only
// that this browser logged in as this user before.

export const DEVICE_COOKIE = 'opsloom_device';
/** Sent only to the login route, the one place it means something. */
export const DEVICE_COOKIE_PATH = '/api/v1/auth/login';
export const DEVICE_COOKIE_DAYS = 365;
/** A client that has not logged this user in for this long is a stranger again. */
const KNOWN_FOR_MS = 90 * 86_400_000;

/** The device id the browser sent, if it is one we could have issued. */
export function deviceIdOf(ctx: Koa.Context): string | null {
  const value = ctx.cookies.get(DEVICE_COOKIE);
  return value && /^[\w-]{20,100}$/.test(value) ? value : null;
}

export const newDeviceId = (): string => randomToken(24);

/** How this client is known for the user: by its device cookie, by its address, or not. */
export async function knownClient(
  db: Knex,
  userId: number,
  address: string,
  deviceId: string | null,
  now = Date.now(),
): Promise<{ kind: 'device'; hash: string } | { kind: 'address' } | null> {
  const hash = deviceId ? sha256(deviceId) : null;
  const rows = await db('login_known_clients')
    .where({ user_id: userId })
    .andWhere('last_login_at', '>', now - KNOWN_FOR_MS)
    .andWhere((q) => {
      q.where({ kind: 'address', value: address.slice(0, 64) });
      if (hash) q.orWhere({ kind: 'device', value: hash });
    })
    .select<{ kind: string }[]>('kind');
  if (hash && rows.some((r) => r.kind === 'device')) return { kind: 'device', hash };
  return rows.length ? { kind: 'address' } : null;
}

/** Remembers the address and the device a user just logged in from. */
export async function rememberClient(
  db: Knex,
  userId: number,
  address: string,
  deviceId: string,
  now = Date.now(),
): Promise<void> {
  await db('login_known_clients')
    .insert([
      { user_id: userId, kind: 'address', value: address.slice(0, 64), last_login_at: now },
      { user_id: userId, kind: 'device', value: sha256(deviceId), last_login_at: now },
    ])
    .onConflict(['user_id', 'kind', 'value'])
    .merge(['last_login_at']);
  await db('login_known_clients')
    .where('last_login_at', '<', now - KNOWN_FOR_MS)
    .delete();
}
