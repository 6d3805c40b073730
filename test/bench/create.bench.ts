// Ticket creation over HTTP (validation, number, process start to its first wait, history, jobs
// enqueued — one transaction) against a bare one-row insert transaction through the same Koa
// stack (body parser, bearer-token auth, route validation) and the same database, measured in
// the same run. Prints creates_per_s (with the bare-insert baseline), create_p50_ms and
// create_p99_ms per database. See README.md.

import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { createApp, loadConfig, startServer } from '@opsloom/runtime';
import type { Knex } from 'knex';
import { resolveActor } from '../../runtime/src/auth/sessions.ts';
import { dialectOf } from '../../runtime/src/db/connect.ts';
import { type AnyRoute, mountRoutes } from '../../runtime/src/http/api.ts';
import { ApiClient } from '../support/client.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import {
  type BenchDb,
  benchDatabases,
  emit,
  type LoadResult,
  machine,
  note,
  round,
  runLoad,
  scratchDatabase,
} from './lib/common.ts';
import { benchCluster } from './lib/create-cluster.ts';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 32);
const SECONDS = Number(process.env.BENCH_SECONDS || 12);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS || 3);
/** Alternating rounds of baseline and create that share SECONDS each. */
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS || 4));
/** A folder to write CPU profiles of the create rounds and the job drains into (Chrome DevTools opens them). */
const PROFILE_DIR = process.env.BENCH_PROFILE;

// A requester's create, through the catalog item (requesters create only through one).
const createBody = JSON.stringify({
  type: 'incident',
  catalogItem: 'incident-catalog/report-incident',
  data: {
    title: 'VPN 无法连接',
    description: '从家里连不上公司 VPN，提示证书错误',
    category: 'network',
    impact: 2,
    urgency: 2,
  },
});

/** The baseline: one row inserted in one transaction, behind the same middleware and auth. */
const bareInsertRoute: AnyRoute = {
  method: 'post',
  path: '/bench/bare-insert',
  tag: 'bench',
  summary: 'benchmark only: one-row insert transaction',
  access: 'authenticated',
  successStatus: 201,
  body: {
    type: 'object',
    required: ['type', 'data'],
    // The create's own body, so both parse and validate the same bytes.
    properties: { type: { type: 'string' }, catalogItem: { type: 'string' }, data: { type: 'object' } },
    additionalProperties: false,
  } as never,
  async handler({ services, body, actor }) {
    const b = body as { type: string; data: unknown };
    const [id] = await services.db.transaction((trx) =>
      trx('bench_bare').insert({
        type: b.type,
        actor: actor.username,
        data: JSON.stringify(b.data),
        created_at: Date.now(),
      }),
    );
    return { id: Number(id) };
  },
};

/**
 * The rounds of one measurement as one: counts and times summed, p50 the median of the rounds'
 * medians, p99 the worst round's (autocannon reports percentiles, not its histogram).
 */
function combine(rounds: (LoadResult & { cpuUs: number })[]): LoadResult & { cpuMs: number } {
  const sum = (f: (r: LoadResult & { cpuUs: number }) => number) => rounds.reduce((a, r) => a + f(r), 0);
  const statusCodes: Record<string, number> = {};
  for (const r of rounds)
    for (const [code, n] of Object.entries(r.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  const p50s = rounds.map((r) => r.p50).sort((a, b) => a - b);
  const ok = sum((r) => r.ok);
  return {
    ok,
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    statusCodes,
    duration: round(
      sum((r) => r.duration),
      2,
    ),
    p50: p50s[Math.floor((p50s.length - 1) / 2)]!,
    p99: Math.max(...rounds.map((r) => r.p99)),
    mean: sum((r) => r.mean * r.ok) / Math.max(1, ok),
    cpuMs: sum((r) => r.cpuUs) / 1000 / Math.max(1, ok),
  };
}

function describe(what: string, r: LoadResult): string {
  const codes = Object.entries(r.statusCodes)
    .map(([c, n]) => `${c}×${n}`)
    .join(' ');
  return `${what}: ${round(r.ok / r.duration)} ok/s over ${r.duration}s, p50 ${r.p50} ms, p99 ${r.p99} ms (${codes}${r.errors ? `, ${r.errors} errors` : ''}${r.timeouts ? `, ${r.timeouts} timeouts` : ''})`;
}

/**
 * Statements one create sends, over a few sequential creates, counted at the driver (knex's
 * 'query' event misses those runtime/src/db/sql.ts runs on the connection directly): SQLite's
 * one connection's `prepare`, MySQL connections' `query` (a multi-statement query counts once:
 * it is one round trip).
 */
async function queriesPerCreate(db: Knex, client: ApiClient, n = 20): Promise<number> {
  let count = 0;
  const conn = (await db.client.acquireConnection()) as Record<string, unknown>;
  await db.client.releaseConnection(conn);
  const method = dialectOf(db) === 'sqlite' ? 'prepare' : 'query';
  // SQLite: the one connection itself; MySQL: the class every pooled connection shares (each
  // connection's own `query`, db/connect.ts's sendOwedFirst, calls it once per round trip).
  let owner: Record<string, unknown> = conn;
  if (method === 'query') {
    owner = Object.getPrototypeOf(conn);
    while (!Object.hasOwn(owner, method)) owner = Object.getPrototypeOf(owner);
  }
  const had = Object.hasOwn(owner, method);
  const original = owner[method] as (...args: unknown[]) => unknown;
  owner[method] = function (this: unknown, ...args: unknown[]) {
    count++;
    return original.apply(this, args);
  };
  try {
    for (let i = 0; i < n; i++) {
      const res = await client.post('/records', JSON.parse(createBody));
      if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
    }
  } finally {
    if (had) owner[method] = original;
    else delete owner[method];
  }
  return count / n;
}

const backlogOf = async (db: Knex) =>
  Number((await db('jobs').whereIn('status', ['pending', 'running']).count({ n: '*' }))[0]!.n);

/**
 * Waits (bounded) until the job runner has worked off the notifications earlier creates left;
 * answers how many it ran and the server CPU they took (the runner alone, no requests).
 */
async function drainJobs(db: Knex, timeoutMs = 120_000): Promise<{ jobs: number; cpuUs: number }> {
  const until = Date.now() + timeoutMs;
  const jobs = await backlogOf(db);
  const before = process.cpuUsage();
  while (Date.now() < until) {
    if ((await backlogOf(db)) === 0) {
      const used = process.cpuUsage(before);
      return { jobs, cpuUs: used.user + used.system };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  note('[create] job backlog did not drain within the bound; measuring anyway');
  return { jobs: 0, cpuUs: 0 };
}

/**
 * Runs `fn`, under the CPU profiler when BENCH_PROFILE names a folder: the profile goes to
 * `<folder>/<name>-<n>.cpuprofile`.
 */
let profiles = 0;
async function profiled<T>(name: string, fn: () => Promise<T>): Promise<T> {
  if (!PROFILE_DIR) return fn();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    fs.mkdirSync(PROFILE_DIR, { recursive: true });
    const file = `${PROFILE_DIR}/${name}-${++profiles}.cpuprofile`;
    fs.writeFileSync(file, JSON.stringify(profile));
    note(`[create] CPU profile: ${file}`);
  }
}

async function benchOne(kind: BenchDb): Promise<void> {
  const scratch = await scratchDatabase(kind, 'create');
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: scratch.url,
    OPSLOOM_PLUGINS_DIR: SHIPPED_PLUGINS,
    OPSLOOM_ADMIN_PASSWORD: 'bench-admin-password',
    LOG_LEVEL: 'silent',
  });
  const running = await startServer(config, {
    demo: true,
    print: () => {},
    jobs: process.env.BENCH_JOBS !== '0',
  });
  try {
    const { services } = running;
    const refused = running.plugins.filter((p) => p.status === 'refused');
    if (refused.length) throw new Error(`plugins refused: ${refused.map((p) => p.name).join(', ')}`);
    await services.db.schema.createTable('bench_bare', (t) => {
      t.bigIncrements('id').primary();
      t.string('type', 64).notNullable();
      t.string('actor', 128).notNullable();
      t.text('data', 'longtext').notNullable();
      t.bigInteger('created_at').notNullable();
    });
    // The same app createApp builds, plus the benchmark-only route mounted behind it.
    const app = createApp(services);
    const extra = mountRoutes(services, [bareInsertRoute], (ctx) => resolveActor(services, ctx));
    app.use(extra.router.routes());
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const requester = await new ApiClient(base).login('zhaolei', DEMO_PASSWORD);
    const token = (await requester.post('/auth/tokens', { name: 'bench' })).body.token as string;
    const api = new ApiClient(base);
    api.token = token;
    // Counted with the job runner paused, so only the create requests' own queries count.
    await running.runner.stop();
    const perCreate = await queriesPerCreate(services.db, api);
    if (process.env.BENCH_JOBS !== '0') running.runner.start();
    note(
      `[create/${kind}] ${round(perCreate, 1)} statements per create (incl. auth, view and the transaction's own)`,
    );

    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const load = (path: string, duration: number) =>
      runLoad({
        url: `${base}/api/v1${path}`,
        method: 'POST',
        headers,
        body: createBody,
        connections: CONNECTIONS,
        duration,
      });
    note(`[create/${kind}] warm-up ${WARMUP_SECONDS}s each…`);
    await load('/bench/bare-insert', WARMUP_SECONDS);
    await load('/records', WARMUP_SECONDS);
    // Server CPU per request (this process: server and job runner, not the load generator) is
    // less sensitive to other load on the machine than the rates are.
    let drainedJobs = 0;
    let drainedCpuUs = 0;
    const measure = async (path: string) => {
      // Each measurement starts with the job runner idle, so the baseline does not pay for the
      // notifications the creates left behind (and a create round not for the previous one's).
      if (process.env.BENCH_JOBS !== '0') {
        const drained = await profiled(`drain-${kind}`, () => drainJobs(services.db));
        drainedJobs += drained.jobs;
        drainedCpuUs += drained.cpuUs;
        if (drained.jobs)
          note(
            `[create/${kind}] the runner alone worked off ${drained.jobs} jobs at ${round(drained.cpuUs / 1000 / drained.jobs, 3)} ms CPU each`,
          );
      }
      const before = process.cpuUsage();
      const result =
        path === '/records'
          ? await profiled(`create-${kind}`, () => load(path, SECONDS / ROUNDS))
          : await load(path, SECONDS / ROUNDS);
      const used = process.cpuUsage(before);
      return { ...result, cpuUs: used.user + used.system };
    };
    // The baseline and the create alternate in short rounds: this machine's speed drifts by
    // tens of percent over a minute (other tenants), and a drift between two long back-to-back
    // measurements showed up as a change of the ratio.
    const loadBefore = os.loadavg()[0]!;
    const bareRounds: Awaited<ReturnType<typeof measure>>[] = [];
    const createRounds: typeof bareRounds = [];
    for (let r = 0; r < ROUNDS; r++) {
      bareRounds.push(await measure('/bench/bare-insert'));
      createRounds.push(await measure('/records'));
      const [b, c] = [bareRounds[r]!, createRounds[r]!];
      note(
        `[create/${kind}] round ${r + 1}/${ROUNDS}: bare ${round(b.ok / b.duration)}/s, create ${round(c.ok / c.duration)}/s, ratio ${round(c.ok / c.duration / (b.ok / b.duration), 2)}`,
      );
    }
    const bare = combine(bareRounds);
    const create = combine(createRounds);
    note(`[create/${kind}] ${describe('bare insert', bare)}; server CPU ${round(bare.cpuMs, 2)} ms/request`);
    note(
      `[create/${kind}] ${describe('create     ', create)}; server CPU ${round(create.cpuMs, 2)} ms/request`,
    );
    const busy = Math.max(loadBefore, os.loadavg()[0]!);
    if (busy > 3)
      note(
        `[create/${kind}] WARNING: load average ${round(busy, 1)} on ${os.cpus().length} cores — other work on the machine skews these figures`,
      );
    server.close();
    server.closeAllConnections();

    const records = Number((await services.db('records').count({ n: '*' }))[0]!.n);
    const backlog = await backlogOf(services.db);
    note(
      `[create/${kind}] ${records} records in the database; ${backlog} jobs still pending (notify jobs run by the job runner during the load${process.env.BENCH_JOBS === '0' ? ' — runner OFF (BENCH_JOBS=0)' : ''})`,
    );
    if (create.non2xx || create.errors || bare.non2xx || bare.errors)
      note(`[create/${kind}] WARNING: failed requests during the load (see status codes above)`);

    const baseline = bare.ok / bare.duration;
    const value = create.ok / create.duration;
    const common = { bench: 'create', db: kind, connections: CONNECTIONS, seconds: SECONDS };
    emit({
      ...common,
      metric: 'creates_per_s',
      value: round(value),
      baseline: round(baseline),
      ratio: round(value / baseline, 2),
      cpu_ms_per_request: round(create.cpuMs, 2),
      baseline_cpu_ms_per_request: round(bare.cpuMs, 2),
      jobs: process.env.BENCH_JOBS !== '0',
    });
    emit({ ...common, metric: 'create_p50_ms', value: create.p50, baseline: bare.p50 });
    emit({ ...common, metric: 'create_p99_ms', value: create.p99, baseline: bare.p99 });
    // What the notifications a create enqueues cost the job runner later, measured while it
    // works off the backlog between rounds with no requests running.
    if (drainedJobs)
      emit({ ...common, metric: 'event_job_cpu_ms', value: round(drainedCpuUs / 1000 / drainedJobs, 3) });
  } finally {
    await running.stop();
    await scratch.drop();
  }
}

note(
  `[create] ${machine()}; ${CONNECTIONS} connections, ${SECONDS}s per measurement in ${ROUNDS} alternating rounds. The load generator (autocannon, its own process) runs on the same cores as the server and competes with it for CPU.`,
);
for (const kind of benchDatabases('create')) await benchOne(kind);
// Two runtimes on two nodes of a Galera cluster against one, when a cluster is given (BENCH_DBS
// may name galera alone).
if (!process.env.BENCH_DBS || process.env.BENCH_DBS.split(',').includes('galera'))
  await benchCluster({
    body: createBody,
    connections: CONNECTIONS,
    seconds: SECONDS,
    warmup: WARMUP_SECONDS,
  });
