import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../runtime/src/db/connect.ts';
import { streamRows } from '../../runtime/src/db/read-stream.ts';
import { createTestDatabase, type TestDatabase, testDatabases } from '../support/databases.ts';

/**
 * A streamed export reads its rows through a cursor that leaves the runtime's connections free:
 * on SQLite (one pooled connection) a download that pauses must not stop every other request.
 */
describe.each(testDatabases())('streamed rows on %s', (dbName) => {
  let tdb: TestDatabase;
  let db: Knex;
  const N = 5000;

  beforeAll(async () => {
    tdb = await createTestDatabase(dbName);
    db = connect(tdb.url);
    await db.schema.createTable('stream_probe', (t) => {
      t.integer('id').primary();
      t.string('label');
    });
    for (let i = 0; i < N; i += 500)
      await db('stream_probe').insert(
        Array.from({ length: 500 }, (_, j) => ({ id: i + j, label: `row ${i + j}` })),
      );
  });
  afterAll(async () => {
    await db?.destroy();
    await tdb?.drop();
  });

  it('yields every row in order, with the bindings of the query', async () => {
    const seen: number[] = [];
    for await (const row of streamRows(
      db,
      db('stream_probe').where('id', '>=', 10).orderBy('id').select('id'),
    ))
      seen.push(Number(row.id));
    expect(seen).toHaveLength(N - 10);
    expect(seen[0]).toBe(10);
    expect(seen.at(-1)).toBe(N - 1);
  });

  it('a paused cursor leaves the pool free, and one given up closes', async () => {
    const rows = streamRows(db, db('stream_probe').orderBy('id').select('id', 'label'));
    const first = await rows.next();
    expect(first.value).toMatchObject({ id: 0, label: 'row 0' });
    // The download waits for its reader: the runtime's other queries and writes go on meanwhile.
    expect(Number((await db('stream_probe').count({ n: '*' }).first())?.n)).toBe(N);
    await db('stream_probe').insert({ id: N, label: 'written beside the cursor' });
    // Given up half way (the reader went away): the cursor and its connection are closed.
    for (let i = 0; i < 100; i++) await rows.next();
    await rows.return(undefined);
    expect(await rows.next()).toEqual({ done: true, value: undefined });
    if (dbName === 'sqlite') {
      // No reader holds the log any more: a full checkpoint completes (busy = 0).
      const [result] = (await db.raw('PRAGMA wal_checkpoint(TRUNCATE)')) as { busy: number }[];
      expect(result?.busy).toBe(0);
    }
  });
});
