import { connect } from '@opsloom/runtime';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_INCIDENT } from '../records/helpers.ts';
import { ApiClient } from '../support/client.ts';
import { createTestDatabase, type TestDatabase, testDatabases } from '../support/databases.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { waitFor } from '../support/wait.ts';
import { type RuntimeProcess, startRuntime } from './runtime-process.ts';

const WORKERS = 12;
/** Kill once this many creates have been answered: the burst is well under way, more are in flight. */
const KILL_AFTER = 30;
/** Bound on the burst, so a runtime that never answers cannot hang the test. */
const MAX_ATTEMPTS = 400;

const incident = (i: number) => ({
  type: 'incident',
  catalogItem: REPORT_INCIDENT,
  data: { title: `突发故障 ${i}`, description: '批量创建', category: 'network', impact: 2, urgency: 2 },
});

/**
 * SIGKILL in the middle of a burst of creates, then a restart on the same database: everything
 * that was answered 2xx is there with a consistent process state, nothing half-written exists,
 * and every notification job runs exactly once.
 */
describe.each(testDatabases())('runtime killed during a burst of creates on %s', (dbName) => {
  let database: TestDatabase;
  let runtime: RuntimeProcess | undefined;
  let db: Knex | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(dbName);
  });
  afterAll(async () => {
    await runtime?.kill();
    await db?.destroy();
    await database?.drop();
  });

  it('keeps every answered create, loses no job and runs none twice', { timeout: 180_000 }, async () => {
    runtime = await startRuntime({ databaseUrl: database.url, pluginsDir: SHIPPED_PLUGINS });
    const login = await new ApiClient(runtime.url).login('zhaolei', DEMO_PASSWORD);
    const token = (await login.post('/auth/tokens', { name: 'burst' })).body.token as string;
    db = connect(database.url);
    const before = Number((await db('records').max({ m: 'id' }))[0]!.m ?? 0);

    const client = new ApiClient(runtime.url);
    client.token = token;
    const answered: number[] = [];
    const failed: string[] = [];
    let sent = 0;
    let killed: Promise<void> | null = null;
    const victim = runtime;
    await Promise.all(
      Array.from({ length: WORKERS }, async () => {
        while (!killed && sent < MAX_ATTEMPTS) {
          const i = sent++;
          try {
            const res = await client.post('/records', incident(i));
            if (res.status === 201) answered.push(res.body.id);
            else failed.push(`${res.status} ${JSON.stringify(res.body)}`);
          } catch {
            // Connection reset by the kill: this create's outcome is unknown to the client.
          }
          if (answered.length >= KILL_AFTER && !killed) killed = victim.kill();
        }
      }),
    );
    await killed;
    runtime = undefined;
    expect(failed).toEqual([]);
    expect(answered.length).toBeGreaterThanOrEqual(KILL_AFTER);

    // The dead runtime's job claims would lapse after their lock time (a minute); let that
    // minute pass at once instead of waiting for it.
    await db('jobs')
      .where({ status: 'running' })
      .update({ lock_expires_at: Date.now() - 1 });

    runtime = await startRuntime({ databaseUrl: database.url, pluginsDir: SHIPPED_PLUGINS });
    const restartedAt = Date.now();
    await waitFor(
      async () =>
        Number(
          (
            await db!('jobs')
              .whereIn('status', ['pending', 'running'])
              .where('due_at', '<=', restartedAt)
              .count({ n: '*' })
          )[0]!.n,
        ) === 0,
      'the restarted runtime to run every job that was due',
      60_000,
      100,
    );

    const records = await db('records').where('id', '>', before).orderBy('id').select('id', 'status');
    const ids = records.map((r) => Number(r.id));
    // Every create that was answered exists; creates cut off by the kill may exist too, whole.
    for (const id of answered) expect(ids).toContain(id);
    expect(records.every((r) => r.status === 'triage')).toBe(true);

    const perRecord = async (q: Knex.QueryBuilder, column: string) => {
      const rows = await q.whereIn(column, ids).groupBy(column).select(column).count({ n: '*' });
      return new Map(
        rows.map((r: Record<string, unknown>) => [Number(r[column.split('.').pop()!]), Number(r.n)]),
      );
    };
    const instances = await perRecord(db('process_instances').where({ status: 'running' }), 'record_id');
    const openTasks = await perRecord(db('tasks').where({ status: 'open', node_id: 'triage' }), 'record_id');
    const waitingTokens = await perRecord(
      db('process_tokens as k')
        .join('process_instances as i', 'i.id', 'k.instance_id')
        .where({ 'k.status': 'waiting', 'k.node_id': 'triage' }),
      'i.record_id',
    );
    const created = await perRecord(db('record_history').where({ kind: 'created' }), 'record_id');
    for (const id of ids) {
      expect({
        id,
        instances: instances.get(id),
        tasks: openTasks.get(id),
        tokens: waitingTokens.get(id),
      }).toEqual({ id, instances: 1, tasks: 1, tokens: 1 });
      expect(created.get(id)).toBe(1);
    }
    expect(Number((await db('tasks').whereIn('record_id', ids).count({ n: '*' }))[0]!.n)).toBe(ids.length);

    // Notifications: one "task assigned" per member of the queue per task, none missing, none twice.
    const members = await db('group_members as m')
      .join('groups as g', 'g.id', 'm.group_id')
      .where('g.key', 'service-desk')
      .select('m.user_id');
    expect(members.length).toBeGreaterThan(0);
    const inbox = await db('inbox')
      .whereIn('record_id', ids)
      .where({ event: 'task.assigned' })
      .groupBy('record_id', 'user_id')
      .select('record_id', 'user_id')
      .count({ n: '*' });
    expect(inbox.filter((r) => Number(r.n) !== 1)).toEqual([]);
    expect(inbox).toHaveLength(ids.length * members.length);
    // The messages come from each new task's task.assigned event job: one per task, all done.
    const wanted = new Set(ids.map(Number));
    const assignedJobs = (await db('jobs').where('type', 'event').select('status', 'payload')).filter((j) => {
      const ev = JSON.parse(j.payload) as { type: string; recordId: number };
      return ev.type === 'task.assigned' && wanted.has(ev.recordId);
    });
    expect(assignedJobs).toHaveLength(ids.length);
    expect(assignedJobs.every((j) => j.status === 'done')).toBe(true);
    expect(await db('jobs').where({ status: 'dead' }).select('id', 'type', 'last_error')).toEqual([]);
  });
});
