import type { Knex } from 'knex';

// Ratings given by the housekeeping schedule when the requester did not rate in time are kept
// apart from real ones, so satisfaction reports can include or exclude them.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('record_ratings', (t) => {
    t.boolean('auto').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('record_ratings', (t) => {
    t.dropColumn('auto');
  });
}
