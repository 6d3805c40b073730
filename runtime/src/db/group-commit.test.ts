import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Knex } from 'knex';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect } from './connect.ts';
import { shareCommits } from './group-commit.ts';

describe('SQLite group commit', () => {
  let dir: string;
  let db: Knex;
  let file: string;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsloom-gc-'));
    file = path.join(dir, 'gc.db');
    db = connect(`sqlite://${file}`);
    await db.schema.createTable('t', (t) => {
      t.integer('v').primary();
    });
    shareCommits(db);
  });
  afterEach(async () => {
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** What another connection sees: only committed rows. */
  const committed = () => {
    const other = new Database(file, { readonly: true });
    try {
      return (other.prepare('select v from t order by v').all() as { v: number }[]).map((r) => r.v);
    } finally {
      other.close();
    }
  };

  it('shares one COMMIT among concurrent transactions, and resolves each only once it is durable', async () => {
    const commits: string[] = [];
    db.on('query', (q: { sql: string }) => {
      if (/^commit/i.test(q.sql)) commits.push(q.sql);
    });
    const seen: number[][] = [];
    await Promise.all(
      [1, 2, 3, 4].map((v) =>
        db
          .transaction(async (trx) => {
            await trx('t').insert({ v });
            return v;
          })
          .then((value) => {
            expect(value).toBe(v);
            seen.push(committed());
          }),
      ),
    );
    expect(commits).toHaveLength(1);
    for (const rows of seen) expect(rows).toEqual([1, 2, 3, 4]);
  });

  it('rolls back only the work that failed, and rejects only its caller', async () => {
    const results = await Promise.allSettled([
      db.transaction((trx) => trx('t').insert({ v: 1 })),
      db.transaction(async (trx) => {
        await trx('t').insert({ v: 2 });
        await trx('t').insert({ v: 3 });
        throw new Error('refused half-way');
      }),
      // A constraint violation inside the unit: the statement fails, the unit is rolled back.
      db.transaction(async (trx) => {
        await trx('t').insert({ v: 4 });
        await trx('t').insert({ v: 1 });
      }),
      db.transaction((trx) => trx('t').insert({ v: 5 })),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('refused half-way');
    expect(committed()).toEqual([1, 5]);
  });

  it('leaves transactions with a config, and explicit handles, to knex', async () => {
    const trx = await db.transaction();
    await trx('t').insert({ v: 7 });
    await trx.rollback();
    await db.transaction(async (t) => t('t').insert({ v: 8 }), { doNotRejectOnRollback: true });
    expect(committed()).toEqual([8]);
  });
});
