import type { Knex } from 'knex';
import { dialectOf } from './connect.ts';
import { insertOne } from './sql.ts';

/**
 * Ids known before the insert, on MySQL, for the rows a ticket create and a process step write
 * one after another: the record, its process instance, tokens and tasks.
 *
 * Why: on MySQL each statement is a round trip, and writing a socket cost the runtime more CPU
 * than the server spent on a small insert. Each of these rows needed the id the database
 * generated for the one before (a token names its instance, a task its token), so a create sent
 * them one by one. With the id taken here, the rows are held with the unit's other inserts
 * (held-inserts.ts) and go to the server in its one multi-statement query.
 *
 * How: ids come in blocks of ID_BLOCK. A block is the auto-increment value of a row inserted into
 * `id_blocks` (block n holds ids n·ID_BLOCK … (n + 1)·ID_BLOCK − 1), shared by the four tables. InnoDB
 * never hands an auto-increment value out twice, not even when the inserting transaction rolls
 * back, and keeps its counter across restarts (MariaDB ≥ 10.2.4, MySQL ≥ 8), so the block is this
 * runtime's alone and can be reserved inside the caller's transaction, on its connection: no
 * second pooled connection is waited for while one is held, and no lock is kept. Every insert into
 * the four tables takes its id here, so a block never meets an id the table generated; the
 * migration that made `id_blocks` started it above the ids already in them. Whoever loads rows
 * with ids of their own into these tables must move `id_blocks`' counter above them the same way.
 *
 * On SQLite a statement is a function call, not a round trip: rows are inserted at once and SQLite
 * gives the id.
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

/** An unused id for a row of one of the PREASSIGNED tables (MySQL). */
export async function takeId(db: Knex): Promise<number> {
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

/** Whether rows of `table` get their id from takeId on this database. */
export const preassigns = (db: Knex, table: string): boolean =>
  dialectOf(db) === 'mysql' && PREASSIGNED.has(table);

/**
 * The first of `count` consecutive ids for rows a bulk loader writes into `table` with ids of its
 * own: on MySQL whole blocks, reserved in one multi-row insert (InnoDB gives such an insert
 * consecutive values), so no runtime is ever handed one of them; on SQLite the ids after the
 * table's largest.
 */
export async function reserveIds(db: Knex, table: string, count: number): Promise<number> {
  if (!preassigns(db, table)) {
    const row = await db(table).max({ id: 'id' }).first();
    return Number(row?.id ?? 0) + 1;
  }
  const blocksNeeded = Math.ceil(count / ID_BLOCK);
  // The generated id of a multi-row insert is its first row's.
  const [header] = await db.raw(
    `insert into \`id_blocks\` (\`reserved_at\`) values ${Array(blocksNeeded).fill('(?)').join(', ')}`,
    Array(blocksNeeded).fill(Date.now()),
  );
  return Number((header as { insertId: number }).insertId) * ID_BLOCK;
}
