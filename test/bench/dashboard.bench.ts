// The shipped service-desk dashboard (plugins/itil-reports/dashboards/service-desk.json) over a
// service desk's history of 1,000,000 incidents (lib/itsm-data.ts: tasks, history, SLA clocks and
// ratings as the engine writes them), opened by a manager (who sees every record) the way the
// workspace opens it: GET /dashboards/service-desk and GET /reports, then every widget's
// POST /reports/{key}/run at once, with the widget's params and the dashboard filters' defaults.
//
// Figures, per database:
// - dashboard_1m_ms: the whole dashboard with no result cache (emptied before each load). Target
//   < 1,000 ms, goal < 300 ms. Baseline: the same dashboard on a database with no records, same
//   run — the fixed cost of twelve report runs through HTTP; the ratio is what the data costs.
// - report_1m_ms: each widget's run on its own (same params, no cache), with the report key.
//   Baseline: the same widget on the empty database.
// - dashboard_1m_warm_ms: the same dashboard loaded again with the results cached. Goal < 50 ms.
//   Baseline: GET /bigscreen/service-desk/stamp, the change stamp a cache hit reads first.
// Also printed (stderr): GET /bigscreen/service-desk, which runs every widget in one request.
//
// BENCH_INCIDENTS (1,000,000) and BENCH_DAYS (730) size the history; BENCH_REPEAT (7) the
// cold loads per figure; BENCH_DBS=sqlite|mysql; BENCH_REBUILD=1 rebuilds the kept databases.
import os from 'node:os';
import { loadConfig, startServer } from '@opsloom/runtime';
import { widgetParams } from '../../runtime/src/dashboards/widget-params.ts';
import { clearReportCache } from '../../runtime/src/reports/cache.ts';
import { ApiClient } from '../support/client.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { type BenchDb, benchDatabases, emit, machine, note, round, scratchDatabase } from './lib/common.ts';
import { ADMIN_PASSWORD, DAYS, INCIDENTS, openItsmData } from './lib/itsm-data.ts';

const REPEAT = Number(process.env.BENCH_REPEAT || 7);
const WARM_REPEAT = Number(process.env.BENCH_WARM_REPEAT || 30);
const DASHBOARD = 'service-desk';
const MANAGER = 'chenjing';

interface Widget {
  id: string;
  report: string;
  params: Record<string, unknown>;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const p95 = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.95))]!;
};

/** The dashboard's widgets with the params the workspace runs them with (no filter touched). */
async function widgetsOf(api: ApiClient): Promise<Widget[]> {
  const dash = await api.get(`/dashboards/${DASHBOARD}`);
  if (dash.status !== 200) throw new Error(`dashboard: ${dash.status} ${JSON.stringify(dash.body)}`);
  const reports = await api.get('/reports');
  const params = new Map(
    (reports.body.items as { key: string; params: { key: string }[] }[]).map((r) => [
      r.key,
      r.params.map((p) => p.key),
    ]),
  );
  return (dash.body.widgets as { id: string; report: string; params?: Record<string, unknown> }[]).map(
    (w) => ({
      id: w.id,
      report: w.report,
      params: widgetParams(w, dash.body.filters, {}, params.get(w.report) ?? []),
    }),
  );
}

async function runWidget(api: ApiClient, w: Widget): Promise<{ ms: number; rows: number }> {
  const t = performance.now();
  const res = await api.post(`/reports/${w.report}/run`, { params: w.params });
  const ms = performance.now() - t;
  if (res.status !== 200)
    throw new Error(`widget ${w.id} (${w.report}): ${res.status} ${JSON.stringify(res.body).slice(0, 400)}`);
  return { ms, rows: (res.body.rows as unknown[]).length };
}

/** One load as the workspace does it: the dashboard and the report list, then every widget at once. */
async function loadDashboard(api: ApiClient): Promise<{ ms: number; widgets: Map<string, number> }> {
  const t = performance.now();
  const widgets = await widgetsOf(api);
  const times = await Promise.all(widgets.map((w) => runWidget(api, w)));
  return { ms: performance.now() - t, widgets: new Map(widgets.map((w, i) => [w.id, times[i]!.ms])) };
}

async function timeBigScreen(api: ApiClient): Promise<number> {
  const t = performance.now();
  const res = await api.get(`/bigscreen/${DASHBOARD}`);
  if (res.status !== 200) throw new Error(`bigscreen: ${res.status}`);
  const failed = (res.body.widgets as { id: string; error: unknown }[]).filter((w) => w.error);
  if (failed.length) throw new Error(`bigscreen widgets failed: ${JSON.stringify(failed)}`);
  return performance.now() - t;
}

interface Measured {
  dashboard: number[];
  widgets: Map<string, { report: string; ms: number[]; rows: number }>;
}

/** Cold figures: the cache emptied before every load and every widget run. */
async function measureCold(api: ApiClient, repeat: number): Promise<Measured> {
  const widgets = await widgetsOf(api);
  clearReportCache();
  await loadDashboard(api); // warm-up: JIT, connections, definitions
  const dashboard: number[] = [];
  for (let i = 0; i < repeat; i++) {
    clearReportCache();
    dashboard.push((await loadDashboard(api)).ms);
  }
  const out: Measured['widgets'] = new Map();
  for (const w of widgets) {
    const ms: number[] = [];
    let rows = 0;
    for (let i = 0; i < repeat; i++) {
      clearReportCache();
      const r = await runWidget(api, w);
      ms.push(r.ms);
      rows = r.rows;
    }
    out.set(w.id, { report: w.report, ms, rows });
  }
  return { dashboard, widgets: out };
}

async function manager(url: string): Promise<ApiClient> {
  return new ApiClient(url).login(MANAGER, DEMO_PASSWORD);
}

/** The same runtime and plugins on a database without records: the baseline. */
async function emptyBaseline(kind: BenchDb): Promise<{ measured: Measured; stop(): Promise<void> }> {
  const scratch = await scratchDatabase(kind, 'dashboard_empty');
  const running = await startServer(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: scratch.url,
      OPSLOOM_PLUGINS_DIR: SHIPPED_PLUGINS,
      OPSLOOM_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LOG_LEVEL: 'silent',
    }),
    { demo: true, print: () => {}, jobs: false },
  );
  try {
    const measured = await measureCold(await manager(running.url), REPEAT);
    return {
      measured,
      async stop() {
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

async function benchOne(kind: BenchDb): Promise<void> {
  const base = await emptyBaseline(kind);
  await base.stop();
  const data = await openItsmData(kind);
  try {
    const { running } = data;
    const db = running.services.db;
    const api = await manager(running.url);
    const incidents = Number((await db('records').where({ type: 'incident' }).count({ n: '*' }))[0]!.n);
    const cold = await measureCold(api, REPEAT);

    // Warm: the results cached by the load before.
    clearReportCache();
    await loadDashboard(api);
    const warm: number[] = [];
    for (let i = 0; i < WARM_REPEAT; i++) warm.push((await loadDashboard(api)).ms);
    const stamp: number[] = [];
    for (let i = 0; i < WARM_REPEAT; i++) {
      const t = performance.now();
      const res = await api.get(`/bigscreen/${DASHBOARD}/stamp`);
      if (res.status !== 200) throw new Error(`stamp: ${res.status}`);
      stamp.push(performance.now() - t);
    }
    const big: number[] = [];
    for (let i = 0; i < Math.min(REPEAT, 3); i++) {
      clearReportCache();
      big.push(await timeBigScreen(api));
    }

    const busy = os.loadavg()[0]!;
    if (busy > 3)
      note(
        `[dashboard/${kind}] WARNING: load average ${round(busy, 1)} on ${os.cpus().length} cores — other work on the machine skews these figures`,
      );
    const common = { bench: 'dashboard', db: kind, incidents, days: DAYS, repeat: REPEAT };
    const d = median(cold.dashboard);
    const bd = median(base.measured.dashboard);
    note(
      `[dashboard/${kind}] cold dashboard: median ${round(d)} ms (p95 ${round(p95(cold.dashboard))}; empty database ${round(bd)} ms); warm ${round(median(warm), 1)} ms (stamp ${round(median(stamp), 2)} ms); big screen (one request, cold) ${round(median(big))} ms`,
    );
    emit({
      ...common,
      metric: 'dashboard_1m_ms',
      value: round(d, 1),
      baseline: round(bd, 1),
      ratio: round(d / bd, 2),
      p95: round(p95(cold.dashboard), 1),
      target: 1000,
      goal: 300,
      bigscreen_ms: round(median(big), 1),
    });
    for (const [id, w] of cold.widgets) {
      const v = median(w.ms);
      const b = median(base.measured.widgets.get(id)!.ms);
      note(
        `[dashboard/${kind}]   ${id.padEnd(20)} ${w.report.padEnd(28)} ${round(v, 1)} ms (empty ${round(b, 1)} ms), ${w.rows} rows`,
      );
      emit({
        ...common,
        metric: 'report_1m_ms',
        report: w.report,
        widget: id,
        value: round(v, 1),
        baseline: round(b, 1),
        ratio: round(v / b, 2),
      });
    }
    const wv = median(warm);
    const sv = median(stamp);
    emit({
      ...common,
      repeat: WARM_REPEAT,
      metric: 'dashboard_1m_warm_ms',
      value: round(wv, 1),
      baseline: round(sv, 2),
      ratio: round(wv / sv, 1),
      p95: round(p95(warm), 1),
      goal: 50,
    });
  } finally {
    await data.stop();
  }
}

note(
  `[dashboard] ${machine()}; ${INCIDENTS.toLocaleString('en')} incidents over ${DAYS} days; as the manager ${MANAGER}; medians of ${REPEAT} cold loads (${WARM_REPEAT} warm), client and server in one process.`,
);
for (const kind of benchDatabases('dashboard')) await benchOne(kind);
