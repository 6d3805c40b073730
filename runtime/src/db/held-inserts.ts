import type { Knex } from 'knex';
import { insertMany, insertTables } from './sql.ts';

/**
 * Rows for append-only tables, held back inside a unit of work and written as one multi-row
 * INSERT per table when it ends.
 *
 * A ticket create writes several history rows, SLA clocks and jobs while its process runs to the
 * first wait; one statement per table instead of one per row roughly halves the statements a
 * create sends. Only tables whose rows nothing in the unit reads back may be held: history,
 * jobs (the runner claims them after the commit), SLA clocks of a record created in the same
 * unit, and indexed field values (whose one writer, updateRecord, flushes them before replacing
 * some). Ids, order and content are what single inserts would give.
 */

type Row = Record<string, unknown>;

// Held rows per transaction, by table, in the order the tables were first written.
const held = new WeakMap<Knex, Map<string, Row[]>>();

/** Inserts `rows` into `table` now, or at the end of the enclosing `holdInserts` on `trx`. */
export async function insertRows(trx: Knex, table: string, rows: Row[]): Promise<void> {
  if (!rows.length) return;
  const tables = held.get(trx);
  if (!tables) {
    await insertMany(trx, table, rows);
    return;
  }
  const pending = tables.get(table);
  if (pending) pending.push(...rows);
  else tables.set(table, [...rows]);
}

/**
 * Runs `fn` with the rows it inserts through `insertRows` on `trx` held back, then writes them.
 * Nested calls join the outer one. If `fn` fails nothing held is written (the caller's
 * transaction rolls back anyway).
 */
export async function holdInserts<T>(trx: Knex, fn: () => Promise<T>): Promise<T> {
  if (held.has(trx)) return fn();
  const tables = new Map<string, Row[]>();
  held.set(trx, tables);
  try {
    const result = await fn();
    await insertTables(trx, tables);
    return result;
  } finally {
    held.delete(trx);
  }
}

/** True inside `holdInserts` on `trx`: its rows are not in the database yet, savepoints or not. */
export const holdsInserts = (trx: Knex): boolean => held.has(trx);

/** Writes what is held for `table` now: for a reader of that table inside the unit. */
export async function flushHeld(trx: Knex, table: string): Promise<void> {
  const rows = held.get(trx)?.get(table);
  if (!rows?.length) return;
  held.get(trx)!.delete(table);
  await insertMany(trx, table, rows);
}
