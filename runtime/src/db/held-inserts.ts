import type { Knex } from 'knex';
import { dialectOf, type Owed, owedOn } from './connect.ts';
import { preassigns, takeId } from './ids.ts';
import { insertMany, insertOne, joinStatements, type Statement, statementsFor, writeAll } from './sql.ts';

/**
 * Writes held back inside a unit of work and sent together when it ends.
 *
 * A ticket create writes several history rows, SLA clocks and jobs while its process runs to the
 * first wait; one statement per table instead of one per row roughly halves the statements a
 * create sends, and on MySQL they all go to the server as one query. Event jobs (their messages,
 * a rule's history) and rule actions (withCause) hold theirs too. Held are:
 *  - rows for tables nothing in the unit reads back: history, in-app messages, jobs (the runner
 *    claims them after the commit), SLA clocks of a record created in the same unit, and indexed
 *    field values (whose one writer, updateRecord, flushes them before replacing some);
 *  - updates of rows the unit itself inserted (`insertNew`): no other transaction can see or
 *    change such a row before the commit, so the update's outcome is known, and the one reader
 *    of records inside a unit (`loadRecord`) flushes them first.
 *  - on MySQL, the rows whose id is taken beforehand (ids.ts: a record, its process instance,
 *    tokens, tasks), so a create's rows all go in one query. Nothing reads them too early: the
 *    unit's connection sends what it holds in front of whatever statement comes next on it
 *    (connect.ts), whoever sends it.
 * Ids, order and content are what statements run at once would give.
 */

type Row = Record<string, unknown>;

interface Held {
  /** Rows by table, in the order the tables were first written. */
  tables: Map<string, Row[]>;
  /** Updates of rows inserted in this unit, by table, in the order they were made. */
  updates: Map<string, Statement[]>;
  /** `table:id` of the rows this unit inserted. */
  inserted: Set<string>;
  /** The MySQL transaction's connection, which sends what is held before its next statement. */
  connection: object | null;
}

/** Everything held, as statements in order, taken out of the unit. */
function takeAll(unit: Held): Statement[] {
  const statements = statementsFor(unit.tables, [...unit.updates.values()].flat());
  unit.tables.clear();
  unit.updates.clear();
  return statements;
}

/** Everything held, taken out of the unit as one MySQL multi-statement text (null: nothing). */
function owedText(unit: Held): Owed | null {
  const statements = takeAll(unit);
  return statements.length ? { ...joinStatements(statements), count: statements.length } : null;
}

const held = new WeakMap<Knex, Held>();

/** Inserts `rows` into `table` now, or at the end of the enclosing `holdInserts` on `trx`. */
export async function insertRows(trx: Knex, table: string, rows: Row[]): Promise<void> {
  if (!rows.length) return;
  const unit = held.get(trx);
  if (!unit) {
    await insertMany(trx, table, rows);
    return;
  }
  const pending = unit.tables.get(table);
  if (pending) pending.push(...rows);
  else unit.tables.set(table, [...rows]);
}

/**
 * Inserts one row and returns its id: held in the enclosing unit when the id can be known
 * beforehand (ids.ts), else now.
 */
export async function insertNew(trx: Knex, table: string, row: Row): Promise<number> {
  const unit = held.get(trx);
  if (!preassigns(trx, table)) {
    const id = await insertOne(trx, table, row);
    unit?.inserted.add(`${table}:${id}`);
    return id;
  }
  const id = await takeId(trx);
  if (unit?.connection) {
    await insertRows(trx, table, [{ id, ...row }]);
    unit.inserted.add(`${table}:${id}`);
  } else await insertOne(trx, table, { id, ...row });
  return id;
}

/**
 * Changes a row the enclosing unit still holds (its insert not yet sent) in place, so the row is
 * written once as it ends up; false when no such row is held. On MySQL a new record is held, so
 * the status, queue and assignee its process gives it cost no UPDATE.
 */
export function changeHeld(trx: Knex, table: string, id: number, values: Row): boolean {
  const row = held
    .get(trx)
    ?.tables.get(table)
    ?.find((r) => r.id === id);
  if (!row) return false;
  Object.assign(row, values);
  return true;
}

/**
 * Holds an update of a row the enclosing unit inserted; false (nothing held) when there is no
 * such unit or the row is older, and the caller runs the update itself.
 */
export function holdUpdate(trx: Knex, table: string, id: number, sql: string, bindings: unknown[]): boolean {
  const unit = held.get(trx);
  if (!unit?.inserted.has(`${table}:${id}`)) return false;
  const pending = unit.updates.get(table);
  if (pending) pending.push({ sql, bindings });
  else unit.updates.set(table, [{ sql, bindings }]);
  return true;
}

/**
 * Runs `fn` with the rows it inserts through `insertRows` on `trx` held back, then writes them
 * and the held updates: at once on SQLite; on MySQL in front of the transaction's next statement,
 * which after a unit of work is its COMMIT, so a ticket create's rows and its commit are one round
 * trip. Nested calls join the outer one. If `fn` fails nothing held is written (the caller's
 * transaction rolls back anyway).
 */
export async function holdInserts<T>(trx: Knex, fn: () => Promise<T>): Promise<T> {
  if (held.has(trx)) return fn();
  const unit: Held = { tables: new Map(), updates: new Map(), inserted: new Set(), connection: null };
  if (dialectOf(trx) === 'mysql' && trx.isTransaction) {
    unit.connection = (await trx.client.acquireConnection()) as object;
    owedOn.set(unit.connection, () => owedText(unit));
  }
  held.set(trx, unit);
  let owedToNext = false;
  try {
    const result = await fn();
    // On MySQL what is still held stays owed: the transaction's next statement, normally its
    // COMMIT, carries it in the same round trip (connect.ts).
    if (unit.connection) owedToNext = true;
    else await writeAll(trx, takeAll(unit));
    return result;
  } finally {
    held.delete(trx);
    if (unit.connection) {
      const connection = unit.connection;
      if (!owedToNext) owedOn.delete(connection);
      else
        owedOn.set(connection, () => {
          owedOn.delete(connection);
          return owedText(unit);
        });
    }
  }
}

/**
 * Writes what the enclosing unit holds before a savepoint opens, so that a rollback to the
 * savepoint cannot take it along. On MySQL nothing is sent here: the SAVEPOINT statement itself
 * carries it, in front (see holdInserts).
 */
export async function flushAll(trx: Knex): Promise<void> {
  const unit = held.get(trx);
  if (!unit || unit.connection) return;
  await writeAll(trx, takeAll(unit));
}

/** Drops what the enclosing unit holds: the savepoint it was held in was rolled back. */
export function discardHeld(trx: Knex): void {
  const unit = held.get(trx);
  unit?.tables.clear();
  unit?.updates.clear();
}

/** Writes what is held for `table` now (rows, then updates): for a reader of that table inside the unit. */
export async function flushHeld(trx: Knex, table: string): Promise<void> {
  const unit = held.get(trx);
  if (!unit) return;
  const rows = unit.tables.get(table);
  const updates = unit.updates.get(table);
  unit.tables.delete(table);
  unit.updates.delete(table);
  if (rows?.length) await insertMany(trx, table, rows);
  if (updates?.length) await writeAll(trx, updates);
}
