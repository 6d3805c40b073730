import type { Knex } from 'knex';

// Failed logins are counted per username and per client address in the database, so the
// limit holds across several runtime instances. A lock lasts as long as the window.
const WINDOW_MS = 15 * 60_000;
const LIMITS = { user: 5, ip: 50 } as const;

export type ThrottleKey = { kind: keyof typeof LIMITS; value: string };

const keyOf = (k: ThrottleKey) => `${k.kind}:${k.value}`.slice(0, 200);

/** Milliseconds until the caller may try again, or 0. */
export async function lockedFor(db: Knex, keys: ThrottleKey[], now = Date.now()): Promise<number> {
  const rows = await db('login_failures').whereIn('key', keys.map(keyOf)).select('locked_until');
  return Math.max(0, ...rows.map((r: { locked_until: number | null }) => Number(r.locked_until ?? 0) - now));
}

export async function recordFailure(db: Knex, keys: ThrottleKey[], now = Date.now()): Promise<void> {
  await db.transaction(async (trx) => {
    for (const k of keys) {
      const key = keyOf(k);
      const row = await trx('login_failures').where({ key }).first();
      const fresh = !row || now - Number(row.window_start) > WINDOW_MS;
      const failures = fresh ? 1 : Number(row.failures) + 1;
      const locked_until = failures >= LIMITS[k.kind] ? now + WINDOW_MS : null;
      const values = { failures, window_start: fresh ? now : Number(row.window_start), locked_until };
      if (row) await trx('login_failures').where({ key }).update(values);
      else
        await trx('login_failures')
          .insert({ key, ...values })
          .onConflict('key')
          .merge();
    }
  });
}

export async function clearFailures(db: Knex, keys: ThrottleKey[]): Promise<void> {
  await db('login_failures').whereIn('key', keys.map(keyOf)).delete();
}
