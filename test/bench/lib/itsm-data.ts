// A service desk's worth of history for the reporting benchmarks: BENCH_INCIDENTS (1,000,000)
// incidents over BENCH_DAYS (730) days ending at the build, with everything the runtime writes
// for them in the proportions people produce — tasks, history, SLA and OLA clocks, comments,
// ratings, the problems that storms raise.
//
// It is the demo history (runtime/src/demo/history.ts) at scale: every incident is worked by a
// story and replayed through the in-memory copy of the engine, and the ReplaySession writes the
// rows in bulk (multi-row inserts per table, one transaction per 20,000 settled records). The
// records benchmark's loader writes records and their indexed values only; reports read tasks,
// SLA clocks and ratings too, and the figures only mean something if those relate to the records
// as the engine relates them.
//
// Built once per size and kept: SQLite in data/bench/itsm-<N>.sqlite, MySQL in the database
// opsloom_bench_itsm_<N> (a copy of the SQLite file's record tables, people and groups matched by name, so both hold
// the same rows);
// BENCH_REBUILD=1 builds them afresh. The bench_meta table says what was loaded and when.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, loadConfig, type Running, startServer } from '@opsloom/runtime';
import knex, { type Knex } from 'knex';
import { ID_BLOCK } from '../../../runtime/src/db/ids.ts';
import { insertMany } from '../../../runtime/src/db/sql.ts';
import { loadDemoHistory } from '../../../runtime/src/demo/history.ts';
import { ensureDemoRequesters } from '../../../runtime/src/demo/people.ts';
import { SHIPPED_PLUGINS } from '../../support/plugins.ts';
import { type BenchDb, mysqlBase, note, round } from './common.ts';

export const INCIDENTS = Number(process.env.BENCH_INCIDENTS || 1_000_000);
export const DAYS = Number(process.env.BENCH_DAYS || 730);
export const ADMIN_PASSWORD = 'bench-admin-password';
/** Demo users' password (the manager chenjing among them). */
export { DEMO_PASSWORD } from '../../support/plugins.ts';

/** Bump when what the loader writes changes, so kept databases are rebuilt. */
const DATA_VERSION = 1;
const SEED = 20_261_207;

/** The tables the history writes, copied from SQLite to MySQL in this order. */
const RECORD_TABLES = [
  'records',
  'record_values',
  'process_instances',
  'process_tokens',
  'tasks',
  'task_approvers',
  'sla_clocks',
  'record_comments',
  'record_links',
  'record_ratings',
  'callback_receipts',
  'jobs',
  'record_history',
  'schedule_runs',
];

export interface ItsmData {
  kind: BenchDb;
  running: Running;
  /** The instant the history ends at (the build's now). */
  builtAt: number;
  rows: Record<string, number>;
  stop(): Promise<void>;
}

interface Meta {
  version: number;
  incidents: number;
  days: number;
  built_at: number;
  rows: string;
}

function config(url: string) {
  return loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: url,
    OPSLOOM_PLUGINS_DIR: SHIPPED_PLUGINS,
    OPSLOOM_ADMIN_PASSWORD: ADMIN_PASSWORD,
    OPSLOOM_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'opsloom-bench-data-')),
    LOG_LEVEL: 'silent',
  });
}

/** A server on the database, demo people in, no job runner or SLA checker (the data stays as loaded). */
const start = (url: string) => startServer(config(url), { demo: true, print: () => {}, jobs: false });

async function readMeta(db: Knex): Promise<Meta | undefined> {
  if (!(await db.schema.hasTable('bench_meta'))) return undefined;
  const meta = (await db('bench_meta').first()) as Meta | undefined;
  if (!meta || Number(meta.version) !== DATA_VERSION) return undefined;
  if (Number(meta.incidents) !== INCIDENTS || Number(meta.days) !== DAYS) return undefined;
  return meta;
}

async function writeMeta(db: Knex, meta: Meta): Promise<void> {
  await db.schema.dropTableIfExists('bench_meta');
  await db.schema.createTable('bench_meta', (t) => {
    t.integer('version');
    t.integer('incidents');
    t.integer('days');
    t.bigInteger('built_at');
    t.text('rows');
  });
  await db('bench_meta').insert(meta);
}

function describe(kind: BenchDb, meta: Meta, how: string): void {
  const rows = JSON.parse(meta.rows) as Record<string, number>;
  const age = (Date.now() - Number(meta.built_at)) / 3_600_000;
  note(
    `[itsm/${kind}] ${how}: ${INCIDENTS.toLocaleString('en')} incidents over ${DAYS} days, built ${round(age, 1)} h ago; rows: ${Object.entries(
      rows,
    )
      .filter(([, n]) => n)
      .map(([t, n]) => `${t} ${n.toLocaleString('en')}`)
      .join(', ')}`,
  );
  if (age > 24)
    note(
      `[itsm/${kind}] WARNING: the history ended ${round(age / 24, 1)} days ago: "today" and "last 30 days" hold fewer records than at the build (BENCH_REBUILD=1)`,
    );
}

const sqliteFile = () => path.resolve('data/bench', `itsm-${INCIDENTS}-${DAYS}d.sqlite`);

function removeSqlite(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
}

/** The SQLite database, built if it is not there (or BENCH_REBUILD=1). */
async function openSqlite(rebuild: boolean): Promise<{ running: Running; meta: Meta }> {
  const file = sqliteFile();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (rebuild) removeSqlite(file);
  let running = await start(`sqlite://${file}`);
  const meta = await readMeta(running.services.db);
  if (meta) {
    describe('sqlite', meta, `reusing ${path.relative(process.cwd(), file)}`);
    return { running, meta };
  }
  if (await running.services.db('records').first('id')) {
    await running.stop();
    removeSqlite(file);
    running = await start(`sqlite://${file}`);
  }
  const db = running.services.db;
  note(
    `[itsm/sqlite] building ${INCIDENTS.toLocaleString('en')} incidents over ${DAYS} days (the demo history's stories, replayed and bulk-written)…`,
  );
  await db.raw('PRAGMA cache_size = -262144');
  const builtAt = Date.now();
  const summary = await loadDemoHistory(running.services, ADMIN_PASSWORD, {
    tickets: INCIDENTS,
    days: DAYS,
    now: builtAt,
    seed: SEED,
    types: ['incident'],
    batchRecords: 20_000,
    progress: (line) => note(`[itsm/sqlite] ${line.trim()} (${round((Date.now() - builtAt) / 1000)} s)`),
  });
  if (!summary) throw new Error('the demo history did not load (the database was not empty?)');
  await db.raw('ANALYZE');
  const built: Meta = {
    version: DATA_VERSION,
    incidents: INCIDENTS,
    days: DAYS,
    built_at: builtAt,
    rows: JSON.stringify(summary.rows),
  };
  await writeMeta(db, built);
  note(
    `[itsm/sqlite] built in ${round(summary.ms / 1000)} s (replay ${round(summary.phases.replay / 1000)} s, writes ${round(summary.phases.write / 1000)} s); ${summary.open.toLocaleString('en')} open; ${summary.refused.length} steps refused`,
  );
  describe('sqlite', built, 'built');
  return { running, meta: built };
}

const mysqlName = () => `opsloom_bench_itsm_${INCIDENTS}_${DAYS}d`;

function mysqlUrl(name: string): string {
  const url = new URL(mysqlBase());
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Ids of people and groups on MySQL by their SQLite ids, matched by username and key: the demo
 * requesters are created a few at a time, so their ids need not come out in the same order.
 */
async function idMaps(from: Knex, to: Knex): Promise<Record<'users' | 'groups', Map<number, number>>> {
  const out = { users: new Map<number, number>(), groups: new Map<number, number>() };
  for (const [table, key] of [
    ['users', 'username'],
    ['groups', 'key'],
  ] as const) {
    const there = new Map(
      ((await to(table).select('id', key)) as Record<string, unknown>[]).map((r) => [
        String(r[key]),
        Number(r.id),
      ]),
    );
    for (const r of (await from(table).select('id', key)) as Record<string, unknown>[]) {
      const id = there.get(String(r[key]));
      if (id === undefined)
        throw new Error(`cannot copy the SQLite build to MySQL: no ${table} ${r[key]} there`);
      out[table].set(Number(r.id), id);
    }
  }
  return out;
}

/** The columns of the copied tables that hold a person's or a group's id. */
const ID_COLUMNS: Record<string, Record<string, 'users' | 'groups'>> = {
  records: { requester_id: 'users', assignee_id: 'users', group_id: 'groups' },
  tasks: { assignee_id: 'users', group_id: 'groups' },
  task_approvers: { user_id: 'users' },
  record_ratings: { user_id: 'users' },
};

/** Copies the record tables of the SQLite build into a fresh MySQL database, two tables at a time. */
async function copyToMysql(source: Knex, target: Knex): Promise<void> {
  const started = performance.now();
  const maps = await idMaps(source, target);
  const CHUNK = 4000;
  const copyTable = async (table: string) => {
    const t = performance.now();
    let last = 0;
    let n = 0;
    for (;;) {
      const rows = (await source.raw(
        `SELECT rowid AS __rowid, * FROM \`${table}\` WHERE rowid > ? ORDER BY rowid LIMIT ${CHUNK}`,
        [last],
      )) as Record<string, unknown>[];
      if (!rows.length) break;
      last = Number(rows[rows.length - 1]!.__rowid);
      const remap = Object.entries(ID_COLUMNS[table] ?? {});
      for (const r of rows) {
        delete r.__rowid;
        for (const [column, of] of remap)
          if (r[column] !== null && r[column] !== undefined)
            r[column] = maps[of].get(Number(r[column])) ?? r[column];
      }
      await target.transaction(async (trx) => {
        await trx.raw('SET SESSION unique_checks = 0');
        await insertMany(trx, table, rows);
      });
      const before = n;
      n += rows.length;
      if (Math.floor(before / 1_000_000) !== Math.floor(n / 1_000_000))
        note(
          `[itsm/mysql]   … ${table}: ${n.toLocaleString('en')} (${round((performance.now() - started) / 1000)} s)`,
        );
    }
    note(
      `[itsm/mysql]   ${table}: ${n.toLocaleString('en')} rows in ${round((performance.now() - t) / 1000, 1)} s`,
    );
  };
  const queue = [...RECORD_TABLES];
  await Promise.all(
    [0, 1].map(async () => {
      for (let t = queue.shift(); t; t = queue.shift()) await copyTable(t);
    }),
  );
  for (const s of (await source('record_sequences').select('type', 'next_value')) as {
    type: string;
    next_value: number;
  }[]) {
    const n = await target('record_sequences').where({ type: s.type }).update({ next_value: s.next_value });
    if (!n) await target('record_sequences').insert(s);
  }
  // Ids the runtime hands out on MySQL come from id_blocks: move its counter past the copied ids.
  let top = 0;
  for (const table of ['records', 'process_instances', 'process_tokens', 'tasks']) {
    const row = await target(table).max({ id: 'id' }).first();
    top = Math.max(top, Number(row?.id ?? 0));
  }
  await target.raw(`ALTER TABLE id_blocks AUTO_INCREMENT = ${Math.ceil(top / ID_BLOCK) + 2}`);
  await target.raw(`ANALYZE TABLE ${RECORD_TABLES.join(', ')}`);
}

async function openMysql(rebuild: boolean): Promise<{ running: Running; meta: Meta }> {
  const name = mysqlName();
  const admin = knex({ client: 'mysql2', connection: mysqlBase() });
  try {
    if (rebuild) await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.raw(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  } finally {
    await admin.destroy();
  }
  let running = await start(mysqlUrl(name));
  const meta = await readMeta(running.services.db);
  if (meta) {
    describe('mysql', meta, `reusing database ${name}`);
    return { running, meta };
  }
  if (await running.services.db('records').first('id')) {
    await running.stop();
    const again = knex({ client: 'mysql2', connection: mysqlBase() });
    await again.raw(`DROP DATABASE IF EXISTS \`${name}\``);
    await again.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    await again.destroy();
    running = await start(mysqlUrl(name));
  }
  // The SQLite build is the source: build it first if needed (its server stopped, only its file read).
  const sqlite = await openSqlite(false);
  const built = sqlite.meta;
  await sqlite.running.stop();
  const source = connect(`sqlite://${sqliteFile()}`);
  try {
    await ensureDemoRequesters(running.services, ADMIN_PASSWORD);
    note(`[itsm/mysql] copying the SQLite build into ${name}…`);
    const t = performance.now();
    await copyToMysql(source, running.services.db);
    note(`[itsm/mysql] copied in ${round((performance.now() - t) / 1000)} s`);
  } finally {
    await source.destroy();
  }
  await writeMeta(running.services.db, built);
  describe('mysql', built, `built database ${name}`);
  return { running, meta: built };
}

/** The kept database of this size for `kind`, built first when missing. */
export async function openItsmData(kind: BenchDb): Promise<ItsmData> {
  const rebuild = process.env.BENCH_REBUILD === '1';
  const { running, meta } = kind === 'sqlite' ? await openSqlite(rebuild) : await openMysql(rebuild);
  return {
    kind,
    running,
    builtAt: Number(meta.built_at),
    rows: JSON.parse(meta.rows) as Record<string, number>,
    stop: () => running.stop(),
  };
}
