import type { Knex } from 'knex';
import { dialectOf, isUniqueViolation } from './connect.ts';
import { insertOne, selectRows } from './sql.ts';

/**
 * Ids known before the insert for the rows a ticket create and a process step write one after
 * another: the record, its process instance, tokens and tasks.
 *
 * Why: each of these rows needed the id the database generated for the one before (a token
 * names its instance, a task its token), so they were written one by one, and a new record was
 * inserted and then updated to the state its process's first step gave it. With the id taken
 * here, the rows are held with the unit's other inserts (held-inserts.ts): a new record is
 * written once, and on MySQL, where each statement is a round trip that cost the runtime more
 * CPU than the server spent on a small insert, a create's rows go in one multi-statement query.
 *
 * How, on MySQL: ids come in blocks of ID_BLOCK. A block is the auto-increment value of a row inserted into
 * `id_blocks` (block n holds ids n·ID_BLOCK … (n + 1)·ID_BLOCK − 1), shared by the four tables. InnoDB
 * never hands an auto-increment value out twice, not even when the inserting transaction rolls
 * back, and keeps its counter across restarts (MariaDB ≥ 10.2.4, MySQL ≥ 8), so the block is this
 * runtime's alone and can be reserved inside the caller's transaction, on its connection: no
 * second pooled connection is waited for while one is held, and no lock is kept. Every insert into
 * the four tables takes its id here, so a block never meets an id the table generated; the
 * migration that made `id_blocks` started it above the ids already in them. Whoever loads rows
 * with ids of their own into these tables must move `id_blocks`' counter above them the same way.
 *
 * How, on SQLite: inside a transaction, the next id of each table is read once from
 * `sqlite_sequence` (the tables are AUTOINCREMENT, so it is the largest id they ever held) and
 * counted on in memory for the rest of that transaction. SQLite has one writer: once the
 * transaction has written, no other connection can insert until it ends, and a transaction whose
 * snapshot went stale before its first write is refused the write lock (SQLITE_BUSY_SNAPSHOT).
 * A rolled-back id leaves a gap, as AUTOINCREMENT does; a held row with an explicit id moves
 * `sqlite_sequence` on when it is written. Outside a transaction SQLite gives the id at the insert.
 */

export const ID_BLOCK = 1000;

/** The tables whose ids come from here on MySQL. */
export const PREASSIGNED = new Set(['records', 'process_instances', 'process_tokens', 'tasks']);

interface Block {
  next: number;
  end: number;
}

// By the connection settings, which a knex instance and its transactions share.
const blocks = new WeakMap<object, Block>();
const reserving = new WeakMap<object, Promise<Block>>();

async function reserve(db: Knex): Promise<Block> {
  const n = await insertOne(db, 'id_blocks', { reserved_at: Date.now() });
  return { next: n * ID_BLOCK, end: (n + 1) * ID_BLOCK };
}

// Per SQLite transaction (its outermost knex transaction object): the next id of each table.
const sqliteNext = new WeakMap<object, Promise<Map<string, number>>>();

function outermost(trx: Knex): object {
  let t = trx as unknown as { parentTransaction?: unknown };
  while (t.parentTransaction) t = t.parentTransaction as typeof t;
  return t;
}

/** The first of `count` consecutive unused ids of `table` in SQLite transaction `trx`. */
async function nextSqliteIds(trx: Knex, table: string, count = 1): Promise<number> {
  const root = outermost(trx);
  let counters = sqliteNext.get(root);
  if (!counters) {
    // All tables in one read, the first time any of them needs an id: a read later in the unit
    // would make the connection write what the unit holds first (connect.ts). The promise is
    // kept, so callers racing for the first id wait on the one read.
    const tables = [...PREASSIGNED];
    counters = selectRows<{ name: string; seq: number }>(
      trx,
      `select \`name\`, \`seq\` from \`sqlite_sequence\` where \`name\` in (${tables.map(() => '?').join(', ')})`,
      tables,
    ).then((rows) => {
      const next = new Map(tables.map((t) => [t, 1]));
      for (const row of rows) next.set(row.name, Number(row.seq) + 1);
      return next;
    });
    sqliteNext.set(root, counters);
  }
  const next = await counters;
  const first = next.get(table)!;
  next.set(table, first + count);
  return first;
}

/** An unused id for a row of one of the PREASSIGNED tables (see `preassigns`). */
export async function takeId(db: Knex, table: string): Promise<number> {
  if (dialectOf(db) === 'sqlite') return nextSqliteIds(db, table);
  const key = db.client.config as object;
  for (;;) {
    const block = blocks.get(key);
    if (block && block.next < block.end) return block.next++;
    // One reservation at a time; whoever waited on it takes from the new block.
    let pending = reserving.get(key);
    if (!pending) {
      pending = reserve(db)
        .then((b) => {
          blocks.set(key, b);
          return b;
        })
        .finally(() => reserving.delete(key));
      reserving.set(key, pending);
    }
    await pending;
  }
}

/** Whether rows of `table` get their id from takeId here: on MySQL always, on SQLite in a transaction. */
export const preassigns = (db: Knex, table: string): boolean =>
  PREASSIGNED.has(table) && (dialectOf(db) === 'mysql' || db.isTransaction === true);

/**
 * The first of `count` consecutive ids for rows a bulk loader writes into `table` with ids of its
 * own: on MySQL whole blocks, so no runtime is ever handed one of them; on SQLite the ids after the
 * table's largest (in a transaction, after those it has handed out).
 *
 * The blocks must be consecutive block numbers, and a multi-row insert does not give consecutive
 * auto-increment values everywhere: a Galera node steps by the cluster's size
 * (`auto_increment_increment`), and `innodb_autoinc_lock_mode=2` may interleave concurrent
 * inserts. So the first block comes from the auto-increment and the following ones are claimed by
 * their numbers; if another runtime took one of them meanwhile, the unique key says so and the
 * reservation starts again further on.
 */
export async function reserveIds(db: Knex, table: string, count: number): Promise<number> {
  if (!preassigns(db, table)) {
    const row = await db(table).max({ id: 'id' }).first();
    return Number(row?.id ?? 0) + 1;
  }
  if (dialectOf(db) === 'sqlite') return nextSqliteIds(db, table, count);
  const blocksNeeded = Math.ceil(count / ID_BLOCK);
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(async (trx) => {
        const now = Date.now();
        const [header] = await trx.raw('insert into `id_blocks` (`reserved_at`) values (?)', [now]);
        const first = Number((header as { insertId: number }).insertId);
        if (blocksNeeded > 1)
          await trx.raw(
            `insert into \`id_blocks\` (\`id\`, \`reserved_at\`) values ${Array(blocksNeeded - 1)
              .fill('(?, ?)')
              .join(', ')}`,
            Array.from({ length: blocksNeeded - 1 }, (_, i) => [first + 1 + i, now]).flat(),
          );
        return first * ID_BLOCK;
      });
    } catch (err) {
      if (!isUniqueViolation(err) || attempt >= 20) throw err;
    }
  }
}
