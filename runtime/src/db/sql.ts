import type { Knex } from 'knex';
import { dialectOf, joinStatements, mysqlValue, owedOn, type Statement, sqliteValue } from './connect.ts';

export type { Statement };

/**
 * The statements of the hot write path (a ticket create, a task action), written here instead of
 * by knex's query builder.
 *
 * A ticket create sends a dozen small writes. Compiling each in knex (wrapping every identifier,
 * normalising columns across rows, SQLite's compound-SELECT form of a multi-row insert) took more
 * JavaScript time than SQLite took to run it. An insert's text depends only on the table, the
 * columns and the number of rows, so it is built once and reused; backquoted names and `?`
 * placeholders read the same in SQLite and MySQL.
 *
 * The statement runs straight on the driver's connection (the transaction's, or one from the
 * pool), not through knex's `raw`, which scanned each statement's text for placeholders and built
 * a query object on every call. On SQLite the connection keeps the prepared statements
 * (connect.ts); on MySQL mysql2 formats the values in as knex would have had it do. Either way
 * the statement runs in the caller's transaction; only knex's 'query' event does not see it (the
 * watch on writes to `definitions` does not need to: these statements never touch it).
 */

type Row = Record<string, unknown>;

/** Insert texts of one table and column list, by row count. */
interface Shape {
  columns: string[];
  texts: Map<number, string>;
}

// By table: a table is written with a few column lists, each by a few row counts. Finding the
// text compares the column names (interned strings) one by one; a key joined from them, built
// and hashed on every insert, was a tenth of the JavaScript time of a ticket create.
const shapes = new Map<string, Shape[]>();
const SHAPES_PER_TABLE = 16;
const TEXTS_PER_SHAPE = 64;

/** Whether `row`'s own keys are `columns`, in order. */
function hasColumns(row: Row, columns: string[]): boolean {
  let i = 0;
  for (const key in row) if (key !== columns[i++]) return false;
  return i === columns.length;
}

function insertText(table: string, columns: string[], rowCount: number): string {
  let list = shapes.get(table);
  if (!list) {
    list = [];
    shapes.set(table, list);
  }
  let shape = list.find(
    (s) => s.columns.length === columns.length && s.columns.every((c, i) => c === columns[i]),
  );
  if (!shape) {
    if (list.length >= SHAPES_PER_TABLE) list.shift();
    shape = { columns: [...columns], texts: new Map() };
    list.push(shape);
  }
  let text = shape.texts.get(rowCount);
  if (text === undefined) {
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    text = `insert into \`${table}\` (${columns.map((c) => `\`${c}\``).join(', ')}) values ${Array(rowCount)
      .fill(tuple)
      .join(', ')}`;
    if (shape.texts.size >= TEXTS_PER_SHAPE) shape.texts.delete(shape.texts.keys().next().value!);
    shape.texts.set(rowCount, text);
  }
  return text;
}

function bindingsOf(rows: Row[], columns: string[]): unknown[] {
  const out: unknown[] = [];
  for (const row of rows) for (const c of columns) out.push(row[c]);
  return out;
}

interface Outcome {
  /** Rows changed. */
  changes: number;
  /** The id the statement generated (inserts). */
  id: number;
}

interface SqliteConnection {
  prepare(sql: string): {
    run(bindings: unknown[]): { changes: number; lastInsertRowid: number | bigint };
    all(bindings: unknown[]): Record<string, unknown>[];
  };
}

/**
 * Runs `use` on the SQLite connection: a transaction's own, or the pool's (the one connection,
 * taken and given back as knex's own runner does).
 */
async function onSqlite<T>(db: Knex, use: (conn: SqliteConnection) => T): Promise<T> {
  const conn = (await db.client.acquireConnection()) as SqliteConnection;
  try {
    return use(conn);
  } finally {
    await db.client.releaseConnection(conn);
  }
}

interface MysqlConnection {
  query(sql: string, values: unknown[], cb: (err: Error | null, result: unknown) => void): void;
}

/**
 * Sends `sql` on a MySQL connection: the transaction's, or one taken from the pool for it. Like
 * on SQLite, straight to the driver: knex's raw path (binding scan, query object, executioner,
 * events) cost more JavaScript per statement than mysql2's own formatting and packet writing.
 * `bindings` are as the driver takes them: no undefined (`mysqlValue`, `joinStatements`).
 */
async function onMysql(db: Knex, sql: string, bindings: unknown[]): Promise<unknown> {
  const conn = (await db.client.acquireConnection()) as MysqlConnection;
  try {
    return await new Promise((resolve, reject) => {
      conn.query(sql, bindings, (err, result) => (err ? reject(err) : resolve(result)));
    });
  } finally {
    await db.client.releaseConnection(conn);
  }
}

async function run(db: Knex, sql: string, bindings: unknown[]): Promise<Outcome> {
  if (dialectOf(db) === 'sqlite') {
    const res = await onSqlite(db, (conn) => conn.prepare(sql).run(bindings.map(sqliteValue)));
    return { changes: res.changes, id: Number(res.lastInsertRowid) };
  }
  const header = (await onMysql(db, sql, bindings.map(mysqlValue))) as {
    affectedRows: number;
    insertId: number;
  };
  return { changes: Number(header.affectedRows), id: Number(header.insertId) };
}

/** Inserts one row and returns its generated id. */
export async function insertOne(db: Knex, table: string, row: Row): Promise<number> {
  const columns = Object.keys(row);
  return (await run(db, insertText(table, columns, 1), bindingsOf([row], columns))).id;
}

// SQLite allows at most 32,766 bound values per statement, MySQL 65,535.
const MAX_BINDINGS = 30_000;

/**
 * The inserts for rows in order, as few as possible: consecutive rows with the same columns go in
 * one multi-row statement, so ids follow the rows' order as single inserts would give them.
 */
function insertStatements(table: string, rows: Row[]): Statement[] {
  const out: Statement[] = [];
  let start = 0;
  while (start < rows.length) {
    const columns = Object.keys(rows[start]!);
    const limit = Math.max(1, Math.floor(MAX_BINDINGS / Math.max(1, columns.length)));
    let end = start + 1;
    while (end < rows.length && end - start < limit && hasColumns(rows[end]!, columns)) end++;
    const chunk = rows.slice(start, end);
    out.push({ sql: insertText(table, columns, chunk.length), bindings: bindingsOf(chunk, columns) });
    start = end;
  }
  return out;
}

/** Inserts rows in order (see insertStatements). */
export async function insertMany(db: Knex, table: string, rows: Row[]): Promise<void> {
  for (const s of insertStatements(table, rows)) await run(db, s.sql, s.bindings);
}

/**
 * Runs statements in order. On MySQL they go to the server together, as one multi-statement
 * query: each statement is a round trip, and the socket write and read of each cost the runtime
 * more than a small insert or update costs the server.
 */
export async function writeAll(db: Knex, statements: Statement[]): Promise<void> {
  if (dialectOf(db) === 'mysql' && statements.length > 1) {
    const joined = joinStatements(statements);
    await onMysql(db, joined.sql, joined.bindings);
    return;
  }
  for (const s of statements) await run(db, s.sql, s.bindings);
}

/** The statements that insert rows into several tables, in order, followed by `after`. */
export function statementsFor(tables: Iterable<[string, Row[]]>, after: Statement[] = []): Statement[] {
  return [...[...tables].flatMap(([table, rows]) => insertStatements(table, rows)), ...after];
}

/** A statement and what its caller wants back: its rows (a SELECT) or how many rows it changed. */
export interface Query extends Statement {
  returns: 'rows' | 'changes';
}

/**
 * Runs statements in order and answers each one's rows or changed-row count. On MySQL they go in
 * one multi-statement query: a job's reads and its claim check are one round trip, not four.
 */
export async function together(db: Knex, queries: Query[]): Promise<unknown[]> {
  if (dialectOf(db) === 'mysql') {
    const joined = joinStatements(queries);
    const answer = await onMysql(db, joined.sql, joined.bindings);
    const each = queries.length === 1 ? [answer] : (answer as unknown[]);
    return each.map((r, i) =>
      queries[i]!.returns === 'rows' ? r : Number((r as { affectedRows: number }).affectedRows),
    );
  }
  const out: unknown[] = [];
  for (const q of queries)
    out.push(
      q.returns === 'rows' ? await selectRows(db, q.sql, q.bindings) : await execute(db, q.sql, q.bindings),
    );
  return out;
}

/** Runs an UPDATE or DELETE written for both dialects and returns how many rows it changed. */
export async function execute(db: Knex, sql: string, bindings: unknown[]): Promise<number> {
  return (await run(db, sql, bindings)).changes;
}

/** Runs a SELECT written for both dialects and returns its rows. */
export async function selectRows<T = Record<string, unknown>>(
  db: Knex,
  sql: string,
  bindings: unknown[],
): Promise<T[]> {
  if (dialectOf(db) === 'sqlite')
    return (await onSqlite(db, (conn) => conn.prepare(sql).all(bindings.map(sqliteValue)))) as T[];
  return (await onMysql(db, sql, bindings.map(mysqlValue))) as T[];
}

/**
 * MySQL: runs `first` on its own, autocommitted, then `work` in a new transaction, on one pooled
 * connection, and hands `work` the result of `first`. `first` goes to the server in front of the
 * transaction's BEGIN, in the same round trip (`owedOn`, connect.ts); if it fails, the BEGIN fails
 * with it and nothing begins. A record's number is taken so (records/store.ts).
 */
export async function transactionAfter<T>(
  db: Knex,
  first: Statement,
  work: (trx: Knex.Transaction, result: unknown) => Promise<T>,
): Promise<T> {
  if (dialectOf(db) !== 'mysql' || db.isTransaction)
    throw new Error('transactionAfter: MySQL, outside a transaction');
  const connection = (await db.client.acquireConnection()) as object;
  let result: unknown;
  try {
    owedOn.set(connection, () => {
      owedOn.delete(connection);
      const answer = (r: unknown) => {
        result = r;
      };
      return [{ ...first, answer }];
    });
    return await db.transaction((trx) => work(trx, result), { connection });
  } finally {
    owedOn.delete(connection);
    await db.client.releaseConnection(connection);
  }
}
