import type { Knex } from 'knex';

// Login throttling by back-off instead of a hard lock (auth/throttle.ts). The old table's rows are
// short-lived counters, so it is replaced rather than converted.
//
// - `login_failures`: one row per throttle key (an account as strangers see it, an account from
//   one of its known clients, an address). `failures` counts the attempts admitted since the last
//   quiet period, including the one in progress; `next_allowed_at` is when the next may be
//   checked; `username` lets an admin clear an account's rows.
// - `login_address_accounts`: which accounts an address has tried without success lately, so the
//   address limit counts distinct accounts (password spraying), not one person's typos.
// - `login_known_clients`: addresses and device cookies (stored hashed) that logged a user in.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('login_failures');
  await knex.schema.createTable('login_failures', (t) => {
    t.string('key', 200).primary();
    t.string('username', 64);
    t.integer('failures').notNullable().defaultTo(0);
    t.bigInteger('next_allowed_at').notNullable().defaultTo(0);
    t.bigInteger('last_at').notNullable();
    t.index(['username']);
    t.index(['last_at']);
  });
  await knex.schema.createTable('login_address_accounts', (t) => {
    t.string('address', 64).notNullable();
    t.string('username', 64).notNullable();
    t.bigInteger('at').notNullable();
    t.primary(['address', 'username']);
    t.index(['at']);
  });
  await knex.schema.createTable('login_known_clients', (t) => {
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('kind', 8).notNullable();
    t.string('value', 64).notNullable();
    t.bigInteger('last_login_at').notNullable();
    t.primary(['user_id', 'kind', 'value']);
    t.index(['last_login_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('login_known_clients');
  await knex.schema.dropTableIfExists('login_address_accounts');
  await knex.schema.dropTableIfExists('login_failures');
  await knex.schema.createTable('login_failures', (t) => {
    t.string('key', 200).primary();
    t.integer('failures').notNullable();
    t.bigInteger('window_start').notNullable();
    t.bigInteger('locked_until');
  });
}
