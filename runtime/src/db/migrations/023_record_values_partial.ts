import type { Knex } from 'knex';
import { dialectOf } from '../connect.ts';

// A row of record_values holds a string or a number, never both, yet each row had an entry in
// both value indexes, one of them under NULL that no filter ever reads. On SQLite the two become
// partial indexes over the rows that hold their kind of value: every indexed field a create or an
// update writes costs one index entry fewer. A filter `str_value = ?` (or a range on num_value)
// implies the value is not null, so SQLite still plans the list queries on them (records/list.ts).
// MariaDB has no partial indexes; there they stay as they are.
const INDEXES = [
  ['record_values_str', 'str_value'],
  ['record_values_num', 'num_value'],
] as const;

export async function up(knex: Knex): Promise<void> {
  if (dialectOf(knex) !== 'sqlite') return;
  for (const [name, column] of INDEXES) {
    await knex.raw(`DROP INDEX \`${name}\``);
    await knex.raw(
      `CREATE INDEX \`${name}\` ON \`record_values\` (\`type\`, \`field\`, \`${column}\`, \`created_at\`, \`record_id\`) WHERE \`${column}\` IS NOT NULL`,
    );
  }
}

export async function down(knex: Knex): Promise<void> {
  if (dialectOf(knex) !== 'sqlite') return;
  for (const [name, column] of INDEXES) {
    await knex.raw(`DROP INDEX \`${name}\``);
    await knex.raw(
      `CREATE INDEX \`${name}\` ON \`record_values\` (\`type\`, \`field\`, \`${column}\`, \`created_at\`, \`record_id\`)`,
    );
  }
}
