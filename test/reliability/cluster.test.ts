import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { connect } from '@opsloom/runtime';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_INCIDENT } from '../records/helpers.ts';
import { ApiClient, type Reply } from '../support/client.ts';
import { createSharedDatabase, type SharedDatabase, sharedDatabases } from '../support/databases.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { waitFor } from '../support/wait.ts';
import { type RuntimeProcess, startRuntime } from './runtime-process.ts';

// Two runtimes sharing one database: on one MySQL server, and on two nodes of a Galera cluster
// (`pnpm test:galera`, CI). A cluster reports conflicts between nodes only at COMMIT, and a lock
// taken on one node does not hold on another; what a person sees must not change: 201s and
// 409s, never a 500, and 503 while the runtime's own node is down.

const CLUSTER = path.resolve(import.meta.dirname, '../galera/cluster.mjs');
const cluster = (...args: string[]) =>
  execFileSync(process.execPath, [CLUSTER, ...args], { stdio: 'ignore' });

const incident = (i: number) => ({
  type: 'incident',
  catalogItem: REPORT_INCIDENT,
  data: { title: `故障 ${i}`, description: '-', category: 'network', impact: 3, urgency: 3 },
});

const statuses = (replies: Reply[]) => {
  const out: Record<number, number> = {};
  for (const r of replies) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
};

describe.each(sharedDatabases())('two runtimes on %s', (kind) => {
  let database: SharedDatabase;
  const runtimes: RuntimeProcess[] = [];
  let db: Knex;
  /** zhaolei (requester) and zhangwei (agent, service desk) on runtime A and on runtime B. */
  const on: { zhaolei: ApiClient; zhangwei: ApiClient }[] = [];
  const output = () => runtimes.map((r) => r.output().slice(-3000)).join('\n---\n');

  beforeAll(async () => {
    database = await createSharedDatabase(kind);
    const env = (id: string) => ({ OPSLOOM_INSTANCE_ID: id, LOG_LEVEL: 'error', OPSLOOM_JOB_POLL_MS: '100' });
    // The first start migrates and installs the plugins; the second joins the prepared database.
    for (const [i, id] of ['a', 'b'].entries())
      runtimes.push(
        await startRuntime({
          databaseUrl: database.urls[i]!,
          pluginsDir: SHIPPED_PLUGINS,
          env: env(id),
          startTimeoutMs: 120_000,
        }),
      );
    for (const r of runtimes)
      on.push({
        zhaolei: await new ApiClient(r.url).login('zhaolei', DEMO_PASSWORD),
        zhangwei: await new ApiClient(r.url).login('zhangwei', DEMO_PASSWORD),
      });
    db = connect(database.urls[1]!);
  }, 300_000);
  afterAll(async () => {
    await Promise.all(runtimes.map((r) => r.kill()));
    await db?.destroy();
    await database?.drop();
  });

  it('60 concurrent creates split across the runtimes: all 201, each with its own number', async () => {
    const replies = await Promise.all(
      Array.from({ length: 60 }, (_, i) => on[i % 2]!.zhaolei.post('/records', incident(i))),
    );
    expect(statuses(replies), output()).toEqual({ 201: 60 });
    const numbers = new Set(replies.map((r) => r.body.number));
    expect(numbers.size).toBe(60);
    // Every one is whole on the other node too: its process started, its task open.
    const ids = replies.map((r) => r.body.id as number);
    const tasks = await db('tasks').whereIn('record_id', ids).where({ status: 'open' }).count({ n: '*' });
    expect(Number(tasks[0]!.n)).toBe(60);
  }, 120_000);

  it('20 concurrent claims of one task across the runtimes: one 204, the rest 409', async () => {
    const created = await on[0]!.zhaolei.post('/records', incident(1000));
    const [task] = (await on[1]!.zhangwei.get(`/records/${created.body.id}/tasks`)).body.items;
    const lina = await Promise.all(runtimes.map((r) => new ApiClient(r.url).login('lina', DEMO_PASSWORD)));
    const claimers = [on[0]!.zhangwei, on[1]!.zhangwei, lina[0]!, lina[1]!];
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => claimers[i % claimers.length]!.post(`/tasks/${task.id}/claim`)),
    );
    expect(statuses(replies), output()).toEqual({ 204: 1, 409: 19 });
  }, 60_000);

  it('50 concurrent actions on one task across the runtimes: one wins, the rest 409, one transition', async () => {
    const created = await on[1]!.zhaolei.post('/records', incident(2000));
    const [task] = (await on[0]!.zhangwei.get(`/records/${created.body.id}/tasks`)).body.items;
    expect((await on[0]!.zhangwei.post(`/tasks/${task.id}/claim`)).status).toBe(204);
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) => on[i % 2]!.zhangwei.post(`/tasks/${task.id}/actions/accept`, {})),
    );
    expect(statuses(replies), output()).toEqual({ 200: 1, 409: 49 });
    const moves = await db('record_history')
      .where({ record_id: created.body.id, kind: 'transition' })
      .count({ n: '*' });
    expect(Number(moves[0]!.n)).toBeLessThanOrEqual(2); // start → triage, triage → in progress
    expect((await on[1]!.zhangwei.get(`/records/${created.body.id}`)).body.status).toBe('in-progress');
  }, 60_000);

  it.runIf(kind === 'galera')(
    'a node stopped mid-burst: the other runtime keeps serving, the stranded one answers 503 until its node returns, nothing answered is lost',
    async () => {
      const answered: { runtime: number; number: string }[] = [];
      const refused: Reply[] = [];
      let stop = false;
      const burst = (r: number) =>
        (async () => {
          for (let i = 0; !stop && i < 400; i++) {
            let res: Reply;
            try {
              res = await on[r]!.zhaolei.post('/records', incident(3000 + r * 1000 + i));
            } catch {
              continue; // a connection cut while the node went away: no answer, nothing promised
            }
            if (res.status === 201) answered.push({ runtime: r, number: res.body.number });
            else refused.push(res);
          }
        })();
      const workers = [burst(0), burst(0), burst(1), burst(1)];
      await waitFor(async () => answered.length >= 20, 'the burst to be under way', 30_000, 50);
      cluster('node-stop', '1');
      try {
        const stranded = await waitFor(
          async () => {
            const h = await fetch(`${runtimes[0]!.url}/api/v1/health`);
            return h.status === 503 ? h : null;
          },
          'runtime A to see its node gone',
          60_000,
          200,
        );
        expect(stranded.headers.get('retry-after')).toBeTruthy();
        const login = await new ApiClient(runtimes[0]!.url).post('/auth/login', {
          username: 'zhaolei',
          password: DEMO_PASSWORD,
        });
        expect(login.status).toBe(503);
        expect(login.body.error.code).toMatch(/^database_/);
        expect(login.headers.get('retry-after')).toBeTruthy();
        // B goes on creating while A's node is away.
        const during = answered.filter((a) => a.runtime === 1).length;
        await waitFor(
          async () => answered.filter((a) => a.runtime === 1).length >= during + 20,
          'runtime B to keep creating',
          60_000,
          100,
        );
      } finally {
        cluster('node-start', '1');
      }
      // A recovers by itself once its node is back.
      await waitFor(
        async () => (await fetch(`${runtimes[0]!.url}/api/v1/health`)).status === 200,
        'runtime A to recover',
        120_000,
        500,
      );
      const after = answered.filter((a) => a.runtime === 0).length;
      await waitFor(
        async () => answered.filter((a) => a.runtime === 0).length > after,
        'runtime A to create again',
        60_000,
        100,
      );
      stop = true;
      await Promise.all(workers);
      expect(
        refused.filter((r) => r.status !== 503).map((r) => `${r.status} ${JSON.stringify(r.body)}`),
      ).toEqual([]);
      // Everything answered 201 is in the database, with its process.
      const numbers = answered.map((a) => a.number);
      const rows = await db('records as r')
        .join('process_instances as i', 'i.record_id', 'r.id')
        .whereIn('r.number', numbers)
        .select('r.number');
      expect(new Set(rows.map((r: { number: string }) => r.number)).size).toBe(numbers.length);
    },
    300_000,
  );

  it('a runtime killed mid-burst: everything it answered is there, the other runtime goes on', async () => {
    const answered: string[] = [];
    const others: Reply[] = [];
    let killed = false;
    const victim = runtimes[0]!;
    const burst = (r: number) =>
      (async () => {
        for (let i = 0; i < 120 && !(r === 0 && killed); i++) {
          try {
            const res = await on[r]!.zhaolei.post('/records', incident(9000 + r * 1000 + i));
            if (res.status === 201) answered.push(res.body.number);
            else others.push(res);
          } catch {
            if (r === 0) return; // the killed runtime's connections are gone
          }
          if (r === 0 && answered.length >= 30 && !killed) {
            killed = true;
            await victim.kill();
          }
        }
      })();
    await Promise.all([burst(0), burst(0), burst(1), burst(1)]);
    expect(killed).toBe(true);
    expect(others.map((r) => `${r.status} ${JSON.stringify(r.body)}`)).toEqual([]);
    const rows = await db('records').whereIn('number', answered).select('number');
    expect(rows.length).toBe(answered.length);
  }, 180_000);
});
