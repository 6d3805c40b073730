import type { Knex } from 'knex';
import { dialectOf } from '../connect.ts';

// The catalog item a record was requested through (`<catalog>/<item>`), as Jira Service
// Management keeps a request's request type: lists filter by it, SLA and rule conditions test it.
// Most records of a busy desk are raised by staff or by mail without an item: on SQLite the index
// holds only the records that have one, so those creates write no index entry for it. MariaDB has
// no partial indexes.
const INDEX = 'records_catalog_item';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('records', (t) => {
    t.string('catalog_item', 130);
  });
  if (dialectOf(knex) === 'sqlite')
    await knex.raw(
      `CREATE INDEX \`${INDEX}\` ON \`records\` (\`catalog_item\`, \`created_at\`) WHERE \`catalog_item\` IS NOT NULL`,
    );
  else
    await knex.schema.alterTable('records', (t) => {
      t.index(['catalog_item', 'created_at'], INDEX);
    });
}

export async function down(knex: Knex): Promise<void> {
  if (dialectOf(knex) === 'sqlite') await knex.raw(`DROP INDEX \`${INDEX}\``);
  await knex.schema.alterTable('records', (t) => {
    if (dialectOf(knex) !== 'sqlite') t.dropIndex(['catalog_item', 'created_at'], INDEX);
    t.dropColumn('catalog_item');
  });
}
