import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, dialectOf, isUniqueViolation } from '../../runtime/src/db/connect.ts';
import { shareCommits } from '../../runtime/src/db/group-commit.ts';
import { changeHeld, holdInserts, insertNew, insertRows } from '../../runtime/src/db/held-inserts.ts';
import { ID_BLOCK, PREASSIGNED, reserveIds } from '../../runtime/src/db/ids.ts';
import { migrateLatest } from '../../runtime/src/db/migrations/index.ts';
import { createTestDatabase, type TestDatabase, testDatabases } from '../support/databases.ts';

/** Rows written before their id comes back mean what rows inserted at once would. */
describe.each(testDatabases())('ids of engine rows on %s', (dbName) => {
  let scratch: TestDatabase;
  let db: Knex;
  beforeAll(async () => {
    scratch = await createTestDatabase(dbName);
    db = connect(scratch.url);
    await migrateLatest(db);
  });
  afterAll(async () => {
    await db.destroy();
    await scratch.drop();
  });

  const token = (instanceId: number, node: string) => ({
    instance_id: instanceId,
    node_id: node,
    status: 'waiting',
    item: null,
    fork: null,
    created_at: Date.now(),
  });

  it('holds rows whose id it knows, yet any statement in the unit sees them', async () => {
    const ids = await db.transaction((trx) =>
      holdInserts(trx, async () => {
        const a = await insertNew(trx, 'process_tokens', token(1, 'a'));
        const b = await insertNew(trx, 'process_tokens', { ...token(1, 'b'), status: 'active' });
        // A change of a row still held is made in the row: it is written once, as it ends up.
        expect(changeHeld(trx, 'process_tokens', b, { status: 'waiting' })).toBe(true);
        // A knex query of the unit, not one of the hot-path statements, still finds both rows.
        const seen = await trx('process_tokens').whereIn('id', [a, b]).orderBy('id').pluck('node_id');
        expect(seen).toEqual(['a', 'b']);
        // Once written, a row is no longer changed in place.
        expect(changeHeld(trx, 'process_tokens', b, { status: 'done' })).toBe(false);
        return [a, b];
      }),
    );
    expect(ids[1]).toBeGreaterThan(ids[0]!);
    expect(await db('process_tokens').whereIn('id', ids).orderBy('id').pluck('node_id')).toEqual(['a', 'b']);
    expect(await db('process_tokens').whereIn('id', ids).orderBy('id').pluck('status')).toEqual([
      'waiting',
      'waiting',
    ]);
  });

  it('writes nothing of a unit whose held rows fail when they go in, and leaves the connection clean', async () => {
    // One connection, so the transaction after the failure runs where the failed one did: had
    // the failure left it open, that transaction's BEGIN would commit its rows (MySQL).
    const one = connect(scratch.url);
    one.client.pool.max = 1;
    try {
      await one('record_sequences').insert({ type: 'held-clash', next_value: 1 });
      const history = (detail: string) => ({
        record_id: 987_654,
        at: Date.now(),
        actor: 'test',
        kind: 'note',
        field: null,
        from_value: null,
        to_value: null,
        detail,
      });
      // On MySQL the held rows go with the COMMIT (held-inserts.ts): the clash surfaces there.
      await expect(
        one.transaction((trx) =>
          holdInserts(trx, async () => {
            await insertRows(trx, 'record_history', [history('"before the clash"')]);
            await insertRows(trx, 'record_sequences', [{ type: 'held-clash', next_value: 2 }]);
          }),
        ),
      ).rejects.toSatisfy(isUniqueViolation);
      await one.transaction((trx) => insertRows(trx, 'record_history', [history('"next transaction"')]));
      expect(await one('record_history').where({ record_id: 987_654 }).orderBy('id').pluck('detail')).toEqual(
        ['"next transaction"'],
      );
    } finally {
      await one.destroy();
    }
  });

  it("writes an enclosing unit's rows ahead of a nested transaction's unit, and holds again after it", async () => {
    const nodes = (q: Knex) => q('process_tokens').where({ instance_id: 7 }).orderBy('id').pluck('node_id');
    await db.transaction((trx) =>
      holdInserts(trx, async () => {
        await insertNew(trx, 'process_tokens', token(7, 'outer'));
        await trx.transaction((inner) =>
          holdInserts(inner, async () => {
            await insertNew(inner, 'process_tokens', token(7, 'inner'));
            expect(await nodes(inner)).toEqual(['outer', 'inner']);
          }),
        );
        await insertNew(trx, 'process_tokens', token(7, 'outer again'));
        expect(await nodes(trx)).toEqual(['outer', 'inner', 'outer again']);
        await insertNew(trx, 'process_tokens', token(7, 'last'));
      }),
    );
    expect(await nodes(db)).toEqual(['outer', 'inner', 'outer again', 'last']);
  });

  it('gives concurrent units distinct ids, also those sharing one SQLite commit', async () => {
    const shared = connect(scratch.url);
    shareCommits(shared);
    try {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 40 }, (_, i) =>
          shared.transaction((trx) =>
            holdInserts(trx, async () => {
              const first = await insertNew(trx, 'process_tokens', token(6, `c${i}`));
              const second = await insertNew(trx, 'process_tokens', token(6, `c${i}`));
              // Every fifth unit fails after taking its ids: its rows go, the others stay.
              if (i % 5 === 0) throw new Error('rolled back');
              return [first, second];
            }),
          ),
        ),
      );
      const kept = outcomes.flatMap((o) => (o.status === 'fulfilled' ? o.value : []));
      expect(kept).toHaveLength(64);
      expect(new Set(kept).size).toBe(64);
      expect(
        (await db('process_tokens').where({ instance_id: 6 }).pluck('id')).sort((a, b) => a - b),
      ).toEqual([...kept].sort((a, b) => a - b));
    } finally {
      await shared.destroy();
    }
  });

  it('never hands out an id twice, not after a rollback nor to a bulk loader', async () => {
    let lost = 0;
    await expect(
      db.transaction((trx) =>
        holdInserts(trx, async () => {
          lost = await insertNew(trx, 'process_tokens', token(2, 'lost'));
          throw new Error('rolled back');
        }),
      ),
    ).rejects.toThrow('rolled back');
    expect(await db('process_tokens').where({ id: lost }).first()).toBeUndefined();
    const loaded = await reserveIds(db, 'process_tokens', 2 * ID_BLOCK);
    await db('process_tokens').insert([
      { id: loaded, ...token(3, 'bulk') },
      { id: loaded + 2 * ID_BLOCK - 1, ...token(3, 'bulk') },
    ]);
    const after = await db.transaction((trx) => insertNew(trx, 'process_tokens', token(4, 'after')));
    expect(after).not.toBe(lost);
    expect(after < loaded || after >= loaded + 2 * ID_BLOCK).toBe(true);
    if (dialectOf(db) === 'mysql') {
      // The rolled-back id stays taken: the next ids come after it.
      expect(after).toBeGreaterThan(lost);
      // Two runtimes (two connections settings) draw from different blocks.
      const other = connect(scratch.url);
      try {
        const theirs = await other.transaction((trx) => insertNew(trx, 'process_tokens', token(5, 'theirs')));
        expect(Math.floor(theirs / ID_BLOCK)).not.toBe(Math.floor(after / ID_BLOCK));
      } finally {
        await other.destroy();
      }
    }
  });
});

/**
 * The rule db/ids.ts rests on: on MySQL every insert into these tables takes its id from there, so
 * a block never meets an id the table generated. Source code that inserts into them any other way
 * than through `insertNew` fails here.
 */
describe('inserts into tables whose ids come in blocks', () => {
  it('all go through insertNew', () => {
    const root = path.resolve(import.meta.dirname, '../../runtime/src');
    const tables = [...PREASSIGNED].join('|');
    const patterns = [
      // knex: db('tasks').insert(…), trx('records as r')…insert
      new RegExp(`\\(\\s*'(${tables})'\\s*\\)\\s*\\.insert\\(`),
      // hand-written SQL and the db/sql.ts helpers
      new RegExp(`insert\\s+into\\s+\`?(${tables})\`?[\\s(]`, 'i'),
      new RegExp(`(insertOne|insertMany|insertRows|statementsFor)\\([^)]*'(${tables})'`),
    ];
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (file.endsWith('.ts') && !file.includes(`${path.sep}migrations${path.sep}`)) {
          fs.readFileSync(file, 'utf8')
            .split('\n')
            .forEach((line, i) => {
              if (patterns.some((p) => p.test(line)))
                offenders.push(`${path.relative(root, file)}:${i + 1}: ${line.trim()}`);
            });
        }
      }
    };
    walk(root);
    expect(offenders).toEqual([]);
  });
});
