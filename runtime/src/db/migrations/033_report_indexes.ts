import type { Knex } from 'knex';
import { dialectOf } from '../connect.ts';

// Indexes for the service-desk dashboard's reports (test/bench/dashboard.bench.ts: at 1,000,000
// incidents every widget read whole tables). Each serves the filters a dashboard widget always
// has and carries the columns its figure reads, so the report reads the index and not the rows.
// - Open records (backlog by priority, by group, by age, "open now"): on SQLite a partial index
//   over exactly the open records (they are few; a record leaves it when it closes); MariaDB has
//   no partial indexes, so there the index leads with closed_at (IS NULL is a range of it).
// - Resolved in a period (resolved today, created vs resolved, MTTR and its P90 and business
//   time): by resolved_at, with priority and created_at; on SQLite partial, as open records are
//   never in it and a create does not touch it.
// - SLA clocks started in a period (SLA compliance, first response): by started_at, with what
//   the reports filter and count on, and the record they join.
// The type, group and catalog item ride along for the dashboard's filters.
const RECORDS_OPEN = 'records_open_report';
const RECORDS_RESOLVED = 'records_resolved_report';
const CLOCKS_STARTED = 'sla_clocks_started_report';

const OPEN_COLUMNS = '`priority`, `group_id`, `created_at`, `type`, `catalog_item`';
const RESOLVED_COLUMNS = '`resolved_at`, `priority`, `created_at`, `type`, `group_id`, `catalog_item`';
const CLOCK_COLUMNS =
  '`started_at`, `metric`, `state`, `task_id`, `breached`, `met`, `stopped_at`, `elapsed_ms`, `record_id`';

export async function up(knex: Knex): Promise<void> {
  if (dialectOf(knex) === 'sqlite') {
    await knex.raw(
      `CREATE INDEX \`${RECORDS_OPEN}\` ON \`records\` (${OPEN_COLUMNS}) WHERE \`closed_at\` IS NULL`,
    );
    await knex.raw(
      `CREATE INDEX \`${RECORDS_RESOLVED}\` ON \`records\` (${RESOLVED_COLUMNS}) WHERE \`resolved_at\` IS NOT NULL`,
    );
  } else {
    await knex.raw(`CREATE INDEX \`${RECORDS_OPEN}\` ON \`records\` (\`closed_at\`, ${OPEN_COLUMNS})`);
    await knex.raw(`CREATE INDEX \`${RECORDS_RESOLVED}\` ON \`records\` (${RESOLVED_COLUMNS})`);
  }
  await knex.raw(`CREATE INDEX \`${CLOCKS_STARTED}\` ON \`sla_clocks\` (${CLOCK_COLUMNS})`);
  // A SQLite database that was analysed has statistics for every other index; without some for
  // these its planner judged them worse than reading the table (the open count scanned records).
  if (dialectOf(knex) === 'sqlite') {
    const analysed = await knex.raw("SELECT 1 FROM `sqlite_master` WHERE `name` = 'sqlite_stat1'");
    if ((analysed as unknown[]).length)
      for (const index of [RECORDS_OPEN, RECORDS_RESOLVED, CLOCKS_STARTED])
        await knex.raw(`ANALYZE \`${index}\``);
  }
}

export async function down(knex: Knex): Promise<void> {
  const on = dialectOf(knex) === 'sqlite' ? '' : ' ON `records`';
  await knex.raw(`DROP INDEX \`${RECORDS_OPEN}\`${on}`);
  await knex.raw(`DROP INDEX \`${RECORDS_RESOLVED}\`${on}`);
  await knex.raw(`DROP INDEX \`${CLOCKS_STARTED}\`${dialectOf(knex) === 'sqlite' ? '' : ' ON `sla_clocks`'}`);
}
