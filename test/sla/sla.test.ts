import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../support/databases.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const pos = { x: 0, y: 0 };
const label = (en: string) => ({ en, 'zh-CN': en });
const DEFS = [
  {
    kind: 'calendar',
    key: 'always',
    name: label('24×7'),
    timeZone: 'Asia/Shanghai',
    week: Object.fromEntries(
      ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ from: '00:00', to: '00:00' }]]),
    ),
  },
  {
    kind: 'form',
    key: 'ticket',
    name: label('Ticket'),
    numberPrefix: 'TCK',
    schema: {
      type: 'object',
      required: ['title'],
      properties: { title: { type: 'string' }, flagged: { type: 'boolean' } },
    },
  },
  {
    kind: 'process',
    key: 'ticket-flow',
    name: label('Ticket flow'),
    form: 'ticket',
    nodes: [
      { id: 'start', type: 'start', position: pos },
      {
        id: 'work',
        type: 'userTask',
        position: pos,
        status: 'open',
        assignee: { type: 'user', value: 'admin' },
      },
      {
        id: 'waiting',
        type: 'userTask',
        position: pos,
        status: 'waiting',
        assignee: { type: 'user', value: 'admin' },
      },
      { id: 'end', type: 'end', position: pos, outcome: 'resolved' },
    ],
    edges: [
      { id: 'e1', source: 'start', target: 'work' },
      { id: 'e2', source: 'work', target: 'waiting', action: { key: 'wait', label: label('Wait') } },
      { id: 'e3', source: 'waiting', target: 'work', action: { key: 'resume', label: label('Resume') } },
      { id: 'e4', source: 'work', target: 'end', action: { key: 'done', label: label('Done') } },
    ],
  },
];
/** Time to resolve, paused while the ticket waits. */
const resolution = {
  id: 'resolution',
  name: label('Resolution'),
  start: { events: ['record.created'] },
  pause: { condition: 'record.status == "waiting"' },
  stop: { events: ['record.transitioned'], condition: 'record.status == "resolved"' },
};
const sla = (minutes: number) => ({
  kind: 'sla',
  key: 'ticket-sla',
  name: label('Ticket SLA'),
  form: 'ticket',
  calendar: 'always',
  metrics: [resolution],
  goals: [
    {
      id: 'all',
      targets: {
        resolution: {
          minutes,
          warnAt: [50],
          onWarn: [
            {
              type: 'notify',
              channel: 'inapp',
              recipients: [{ type: 'user', value: 'admin' }],
              template: { subject: 'warn {{ record.number }}', body: 'half way' },
            },
          ],
          onBreach: [{ type: 'setField', field: 'flagged', value: 'true' }],
        },
      },
    },
  ],
});

describe.each(testDatabases())('SLA clocks on %s', (dbName) => {
  let srv: TestServer;
  beforeAll(async () => {
    // The background checker is slowed right down: tests drive passes at chosen instants.
    srv = await startTestServer(dbName, {
      env: { OPSLOOM_SLA_CHECK_MS: '600000', OPSLOOM_JOB_POLL_MS: '50' },
    });
    for (const def of [...DEFS, sla(10)]) {
      expect((await srv.admin.post('/definitions', def)).status).toBe(201);
      const res = await srv.admin.post(`/definitions/${def.kind}/${def.key}/publish`);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
  });
  afterAll(() => srv?.close());

  const create = async () =>
    (await srv.admin.post('/records', { type: 'ticket', process: 'ticket-flow', data: { title: 'broken' } }))
      .body;
  const metrics = async (id: number) => (await srv.admin.get(`/records/${id}/sla`)).body.items;
  async function act(id: number, action: string) {
    const [task] = (await srv.admin.get(`/records/${id}/tasks`)).body.items;
    const res = await srv.admin.post(`/tasks/${task.id}/actions/${action}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
  const clock = async (id: number) => srv.services.db('sla_clocks').where({ record_id: id }).first();

  it('pauses while waiting for the customer and resumes after, then meets its target', async () => {
    const rec = await create();
    let [m] = await metrics(rec.id);
    expect(m).toMatchObject({
      sla: 'ticket-sla',
      metric: 'resolution',
      targetMinutes: 10,
      state: 'running',
      paused: false,
      met: null,
      breached: false,
    });
    const due = m.dueAt;
    await act(rec.id, 'wait');
    [m] = await metrics(rec.id);
    expect(m).toMatchObject({ state: 'paused', paused: true, dueAt: null });
    const pausedElapsed = m.elapsedMinutes;
    await new Promise((r) => setTimeout(r, 1500));
    expect((await metrics(rec.id))[0].elapsedMinutes).toBe(pausedElapsed);
    await act(rec.id, 'resume');
    [m] = await metrics(rec.id);
    expect(m.state).toBe('running');
    // The pause pushed the due instant back by (at least) the time spent waiting.
    expect(m.dueAt - due).toBeGreaterThanOrEqual(1400);
    await act(rec.id, 'done');
    [m] = await metrics(rec.id);
    expect(m).toMatchObject({ state: 'stopped', met: true, breached: false });
    expect(m.elapsedMinutes).toBeLessThan(0.1);
  });

  it('fires a warning once, and the breach exactly at the due instant, once', async () => {
    const rec = await create();
    const c = await clock(rec.id);
    const due = Number(c.due_at);
    const warnAt = Number(c.started_at) + 5 * 60_000;
    expect(await srv.slaChecker.pass(warnAt - 1)).toBe(0);
    expect(await srv.slaChecker.pass(warnAt)).toBe(1);
    expect(await srv.slaChecker.pass(warnAt + 1000)).toBe(0);
    expect(await srv.slaChecker.pass(due - 1)).toBe(0);
    expect(await srv.slaChecker.pass(due)).toBe(1);
    expect(await srv.slaChecker.pass(due + 60_000)).toBe(0);
    const after = await clock(rec.id);
    expect(Number(after.breached_at)).toBe(due);
    expect(after.next_check_at).toBeNull();
    const history = await srv.services
      .db('record_history')
      .where({ record_id: rec.id })
      .whereIn('kind', ['sla_warning', 'sla_breach'])
      .select('kind');
    expect(history.map((h: { kind: string }) => h.kind)).toEqual(['sla_warning', 'sla_breach']);
    // The breach escalation ran once: it set the flag.
    const r = (await srv.admin.get(`/records/${rec.id}`)).body;
    expect(r.data.flagged).toBe(true);
    const [m] = await metrics(rec.id);
    expect(m.breached).toBe(true);
  });

  it('runs an OLA per process step: warning and breach actions of the node, stopped when the task is done', async () => {
    const flow = structuredClone(DEFS[2]) as any;
    flow.key = 'ola-flow';
    flow.nodes[1] = {
      ...flow.nodes[1],
      dueIn: 'PT1H',
      ola: { warnAt: [50], onBreach: [{ type: 'setField', field: 'flagged', value: 'true' }] },
    };
    expect((await srv.admin.post('/definitions', flow)).status).toBe(201);
    expect((await srv.admin.post('/definitions/process/ola-flow/publish')).status).toBe(201);
    const late = (
      await srv.admin.post('/records', { type: 'ticket', process: 'ola-flow', data: { title: 'late' } })
    ).body;
    const olaClock = await srv.services
      .db('sla_clocks')
      .where({ record_id: late.id })
      .whereNotNull('task_id')
      .first();
    expect(olaClock).toMatchObject({ sla_key: 'process:ola-flow', metric: 'work', state: 'running' });
    const due = Number(olaClock.due_at);
    expect(due - Number(olaClock.started_at)).toBe(3_600_000);
    expect(await srv.slaChecker.pass(due - 1)).toBeGreaterThanOrEqual(1); // the 50% warning

    expect(await srv.slaChecker.pass(due)).toBeGreaterThanOrEqual(1); // the breach
    expect((await srv.admin.get(`/records/${late.id}`)).body.data.flagged).toBe(true);
    const kinds = await srv.services
      .db('record_history')
      .where({ record_id: late.id })
      .whereIn('kind', ['ola_warning', 'ola_breach'])
      .select('kind');
    expect(kinds.map((k: { kind: string }) => k.kind)).toEqual(['ola_warning', 'ola_breach']);

    const early = (
      await srv.admin.post('/records', { type: 'ticket', process: 'ola-flow', data: { title: 'early' } })
    ).body;
    await act(early.id, 'done');
    const c = await srv.services
      .db('sla_clocks')
      .where({ record_id: early.id })
      .whereNotNull('task_id')
      .first();
    await srv.slaChecker.pass(Number(c.next_check_at));
    const stopped = await srv.services.db('sla_clocks').where({ id: c.id }).first();
    expect(stopped.state).toBe('stopped');
    expect(Boolean(stopped.met)).toBe(true);
    expect((await srv.admin.get(`/records/${early.id}`)).body.data.flagged).toBeUndefined();
  });

  it('lets lists filter on SLA state and sort by the SLA due instant', async () => {
    const a = await create();
    const b = await create();
    // b is due first: move a's clock later.
    await srv.services
      .db('sla_clocks')
      .where({ record_id: a.id })
      .update({ due_at: Date.now() + 9_000_000 });
    await srv.services
      .db('sla_clocks')
      .where({ record_id: b.id })
      .update({ due_at: Date.now() + 1_000 });
    const sorted = (
      await srv.admin.get('/records?type=ticket&sla=running&sort=slaDue&limit=500')
    ).body.items.map((r: { id: number }) => r.id);
    expect(sorted.indexOf(b.id)).toBeLessThan(sorted.indexOf(a.id));
    // A clock on hold is paused, not running.
    await srv.services.db('sla_clocks').where({ record_id: a.id }).update({ state: 'paused' });
    const ids = async (sla: string) =>
      (await srv.admin.get(`/records?type=ticket&sla=${sla}&limit=500`)).body.items.map(
        (r: { id: number }) => r.id,
      );
    expect(await ids('running')).not.toContain(a.id);
    expect(await ids('running')).toContain(b.id);
    expect(await ids('paused')).toContain(a.id);
    expect(await ids('paused')).not.toContain(b.id);
    const breached = (await srv.admin.get('/records?type=ticket&sla=breached')).body.items.map(
      (r: { id: number }) => r.id,
    );
    expect(breached.length).toBeGreaterThan(0);
    expect(breached).not.toContain(a.id);
    // At risk: still counting or on hold, and warned or breached; a clock that has only started is not.
    expect(await ids('at-risk')).not.toContain(a.id);
    await srv.services.db('sla_clocks').where({ record_id: a.id }).update({ warned: '[50]' });
    expect(await ids('at-risk')).toContain(a.id);
    await srv.services.db('sla_clocks').where({ record_id: a.id }).update({ warned: '[]', breached: true });
    expect(await ids('at-risk')).toContain(a.id);
    await srv.services.db('sla_clocks').where({ record_id: a.id }).update({ state: 'stopped' });
    expect(await ids('at-risk')).not.toContain(a.id);
    expect(await ids('at-risk')).not.toContain(b.id);
    const met = (await srv.admin.get('/records?type=ticket&sla=met')).body.items;
    expect(met.every((r: { status: string }) => r.status === 'resolved')).toBe(true);
    expect((await srv.admin.get('/records?sla=late')).status).toBe(400);
  });

  it.runIf(dbName === 'sqlite')(
    'sorts by SLA due through the partial index of running SLA clocks',
    async () => {
      // The index exists for this sort (025_sla_running_due).
      const seen: { sql: string; bindings: Knex.RawBinding[] }[] = [];
      const watch = (q: { sql: string; bindings: Knex.RawBinding[] }) => seen.push(q);
      srv.services.db.on('query', watch);
      try {
        expect((await srv.admin.get('/records?type=ticket&sort=slaDue')).status).toBe(200);
      } finally {
        srv.services.db.off('query', watch);
      }
      const sort = seen.find((q) => q.sql.includes('min(due_at)'));
      expect(sort).toBeDefined();
      const plan = (await srv.services.db.raw(`EXPLAIN QUERY PLAN ${sort!.sql}`, sort!.bindings)) as {
        detail: string;
      }[];
      expect(plan.map((p) => p.detail).join('\n')).toContain('sla_clocks_running_due');
    },
  );

  it("summarises each listed record's SLA state: due, warned, paused, breached, or none", async () => {
    const summary = async (rec: { id: number; number: string }) => {
      const res = await srv.admin.get(`/records?type=ticket&q=${rec.number}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const item = res.body.items.find((r: { id: number }) => r.id === rec.id);
      expect(item).toBeDefined();
      return item.sla;
    };
    const rec = await create();
    const c = await clock(rec.id);
    expect(await summary(rec)).toEqual({
      dueAt: Number(c.due_at),
      paused: false,
      warned: false,
      breached: false,
    });
    // The 50% warning: still running, now warned.
    await srv.slaChecker.pass(Number(c.started_at) + 5 * 60_000);
    expect(await summary(rec)).toEqual({
      dueAt: Number(c.due_at),
      paused: false,
      warned: true,
      breached: false,
    });
    // Waiting for the customer: paused, no due instant, the warning stays.
    await act(rec.id, 'wait');
    expect(await summary(rec)).toEqual({ dueAt: null, paused: true, warned: true, breached: false });
    await act(rec.id, 'resume');

    const late = await create();
    const lateClock = await clock(late.id);
    await srv.slaChecker.pass(Number(lateClock.due_at));
    expect(await summary(late)).toMatchObject({ breached: true, warned: true, paused: false });
    // Met (stopped) after the breach: nothing runs, the breach is remembered.
    await act(late.id, 'done');
    expect(await summary(late)).toEqual({ dueAt: null, paused: false, warned: false, breached: true });
    // Reopened, a new cycle runs: the list counts it down, the old cycle's breach no longer shows;
    // once the new cycle breaches too, it does again.
    const { id: _old, ...breachedCycle } = await clock(late.id);
    const now = Date.now();
    await srv.services.db('sla_clocks').insert({
      ...breachedCycle,
      cycle: 2,
      state: 'running',
      started_at: now,
      segment_started_at: now,
      elapsed_ms: 0,
      due_at: now + 3_600_000,
      next_check_at: now + 1_800_000,
      warned: '[]',
      breached: false,
      breached_at: null,
      stopped_at: null,
      met: null,
    });
    expect(await summary(late)).toEqual({
      dueAt: now + 3_600_000,
      paused: false,
      warned: false,
      breached: false,
    });
    await srv.services.db('sla_clocks').where({ record_id: late.id, cycle: 2 }).update({ breached: true });
    expect(await summary(late)).toMatchObject({ breached: true });

    // A record whose only clock is a task's OLA has no SLA summary.
    const bare = await create();
    const own = await clock(bare.id);
    await srv.services
      .db('sla_clocks')
      .where({ id: own.id })
      .update({ task_id: 999_999, sla_key: 'process:x', metric: 'work', warned: '[50]', breached: true });
    expect(await summary(bare)).toBeNull();
    // Lists without SLA clocks on the page still answer.
    const none = await srv.admin.get('/records?type=ticket&sla=met&limit=1');
    expect(none.status).toBe(200);
  });

  it('keeps running clocks on their SLA version when a new one is published', async () => {
    const old = await create();
    const detail = (await srv.admin.get('/definitions/sla/ticket-sla')).body;
    expect(
      (
        await srv.admin.put('/definitions/sla/ticket-sla/draft', {
          revision: detail.revision,
          definition: sla(30),
        })
      ).status,
    ).toBe(200);
    expect((await srv.admin.post('/definitions/sla/ticket-sla/publish')).status).toBe(201);
    const fresh = await create();
    expect((await metrics(old.id))[0].targetMinutes).toBe(10);
    expect((await metrics(fresh.id))[0].targetMinutes).toBe(30);
    // The old clock still pauses by its own (v1) rules.
    await act(old.id, 'wait');
    expect((await metrics(old.id))[0].paused).toBe(true);
  });

  it('moves a running clock to the goal that applies after a change, keeping the time counted', async () => {
    const goalSla = {
      kind: 'sla',
      key: 'ticket-goal-sla',
      name: label('Goal SLA'),
      form: 'ticket',
      appliesTo: 'record.title == "goal test"',
      calendar: 'always',
      metrics: [resolution],
      goals: [
        {
          id: 'flagged',
          name: label('Flagged'),
          when: 'record.flagged == true',
          targets: { resolution: { minutes: 5 } },
        },
        { id: 'normal', name: label('Normal'), targets: { resolution: { minutes: 60 } } },
      ],
    };
    expect((await srv.admin.post('/definitions', goalSla)).status).toBe(201);
    expect((await srv.admin.post('/definitions/sla/ticket-goal-sla/publish')).status).toBe(201);
    const rec = (
      await srv.admin.post('/records', {
        type: 'ticket',
        process: 'ticket-flow',
        data: { title: 'goal test' },
      })
    ).body;
    const goalMetric = async () =>
      (await metrics(rec.id)).find((m: { sla: string }) => m.sla === 'ticket-goal-sla');
    expect(await goalMetric()).toMatchObject({ goal: 'normal', targetMinutes: 60, state: 'running' });
    const save = async (data: Record<string, unknown>) => {
      const { version } = (await srv.admin.get(`/records/${rec.id}`)).body;
      const res = await srv.admin.patch(`/records/${rec.id}`, { version, data });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    };

    await new Promise((r) => setTimeout(r, 600));
    await save({ flagged: true });
    const flagged = await goalMetric();
    expect(flagged).toMatchObject({ goal: 'flagged', targetMinutes: 5, state: 'running', breached: false });
    // The half second already counted stays counted: due 5 minutes after the start, not after the change.
    const row = await srv.services
      .db('sla_clocks')
      .where({ record_id: rec.id, sla_key: 'ticket-goal-sla' })
      .first();
    expect(Number(row.elapsed_ms)).toBeGreaterThanOrEqual(500);
    expect(Math.abs(flagged.dueAt - (Number(row.started_at) + 5 * 60_000))).toBeLessThan(100);
    expect(Number(row.next_check_at)).toBe(flagged.dueAt);

    // Paused, a change of goal keeps it paused; back to normal, it runs against 60 minutes again.
    await act(rec.id, 'wait');
    await save({ flagged: false });
    expect(await goalMetric()).toMatchObject({
      goal: 'normal',
      targetMinutes: 60,
      state: 'paused',
      dueAt: null,
    });
    await act(rec.id, 'resume');
    expect(await goalMetric()).toMatchObject({ goal: 'normal', state: 'running' });

    const history = (await srv.admin.get(`/records/${rec.id}/history`)).body.items.filter(
      (e: { kind: string }) => e.kind === 'sla_goal',
    );
    expect(history.map((e: { actor: string; detail: unknown }) => [e.actor, e.detail])).toEqual([
      [
        'system:sla:ticket-goal-sla',
        expect.objectContaining({
          sla: 'ticket-goal-sla',
          metric: 'resolution',
          from: 'normal',
          to: 'flagged',
        }),
      ],
      [
        'system:sla:ticket-goal-sla',
        expect.objectContaining({ from: 'flagged', to: 'normal', toName: label('Normal') }),
      ],
    ]);
    // Records the other SLAs hold to, and their clocks, did not move.
    const other = (await metrics(rec.id)).find((m: { sla: string }) => m.sla === 'ticket-sla');
    expect(other?.goal).toBe('all');
  });
});
