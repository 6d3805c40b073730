import type { Knex } from 'knex';

// Read-only links for wall screens (大屏): a share opens one dashboard (and the dashboards of its
// playlist) for whoever holds its token, with the visibility of the admin who issued it. The token
// is stored as a SHA-256, like API tokens; a share is revoked, never deleted, so the audit of who
// issued what stays readable.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('dashboard_shares', (t) => {
    t.increments('id').primary();
    t.string('dashboard_key', 64).notNullable();
    t.string('name', 200).notNullable();
    t.string('token_hash', 64).notNullable().unique();
    t.string('prefix', 16).notNullable();
    t.integer('issued_by').notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('expires_at');
    t.bigInteger('revoked_at');
    t.bigInteger('last_used_at');
    t.index(['dashboard_key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('dashboard_shares');
}
