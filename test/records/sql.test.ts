import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../runtime/src/db/connect.ts';
import { shareCommits } from '../../runtime/src/db/group-commit.ts';
import { holdInserts, holdUpdate, insertNew, insertRows } from '../../runtime/src/db/held-inserts.ts';
import {
  execute,
  insertMany,
  insertOne,
  selectRows,
  statementsFor,
  writeAll,
} from '../../runtime/src/db/sql.ts';
import { createTestDatabase, type TestDatabase, testDatabases } from '../support/databases.ts';

/** The hand-written hot-path statements (runtime/src/db/sql.ts) mean the same on both databases. */
describe.each(testDatabases())('hot-path statements on %s', (dbName) => {
  let scratch: TestDatabase;
  let db: Knex;
  beforeAll(async () => {
    scratch = await createTestDatabase(dbName);
    db = connect(scratch.url);
    for (const name of ['a', 'b']) {
      await db.schema.createTable(name, (t) => {
        t.bigIncrements('id').primary();
        t.string('label', 64).notNullable();
        t.integer('n').notNullable().defaultTo(7);
        t.boolean('flag');
        t.text('note');
      });
    }
    shareCommits(db);
  });
  afterAll(async () => {
    await db?.destroy();
    await scratch?.drop();
  });

  it('inserts rows in order, leaving columns a row does not name to their defaults', async () => {
    const first = await insertOne(db, 'a', { label: 'one', flag: true });
    await insertMany(db, 'a', [
      { label: 'two', n: 2 },
      { label: 'three', n: 3 },
      { label: 'four' },
      { label: 'five', n: 5, note: undefined },
    ]);
    const rows = await selectRows<{ id: number; label: string; n: number; flag: unknown; note: unknown }>(
      db,
      'select `id`, `label`, `n`, `flag`, `note` from `a` where `id` >= ? order by `id`',
      [first],
    );
    expect(rows.map((r) => [r.label, r.n, r.note])).toEqual([
      ['one', 7, null],
      ['two', 2, null],
      ['three', 3, null],
      ['four', 7, null],
      ['five', 5, null],
    ]);
    expect(Number(rows[0]!.flag)).toBe(1);
    // In the order given. Not necessarily consecutive: a Galera node steps by the cluster's size.
    const ids = rows.map((r) => Number(r.id));
    expect(ids[0]).toBe(first);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('runs inside the caller transaction: a rollback takes everything back', async () => {
    const before = await selectRows<{ n: number }>(db, 'select count(*) as `n` from `b`', []);
    await expect(
      db.transaction(async (trx) => {
        await writeAll(
          trx,
          statementsFor([
            ['b', [{ label: 'x' }, { label: 'y' }]],
            ['a', [{ label: 'z' }]],
          ]),
        );
        expect((await selectRows(trx, 'select `id` from `b`', [])).length).toBe(Number(before[0]!.n) + 2);
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect(await selectRows(db, 'select `id` from `b`', [])).toHaveLength(Number(before[0]!.n));
    expect(await selectRows(db, "select `id` from `a` where `label` = 'z'", [])).toHaveLength(0);
  });

  it('writes several tables at once and reports changed rows of an update', async () => {
    await db.transaction((trx) =>
      writeAll(
        trx,
        statementsFor([
          ['b', [{ label: 'p' }, { label: 'q', n: 1 }]],
          ['a', [{ label: 'r' }]],
        ]),
      ),
    );
    const b = await selectRows<{ label: string; n: number }>(
      db,
      'select `label`, `n` from `b` order by `id`',
      [],
    );
    expect(b.map((r) => [r.label, r.n])).toEqual([
      ['p', 7],
      ['q', 1],
    ]);
    expect(await execute(db, 'update `b` set `n` = `n` + 1 where `label` in (?, ?)', ['p', 'q'])).toBe(2);
    expect(await execute(db, 'update `b` set `n` = 0 where `label` = ?', ['nobody'])).toBe(0);
  });

  it("holds a unit's rows and its updates of rows it inserted, and writes them in order at its end", async () => {
    const older = await insertOne(db, 'a', { label: 'older', n: 1 });
    const labelOf = async (trx: Knex, id: number) =>
      (
        await selectRows<{ label: string; n: number }>(trx, 'select `label`, `n` from `a` where `id` = ?', [
          id,
        ])
      )[0];
    const update = 'update `a` set `label` = ?, `n` = `n` + 1 where `id` = ?';
    await db.transaction((trx) =>
      holdInserts(trx, async () => {
        const id = await insertNew(trx, 'a', { label: 'new', n: 0 });
        // Updates of the unit's own row wait, in order; an older row's update is the caller's to run.
        expect(holdUpdate(trx, 'a', id, update, ['first', id])).toBe(true);
        expect(holdUpdate(trx, 'a', id, update, ['second', id])).toBe(true);
        expect(holdUpdate(trx, 'a', older, update, ['never', older])).toBe(false);
        await insertRows(trx, 'b', [{ label: 'held' }]);
        // The unit's connection writes them in front of its next statement, whoever sends it: a
        // reader sees them.
        expect(await labelOf(trx, id)).toEqual({ label: 'second', n: 2 });
        expect(await selectRows(trx, "select `id` from `b` where `label` = 'held'", [])).toHaveLength(1);
        expect(holdUpdate(trx, 'a', id, update, ['third', id])).toBe(true);
        return id;
      }).then(async (id) => {
        expect(await labelOf(trx, id)).toEqual({ label: 'third', n: 3 });
        expect(await selectRows(trx, "select `id` from `b` where `label` = 'held'", [])).toHaveLength(1);
      }),
    );
    // Outside a unit nothing is held.
    expect(holdUpdate(db, 'a', older, update, ['never', older])).toBe(false);
    expect(await labelOf(db, older)).toEqual({ label: 'older', n: 1 });
  });

  it('takes values as bindings, never as SQL text', async () => {
    const hostile = "x'); drop table `a`; --";
    const id = await insertOne(db, 'b', { label: hostile });
    const [row] = await selectRows<{ label: string }>(db, 'select `label` from `b` where `id` = ?', [id]);
    expect(row!.label).toBe(hostile);
    expect((await selectRows(db, 'select `id` from `a`', [])).length).toBeGreaterThan(0);
  });
});
