import type { Knex } from 'knex';

// A counter the transactions that move one process instance's tokens write first (engine.ts
// lockInstance). On one MySQL server `SELECT … FOR UPDATE` was enough to make them wait for each
// other; a Galera node does not honour a lock taken on another node, it only refuses, at COMMIT,
// the second of two transactions that wrote the same row. So the lock is a write: on one server it
// waits like the row lock it takes, on a cluster the later of two conflicting transactions fails
// certification and is run again (db/retry.ts), seeing what the first one did.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('process_instances', (t) => {
    t.integer('lock_seq').notNullable().defaultTo(0);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('process_instances', (t) => {
    t.dropColumn('lock_seq');
  });
}
