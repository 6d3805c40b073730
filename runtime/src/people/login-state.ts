import type { Knex } from 'knex';

/** What an admin sees of a person's logins: when they last logged in, and whether they must wait now. */
export interface LoginState {
  /** The last successful login (its `auth.login` audit entry), or null if none was recorded. */
  lastLoginAt: number | null;
  /** Until when failed logins hold the account back (auth/throttle.ts), or null when it is not. */
  lockedUntil: number | null;
  /** Attempts counted against the account since it was last quiet or unlocked (the largest of its counts). */
  failedLogins: number;
}

/**
 * The login state of some users, by username. The last login is read from the audit log (kept
 * for good, indexed by entity); the back-off from `login_failures` (keyed by lower-cased name).
 */
export async function loginStates(
  db: Knex,
  usernames: string[],
  now = Date.now(),
): Promise<Map<string, LoginState>> {
  const out = new Map<string, LoginState>();
  if (!usernames.length) return out;
  for (const u of usernames) out.set(u, { lastLoginAt: null, lockedUntil: null, failedLogins: 0 });
  const logins = await db('audit_log')
    .where({ entity_type: 'user', action: 'auth.login' })
    .whereIn('entity_key', usernames)
    .groupBy('entity_key')
    .select<{ entity_key: string; at: number | string }[]>('entity_key', db.raw('max(`at`) as `at`'));
  for (const r of logins) {
    const s = out.get(r.entity_key);
    if (s) s.lastLoginAt = Number(r.at);
  }
  const byLower = new Map(usernames.map((u) => [u.toLowerCase(), u]));
  const failures = await db('login_failures')
    .whereIn('username', [...byLower.keys()])
    .select<{ username: string; failures: number; next_allowed_at: number | string }[]>(
      'username',
      'failures',
      'next_allowed_at',
    );
  for (const r of failures) {
    const s = out.get(byLower.get(r.username) ?? '');
    if (!s) continue;
    s.failedLogins = Math.max(s.failedLogins, Number(r.failures));
    const until = Number(r.next_allowed_at);
    if (until > now) s.lockedUntil = Math.max(s.lockedUntil ?? 0, until);
  }
  return out;
}
