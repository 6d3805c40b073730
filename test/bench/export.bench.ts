// A report of 1,000,000 rows exported as XLSX (GET /reports/{key}/export?format=xlsx) over the
// service-desk history of lib/itsm-data.ts: one row per incident (number, status, priority,
// group; records counted, mean time to resolve in hours). The runtime streams it: rows come from
// the database cursor and go through exceljs' streaming WorkbookWriter into the response, so memory
// must stay flat (target < 300 MB RSS for the whole process).
//
// Figures, per database:
// - export_1m_rows_s: rows per second, from the request to the last byte of the workbook.
//   Baseline: the same export's rows read from the cursor with no file written (exportReport's
//   row stream, consumed in process), the same run; the ratio is the share the workbook costs.
// - export_1m_peak_rss_mb: the process's peak RSS during the export (sampled every 25 ms from
//   process.memoryUsage.rss(); client, server and database driver are one process).
//   Baseline: the RSS just before the export.
//
// BENCH_INCIDENTS (1,000,000) and BENCH_DAYS (730) size the history; BENCH_DBS=sqlite|mysql;
// BENCH_REBUILD=1 rebuilds the kept databases.
import os from 'node:os';
import type { ReportDefinition } from '@opsloom/spec';
import type { Knex } from 'knex';
import { latestPublished } from '../../runtime/src/definitions/current.ts';
import { createDefinition, publishDefinition } from '../../runtime/src/definitions/store.ts';
import { exportFor, reportFor } from '../../runtime/src/reports/service.ts';
import { ApiClient } from '../support/client.ts';
import { type BenchDb, benchDatabases, emit, machine, note, round } from './lib/common.ts';
import { ADMIN_PASSWORD, DAYS, INCIDENTS, openItsmData } from './lib/itsm-data.ts';

const KEY = 'bench-incident-export';

const REPORT: ReportDefinition = {
  kind: 'report',
  key: KEY,
  name: { 'zh-CN': '事件明细（基准）', en: 'Incidents (benchmark)' },
  dataset: { source: 'records', form: 'incident' },
  dimensions: [{ field: 'number' }, { field: 'status' }, { field: 'priority' }],
  measures: [
    { id: 'n', agg: 'count' },
    { id: 'mttr', agg: 'avg', field: 'resolutionTime', unit: 'h' },
  ],
  chart: { type: 'table' },
} as unknown as ReportDefinition;

async function ensureReport(db: Knex): Promise<void> {
  if ((await latestPublished(db, 'report', KEY)) !== null) return;
  await createDefinition(db, 'bench', REPORT);
  await publishDefinition(db, 'bench', 'report', KEY);
}

/** Samples the process's RSS until stopped; returns the peak in MB. */
function rssSampler(): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const started = performance.now();
  const trace: string[] = [];
  let lastTrace = 0;
  const timer = setInterval(() => {
    const rss = process.memoryUsage.rss();
    peak = Math.max(peak, rss);
    // Every 5 s: RSS and the V8 heap in use, to tell a growing buffer from garbage not yet collected.
    if (performance.now() - lastTrace >= 5000) {
      lastTrace = performance.now();
      const heap = process.memoryUsage().heapUsed;
      trace.push(`${round((lastTrace - started) / 1000)}s ${round(rss / 2 ** 20)}/${round(heap / 2 ** 20)}`);
    }
  }, 25);
  return {
    stop() {
      clearInterval(timer);
      note(`[export] RSS/heap MB over time: ${trace.join(', ')}`);
      return Math.max(peak, process.memoryUsage.rss()) / 2 ** 20;
    },
  };
}

async function benchOne(kind: BenchDb): Promise<void> {
  const data = await openItsmData(kind);
  try {
    const { running } = data;
    const db = running.services.db;
    await ensureReport(db);
    const admin = await new ApiClient(running.url).login('admin', ADMIN_PASSWORD);
    const token = (await admin.post('/auth/tokens', { name: 'bench-export' })).body.token as string;
    const incidents = Number((await db('records').where({ type: 'incident' }).count({ n: '*' }))[0]!.n);

    const common = { bench: 'export', db: kind, incidents, days: DAYS, format: 'xlsx' };

    // The export through HTTP, its RSS sampled throughout.
    global.gc?.();
    await new Promise((r) => setTimeout(r, 500));
    const before = process.memoryUsage.rss() / 2 ** 20;
    const sampler = rssSampler();
    let t = performance.now();
    let bytes = 0;
    let firstByte = 0;
    try {
      const res = await fetch(`${running.url}/api/v1/reports/${KEY}/export?format=xlsx`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (res.status !== 200 || !res.body) throw new Error(`export: ${res.status} ${await res.text()}`);
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        if (!bytes) firstByte = performance.now() - t;
        bytes += chunk.length;
      }
    } catch (err) {
      // Said and recorded, not thrown: the other database's figures still get measured.
      const peak = sampler.stop();
      const message = err instanceof Error ? err.message : String(err);
      note(
        `[export/${kind}] FAILED after ${round((performance.now() - t) / 1000, 1)} s, ${bytes} bytes received, RSS ${round(before)} MB before, peak ${round(peak)} MB: ${message}`,
      );
      emit({ ...common, metric: 'export_1m_rows_s', value: null as unknown as number, error: message });
      emit({
        ...common,
        metric: 'export_1m_peak_rss_mb',
        value: round(peak),
        baseline: round(before),
        target: 300,
        error: message,
      });
      return;
    }
    const seconds = (performance.now() - t) / 1000;
    const peak = sampler.stop();

    // Baseline: the export's rows from the cursor, no workbook.
    const actor = {
      userId: 1,
      username: 'admin',
      displayName: 'Administrator',
      roles: ['admin' as const],
      locale: 'en' as const,
      via: 'token' as const,
    };
    const report = await reportFor(db, actor, KEY);
    t = performance.now();
    const table = await exportFor(running.services, actor, report, {}, 'en');
    let rows = 0;
    for await (const _row of table.rows) rows++;
    const cursorS = (performance.now() - t) / 1000;
    note(`[export/${kind}] cursor only: ${rows.toLocaleString('en')} rows in ${round(cursorS, 1)} s`);
    const rate = rows / seconds;
    const baseRate = rows / cursorS;
    note(
      `[export/${kind}] XLSX: ${rows.toLocaleString('en')} rows, ${round(bytes / 2 ** 20, 1)} MB in ${round(seconds, 1)} s (first byte after ${round(firstByte)} ms): ${round(rate)} rows/s; RSS ${round(before)} MB before, peak ${round(peak)} MB`,
    );
    const busy = os.loadavg()[0]!;
    if (busy > 3)
      note(
        `[export/${kind}] WARNING: load average ${round(busy, 1)} on ${os.cpus().length} cores — other work on the machine skews these figures`,
      );
    emit({
      ...common,
      rows,
      metric: 'export_1m_rows_s',
      value: round(rate),
      baseline: round(baseRate),
      ratio: round(rate / baseRate, 2),
      seconds: round(seconds, 1),
      bytes,
      first_byte_ms: round(firstByte),
    });
    emit({
      ...common,
      rows,
      metric: 'export_1m_peak_rss_mb',
      value: round(peak),
      baseline: round(before),
      ratio: round(peak / before, 2),
      target: 300,
    });
  } finally {
    await data.stop();
  }
}

note(
  `[export] ${machine()}; ${INCIDENTS.toLocaleString('en')} incidents over ${DAYS} days; client and server in one process.`,
);
for (const kind of benchDatabases('export')) await benchOne(kind);
