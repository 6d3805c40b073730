import type { Knex } from 'knex';
import { dialectOf } from '../connect.ts';

// `sla_clocks (state, due_at)` served one query, the list's sort by SLA due (records/list.ts):
// the earliest due instant of each record's running SLA metrics. Every new clock went into the
// middle of that index (each metric's due instant lies among those of earlier records), so a
// batch of ticket creates split and rewrote some eight of its pages per commit. On SQLite it
// becomes a partial index over exactly the rows the sort reads, by record: new records append at
// its end, OLA clocks are not in it, and the sort reads it in record order without a table lookup
// or a temporary sort. MariaDB has no partial indexes; there it stays as it is.
const OLD = 'sla_clocks_state_due_at_index';
const NEW = 'sla_clocks_running_due';

export async function up(knex: Knex): Promise<void> {
  if (dialectOf(knex) !== 'sqlite') return;
  await knex.raw(`DROP INDEX \`${OLD}\``);
  await knex.raw(
    `CREATE INDEX \`${NEW}\` ON \`sla_clocks\` (\`record_id\`, \`due_at\`) WHERE \`state\` = 'running' AND \`task_id\` IS NULL`,
  );
}

export async function down(knex: Knex): Promise<void> {
  if (dialectOf(knex) !== 'sqlite') return;
  await knex.raw(`DROP INDEX \`${NEW}\``);
  await knex.raw(`CREATE INDEX \`${OLD}\` ON \`sla_clocks\` (\`state\`, \`due_at\`)`);
}
