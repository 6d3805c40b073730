import type { Knex } from 'knex';

// Notifications ride on the jobs table: one `deliver` job per outgoing message (an email to one
// address, one webhook or IM robot post), one `event` job per change that rules may act on. This
// migration adds what they need besides: admin-editable settings (SMTP) and an index so the
// dead-letter list and the rule runner do not scan every job.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('settings', (t) => {
    t.string('key', 64).primary();
    t.text('value', 'longtext').notNullable();
    t.string('updated_by', 128).notNullable();
    t.bigInteger('updated_at').notNullable();
  });
  await knex.schema.alterTable('jobs', (t) => {
    t.index(['type', 'status', 'id'], 'jobs_type_status');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('jobs', (t) => {
    t.dropIndex(['type', 'status', 'id'], 'jobs_type_status');
  });
  await knex.schema.dropTableIfExists('settings');
}
