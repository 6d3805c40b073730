import type { Knex } from 'knex';
import { isUniqueViolation } from '../db/connect.ts';

// Login throttling (docs/ARCHITECTURE.md, "Login policy"). State lives in the database, so the
// limits hold across every runtime on it. Each attempt is admitted, or refused with the time to
// wait, by one conditional UPDATE *before* its password is checked: the attempt itself is counted
// at admission, so a burst of concurrent guesses cannot all pass a check that only a finished
// failure would have closed. A login that turns out right gives its count back.
//
// Keys: `account:<user>` (the account as strangers see it), `device:<user>:<hash>` and
// `known:<user>:<address>` (the account from a client that logged this user in before: the real
// user keeps their own budget while strangers wait), `address:<ip>` (distinct accounts an
// unknown client failed on from one address: password spraying).

const BASE_WAIT_MS = 2_000;
export const MAX_WAIT_MS = 15 * 60_000;
const DAY_MS = 24 * 3_600_000;

export interface ThrottlePolicy {
  /** Attempts admitted without waiting. */
  free: number;
  /** An attempt is forgotten once nothing was tried on its key for this long. */
  forgetMs: number;
}

export const ACCOUNT_POLICY: ThrottlePolicy = { free: 5, forgetMs: DAY_MS };
export const addressPolicy = (distinctAccounts: number): ThrottlePolicy => ({
  free: distinctAccounts,
  forgetMs: 3_600_000,
});

/** The wait after `count` admitted attempts: none within the free ones, then 2 s, 4 s, 8 s … 15 min. */
export function backoffMs(count: number, free: number): number {
  if (count < free) return 0;
  return Math.min(MAX_WAIT_MS, BASE_WAIT_MS * 2 ** Math.min(count - free, 20));
}

const key = (...parts: string[]) => parts.join(':').slice(0, 200);

/**
 * Counts one attempt on `k` if its back-off allows it now: 0, or the milliseconds to wait. One
 * UPDATE decides, so of concurrent attempts exactly as many pass as the policy admits.
 */
async function take(db: Knex, k: string, username: string | null, policy: ThrottlePolicy, now: number) {
  await db('login_failures')
    .insert({ key: k, username, failures: 0, next_allowed_at: 0, last_at: now })
    .onConflict('key')
    .ignore();
  // This attempt's number: 1 when the earlier ones are forgotten.
  const count = 'CASE WHEN last_at < ? THEN 1 ELSE failures + 1 END';
  const forgotten = now - policy.forgetMs;
  // The back-off after each count, spelled out (SQLite has no POW everywhere): past the last
  // branch the wait is at its cap.
  const branches: string[] = [];
  const bindings: number[] = [forgotten];
  for (let n = 1; backoffMs(n - 1, policy.free) < MAX_WAIT_MS; n++) {
    const wait = backoffMs(n, policy.free);
    branches.push('WHEN ? THEN ?');
    bindings.push(n, wait ? now + wait : 0);
  }
  bindings.push(now + MAX_WAIT_MS);
  const admitted = await db('login_failures')
    .where({ key: k })
    .andWhere('next_allowed_at', '<=', now)
    // MySQL evaluates SET assignments left to right, each seeing the ones before it; SQLite sees
    // the old row in all. So every assignment reads only columns assigned after it.
    .update({
      next_allowed_at: db.raw(`CASE (${count}) ${branches.join(' ')} ELSE ? END`, bindings),
      failures: db.raw(count, [forgotten]),
      last_at: now,
    });
  if (admitted === 1) return 0;
  const row = await db('login_failures').where({ key: k }).first('next_allowed_at');
  return Math.max(1, Number(row?.next_allowed_at ?? 0) - now);
}

/** Takes back one admitted attempt (its password was right). */
async function giveBack(db: Knex, k: string, policy: ThrottlePolicy): Promise<void> {
  await db('login_failures')
    .where({ key: k })
    .andWhere('failures', '>', 0)
    .update({
      next_allowed_at: db.raw('CASE WHEN failures - 1 < ? THEN 0 ELSE next_allowed_at END', [policy.free]),
      failures: db.raw('failures - 1'),
    });
}

/** Whether `address` has tried `username` lately; claims the pair when it has not. */
async function claimPair(db: Knex, address: string, username: string, now: number, forgetMs: number) {
  const refreshed = await db('login_address_accounts')
    .where({ address, username })
    .andWhere('at', '<', now - forgetMs)
    .update({ at: now });
  if (refreshed) return true;
  try {
    await db('login_address_accounts').insert({ address, username, at: now });
    return true;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
}

export interface LoginClient {
  /** The account tried, lower-cased. */
  username: string;
  address: string;
  /** How the client is known for this account, if it logged this user in before. */
  known: { kind: 'device'; hash: string } | { kind: 'address' } | null;
}

export interface Attempt {
  key: string;
  policy: ThrottlePolicy;
  /** The address limit's share of this attempt, when the client is a stranger. */
  address?: { key: string; policy: ThrottlePolicy; address: string; username: string };
}

/**
 * Admits one login attempt before its password is checked, or says how long to wait. A refused
 * attempt is not counted anywhere.
 */
export async function admitLogin(
  db: Knex,
  client: LoginClient,
  addressAccounts: number,
  now = Date.now(),
): Promise<{ attempt: Attempt } | { waitMs: number }> {
  const { username, address, known } = client;
  const accountKey =
    known?.kind === 'device'
      ? key('device', username, known.hash.slice(0, 32))
      : known?.kind === 'address'
        ? key('known', username, address)
        : key('account', username);
  const wait = await take(db, accountKey, username, ACCOUNT_POLICY, now);
  if (wait) return { waitMs: wait };
  const attempt: Attempt = { key: accountKey, policy: ACCOUNT_POLICY };
  // A known client is not held back by what strangers do from its address.
  if (known) return { attempt };

  const policy = addressPolicy(addressAccounts);
  const addressKey = key('address', address);
  let addressWait: number;
  if (await claimPair(db, address, username, now, policy.forgetMs)) {
    addressWait = await take(db, addressKey, null, policy, now);
    if (addressWait) await db('login_address_accounts').where({ address, username }).delete();
  } else {
    // This address already counted this account; its own back-off (above) limits the rest.
    const row = await db('login_failures').where({ key: addressKey }).first('next_allowed_at');
    addressWait = Math.max(0, Number(row?.next_allowed_at ?? 0) - now);
  }
  if (addressWait) {
    await giveBack(db, accountKey, ACCOUNT_POLICY);
    return { waitMs: addressWait };
  }
  return { attempt: { ...attempt, address: { key: addressKey, policy, address, username } } };
}

/**
 * The password was right: the attempt is given back. A known device's own count starts again
 * (its failures were its owner's typos); the counts strangers built up stay until they are
 * forgotten or an admin unlocks the account. Rows nobody needs any more are swept here.
 */
export async function loginSucceeded(db: Knex, attempt: Attempt, now = Date.now()): Promise<void> {
  if (attempt.key.startsWith('device:')) await db('login_failures').where({ key: attempt.key }).delete();
  else await giveBack(db, attempt.key, attempt.policy);
  if (attempt.address) {
    const { key: addressKey, policy, address, username } = attempt.address;
    const paired = await db('login_address_accounts').where({ address, username }).delete();
    if (paired) await giveBack(db, addressKey, policy);
  }
  await db('login_failures')
    .where('last_at', '<', now - ACCOUNT_POLICY.forgetMs)
    .delete();
  await db('login_address_accounts')
    .where('at', '<', now - DAY_MS)
    .delete();
}

/** Clears every throttle count of an account (an admin's unlock): how many were cleared. */
export async function clearAccount(db: Knex, username: string): Promise<number> {
  return db('login_failures').where({ username: username.toLowerCase() }).delete();
}
