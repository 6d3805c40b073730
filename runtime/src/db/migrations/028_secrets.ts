import type { Knex } from 'knex';

// Secrets that definitions refer to by name (`{{ secrets.CICD_TOKEN }}`): each value encrypted
// with AES-256-GCM under the runtime's secret key (runtime/src/secrets). `key_id` names the key
// that encrypted it, so a runtime with another key says so instead of failing to decrypt. The
// value is never stored in clear and never read back through the API.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('secrets', (t) => {
    t.increments('id').primary();
    t.string('name', 64).notNullable().unique();
    t.string('description', 500);
    t.text('ciphertext').notNullable();
    t.string('iv', 32).notNullable();
    t.string('tag', 32).notNullable();
    t.string('key_id', 32).notNullable();
    t.bigInteger('created_at').notNullable();
    t.string('created_by', 128).notNullable();
    t.bigInteger('updated_at').notNullable();
    t.string('updated_by', 128).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('secrets');
}
