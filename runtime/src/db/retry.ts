import type { Knex } from 'knex';
import type { Logger } from '../log.ts';

/**
 * One retry mechanism for work the database refused for a passing reason.
 *
 * MySQL and MariaDB answer a deadlock (1213) or a lock wait that ran out (1205) by rolling the
 * statement or the transaction back; a Galera cluster reports a conflict with a transaction
 * committed on another node the same way, as 1213, at COMMIT or at the next statement. None of
 * it is a fault of the request: done again from the start, the work sees what the other one
 * committed and either succeeds or loses cleanly (a conditional UPDATE that now changes no row,
 * a unique key that is now taken: 409, or a claim someone else holds).
 *
 * Done again is safe only because of one rule the whole runtime keeps: **a transaction does
 * nothing outside the database.** No HTTP call, e-mail, message to another process or file
 * written inside one; such effects are jobs, written in the transaction and carried out after it
 * committed (engine/runner.ts, notify/deliver.ts), and files are moved before it begins. In-memory
 * state a transaction builds (held rows, a run) is made inside it, so a new attempt builds it anew.
 *
 * Two layers, the same errors, the same back-off, counted together:
 *  - a transaction (`db.transaction(fn)` without a config, which every request and job uses) is
 *    run again from the start, a bounded number of times (`retryTransactions`);
 *  - a statement sent outside any transaction (a claim, a login throttle update, a record
 *    number) is sent again by the connection (`retryingStatements`, connect.ts): it had no
 *    effect, so it cannot have had one twice.
 */

/** 1213 deadlock (and Galera's certification failure), 1205 lock wait timeout. */
const TRANSIENT = new Set([1213, 1205]);

export function isTransient(err: unknown): boolean {
  const errno = (err as { errno?: unknown } | null)?.errno;
  return typeof errno === 'number' && TRANSIENT.has(errno);
}

/**
 * Whether the database could not be reached or cannot serve now: refused or broken connections,
 * a pool that found no connection in time, a Galera node that is not part of the primary
 * component (1047 "WSREP has not yet prepared node for application use").
 */
export function isUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; errno?: unknown; name?: unknown } | null;
  if (!e) return false;
  if (e.name === 'KnexTimeoutError') return true;
  if (typeof e.errno === 'number' && [1047, 1053, 1927, 2002, 2003, 2006, 2013].includes(e.errno))
    return true;
  return (
    typeof e.code === 'string' &&
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'ETIMEDOUT',
      'EHOSTUNREACH',
      'EPIPE',
      'PROTOCOL_CONNECTION_LOST',
      'PROTOCOL_SEQUENCE_TIMEOUT',
      'ER_CON_COUNT_ERROR',
      'ER_SERVER_SHUTDOWN',
    ].includes(e.code)
  );
}

/** Attempts in all, the first included. */
export const MAX_ATTEMPTS = 6;

/** Full jitter: a random wait up to 10 ms × 2^attempt, at most 400 ms, so retries spread out. */
export function backoffMs(attempt: number, random = Math.random): number {
  return Math.floor(random() * Math.min(400, 10 * 2 ** attempt));
}

export interface RetryCounts {
  /** Transactions run again. */
  transactions: number;
  /** Statements outside a transaction sent again. */
  statements: number;
  /** Work that still failed after the last attempt (answered as an error). */
  exhausted: number;
}

// Per database (its knex config object, shared by the instance and its transactions).
const counts = new WeakMap<object, RetryCounts>();
const loggers = new WeakMap<object, Logger>();

export function retryCounts(db: Knex): RetryCounts {
  const key = db.client.config as object;
  let c = counts.get(key);
  if (!c) {
    c = { transactions: 0, statements: 0, exhausted: 0 };
    counts.set(key, c);
  }
  return c;
}

/** What a retry is logged as, at debug level: which layer, which attempt, why. */
export function noteRetry(
  config: object,
  layer: 'transaction' | 'statement',
  attempt: number,
  err: unknown,
): void {
  const c = counts.get(config) ?? { transactions: 0, statements: 0, exhausted: 0 };
  counts.set(config, c);
  if (layer === 'transaction') c.transactions++;
  else c.statements++;
  const e = err as { errno?: number; message?: string };
  loggers
    .get(config)
    ?.debug({ layer, attempt, errno: e.errno, reason: e.message?.slice(0, 200) }, 'database retry');
}

export function noteExhausted(config: object): void {
  const c = counts.get(config) ?? { transactions: 0, statements: 0, exhausted: 0 };
  counts.set(config, c);
  c.exhausted++;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `attempt` again while it fails for a passing reason, up to MAX_ATTEMPTS in all. */
export async function withRetries<T>(db: Knex, attempt: () => Promise<T>): Promise<T> {
  const config = db.client.config as object;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (!isTransient(err)) throw err;
      if (n >= MAX_ATTEMPTS) {
        noteExhausted(config);
        throw err;
      }
      noteRetry(config, 'transaction', n, err);
      await sleep(backoffMs(n));
    }
  }
}

/**
 * From here on `db.transaction(fn)` runs `fn` again, from the start, when the transaction failed
 * for a passing reason. Calls with a config (an explicit connection) or without a function (a
 * transaction handle) are the caller's to retry, as transactionWithNumber does. MySQL only:
 * SQLite has one writer and waits for a second process (busy_timeout) instead of failing.
 */
export function retryTransactions(db: Knex, log: Logger): void {
  loggers.set(db.client.config as object, log);
  if ((db.client as { driverName?: string }).driverName !== 'mysql2') return;
  const own = db.transaction.bind(db) as (...args: unknown[]) => Promise<unknown>;
  Object.defineProperty(db, 'transaction', {
    configurable: true,
    value(fn?: unknown, config?: unknown) {
      if (typeof fn !== 'function' || config !== undefined) return own(fn, config);
      return withRetries(db, () => own(fn));
    },
  });
}
