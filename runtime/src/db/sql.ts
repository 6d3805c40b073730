import type { Knex } from 'knex';
import { dialectOf } from './connect.ts';

/**
 * The statements of the hot write path (a ticket create, a task action), written here instead of
 * by knex's query builder.
 *
 * A ticket create sends a dozen small writes. Compiling each in knex (wrapping every identifier,
 * normalising columns across rows, SQLite's compound-SELECT form of a multi-row insert) took more
 * JavaScript time than SQLite took to run it. An insert's text depends only on the table, the
 * columns and the number of rows, so it is built once and reused; backquoted names and `?`
 * placeholders read the same in SQLite and MySQL. Statements still go through knex (`raw`), so
 * transactions, the pool and 'query' events are as for any other query.
 */

type Row = Record<string, unknown>;

const texts = new Map<string, string>();
const TEXTS_LIMIT = 500;

function insertText(table: string, columns: string[], rowCount: number): string {
  const key = `${table}\u0000${columns.join('\u0000')}\u0000${rowCount}`;
  let text = texts.get(key);
  if (text === undefined) {
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    text = `insert into \`${table}\` (${columns.map((c) => `\`${c}\``).join(', ')}) values ${Array(rowCount)
      .fill(tuple)
      .join(', ')}`;
    if (texts.size >= TEXTS_LIMIT) texts.delete(texts.keys().next().value!);
    texts.set(key, text);
  }
  return text;
}

// What knex's own binding formatter does: SQLite takes neither booleans nor Dates.
function binding(value: unknown, sqlite: boolean): unknown {
  if (value === undefined) return null;
  if (!sqlite) return value;
  if (typeof value === 'boolean') return Number(value);
  if (value instanceof Date) return value.valueOf();
  return value;
}

function bindingsOf(rows: Row[], columns: string[], sqlite: boolean): unknown[] {
  const out: unknown[] = [];
  for (const row of rows) for (const c of columns) out.push(binding(row[c], sqlite));
  return out;
}

/** Inserts one row and returns its generated id. */
export async function insertOne(db: Knex, table: string, row: Row): Promise<number> {
  const sqlite = dialectOf(db) === 'sqlite';
  const columns = Object.keys(row);
  const res = await db.raw(insertText(table, columns, 1), bindingsOf([row], columns, sqlite) as never);
  // better-sqlite3 answers a run with { lastInsertRowid }; mysql2 with [ResultSetHeader, fields].
  return Number(sqlite ? res.lastInsertRowid : res[0].insertId);
}

// SQLite allows at most 32,766 bound values per statement, MySQL 65,535.
const MAX_BINDINGS = 30_000;

/**
 * Inserts rows in order, as few statements as possible: consecutive rows with the same columns go
 * in one multi-row statement, so ids follow the rows' order as single inserts would give them.
 */
export async function insertMany(db: Knex, table: string, rows: Row[]): Promise<void> {
  const sqlite = dialectOf(db) === 'sqlite';
  let start = 0;
  while (start < rows.length) {
    const columns = Object.keys(rows[start]!);
    const signature = columns.join('\u0000');
    const limit = Math.max(1, Math.floor(MAX_BINDINGS / Math.max(1, columns.length)));
    let end = start + 1;
    while (end < rows.length && end - start < limit && Object.keys(rows[end]!).join('\u0000') === signature)
      end++;
    const chunk = rows.slice(start, end);
    await db.raw(insertText(table, columns, chunk.length), bindingsOf(chunk, columns, sqlite) as never);
    start = end;
  }
}

/** Runs an UPDATE or DELETE written for both dialects and returns how many rows it changed. */
export async function execute(db: Knex, sql: string, bindings: unknown[]): Promise<number> {
  const sqlite = dialectOf(db) === 'sqlite';
  const res = await db.raw(sql, bindings.map((b) => binding(b, sqlite)) as never);
  // better-sqlite3 answers a run with { changes }; mysql2 with [ResultSetHeader, fields].
  return Number(sqlite ? res.changes : res[0].affectedRows);
}
