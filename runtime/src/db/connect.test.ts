import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, dialectOf } from './connect.ts';

describe('SQLite statements knex builds', () => {
  const db = connect('sqlite://:memory:');
  beforeAll(async () => {
    await db.schema.createTable('t', (t) => {
      t.increments('id');
      t.string('name');
    });
    await db('t').insert([{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
  });
  afterAll(() => db.destroy());

  // A bound LIMIT makes SQLite (STAT4, as better-sqlite3 builds it) prepare the statement again
  // on every run; see SqliteClient in connect.ts.
  it('carry an integer LIMIT and OFFSET in their text, not as bindings', async () => {
    const first = db('t').where({ name: 'b' }).first('id');
    expect(first.toSQL()).toMatchObject({
      sql: 'select `id` from `t` where `name` = ? limit 1',
      bindings: ['b'],
    });
    expect(await first).toEqual({ id: 2 });

    const page = db('t').orderBy('id').limit(2).offset(1).select('name');
    expect(page.toSQL()).toMatchObject({
      sql: 'select `name` from `t` order by `id` asc limit 2 offset 1',
      bindings: [],
    });
    expect(await page).toEqual([{ name: 'b' }, { name: 'c' }]);

    // A transaction's queries too: knex builds their client from the class, not the instance.
    await db.transaction(async (trx) => {
      const inTrx = trx('t').where({ name: 'c' }).first('id');
      expect(inTrx.toSQL()).toMatchObject({
        sql: 'select `id` from `t` where `name` = ? limit 1',
        bindings: ['c'],
      });
      expect(await inTrx).toEqual({ id: 3 });
    });
  });

  it('are told apart from MySQL ones by their driver', async () => {
    expect(dialectOf(db)).toBe('sqlite');
    await db.transaction(async (trx) => expect(dialectOf(trx)).toBe('sqlite'));
    // knex connects lazily: no server is needed to ask which driver it would use.
    const mysql = connect('mysql://nobody@127.0.0.1:1/none');
    try {
      expect(dialectOf(mysql)).toBe('mysql');
    } finally {
      await mysql.destroy();
    }
  });
});
