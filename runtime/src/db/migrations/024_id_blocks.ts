import type { Knex } from 'knex';
import { dialectOf } from '../connect.ts';
import { ID_BLOCK, PREASSIGNED } from '../ids.ts';

// Blocks of ids for rows written before their id comes back from MySQL (db/ids.ts). The first
// block starts above every id already in the tables that take theirs from here. SQLite does not
// use them.
export async function up(knex: Knex): Promise<void> {
  if (dialectOf(knex) !== 'mysql') return;
  await knex.schema.createTable('id_blocks', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('reserved_at').notNullable();
  });
  let top = 0;
  for (const table of PREASSIGNED) {
    const row = await knex(table).max({ id: 'id' }).first();
    top = Math.max(top, Number(row?.id ?? 0));
  }
  await knex.raw(`ALTER TABLE \`id_blocks\` AUTO_INCREMENT = ${Math.floor(top / ID_BLOCK) + 1}`);
}

export async function down(knex: Knex): Promise<void> {
  if (dialectOf(knex) !== 'mysql') return;
  await knex.schema.dropTable('id_blocks');
}
