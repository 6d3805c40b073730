import type { Knex } from 'knex';

// The requester's rating of how a request was handled: once per record, three dimensions of
// one to five stars (attitude, speed, quality) and an optional remark.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('record_ratings', (t) => {
    t.bigInteger('record_id').unsigned().primary();
    t.integer('user_id').unsigned().notNullable();
    t.tinyint('attitude').notNullable();
    t.tinyint('speed').notNullable();
    t.tinyint('quality').notNullable();
    t.text('comment');
    t.bigInteger('created_at').notNullable();
    t.index(['created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('record_ratings');
}
