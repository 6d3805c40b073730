// Reading at scale: with 1,000,000 records of one type, the first page of a list filtered on an
// indexed form field and sorted by creation time (target < 50 ms), and opening a record that has
// 200 history entries — GET /records/:id plus GET /records/:id/history (target < 20 ms).
// Prints list_indexed_1m_ms and record_open_ms per database (medians over repeated requests
// through the real HTTP routes; the list is also timed through listRecords() directly).
//
// The rows are bulk-loaded with knex in large multi-row INSERTs inside transactions, with exactly
// the columns runtime/src/records/store.ts writes (records, the form's indexed fields in
// record_values, record_history). The SQLite file is kept in data/bench/ and reused by later runs
// (BENCH_REBUILD=1 builds it afresh); the MySQL database is created and dropped by each run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Running, startServer } from '@opsloom/runtime';
import type { Knex } from 'knex';
import { reserveIds } from '../../runtime/src/db/ids.ts';
import { listRecords } from '../../runtime/src/records/list.ts';
import { ApiClient } from '../support/client.ts';
import { SHIPPED_PLUGINS } from '../support/plugins.ts';
import { type BenchDb, benchDatabases, emit, machine, note, round, scratchDatabase } from './lib/common.ts';

const RECORDS = Number(process.env.BENCH_RECORDS || 1_000_000);
const HISTORY = 200;
const REPEAT = Number(process.env.BENCH_REPEAT || 50);
/** Bump when what the loader writes changes, so a kept SQLite file is rebuilt. */
const DATA_VERSION = 1;
const ADMIN_PASSWORD = 'bench-admin-password';

const CATEGORIES = ['hardware', 'software', 'network', 'account', 'security', 'other'];
const STATUSES = ['triage', 'in-progress', 'pending-customer', 'resolved', 'closed', 'cancelled'];
const MATRIX: Record<number, Record<number, string>> = {
  1: { 1: 'P1', 2: 'P2', 3: 'P3' },
  2: { 1: 'P2', 2: 'P3', 3: 'P4' },
  3: { 1: 'P3', 2: 'P4', 3: 'P4' },
};
const RECORD_COLUMNS = [
  'id',
  'type',
  'form_version',
  'number',
  'title',
  'description',
  'status',
  'priority',
  'requester_id',
  'assignee_id',
  'group_id',
  'data',
  'version',
  'created_at',
  'updated_at',
  'resolved_at',
  'closed_at',
];
const VALUE_COLUMNS = ['record_id', 'type', 'field', 'str_value', 'num_value', 'created_at'];
const HISTORY_COLUMNS = ['record_id', 'at', 'actor', 'kind', 'field', 'from_value', 'to_value', 'detail'];
const BATCH = 1000;

/** One multi-row INSERT … VALUES (…),(…) statement: the same text on SQLite and MySQL. */
function insertSql(table: string, columns: string[], rows: number): string {
  const row = `(${columns.map(() => '?').join(',')})`;
  return `INSERT INTO \`${table}\` (${columns.map((c) => `\`${c}\``).join(',')}) VALUES ${Array(rows).fill(row).join(',')}`;
}

/** A deterministic pseudo-random sequence, so every build holds the same data. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Fixture {
  formVersion: number;
  requesters: { id: number; username: string }[];
  agents: number[];
  groups: number[];
}

async function fixture(db: Knex): Promise<Fixture> {
  const form = await db('definitions').where({ kind: 'form', key: 'incident' }).first('latest_version');
  if (!form) throw new Error('the incident form is not installed');
  const users = await db('users').select('id', 'username', 'roles');
  return {
    formVersion: Number(form.latest_version),
    requesters: users
      .filter((u) => String(u.roles).includes('"user"'))
      .map((u) => ({ id: u.id, username: u.username })),
    agents: users.filter((u) => String(u.roles).includes('"agent"')).map((u) => Number(u.id)),
    groups: (await db('groups').select('id')).map((g) => Number(g.id)),
  };
}

/**
 * Loads RECORDS incident records (records + record_values) after whatever is there, in units of
 * 20 transactions' worth; on MySQL two units run at once on two connections.
 */
async function loadRecords(
  db: Knex,
  fx: Fixture,
  kind: BenchDb,
): Promise<{ firstId: number; lastId: number }> {
  // Ids of our own, out of the way of those the runtime hands out (runtime/src/db/ids.ts).
  const start = await reserveIds(db, 'records', RECORDS);
  const seq = Number(
    (await db('record_sequences').where({ type: 'incident' }).first('next_value'))?.next_value ?? 0,
  );
  // Creation times: one record every ~30 s, ending now, increasing with the id as in real life.
  const now = Date.now();
  const step = 30_000;
  const t0 = now - RECORDS * step;
  const valueSqls = new Map<number, string>();
  const sqlFor = (table: string, columns: string[], rows: number) => {
    const key = rows * 1000 + columns.length;
    let sql = valueSqls.get(key);
    if (!sql) {
      sql = insertSql(table, columns, rows);
      valueSqls.set(key, sql);
    }
    return sql;
  };
  const started = performance.now();
  const UNIT = 20 * BATCH;
  const units = Math.ceil(RECORDS / UNIT);
  let next = 0;
  let loaded = 0;
  const loadUnit = async (unit: number) => {
    const rand = prng(42 + unit);
    const from = unit * UNIT;
    const to = Math.min(RECORDS, from + UNIT);
    await db.transaction(async (trx) => {
      if (kind === 'mysql') await trx.raw('SET SESSION unique_checks = 0');
      for (let b = from; b < to; b += BATCH) {
        const n = Math.min(BATCH, to - b);
        const recordRows: Knex.Value[] = [];
        const valueRows: Knex.Value[] = [];
        for (let k = b; k < b + n; k++) {
          const id = start + k;
          const category = CATEGORIES[Math.floor(rand() * CATEGORIES.length)]!;
          const impact = 1 + Math.floor(rand() * 3);
          const urgency = 1 + Math.floor(rand() * 3);
          const priority = MATRIX[impact]![urgency]!;
          const status = STATUSES[Math.floor(rand() * STATUSES.length)]!;
          const requester = fx.requesters[k % fx.requesters.length]!;
          const working = status !== 'triage';
          const createdAt = t0 + k * step + Math.floor(rand() * step);
          const resolvedAt = status === 'resolved' || status === 'closed' ? createdAt + 3_600_000 : null;
          const closedAt = status === 'closed' || status === 'cancelled' ? createdAt + 7_200_000 : null;
          const title = `${category} 故障 #${k}：用户无法访问服务`;
          const description = `批量生成的测试数据 ${k}`;
          const data = { title, description, category, impact, urgency, priority };
          recordRows.push(
            id,
            'incident',
            fx.formVersion,
            `INC-${String(seq + k + 1).padStart(6, '0')}`,
            title,
            description,
            status,
            priority,
            requester.id,
            working ? fx.agents[k % fx.agents.length]! : null,
            fx.groups[k % fx.groups.length]!,
            JSON.stringify(data),
            1,
            createdAt,
            closedAt ?? resolvedAt ?? createdAt,
            resolvedAt,
            closedAt,
          );
          // What indexRows() writes for the form's indexed fields: category, priority, impact, urgency.
          valueRows.push(id, 'incident', 'category', category, null, createdAt);
          valueRows.push(id, 'incident', 'priority', priority, null, createdAt);
          valueRows.push(id, 'incident', 'impact', null, impact, createdAt);
          valueRows.push(id, 'incident', 'urgency', null, urgency, createdAt);
        }
        await trx.raw(sqlFor('records', RECORD_COLUMNS, n), recordRows);
        // record_values in chunks that stay under SQLite's 32,766 bound parameters.
        const values = n * 4;
        const chunk = 5000;
        for (let v = 0; v < values; v += chunk) {
          const m = Math.min(chunk, values - v);
          await trx.raw(sqlFor('record_values', VALUE_COLUMNS, m), valueRows.slice(v * 6, (v + m) * 6));
        }
      }
    });
    const before = loaded;
    loaded += to - from;
    if (Math.floor(before / 100_000) !== Math.floor(loaded / 100_000) || loaded === RECORDS)
      note(
        `  … ${loaded.toLocaleString('en')} records (${round((performance.now() - started) / 1000, 1)} s)`,
      );
  };
  const workers = kind === 'mysql' ? 2 : 1;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < units) await loadUnit(next++);
    }),
  );
  // Later creates continue the numbering.
  const top = seq + RECORDS;
  const updated = await db('record_sequences').where({ type: 'incident' }).update({ next_value: top });
  if (!updated) await db('record_sequences').insert({ type: 'incident', next_value: top });
  return { firstId: start, lastId: start + RECORDS - 1 };
}

/** 200 history entries on one record, as the engine and the record module write them. */
async function loadHistory(db: Knex, recordId: number, fx: Fixture): Promise<void> {
  const rec = await db('records').where({ id: recordId }).first('created_at', 'number', 'status');
  const at0 = Number(rec.created_at);
  const rows: Knex.Value[] = [];
  const agent = fx.agents[0]!;
  const kinds = [
    (i: number) => [
      'field',
      'description',
      JSON.stringify(`描述 ${i}`),
      JSON.stringify(`描述 ${i + 1}`),
      null,
    ],
    (i: number) => [
      'field',
      'assignee',
      i % 2 ? String(agent) : 'null',
      i % 2 ? 'null' : String(agent),
      null,
    ],
    (i: number) => ['comment', null, null, null, JSON.stringify({ comment: i, visibility: 'public' })],
    (i: number) => [
      'transition',
      null,
      null,
      null,
      JSON.stringify({ task: i, node: 'inProgress', action: 'askCustomer', to: 'pendingCustomer' }),
    ],
    (i: number) => ['task', null, null, null, JSON.stringify({ task: i, node: 'triage', event: 'created' })],
  ];
  rows.push(
    recordId,
    at0,
    'zhaolei',
    'created',
    null,
    null,
    JSON.stringify({ number: rec.number, status: 'new' }),
    null,
  );
  for (let i = 1; i < HISTORY; i++) {
    const [kind, field, from, to, detail] = kinds[i % kinds.length]!(i) as [
      Knex.Value,
      Knex.Value,
      Knex.Value,
      Knex.Value,
      Knex.Value,
    ];
    rows.push(recordId, at0 + i * 60_000, i % 3 ? 'zhangwei' : 'zhaolei', kind, field, from, to, detail);
  }
  await db.transaction((trx) => trx.raw(insertSql('record_history', HISTORY_COLUMNS, HISTORY), rows));
}

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { p50: round(at(0.5), 2), p95: round(at(0.95), 2), min: round(s[0]!, 2) };
}

async function timeIt(fn: () => Promise<unknown>, times = REPEAT): Promise<number[]> {
  for (let i = 0; i < 5; i++) await fn(); // warm-up: JIT, caches, connection
  const out: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

interface Prepared {
  running: Running;
  historyRecord: number;
  cleanup(): Promise<void>;
}

async function prepare(kind: BenchDb): Promise<Prepared> {
  const start = (url: string) =>
    startServer(
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: url,
        OPSLOOM_PLUGINS_DIR: SHIPPED_PLUGINS,
        OPSLOOM_ADMIN_PASSWORD: ADMIN_PASSWORD,
        OPSLOOM_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'opsloom-bench-data-')),
        LOG_LEVEL: 'silent',
      }),
      { demo: true, print: () => {}, jobs: false },
    );
  if (kind === 'sqlite') {
    const dir = path.resolve('data/bench');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `records-${RECORDS}.sqlite`);
    const url = `sqlite://${file}`;
    if (process.env.BENCH_REBUILD === '1')
      for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
    let running = await start(url);
    const db = running.services.db;
    const hasMeta = await db.schema.hasTable('bench_meta');
    const meta = hasMeta ? await db('bench_meta').first() : undefined;
    if (meta && Number(meta.version) === DATA_VERSION && Number(meta.records) === RECORDS) {
      note(`[records/sqlite] reusing ${path.relative(process.cwd(), file)} (BENCH_REBUILD=1 rebuilds it)`);
      return { running, historyRecord: Number(meta.history_record), cleanup: () => running.stop() };
    }
    if (meta || (await db('records').count({ n: '*' }))[0]!.n !== 0) {
      await running.stop();
      for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
      running = await start(url);
    }
    const historyRecord = await build(running.services.db, kind);
    await running.services.db.schema.createTable('bench_meta', (t) => {
      t.integer('version');
      t.integer('records');
      t.bigInteger('history_record');
    });
    await running.services
      .db('bench_meta')
      .insert({ version: DATA_VERSION, records: RECORDS, history_record: historyRecord });
    const r = running;
    return { running: r, historyRecord, cleanup: () => r.stop() };
  }
  const scratch = await scratchDatabase('mysql', 'records');
  const running = await start(scratch.url);
  try {
    const historyRecord = await build(running.services.db, kind);
    return {
      running,
      historyRecord,
      async cleanup() {
        await running.stop();
        await scratch.drop();
      },
    };
  } catch (err) {
    await running.stop();
    await scratch.drop();
    throw err;
  }
}

async function build(db: Knex, kind: BenchDb): Promise<number> {
  const fx = await fixture(db);
  note(`[records/${kind}] loading ${RECORDS.toLocaleString('en')} incident records…`);
  const t = performance.now();
  if (kind === 'sqlite') await db.raw('PRAGMA cache_size = -262144');
  const { firstId, lastId } = await loadRecords(db, fx, kind);
  const historyRecord = Math.floor((firstId + lastId) / 2);
  await loadHistory(db, historyRecord, fx);
  if (kind === 'sqlite') await db.raw('ANALYZE');
  else await db.raw('ANALYZE TABLE records, record_values, record_history');
  note(`[records/${kind}] loaded in ${round((performance.now() - t) / 1000, 1)} s`);
  return historyRecord;
}

async function benchOne(kind: BenchDb): Promise<void> {
  const prepared = await prepare(kind);
  try {
    const { running, historyRecord } = prepared;
    const db = running.services.db;
    const admin = await new ApiClient(running.url).login('admin', ADMIN_PASSWORD);
    const token = (await admin.post('/auth/tokens', { name: 'bench' })).body.token as string;
    const api = new ApiClient(running.url);
    api.token = token;
    const total = Number((await db('records').where({ type: 'incident' }).count({ n: '*' }))[0]!.n);
    note(
      `[records/${kind}] ${total.toLocaleString('en')} incident records; history record #${historyRecord}`,
    );

    // The list: first page of incidents in category "network", newest first, as an admin sees it.
    const listPath = '/records?type=incident&f.category=network&sort=-createdAt&limit=50';
    const first = await api.get(listPath);
    if (first.status !== 200 || first.body.items.length !== 50)
      throw new Error(`list failed: ${first.status} ${JSON.stringify(first.body).slice(0, 500)}`);
    const items = first.body.items as { data: { category: string }; createdAt: number }[];
    if (
      !items.every(
        (r, i) => r.data.category === 'network' && (i === 0 || r.createdAt <= items[i - 1]!.createdAt),
      )
    )
      throw new Error('list answer is not the filtered, sorted page');
    const http = stats(
      await timeIt(async () => {
        const res = await api.get(listPath);
        if (res.status !== 200) throw new Error(`list: ${res.status}`);
      }),
    );
    const actor = {
      userId: 1,
      username: 'admin',
      displayName: 'Administrator',
      roles: ['admin' as const],
      locale: 'en' as const,
      via: 'token' as const,
    };
    const direct = stats(
      await timeIt(() =>
        listRecords(db, actor, { type: 'incident', 'f.category': 'network', sort: '-createdAt', limit: 50 }),
      ),
    );
    note(
      `[records/${kind}] list (HTTP): p50 ${http.p50} ms, p95 ${http.p95} ms; listRecords(): p50 ${direct.p50} ms, p95 ${direct.p95} ms (total ${first.body.total}${first.body.totalExact === false ? '+' : ''})`,
    );

    // Opening a record: the record and its history, one after the other.
    const history = await api.get(`/records/${historyRecord}/history`);
    if (history.status !== 200 || history.body.items.length !== HISTORY)
      throw new Error(`history: ${history.status}, ${history.body.items?.length} entries`);
    const open = stats(
      await timeIt(async () => {
        const rec = await api.get(`/records/${historyRecord}`);
        const hist = await api.get(`/records/${historyRecord}/history`);
        if (rec.status !== 200 || hist.status !== 200) throw new Error('open failed');
      }),
    );
    note(
      `[records/${kind}] record open (GET record + GET history, ${HISTORY} entries): p50 ${open.p50} ms, p95 ${open.p95} ms`,
    );

    const busy = os.loadavg()[0]!;
    if (busy > 3)
      note(
        `[records/${kind}] WARNING: load average ${round(busy, 1)} on ${os.cpus().length} cores — other work on the machine skews these figures`,
      );
    const common = { bench: 'records', db: kind, records: total, repeat: REPEAT };
    emit({
      ...common,
      metric: 'list_indexed_1m_ms',
      value: http.p50,
      p95: http.p95,
      function_p50: direct.p50,
      target: 50,
    });
    emit({
      ...common,
      metric: 'record_open_ms',
      value: open.p50,
      p95: open.p95,
      history: HISTORY,
      target: 20,
    });
  } finally {
    await prepared.cleanup();
  }
}

note(
  `[records] ${machine()}; medians of ${REPEAT} sequential requests after 5 warm-up ones, client and server in one process.`,
);
for (const kind of benchDatabases('records')) await benchOne(kind);
