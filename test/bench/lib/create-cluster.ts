// Ticket creation on a Galera cluster: creates/s with two runtimes on two nodes against one
// runtime on one node of the same cluster, and the retries (db/retry.ts) per 1,000 creates.
// Each runtime is its own process (as in production), the load generator another.
import { type RuntimeProcess, startRuntime } from '../../reliability/runtime-process.ts';
import { ApiClient } from '../../support/client.ts';
import { createSharedDatabase, galeraNodes } from '../../support/databases.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../../support/plugins.ts';
import { emit, type LoadResult, note, round, runLoad } from './common.ts';

interface Retries {
  transactions: number;
  statements: number;
  exhausted: number;
}

const retriesOf = async (url: string): Promise<Retries> =>
  (await (await fetch(`${url}/api/v1/health`)).json()).retries;
const sum = (rs: Retries[]) => rs.reduce((a, r) => a + r.transactions + r.statements, 0);

export async function benchCluster(opts: {
  body: string;
  connections: number;
  seconds: number;
  warmup: number;
}): Promise<void> {
  if (galeraNodes().length < 2) {
    note('[create] Galera skipped: set TEST_GALERA_URLS (pnpm test:galera starts a cluster) to include it');
    return;
  }
  const database = await createSharedDatabase('galera');
  const runtimes: RuntimeProcess[] = [];
  try {
    for (const [i, id] of ['a', 'b'].entries())
      runtimes.push(
        await startRuntime({
          databaseUrl: database.urls[i]!,
          pluginsDir: SHIPPED_PLUGINS,
          env: { OPSLOOM_INSTANCE_ID: id, LOG_LEVEL: 'error' },
          startTimeoutMs: 120_000,
        }),
      );
    const tokens: string[] = [];
    for (const r of runtimes) {
      const requester = await new ApiClient(r.url).login('zhaolei', DEMO_PASSWORD);
      tokens.push((await requester.post('/auth/tokens', { name: 'bench' })).body.token);
    }
    const load = (i: number, connections: number, duration: number) =>
      runLoad({
        url: `${runtimes[i]!.url}/api/v1/records`,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[i]}` },
        body: opts.body,
        connections,
        duration,
      });
    note(`[create/galera] warm-up ${opts.warmup}s on each runtime…`);
    await Promise.all([
      load(0, opts.connections / 2, opts.warmup),
      load(1, opts.connections / 2, opts.warmup),
    ]);

    const measure = async (two: boolean) => {
      const urls = runtimes.map((r) => r.url);
      const before = await Promise.all(urls.map(retriesOf));
      const results: LoadResult[] = two
        ? await Promise.all([0, 1].map((i) => load(i, opts.connections / 2, opts.seconds)))
        : [await load(0, opts.connections, opts.seconds)];
      const after = await Promise.all(urls.map(retriesOf));
      const ok = results.reduce((a, r) => a + r.ok, 0);
      const failed = results.reduce((a, r) => a + r.non2xx + r.errors, 0);
      const exhausted = after.reduce((a, r, i) => a + r.exhausted - before[i]!.exhausted, 0);
      const retries = sum(after) - sum(before);
      return {
        perSecond: ok / Math.max(...results.map((r) => r.duration)),
        ok,
        failed,
        retries,
        exhausted,
        p99: Math.max(...results.map((r) => r.p99)),
      };
    };
    const one = await measure(false);
    const two = await measure(true);
    for (const [what, m] of [
      ['one runtime on node 1', one],
      ['two runtimes on nodes 1 and 2', two],
    ] as const)
      note(
        `[create/galera] ${what}: ${round(m.perSecond)} creates/s, p99 ${m.p99} ms, ${m.retries} retries (${round((1000 * m.retries) / Math.max(1, m.ok), 1)} per 1,000), ${m.exhausted} gave up, ${m.failed} failed`,
      );
    const common = {
      bench: 'create',
      db: 'galera' as const,
      connections: opts.connections,
      seconds: opts.seconds,
    };
    emit({
      ...common,
      metric: 'creates_per_s',
      value: round(two.perSecond),
      baseline: round(one.perSecond),
      ratio: round(two.perSecond / one.perSecond, 2),
      runtimes: 2,
      failed: two.failed,
    });
    emit({
      ...common,
      metric: 'retries_per_1000_creates',
      value: round((1000 * two.retries) / Math.max(1, two.ok), 1),
      baseline: round((1000 * one.retries) / Math.max(1, one.ok), 1),
    });
  } finally {
    await Promise.all(runtimes.map((r) => r.kill()));
    await database.drop();
  }
}
