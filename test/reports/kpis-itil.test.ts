import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { type ItilFixture, seedItilFixture, WEEK } from './fixture-itil.ts';
import { expectDrillTotals, listTotal, run, table } from './helpers.ts';
import { HOUR, MINUTE } from './seed.ts';

/**
 * The ITIL KPI reports itil-reports 1.2 ships beside the service-desk ones, on the fixed records,
 * history, tasks, clocks and ratings of fixture-itil.ts (which tabulates them). Every expected
 * figure is worked out by hand from that table; every figure that counts records drills to a
 * records list whose total is the figure. Periods are explicit: the fixture lies in November 2026.
 */

const SHIPPED = [
  'sla-breaches-by-group',
  'first-contact-resolution',
  'reopen-rate-weekly',
  'csat-by-group',
  'agent-workload',
  'process-step-times',
  'changes-by-outcome',
  'releases-by-app',
  'inspections-done-vs-overdue',
];

describe.each(testDatabases())('ITIL KPI reports on %s', (dbName) => {
  let srv: TestServer;
  let fx: ItilFixture;
  let manager: ApiClient;

  beforeAll(async () => {
    srv = await startTestServer(dbName, { pluginsDir: SHIPPED_PLUGINS, demo: true, jobs: false });
    fx = await seedItilFixture(srv);
    manager = await new ApiClient(srv.url).login('chenjing', DEMO_PASSWORD);
  });
  afterAll(() => srv?.close());

  it('every shipped KPI runs with its default parameters', async () => {
    const listed = (await manager.get('/reports')).body.items.map((i: { key: string }) => i.key);
    for (const key of SHIPPED) {
      expect(listed).toContain(key);
      const res = await manager.post(`/reports/${key}/run`, { params: {} });
      expect(res.status, `${key}: ${JSON.stringify(res.body)}`).toBe(200);
    }
    const plugins = (await srv.admin.get('/plugins')).body.items as { name: string; version: string }[];
    const manifest = JSON.parse(
      fs.readFileSync(path.join(SHIPPED_PLUGINS, 'itil-reports/plugin.json'), 'utf8'),
    );
    expect(plugins.find((p) => p.name === 'itil-reports')?.version).toBe(manifest.version);
  });

  it('SLA breaches by group: clocks breached in the month, and the records they belong to', async () => {
    const body = await run(manager, 'sla-breaches-by-group', {
      period: { from: '2026-11-01', to: '2026-11-30' },
    });
    // Service desk: F3 late twice, F7's running first response; second line: F2 late twice.
    // F4's breach was on 31 October.
    expect(body.rows).toEqual([
      { group: 'service-desk', breaches: 3, records: 2 },
      { group: 'second-line', breaches: 2, records: 1 },
    ]);
    // Breaches count clocks, not records: only the record counts carry a count to drill to.
    expect(body.drill[0]!.breaches!.count).toBeUndefined();
    expect(await listTotal(manager, body.drill[0]!.breaches!)).toBe(2);
    expect(await expectDrillTotals(manager, body)).toBe(2);
  });

  it('first-contact resolution: no reassignment after the first, no reopen', async () => {
    const body = await run(manager, 'first-contact-resolution', { period: WEEK });
    // P1: F1 yes, F2 handed to second line; P2: F3 reopened; P3: F4 yes. Changes and
    // inspections resolved that week are not service-desk types.
    expect(body.rows).toEqual([
      { priority: 'P1', resolved: 2, firstContact: 1, rate: 0.5 },
      { priority: 'P2', resolved: 1, firstContact: 0, rate: 0 },
      { priority: 'P3', resolved: 1, firstContact: 1, rate: 1 },
    ]);
    expect(await expectDrillTotals(manager, body)).toBe(6);
    expect(await listTotal(manager, body.drill[0]!.rate!)).toBe(2);
    // F11 changed hands within the service desk: not a transfer, so resolved at first contact.
    const september = await run(manager, 'first-contact-resolution', {
      period: { from: '2026-09-15', to: '2026-09-15' },
    });
    expect(september.rows).toEqual([{ priority: 'P4', resolved: 1, firstContact: 1, rate: 1 }]);
    // The type parameter's default keeps out the changes (and inspections) resolved that week.
    const changes = await run(manager, 'first-contact-resolution', { period: WEEK, type: 'change' });
    expect(table(changes, 'resolved')).toEqual([[null, 4]]);
  });

  it('reopen rate per week, by the week of the last resolution', async () => {
    const body = await run(manager, 'reopen-rate-weekly', {
      period: { from: '2026-11-02', to: '2026-11-15' },
    });
    expect(body.rows).toEqual([
      { resolvedAt: '2026-11-02', resolved: 4, reopened: 1, rate: 0.25 },
      { resolvedAt: '2026-11-09', resolved: 2, reopened: 1, rate: 0.5 },
    ]);
    expect(await expectDrillTotals(manager, body)).toBe(4);
  });

  it('CSAT per group: the three dimensions and their mean', async () => {
    const body = await run(manager, 'csat-by-group', { period: WEEK });
    expect(body.rows.map((r) => [r.group, r.attitude, r.speed, r.quality, r.ratings])).toEqual([
      ['network', 2, 3, 4, 1],
      ['second-line', 3, 2, 2, 1],
      ['service-desk', 4.5, 4.5, 4, 2],
    ]);
    expect(body.rows.map((r) => r.overall as number).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([
      3,
      Math.round((7 / 3) * 1e6) / 1e6,
      Math.round((13 / 3) * 1e6) / 1e6,
    ]);
    expect(await expectDrillTotals(manager, body)).toBe(3);
  });

  it('agent workload: open tasks now, records resolved in the week they worked on', async () => {
    const body = await run(manager, 'agent-workload', { period: WEEK });
    // zhangwei holds F7 and F10 open and worked F1, F2 (triage), F3; wangfang worked F2 and F4
    // (F7's triage too, but F7 is still open); lina has F10's approval open.
    expect(body.rows).toEqual([
      { assignee: 'zhangwei', open: 2, resolved: 3 },
      { assignee: 'lina', open: 1, resolved: 0 },
      { assignee: 'wangfang', open: 0, resolved: 2 },
    ]);
    expect(await expectDrillTotals(manager, body, ['resolved'])).toBe(3);
    expect(await listTotal(manager, body.drill[0]!.open!)).toBe(2);
  });

  it('time in each process step: mean and P90, wall clock and business time, longest P90 first', async () => {
    const body = await run(manager, 'process-step-times', { period: WEEK });
    expect(body.rows).toEqual([
      // F1 2 h, F2 4 h (3 worked), F3 and F4 24 h each (8 worked).
      {
        process: 'incident-flow',
        step: 'work',
        tasks: 4,
        wall: 13.5 * HOUR,
        wallP90: 24 * HOUR,
        business: 5.25 * HOUR,
        businessP90: 8 * HOUR,
      },
      // I1 2 h, I2 6 h (5 worked), I4 3 h 59 min (3 worked: 12:00–12:59 is lunch); I3 is open.
      {
        process: 'inspection-flow',
        step: 'inspect',
        tasks: 3,
        wall: (719 * MINUTE) / 3,
        wallP90: 6 * HOUR,
        business: (10 * HOUR) / 3,
        businessP90: 5 * HOUR,
      },
      // F2 1 h, F5 half an hour, F7 half an hour on a Saturday (no working time).
      {
        process: 'incident-flow',
        step: 'triage',
        tasks: 3,
        wall: 40 * MINUTE,
        wallP90: HOUR,
        business: 30 * MINUTE,
        businessP90: HOUR,
      },
    ]);
    // Tasks are not records: the count has no record count, its drill lists the records.
    expect(body.drill[0]!.tasks!.count).toBeUndefined();
    expect(await listTotal(manager, body.drill[0]!.tasks!)).toBe(4);
    expect(await listTotal(manager, body.drill[1]!.wallP90!)).toBe(3);
    expect(body.labels.process).toMatchObject({ 'incident-flow': expect.any(String) });
  });

  it('changes by outcome: the closed by implementation result, the rejected', async () => {
    const body = await run(manager, 'changes-by-outcome', { period: WEEK });
    expect(table(body, 'changes')).toEqual([
      ['closed', 'rolled-back', 1],
      ['closed', 'successful', 2],
      ['rejected', null, 1],
    ]);
    expect(body.labels.implementationResult).toEqual({
      'rolled-back': 'Rolled back',
      successful: 'Successful',
      null: '(none)',
    });
    expect(body.drill[1]!.changes!.query).toMatchObject({
      type: 'change',
      status: 'closed',
      'f.implementationResult': 'successful',
    });
    expect(await expectDrillTotals(manager, body)).toBe(3);
    const zh = new ApiClient(srv.url);
    zh.locale = 'zh-CN';
    await zh.login('chenjing', DEMO_PASSWORD);
    const inChinese = await run(zh, 'changes-by-outcome', { period: WEEK });
    expect(inChinese.labels.implementationResult!['rolled-back']).toBe('已回退');
    expect(inChinese.labels.status!.rejected).toBe('已驳回');
  });

  it('releases per application and CI/CD status, from the rows of the apps table', async () => {
    const body = await run(manager, 'releases-by-app', { period: WEEK });
    expect(table(body, 'releases')).toEqual([
      ['billing', 'SIT发布成功', 2],
      ['portal', '未发布', 2],
      ['billing', 'UAT发布成功', 1],
      ['crm', 'SIT发布失败', 1],
    ]);
    expect(body.labels.status).toMatchObject({ SIT发布成功: 'Released to SIT', 未发布: 'Not released' });
    expect(await expectDrillTotals(manager, body)).toBe(4);
    // R4 (12 November) ships billing too.
    const twoWeeks = await run(manager, 'releases-by-app', {
      period: { from: '2026-11-02', to: '2026-11-15' },
    });
    expect(table(twoWeeks, 'releases')).toContainEqual(['billing', '未发布', 1]);
  });

  it('inspections done on time, late, overdue, by the day they fell due', async () => {
    const body = await run(manager, 'inspections-done-vs-overdue', {
      period: { from: '2026-11-02', to: '2026-11-04' },
    });
    expect(body.rows).toEqual([
      { dueAt: '2026-11-02', due: 1, onTime: 1, late: 0, overdue: 0, pending: 0, onTimeRate: 1 },
      { dueAt: '2026-11-03', due: 1, onTime: 0, late: 1, overdue: 0, pending: 0, onTimeRate: 0 },
      { dueAt: '2026-11-04', due: 2, onTime: 1, late: 0, overdue: 1, pending: 0, onTimeRate: 0.5 },
    ]);
    expect(await expectDrillTotals(manager, body)).toBe(15);
    // The follow-up step: I2's, due on the 4th and still open.
    const followUps = await run(manager, 'inspections-done-vs-overdue', {
      period: { from: '2026-11-02', to: '2026-11-04' },
      step: 'followUp',
    });
    expect(followUps.rows.map((r) => [r.dueAt, r.due, r.overdue])).toEqual([
      ['2026-11-02', 0, 0],
      ['2026-11-03', 0, 0],
      ['2026-11-04', 1, 1],
    ]);
    void fx;
  });

  it('a report on the rows of a table is refused without its table, naming the field', async () => {
    const def = {
      kind: 'report',
      key: 'bad-app-rows',
      name: { 'zh-CN': '错误', en: 'Bad' },
      dataset: { source: 'formRows', form: 'release' },
      dimensions: [{ field: 'name' }],
      measures: [{ id: 'n', agg: 'countDistinct', field: 'recordId' }],
      chart: { type: 'bar' },
    };
    const res = await srv.admin.post('/definitions', def);
    expect(res.status).toBe(422);
    const problem = res.body.error.details.problems.find(
      (p: { code: string }) => p.code === 'report.dataset.table',
    );
    expect(problem).toMatchObject({ path: '/dataset/table' });
    expect(JSON.stringify(problem)).toContain('dataset.table');
    // A table the form does not have is refused at publish.
    const unknown = {
      ...def,
      key: 'bad-app-rows-2',
      dataset: { source: 'formRows', form: 'release', table: 'nope' },
    };
    const created = await srv.admin.post('/definitions', unknown);
    const refused =
      created.status === 201 ? await srv.admin.post('/definitions/report/bad-app-rows-2/publish') : created;
    expect(refused.status).toBe(422);
    expect(refused.body.error.details.problems).toContainEqual(
      expect.objectContaining({ code: 'ref.field', path: '/dataset/table' }),
    );
  });
});
