import type { Knex } from 'knex';
import * as m001 from './001_core.ts';
import * as m002 from './002_records_engine.ts';
import * as m003 from './003_notifications.ts';
import * as m003records from './003_records_extras.ts';
import * as m010 from './010_schedules.ts';
import * as m011 from './011_sla.ts';
import * as m020 from './020_ratings.ts';
import * as m021 from './021_auto_rating.ts';
import * as m022 from './022_sla_clock_index.ts';
import * as m023 from './023_record_values_partial.ts';
import * as m024 from './024_id_blocks.ts';
import * as m025 from './025_sla_running_due.ts';
import * as m026 from './026_record_catalog_item.ts';
import * as m027 from './027_login_throttle.ts';
import * as m028 from './028_secrets.ts';
import * as m029 from './029_instance_lock.ts';
import * as m031 from './031_dashboard_shares.ts';
import * as m032 from './032_outbox_attachments.ts';
import * as m033 from './033_report_indexes.ts';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** Append new migrations here; names sort in the order they must run. */
const MIGRATIONS: Record<string, Migration> = {
  '001_core': m001,
  '002_records_engine': m002,
  '003_notifications': m003,
  '003_records_extras': m003records,
  '010_schedules': m010,
  '011_sla': m011,
  '020_ratings': m020,
  '021_auto_rating': m021,
  '022_sla_clock_index': m022,
  '023_record_values_partial': m023,
  '024_id_blocks': m024,
  '025_sla_running_due': m025,
  '026_record_catalog_item': m026,
  '027_login_throttle': m027,
  '028_secrets': m028,
  '029_instance_lock': m029,
  '031_dashboard_shares': m031,
  '032_outbox_attachments': m032,
  '033_report_indexes': m033,
};

/**
 * Migrations are imported modules rather than files knex scans for, so they work the same
 * from source (tsx), from a bundle and in tests.
 */
export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(MIGRATIONS).sort(),
  getMigrationName: (name) => name,
  getMigration: async (name) => {
    const m = MIGRATIONS[name];
    if (!m) throw new Error(`Unknown migration ${name}`);
    return m;
  },
};

export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource })) as [number, string[]];
  return applied;
}

export async function pendingMigrations(db: Knex): Promise<string[]> {
  const [, pending] = (await db.migrate.list({ migrationSource })) as [
    unknown,
    Array<string | { file: string }>,
  ];
  return pending.map((p) => (typeof p === 'string' ? p : p.file));
}
