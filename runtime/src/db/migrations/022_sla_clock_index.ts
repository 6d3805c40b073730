import type { Knex } from 'knex';

// sla_clocks had an index on record_id beside the unique key (record_id, sla_key, metric,
// cycle), which already serves every lookup by record. Each clock a create writes paid for both.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sla_clocks', (t) => {
    t.dropIndex(['record_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sla_clocks', (t) => {
    t.index(['record_id']);
  });
}
