import type { Knex } from 'knex';

// One row per SLA metric cycle of a record (and per OLA'd task). `next_check_at` is the next
// instant something must happen (a warning or the breach); it is NULL while paused or stopped,
// and the checker reads only rows whose next_check_at has come, through its index — so a pass
// costs the same with ten thousand or a million running clocks.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sla_clocks', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('record_id').unsigned().notNullable();
    t.bigInteger('task_id').unsigned();
    t.string('sla_key', 64).notNullable();
    t.integer('sla_version').notNullable();
    t.string('metric', 64).notNullable();
    t.integer('cycle').notNullable();
    t.string('goal', 64).notNullable();
    t.string('calendar_key', 64).notNullable();
    t.integer('calendar_version').notNullable();
    t.bigInteger('target_ms').notNullable();
    t.string('state', 16).notNullable(); // running | paused | stopped
    t.bigInteger('started_at').notNullable();
    t.bigInteger('segment_started_at');
    t.bigInteger('elapsed_ms').notNullable().defaultTo(0);
    t.bigInteger('due_at');
    t.bigInteger('next_check_at');
    t.text('warned').notNullable();
    t.boolean('breached').notNullable().defaultTo(false);
    t.bigInteger('breached_at');
    t.bigInteger('stopped_at');
    t.boolean('met');
    t.integer('version').notNullable().defaultTo(1);
    t.unique(['record_id', 'sla_key', 'metric', 'cycle']);
    t.index(['next_check_at']);
    t.index(['record_id']);
    t.index(['state', 'due_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('sla_clocks');
}
