import type { Knex } from 'knex';
import { dialectOf } from '../connect.ts';

// Files an outbox e-mail carries (a scheduled report's XLSX). They are written in the transaction
// that queues the message and named from its payload by `key`, so a message and its files exist
// together and survive a restart; the sender reads them at send time and deletes them once the
// message is delivered. Kept apart from `jobs` so claims and outbox lists never read file bytes.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('outbox_attachments', (t) => {
    t.bigIncrements('id').primary();
    t.string('key', 64).notNullable().unique();
    t.string('filename', 255).notNullable();
    t.string('content_type', 128).notNullable();
    t.integer('size').notNullable();
    // BLOB on SQLite; MySQL's BLOB stops at 64 KB, so LONGBLOB there.
    if (dialectOf(knex) === 'mysql') t.specificType('content', 'longblob').notNullable();
    else t.binary('content').notNullable();
    t.bigInteger('created_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('outbox_attachments');
}
