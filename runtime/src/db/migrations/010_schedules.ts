import type { Knex } from 'knex';

// A schedule's next run is stored, so a run that fell due while no runtime was up is seen at
// the next start; each occurrence is claimed by inserting its (schedule, instant) row, so with
// several runtimes exactly one runs it.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('schedule_state', (t) => {
    t.string('key', 64).primary();
    t.integer('version').notNullable();
    t.bigInteger('next_run_at');
    t.bigInteger('updated_at').notNullable();
  });
  await knex.schema.createTable('schedule_runs', (t) => {
    t.bigIncrements('id').primary();
    t.string('key', 64).notNullable();
    t.bigInteger('scheduled_for').notNullable();
    t.bigInteger('started_at').notNullable();
    t.string('status', 16).notNullable(); // done | skipped | failed
    t.string('reason', 16).notNullable(); // scheduled | catch-up
    t.text('detail', 'longtext');
    t.unique(['key', 'scheduled_for']);
    t.index(['key', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('schedule_runs');
  await knex.schema.dropTableIfExists('schedule_state');
}
