import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testDatabases } from '../support/databases.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

const pos = { x: 0, y: 0 };
const FORM = {
  kind: 'form',
  key: 'check',
  name: { en: 'Check', 'zh-CN': '巡检' },
  numberPrefix: 'CHK',
  schema: {
    type: 'object',
    required: ['title'],
    properties: { title: { type: 'string' }, room: { type: 'string' } },
  },
};
const FLOW = {
  kind: 'process',
  key: 'check-flow',
  name: { en: 'Check flow' },
  form: 'check',
  nodes: [
    { id: 'start', type: 'start', position: pos },
    { id: 'do', type: 'userTask', position: pos, status: 'open', assignee: { type: 'role', value: 'agent' } },
    { id: 'end', type: 'end', position: pos },
  ],
  edges: [
    { id: 'e1', source: 'start', target: 'do' },
    { id: 'e2', source: 'do', target: 'end' },
  ],
};
const schedule = (key: string, cron: string, catchUp: 'skip' | 'runOnce') => ({
  kind: 'schedule',
  key,
  name: { en: key },
  cron,
  timeZone: 'Asia/Shanghai',
  catchUp,
  action: {
    type: 'createRecord',
    form: 'check',
    values: { room: '"IDC-A"' },
    title: { 'zh-CN': '{{ schedule.key }} 巡检', en: '{{ schedule.key }} check' },
  },
});

const ENV = { OPSLOOM_SCHEDULE_REFRESH_MS: '200', OPSLOOM_JOB_POLL_MS: '50' };

describe.each(testDatabases())('schedules on %s', (dbName) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dbName);
  });
  afterAll(() => db?.drop());

  const boot = () => startTestServer(dbName, { database: db, env: ENV });
  async function publish(srv: TestServer, def: { kind: string; key: string; [k: string]: unknown }) {
    const existing = await srv.admin.get(`/definitions/${def.kind}/${def.key}`);
    if (existing.status === 200) {
      await srv.admin.put(`/definitions/${def.kind}/${def.key}/draft`, {
        revision: existing.body.revision,
        definition: def,
      });
    } else {
      expect((await srv.admin.post('/definitions', def)).status).toBe(201);
    }
    const res = await srv.admin.post(`/definitions/${def.kind}/${def.key}/publish`);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  const runs = (srv: TestServer, key: string) =>
    srv.services
      .db('schedule_runs')
      .where({ key })
      .orderBy('scheduled_for')
      .select('scheduled_for', 'status', 'reason', 'detail');

  it('creates a record at each occurrence, titled from the template', async () => {
    const srv = await boot();
    try {
      await publish(srv, FORM);
      await publish(srv, FLOW);
      await publish(srv, schedule('every-second', '* * * * * *', 'runOnce'));
      const done = await waitFor(async () => {
        const r = await runs(srv, 'every-second');
        return r.length >= 2 ? r : null;
      }, 'two runs');
      expect(done.every((r: { status: string }) => r.status === 'done')).toBe(true);
      const records = await srv.services
        .db('records')
        .where({ type: 'check' })
        .select('title', 'status', 'data');
      expect(records.length).toBeGreaterThanOrEqual(2);
      expect(records[0].title).toBe('every-second 巡检');
      expect(JSON.parse(records[0].data).room).toBe('IDC-A');
      expect(records[0].status).toBe('open');
      // Retiring the schedule stops it.
      await srv.admin.post('/definitions/schedule/every-second/retire');
      await new Promise((r) => setTimeout(r, 500));
      const after = (await runs(srv, 'every-second')).length;
      await new Promise((r) => setTimeout(r, 1500));
      expect((await runs(srv, 'every-second')).length).toBe(after);
    } finally {
      await srv.close();
    }
  });

  it('runs a schedule missed during downtime once after restart (runOnce), and skips it (skip)', async () => {
    let srv = await boot();
    await publish(srv, schedule('catch-up-once', '*/2 * * * * *', 'runOnce'));
    await publish(srv, schedule('catch-up-skip', '*/2 * * * * *', 'skip'));
    await waitFor(
      async () =>
        (await runs(srv, 'catch-up-once')).length >= 1 && (await runs(srv, 'catch-up-skip')).length >= 1,
      'a first run',
    );
    await srv.close();
    const downSince = Date.now();
    // Down long enough to miss at least two occurrences of each schedule.
    await new Promise((r) => setTimeout(r, 5000));
    srv = await boot();
    try {
      const caughtUp = async (key: string) =>
        (
          await srv.services
            .db('schedule_runs')
            .where({ key, reason: 'catch-up' })
            .where('scheduled_for', '>=', downSince - 2000)
        ).map((r: { status: string }) => r.status);
      expect(await caughtUp('catch-up-once')).toEqual(['done']);
      expect(await caughtUp('catch-up-skip')).toEqual(['skipped']);
    } finally {
      await srv.admin.post('/definitions/schedule/catch-up-once/retire');
      await srv.admin.post('/definitions/schedule/catch-up-skip/retire');
      await srv.close();
    }
  });

  it('runs a rule over the open records of its type (runRule)', async () => {
    const srv = await boot();
    try {
      const rec = (
        await srv.admin.post('/records', { type: 'check', data: { title: 'sweep me', room: 'IDC-B' } })
      ).body;
      await publish(srv, {
        kind: 'rule',
        key: 'sweep-rule',
        name: { en: 'Sweep' },
        event: 'schedule.fired',
        form: 'check',
        condition: 'record.room == "IDC-B"',
        actions: [{ type: 'setField', field: 'room', value: '"IDC-B (checked)"' }],
      });
      await publish(srv, {
        kind: 'schedule',
        key: 'sweeper',
        name: { en: 'Sweeper' },
        cron: '* * * * * *',
        timeZone: 'UTC',
        catchUp: 'skip',
        action: { type: 'runRule', rule: 'sweep-rule' },
      });
      const swept = await waitFor(async () => {
        const r = (await srv.admin.get(`/records/${rec.id}`)).body;
        return r.data.room === 'IDC-B (checked)' ? r : null;
      }, 'the rule to run on the record');
      expect(swept.data.room).toBe('IDC-B (checked)');
      await srv.admin.post('/definitions/schedule/sweeper/retire');
      const done = await runs(srv, 'sweeper');
      expect(done.some((r: { status: string }) => r.status === 'done')).toBe(true);
    } finally {
      await srv.close();
    }
  });

  it('with two runtimes on one database, each occurrence runs once', async () => {
    const a = await boot();
    const b = await boot();
    try {
      await publish(a, schedule('shared', '* * * * * *', 'skip'));
      await waitFor(async () => (await runs(a, 'shared')).length >= 3, 'three runs', 20_000);
      await a.admin.post('/definitions/schedule/shared/retire');
      await new Promise((r) => setTimeout(r, 1200));
      const all = await runs(a, 'shared');
      const instants = all.map((r: { scheduled_for: number }) => Number(r.scheduled_for));
      expect(new Set(instants).size).toBe(instants.length);
      const created = all
        .filter((r: { status: string }) => r.status === 'done')
        .map((r: { detail: string }) => JSON.parse(r.detail).record);
      expect(new Set(created).size).toBe(created.length);
      // Both runtimes were firing: every occurrence still produced exactly one record.
      const numbers = await a.services.db('records').whereIn('number', created).select('number');
      expect(numbers).toHaveLength(created.length);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
