import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import { backoffMs, isTransient, MAX_ATTEMPTS, noteExhausted, noteRetry } from './retry.ts';

export type Db = Knex;
export type Dialect = 'sqlite' | 'mysql';

/** By the driver knex runs on (its client classes and their transactions' clients all say). */
export function dialectOf(db: Knex): Dialect {
  return (db.client as { driverName: string }).driverName === 'mysql2' ? 'mysql' : 'sqlite';
}

function sqliteFile(url: string): string {
  // sqlite:///abs/path.db -> /abs/path.db ; sqlite://relative.db -> relative.db ; sqlite://:memory:
  const rest = url.slice('sqlite://'.length);
  return rest === ':memory:' ? rest : decodeURIComponent(rest);
}

/** A statement as the runtime sends it to the driver: text with `?` placeholders and its values. */
export interface Statement {
  sql: string;
  bindings: unknown[];
  /** MySQL, for a statement owed ahead of another (`owedOn`): takes its own result. */
  answer?: (result: unknown) => void;
}

/** A value as better-sqlite3 takes it (what knex's own formatter does): no booleans, Dates or undefined. */
export function sqliteValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'boolean') return Number(value);
  if (value instanceof Date) return value.valueOf();
  return value;
}

/** A value as mysql2 takes it: a missing value is NULL, as it is on SQLite. */
export const mysqlValue = (value: unknown) => (value === undefined ? null : value);

/** Statements as one MySQL multi-statement text with its bindings. */
export function joinStatements(statements: Statement[]): Statement {
  // One pass into one array: a create's carrier query binds a few hundred values, and flatMap
  // then map copied them twice.
  const texts: string[] = [];
  const bindings: unknown[] = [];
  for (const s of statements) {
    texts.push(s.sql);
    for (const value of s.bindings) bindings.push(mysqlValue(value));
  }
  return { sql: texts.join('; '), bindings };
}

/**
 * What a connection owes before its next statement: held-inserts.ts registers a function that
 * takes the rows (and updates of them) a unit of work holds back out of the unit, so that any
 * statement the unit sends meanwhile, a knex query included, sees them as it would have had they
 * been written at once; `transactionAfter` (sql.ts) a statement that goes ahead of a
 * transaction's BEGIN.
 */
export const owedOn = new WeakMap<object, () => Statement[]>();

const ROLLBACK = /^\s*ROLLBACK\b/i;
const COMMIT = /^\s*COMMIT\b/i;
/** A transaction's end; not a savepoint's (`ROLLBACK TO SAVEPOINT`). */
const TRANSACTION_ENDS = /^\s*(COMMIT|ROLLBACK)\b(?!\s+TO\b)/i;

type EndListener = (connection: string) => void;
// Per database (its knex config object, shared by the instance and its transactions).
const endListeners = new WeakMap<object, Set<EndListener>>();

/**
 * Calls `listener` with a connection's id (knex's `__knexUid`, as its query events carry it) each
 * time a transaction on that connection has ended: its COMMIT or ROLLBACK answered, so every
 * other connection now sees what it wrote (or that it wrote nothing). knex's events tell when
 * such a statement is sent, never when it is answered. On SQLite, whose one connection runs a
 * statement synchronously once sent, sending is the end.
 */
export function onTransactionEnd(db: Knex, listener: EndListener): void {
  const config = db.client.config as object;
  let set = endListeners.get(config);
  if (!set) {
    set = new Set();
    endListeners.set(config, set);
    if (dialectOf(db) === 'sqlite') {
      const listeners = set;
      db.on('query', (q: { sql?: string; __knexUid?: string }) => {
        if (q.sql && q.__knexUid && TRANSACTION_ENDS.test(q.sql)) for (const l of listeners) l(q.__knexUid);
      });
    }
  }
  set.add(listener);
}

/** Tells the listeners of `db`'s database once a COMMIT or ROLLBACK sent on `conn` is answered. */
function reportTransactionEnds(conn: { query: (...args: unknown[]) => unknown }, db: () => Knex): void {
  const send = conn.query;
  conn.query = function (this: unknown, sql: unknown, values?: unknown, cb?: unknown) {
    const text = typeof sql === 'string' ? sql : (sql as { sql?: string } | null)?.sql;
    if (!text || !TRANSACTION_ENDS.test(text)) return send.call(this, sql, values, cb);
    const uid = (conn as { __knexUid?: string }).__knexUid;
    const tell = () => {
      if (uid) for (const l of endListeners.get(db().client.config as object) ?? []) l(uid);
    };
    if (typeof values === 'function')
      return send.call(this, sql, (...args: unknown[]) => {
        tell();
        (values as (...a: unknown[]) => void)(...args);
      });
    return send.call(this, sql, values, (...args: unknown[]) => {
      tell();
      (cb as ((...a: unknown[]) => void) | undefined)?.(...args);
    });
  };
}

/**
 * knex prepares every SQLite statement afresh, which costs as much as running it. The engine
 * sends the same few hundred statement texts over and over, so the connection keeps its
 * prepared statements (knex only calls `all`/`run` on them, never iterates, so reuse is safe;
 * SQLite re-prepares a statement itself after a schema change).
 *
 * It also writes what the connection owes (`owedOn`) before its next statement, as the MySQL
 * connection sends it in front (`sendOwedFirst`); a ROLLBACK drops it instead.
 */
const KNEX_SAVEPOINT = /^(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT) trx\d+/;

interface SqlitePrepared {
  run(bindings: unknown[]): unknown;
}

function cachePreparedStatements(conn: { prepare(sql: string): unknown }, limit = 2000): void {
  const prepare = conn.prepare.bind(conn);
  const cache = new Map<string, unknown>();
  const cached = (sql: string) => {
    // knex names its savepoints uniquely per transaction (trx1, trx2, …): caching them would only
    // evict the rest. The runtime's own savepoints have fixed names and are cached.
    if (KNEX_SAVEPOINT.test(sql)) return prepare(sql);
    let statement = cache.get(sql);
    if (statement === undefined) {
      statement = prepare(sql);
      if (cache.size >= limit) cache.delete(cache.keys().next().value!);
      cache.set(sql, statement);
    }
    return statement;
  };
  conn.prepare = (sql: string) => {
    const owing = owedOn.get(conn);
    if (owing) {
      const owed = owing();
      if (!ROLLBACK.test(sql))
        for (const s of owed) (cached(s.sql) as SqlitePrepared).run(s.bindings.map(sqliteValue));
    }
    return cached(sql);
  };
}

type Single = { limit?: unknown; offset?: unknown; skipBinding?: Record<string, boolean> };
interface KnexClient {
  queryCompiler(builder: unknown, formatter?: unknown): { single: Single };
}
const BetterSqlite3Client = createRequire(import.meta.url)(
  'knex/lib/dialects/better-sqlite3/index.js',
) as new (
  config: Knex.Config,
) => KnexClient;

/**
 * knex's better-sqlite3 client, writing an integer LIMIT or OFFSET into the statement text instead
 * of binding it. better-sqlite3 builds SQLite with STAT4, and SQLite then prepares a statement
 * whose LIMIT is a parameter again on every run: a lookup by a unique key with `.first()`
 * (`limit ?`) took 11 µs instead of 1. The text still depends on nothing but the code (the values
 * are the callers' integers: 1, a page size), so the prepared-statement cache keeps working. A
 * subclass rather than a patched instance: knex builds each transaction's client from the class.
 */
class SqliteClient extends BetterSqlite3Client {
  override queryCompiler(builder: unknown, formatter?: unknown) {
    const compiled = super.queryCompiler(builder, formatter);
    const { single } = compiled;
    for (const key of ['limit', 'offset'] as const)
      if (Number.isSafeInteger(single[key])) {
        single.skipBinding ??= {};
        single.skipBinding[key] = true;
      }
    return compiled;
  }
}

type QueryCallback = (err: Error | null, result?: unknown, fields?: unknown) => void;

const BEGINS = /(^|;)\s*(BEGIN|START\s+TRANSACTION)\b/i;
const ENDS_LAST = /(^|;)\s*(COMMIT|ROLLBACK)\s*;?\s*$/i;

/**
 * The connection's sender of statements (the class's own `query`, looked up on each call, so a
 * wrapper of it, a statement counter of the benchmarks for one, sees every round trip), which
 * sends a statement again when it ran outside a transaction and failed for a passing reason
 * (db/retry.ts): a deadlock or a Galera conflict of an autocommitted claim, throttle update or
 * record number rolled it back, so it had no effect and may be sent as it was. Inside a
 * transaction the whole transaction is what is run again. Whether the connection is in one is
 * followed from what it sends (knex begins with `BEGIN;`, a held create sends `…; BEGIN;`).
 */
function retryingStatements(
  conn: object,
  config: () => object,
): (this: unknown, sql: unknown, values?: unknown, cb?: unknown) => unknown {
  const proto = Object.getPrototypeOf(conn) as { query: (...args: unknown[]) => unknown };
  let inTransaction = false;
  return function send(this: unknown, sql: unknown, values?: unknown, cb?: unknown, attempt = 1): unknown {
    const text = typeof sql === 'string' ? sql : ((sql as { sql?: string } | null)?.sql ?? '');
    const callback = (typeof values === 'function' ? values : cb) as QueryCallback | undefined;
    const bindings = typeof values === 'function' ? undefined : values;
    // No callback: the caller streams the rows (`.stream()`: a report export). mysql2 emits rows
    // as events only to a query without a callback, so it goes as it came, unretried (a stream
    // cannot be replayed once its first rows are out).
    if (!callback) return proto.query.call(this, sql, bindings);
    const autocommitted = !inTransaction && !BEGINS.test(text);
    return proto.query.call(this, sql, bindings, (err: Error | null, ...rest: unknown[]) => {
      if (BEGINS.test(text) && !err) inTransaction = true;
      if (ENDS_LAST.test(text) || TRANSACTION_ENDS.test(text)) inTransaction = false;
      if (err && autocommitted && isTransient(err) && attempt < MAX_ATTEMPTS) {
        noteRetry(config(), 'statement', attempt, err);
        setTimeout(() => send.call(this, sql, bindings, callback, attempt + 1), backoffMs(attempt));
        return;
      }
      if (err && autocommitted && isTransient(err)) noteExhausted(config());
      callback?.(err, ...rest);
    });
  } as (this: unknown, sql: unknown, values?: unknown, cb?: unknown) => unknown;
}

/**
 * Makes a mysql2 connection send what it owes in front of its next statement, in the same query
 * (it has multipleStatements on), and answer with that statement's own result.
 *
 * Two statements need care. A ROLLBACK (of the transaction or to a savepoint) drops what is owed
 * instead: it was held after the last statement sent, so the rollback would undo it anyway, and a
 * failing insert in front would keep the ROLLBACK from running. A COMMIT whose owed rows fail is
 * not run either, and knex sends no ROLLBACK after a failed COMMIT: the rows of the query that did
 * go in would stay in an open transaction on a pooled connection, whose next BEGIN commits them.
 * So that query is rolled back here before its caller hears of the error.
 */
function sendOwedFirst(conn: { query: (...args: unknown[]) => unknown }, config: () => object): void {
  const proto = { query: retryingStatements(conn, config) };
  conn.query = function (this: unknown, sql: unknown, values?: unknown, cb?: unknown) {
    const owing = owedOn.get(conn);
    // Rows are owed only inside a transaction's unit of work (held-inserts.ts), where nothing
    // streams; a streamed query (no callback) goes as it came.
    const streamed = typeof values !== 'function' && typeof cb !== 'function';
    if (!owing || streamed) return proto.query.call(this, sql, values, cb);
    const options = typeof sql === 'string' ? { sql } : { ...(sql as { sql: string }) };
    const statements = owing();
    if (!statements.length || ROLLBACK.test(options.sql)) return proto.query.call(this, sql, values, cb);
    const owed = joinStatements(statements);
    let callback = cb as QueryCallback | undefined;
    let own = values;
    if (typeof values === 'function') {
      callback = values as QueryCallback;
      own = undefined;
    }
    const bindings = own === undefined ? owed.bindings : owed.bindings.concat(own);
    const commits = COMMIT.test(options.sql);
    return proto.query.call(
      this,
      { ...options, sql: `${owed.sql}; ${options.sql}` },
      bindings,
      (err: Error | null, results?: unknown[], fields?: unknown[]) => {
        if (err && commits) return proto.query.call(this, 'ROLLBACK', [], () => callback?.(err));
        if (err) return callback?.(err);
        for (const [i, s] of statements.entries()) s.answer?.(results?.[i]);
        const rest = (results ?? []).slice(statements.length);
        const restFields = fields?.slice(statements.length);
        callback?.(
          null,
          rest.length === 1 ? rest[0] : rest,
          restFields?.length === 1 ? restFields[0] : restFields,
        );
      },
    );
  };
}

/** Opens the database named by a DATABASE_URL (sqlite:///file or mysql://user:pw@host:port/db). */
export function connect(url: string): Knex {
  if (url.startsWith('sqlite://')) {
    const filename = sqliteFile(url);
    if (filename !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
    return knex({
      client: SqliteClient as unknown as typeof knex.Client,
      connection: { filename },
      useNullAsDefault: true,
      pool: {
        min: 1,
        max: 1,
        afterCreate(
          conn: { pragma(s: string): unknown; prepare(sql: string): unknown },
          done: (err: Error | null, conn: unknown) => void,
        ) {
          // WAL lets readers run beside the writer; NORMAL sync is crash-safe in WAL mode (a power
          // loss may drop the last commits, a process crash loses nothing); busy_timeout makes a
          // second process (CLI, second runtime) wait instead of failing with SQLITE_BUSY.
          conn.pragma('journal_mode = WAL');
          conn.pragma('synchronous = NORMAL');
          conn.pragma('foreign_keys = ON');
          conn.pragma('busy_timeout = 5000');
          // Every unit of a shared commit runs inside a SAVEPOINT (group-commit.ts), and SQLite
          // copies each page a savepoint first changes into a sub-journal. A ticket create changes
          // some forty pages (a row and its indexes in eight tables), past the 64 KiB a sub-journal
          // keeps in memory, so it spilled to a temporary file: a write system call per page.
          // In memory those copies cost a memcpy; inserts of a create took ~35 % less time.
          // (Temporary sort tables of large report queries now stay in memory too.)
          conn.pragma('temp_store = MEMORY');
          // A shared commit of ~20 ticket creates appends ~107 pages to the log, mostly the same
          // right-hand leaves of ~35 tables and indexes that the previous commit appended too. A
          // checkpoint copies each distinct page once and syncs twice, so checkpointing every
          // 4,000 pages (16 MiB of log) instead of SQLite's 1,000 copies fewer duplicates and
          // syncs a quarter as often: COMMIT time per create 65–78 → 58–60 µs in process
          // (test/bench/README.md). Readers look pages up in the log's hash index either way.
          conn.pragma('wal_autocheckpoint = 4000');
          cachePreparedStatements(conn);
          done(null, conn);
        },
      },
    });
  }
  if (url.startsWith('mysql://')) {
    const u = new URL(url);
    // Connections are made when first needed, so after `db` exists.
    const db: Knex = knex({
      client: 'mysql2',
      connection: {
        host: u.hostname,
        port: Number(u.port || 3306),
        user: decodeURIComponent(u.username),
        password: decodeURIComponent(u.password),
        database: u.pathname.replace(/^\//, ''),
        charset: 'utf8mb4',
        timezone: 'Z',
        supportBigNumbers: true,
        bigNumberStrings: false,
        // db/sql.ts sends a create's held inserts as one query. Every value is still bound with
        // `?` and escaped by mysql2, never spliced into SQL text, so this opens no injection.
        multipleStatements: true,
      },
      pool: {
        min: 0,
        max: 10,
        afterCreate(
          conn: { query: (...args: unknown[]) => unknown },
          done: (err: Error | null, conn: unknown) => void,
        ) {
          sendOwedFirst(conn, () => db.client.config as object);
          reportTransactionEnds(conn, () => db);
          done(null, conn);
        },
      },
    });
    return db;
  }
  throw new Error(`Unsupported DATABASE_URL scheme: ${url.split(':')[0]}`);
}

/** True when an insert failed on a unique key: the one portable way to detect "someone else won". */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; errno?: number };
  return (
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    e?.code === 'ER_DUP_ENTRY'
  );
}
