import type { Knex } from 'knex';
import { dialectOf } from './connect.ts';

/**
 * Group commit for the embedded SQLite database.
 *
 * SQLite has one writer, so the runtime's transactions already run one after another on its
 * single connection; what they pay for separately is the COMMIT, which appends every page the
 * transaction dirtied to the write-ahead log. Concurrent creates dirty the same pages (the right
 * edge of each table and index), so a COMMIT shared by the transactions that queued up meanwhile
 * costs little more than one of its own; on a ticket create it was most of the database time.
 *
 * After `shareCommits(db)`, `db.transaction(fn)` queues `fn`. Queued work runs one unit at a time
 * in one outer transaction, each unit inside its own SAVEPOINT: a failure rolls back only that
 * unit's work and rejects only its caller, exactly as its own transaction would. Nobody's promise resolves before the shared COMMIT
 * has succeeded, so an answered request is as durable as before; if the COMMIT fails, every
 * caller in the batch gets the error and nothing of the batch is written.
 *
 * MySQL keeps plain transactions: it has many connections and its own group commit. Calls with a
 * config object, or without a function (an explicit transaction handle), are not queued either.
 */

/** Work done in one shared transaction before it commits, so no caller waits on a long batch. */
const MAX_BATCH = 64;

interface Queued {
  fn: (trx: Knex.Transaction) => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

export function shareCommits(db: Knex): void {
  if (dialectOf(db) !== 'sqlite') return;
  const own = db.transaction.bind(db) as (...args: unknown[]) => unknown;
  const queue: Queued[] = [];
  let draining = false;

  async function drain(): Promise<void> {
    draining = true;
    try {
      while (queue.length) {
        const done: { unit: Queued; value: unknown }[] = [];
        try {
          await own(async (trx: Knex.Transaction) => {
            while (queue.length && done.length < MAX_BATCH) {
              const unit = queue.shift()!;
              // Plain SAVEPOINT statements on the shared handle: units run one at a time, and
              // a knex nested transaction per unit would cost more than the unit's own inserts.
              try {
                await trx.raw('SAVEPOINT unit');
              } catch (err) {
                unit.reject(err);
                throw err;
              }
              try {
                done.push({ unit, value: await unit.fn(trx) });
                await trx.raw('RELEASE unit');
              } catch (err) {
                unit.reject(err);
                await trx.raw('ROLLBACK TO unit');
                await trx.raw('RELEASE unit');
              }
            }
          });
        } catch (err) {
          for (const { unit } of done) unit.reject(err);
          continue;
        }
        for (const { unit, value } of done) unit.resolve(value);
      }
    } finally {
      draining = false;
    }
  }

  Object.defineProperty(db, 'transaction', {
    configurable: true,
    value(fn?: unknown, config?: unknown) {
      if (typeof fn !== 'function' || config !== undefined) return own(fn, config);
      return new Promise((resolve, reject) => {
        queue.push({ fn: fn as Queued['fn'], resolve, reject });
        // Opened on the next turn of the event loop, so requests that arrived together (and
        // whose reads outside the transaction still wait for the one connection) join it.
        if (!draining) {
          draining = true;
          setImmediate(drain);
        }
      });
    },
  });
}
