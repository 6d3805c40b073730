import type { Knex } from 'knex';
import { dialectOf, owedOn } from './connect.ts';
import { preassigns, takeId } from './ids.ts';
import { insertMany, insertOne, type Statement, statementsFor, writeAll } from './sql.ts';

/**
 * Writes held back inside a unit of work and sent together when it ends.
 *
 * A ticket create writes a record, its process instance, token and task, history rows, SLA
 * clocks, indexed values and a job while its process runs to the first wait. Held, they go in as
 * one insert per table, and on MySQL all in one query with the COMMIT. Event jobs (their
 * messages, a rule's history) and rule actions (withCause) hold theirs too. Held are, inside a
 * transaction:
 *  - rows inserted through `insertRows`;
 *  - rows inserted through `insertNew`, whose id is taken beforehand (ids.ts);
 *  - changes of rows the unit itself inserted: made in the held row (`changeHeld`: a new record
 *    is written once, in the state its process's first step gave it), or held as an UPDATE
 *    (`holdUpdate`) once the row went in. No other transaction can see or change such a row
 *    before the commit, so the update's outcome is known.
 * Nothing reads them too early: the transaction's connection writes what the unit holds ahead of
 * whatever statement comes next on it, whoever sends it (connect.ts), so a reader inside the
 * unit, a knex query included, sees what it would have had the rows been written at once. Ids,
 * order and content are what statements run at once would give.
 */

type Row = Record<string, unknown>;

interface Held {
  /** Rows by table, in the order the tables were first written. */
  tables: Map<string, Row[]>;
  /** Updates of rows inserted in this unit, by table, in the order they were made. */
  updates: Map<string, Statement[]>;
  /** `table:id` of the rows this unit inserted. */
  inserted: Set<string>;
}

/** Everything held, as statements in order, taken out of the unit. */
function takeAll(unit: Held): Statement[] {
  // Asked before every statement of the unit: most find nothing held.
  if (!unit.tables.size && !unit.updates.size) return [];
  const statements = statementsFor(unit.tables, [...unit.updates.values()].flat());
  unit.tables.clear();
  unit.updates.clear();
  return statements;
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
  const id = await takeId(trx, table);
  if (unit) {
    await insertRows(trx, table, [{ id, ...row }]);
    unit.inserted.add(`${table}:${id}`);
  } else await insertOne(trx, table, { id, ...row });
  return id;
}

/**
 * Changes a row the enclosing unit still holds (its insert not yet sent) in place, so the row is
 * written once as it ends up; false when no such row is held. A new record is held, so the
 * status, queue and assignee its process gives it cost no UPDATE.
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
 * Runs `fn` with the rows it inserts through `insertRows` and `insertNew` on transaction `trx`
 * held back, then writes them and the held updates: at once on SQLite; on MySQL in front of the
 * transaction's next statement, which after a unit of work is its COMMIT, so a ticket create's
 * rows and its commit are one round trip. Until then the transaction's connection writes them
 * ahead of any statement run on it (connect.ts), so nothing in the unit needs to ask for them.
 * Nested calls join the outer one; outside a transaction nothing is held. If `fn` fails nothing
 * held is written (the caller's transaction rolls back anyway).
 */
export async function holdInserts<T>(trx: Knex, fn: () => Promise<T>): Promise<T> {
  if (held.has(trx) || !trx.isTransaction) return fn();
  const connection = (await trx.client.acquireConnection()) as object;
  const unit: Held = { tables: new Map(), updates: new Map(), inserted: new Set() };
  // A unit of a transaction nested in another unit's, on the same connection: the outer unit's
  // rows go in first, and it owes again once this one ends.
  const outer = owedOn.get(connection);
  if (outer) await writeAll(trx, outer());
  const restore = () => {
    if (outer) owedOn.set(connection, outer);
    else owedOn.delete(connection);
  };
  owedOn.set(connection, () => takeAll(unit));
  held.set(trx, unit);
  let owedToNext = false;
  try {
    const result = await fn();
    // On MySQL what is still held stays owed: the transaction's next statement, normally its
    // COMMIT, carries it in the same round trip (connect.ts). On SQLite, where a statement is
    // a function call, it is written now, so a failing row fails the unit itself.
    if (dialectOf(trx) === 'mysql') owedToNext = true;
    else {
      restore();
      await writeAll(trx, takeAll(unit));
    }
    return result;
  } finally {
    held.delete(trx);
    if (!owedToNext) restore();
    else
      owedOn.set(connection, () => {
        restore();
        return [...takeAll(unit), ...(outer?.() ?? [])];
      });
  }
}

/** Drops what the enclosing unit holds: the savepoint it was held in was rolled back. */
export function discardHeld(trx: Knex): void {
  const unit = held.get(trx);
  unit?.tables.clear();
  unit?.updates.clear();
}
