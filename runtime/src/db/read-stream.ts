import Database from 'better-sqlite3';
import type { Knex } from 'knex';
import { dialectOf, sqliteValue } from './connect.ts';

/**
 * The rows of a query one at a time, for a report export of a million rows.
 *
 * MySQL: mysql2's own cursor (`query.stream()`), which reads rows as the consumer takes them.
 * SQLite: knex's better-sqlite3 client has no cursor — its `stream()` reads the whole result into
 * memory first — and the runtime's one pooled connection would be held for the whole download,
 * so every other request would wait behind the export. The query runs instead on a read-only
 * connection of its own (`iterate()`: a real cursor; WAL lets it read beside the writer, at the
 * snapshot it started from), closed when the rows end or the consumer stops early.
 */
export async function* streamRows(
  db: Knex,
  query: Knex.QueryBuilder,
): AsyncGenerator<Record<string, unknown>> {
  if (dialectOf(db) === 'mysql') {
    yield* query.stream() as AsyncIterable<Record<string, unknown>>;
    return;
  }
  const filename = (db.client.config.connection as { filename: string }).filename;
  if (filename === ':memory:') {
    // A database in memory exists on its one connection only: nothing to open beside it.
    yield* (await query) as Record<string, unknown>[];
    return;
  }
  const native = query.toSQL().toNative();
  const conn = new Database(filename, { readonly: true, fileMustExist: true });
  try {
    conn.pragma('busy_timeout = 5000');
    const rows = conn.prepare(native.sql).iterate(...native.bindings.map(sqliteValue)) as Iterable<
      Record<string, unknown>
    >;
    for (const row of rows) yield row;
  } finally {
    conn.close();
  }
}
