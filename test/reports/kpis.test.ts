import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { publishDefinitions } from '../support/fixtures.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { type Fixture, seedFixture, WEEK } from './fixture.ts';
import { expectDrillTotals, listTotal, run, table } from './helpers.ts';
import { HOUR, MINUTE } from './seed.ts';

/**
 * The shipped KPI reports (plugins/itil-reports) and the engine's datasets on a fixed set of
 * records, tasks, clocks and ratings (fixture.ts, which tabulates them). Every expected figure
 * below is worked out by hand from that table; every record-counting figure also drills to a
 * records list whose total is the figure.
 */

const T = (name: string, def: Record<string, unknown>) => ({
  kind: 'report',
  key: name,
  name: { 'zh-CN': name, en: name },
  ...def,
});

/** Reports the tests publish beside the shipped ones. */
const CUSTOM = [
  T('ny-days', {
    dataset: { source: 'records' },
    timeZone: 'America/New_York',
    filters: [
      { field: 'createdAt', op: 'between', param: 'period' },
      { field: 'group', op: 'eq', value: 'cab' },
    ],
    dimensions: [{ field: 'createdAt', granularity: 'day' }],
    measures: [{ id: 'n', agg: 'count' }],
    chart: { type: 'bar' },
    params: [{ key: 'period', type: 'dateRange', default: 'last7days' }],
  }),
  T('ny-hours', {
    dataset: { source: 'records' },
    timeZone: 'America/New_York',
    filters: [
      { field: 'createdAt', op: 'between', param: 'period' },
      { field: 'group', op: 'eq', value: 'cab' },
    ],
    dimensions: [{ field: 'createdAt', granularity: 'hour' }],
    measures: [{ id: 'n', agg: 'count' }],
    chart: { type: 'line' },
    params: [{ key: 'period', type: 'dateRange', default: 'today' }],
  }),
  T('weekly-created', {
    dataset: { source: 'records' },
    filters: [{ field: 'createdAt', op: 'between', param: 'period' }],
    dimensions: [{ field: 'createdAt', granularity: 'week' }],
    measures: [{ id: 'n', agg: 'count' }],
    chart: { type: 'bar' },
    params: [{ key: 'period', type: 'dateRange', default: 'thisMonth' }],
  }),
  T('monthly-created', {
    dataset: { source: 'records' },
    filters: [{ field: 'createdAt', op: 'between', param: 'period' }],
    dimensions: [{ field: 'createdAt', granularity: 'month' }],
    measures: [{ id: 'n', agg: 'count' }],
    chart: { type: 'bar' },
    params: [{ key: 'period', type: 'dateRange', default: 'thisYear' }],
  }),
  T('by-category', {
    dataset: { source: 'records', form: 'incident' },
    filters: [{ field: 'createdAt', op: 'between', param: 'period' }],
    dimensions: [{ field: 'category' }],
    measures: [{ id: 'n', agg: 'count' }],
    chart: { type: 'pie' },
    params: [{ key: 'period', type: 'dateRange', default: 'last30days' }],
  }),
  T('time-in-step', {
    dataset: { source: 'tasks' },
    filters: [
      { field: 'openedAt', op: 'between', param: 'period' },
      { field: 'open', op: 'eq', value: false },
    ],
    dimensions: [{ field: 'step' }],
    measures: [
      { id: 'tasks', agg: 'count' },
      { id: 'wall', agg: 'avg', field: 'timeInStep' },
      { id: 'business', agg: 'avg', field: 'timeInStep', time: 'business', calendar: 'cal-5x8' },
    ],
    chart: { type: 'bar' },
    params: [{ key: 'period', type: 'dateRange', default: 'last30days' }],
  }),
  T('decisions', {
    dataset: { source: 'approvals' },
    filters: [{ field: 'askedAt', op: 'between', param: 'period' }],
    dimensions: [{ field: 'decision' }],
    measures: [
      { id: 'n', agg: 'count' },
      { id: 'wait', agg: 'avg', field: 'decisionTime' },
    ],
    chart: { type: 'bar' },
    params: [{ key: 'period', type: 'dateRange', default: 'last30days' }],
  }),
  T('status-times', {
    dataset: { source: 'transitions' },
    filters: [
      { field: 'recordId', op: 'eq', param: 'record' },
      { field: 'current', op: 'eq', value: false },
    ],
    dimensions: [{ field: 'status' }],
    measures: [
      { id: 'entered', agg: 'count' },
      { id: 'time', agg: 'sum', field: 'timeInStatus' },
      { id: 'reopens', agg: 'count', where: [{ field: 'reopen', op: 'eq', value: true }] },
    ],
    chart: { type: 'bar' },
    params: [{ key: 'record', type: 'number', default: 0 }],
  }),
  T('top-groups', {
    dataset: { source: 'records' },
    filters: [{ field: 'open', op: 'eq', value: true }],
    dimensions: [{ field: 'group', top: 2 }],
    measures: [{ id: 'open', agg: 'count' }],
    sort: [{ by: 'open', desc: true }],
    chart: { type: 'pie' },
  }),
  T('my-open-requests', {
    dataset: { source: 'records' },
    visibleTo: { roles: ['user', 'manager'] },
    filters: [{ field: 'open', op: 'eq', value: true }],
    dimensions: [{ field: 'status' }],
    measures: [{ id: 'n', agg: 'count' }],
    chart: { type: 'pie' },
  }),
];

describe.each(testDatabases())('KPI reports on %s', (dbName) => {
  let srv: TestServer;
  let fx: Fixture;
  let manager: ApiClient;
  let zhangwei: ApiClient;
  let wangfang: ApiClient;
  let zhaolei: ApiClient;
  let alice: ApiClient;

  beforeAll(async () => {
    srv = await startTestServer(dbName, { pluginsDir: SHIPPED_PLUGINS, demo: true, jobs: false });
    fx = await seedFixture(srv);
    await publishDefinitions(srv.admin, CUSTOM);
    const as = (u: string) => new ApiClient(srv.url).login(u, DEMO_PASSWORD);
    [manager, zhangwei, wangfang, zhaolei, alice] = (await Promise.all(
      ['chenjing', 'zhangwei', 'wangfang', 'zhaolei', 'alice'].map(as),
    )) as [ApiClient, ApiClient, ApiClient, ApiClient, ApiClient];
  });
  afterAll(() => srv?.close());

  it('created vs resolved per day: local days of Asia/Shanghai, a resolved count dated by resolution', async () => {
    const body = await run(manager, 'created-vs-resolved', { period: WEEK });
    // A4 was created at 00:10 on 4 November in Shanghai (3 November in UTC): it counts on the 4th.
    expect(table(body, 'created')).toEqual([
      ['2026-11-02', 2],
      ['2026-11-03', 1],
      ['2026-11-04', 1],
      ['2026-11-05', 1],
      ['2026-11-06', 1],
      ['2026-11-07', 1],
      ['2026-11-08', 1],
    ]);
    // A1 (2nd), A2 (3rd), A3 and A8 (5th), A6 (7th); A5 was resolved on the 9th.
    expect(body.rows.map((r) => r.resolved)).toEqual([1, 1, 0, 2, 0, 1, 0]);
    expect(await expectDrillTotals(manager, body)).toBe(14);
    expect(body.chart.xAxis.data).toEqual(body.rows.map((r) => r.createdAt));
    expect(body.chart.series.map((s: { data: { value: number }[] }) => s.data.map((d) => d.value))).toEqual([
      [2, 1, 1, 1, 1, 1, 1],
      [1, 1, 0, 2, 0, 1, 0],
    ]);
    expect(body.chart.series[0].data[0].drill.query['createdAt.gte']).toBe(
      String(Date.parse('2026-11-02T00:00:00+08:00')),
    );
  });

  it('a ticket created 2026-12-06T23:30+08:00 counts on 6 December in Shanghai', async () => {
    const body = await run(manager, 'created-vs-resolved', {
      period: { from: '2026-12-06', to: '2026-12-07' },
      group: 'dc-ops',
    });
    expect(table(body, 'created')).toEqual([
      ['2026-12-06', 1],
      ['2026-12-07', 1],
    ]);
    await expectDrillTotals(manager, body);
  });

  it('open backlog by priority, by group and by age', async () => {
    const byPriority = await run(manager, 'open-backlog-by-priority');
    expect(table(byPriority, 'open')).toEqual([
      ['P1', 1],
      ['P2', 3],
      ['P3', 4],
    ]);
    expect(await expectDrillTotals(manager, byPriority)).toBe(3);

    const byGroup = await run(manager, 'backlog-by-group');
    expect(table(byGroup, 'open')).toEqual([
      ['service-desk', 3],
      ['network', 2],
      ['second-line', 2],
      [null, 1],
    ]);
    expect(byGroup.labels.group).toMatchObject({ 'service-desk': 'Service desk', null: '(none)' });
    expect(await expectDrillTotals(manager, byGroup)).toBe(4);

    const ageing = await run(manager, 'backlog-ageing');
    expect(table(ageing, 'open')).toEqual([
      [0, 2],
      [1, 1],
      [2, 1],
      [3, 4],
    ]);
    expect(Object.values(ageing.labels.age!)).toEqual(['< 1 d', '1–3 d', '3–7 d', '≥ 7 d']);
    expect(await expectDrillTotals(manager, ageing)).toBe(4);
  });

  it('MTTR by priority in wall-clock and in business time on cal-5x8', async () => {
    const body = await run(manager, 'mttr-by-priority', { period: WEEK });
    expect(body.rows).toEqual([
      // A1 4 h (3 h of 5×8), A2 17 h (2 h), A8 0.5 h (0.5 h); P90 is the third of three.
      {
        priority: 'P1',
        resolved: 3,
        mttr: (21.5 * HOUR) / 3,
        mttrBusiness: (5.5 * HOUR) / 3,
        p90: 17 * HOUR,
      },
      // A3: Tuesday 23:30 to Thursday 09:30 is 34 h, of which Wednesday's 8 h and half an hour are worked.
      { priority: 'P2', resolved: 1, mttr: 34 * HOUR, mttrBusiness: 8.5 * HOUR, p90: 34 * HOUR },
      // A6: an hour on a Saturday.
      { priority: 'P4', resolved: 1, mttr: HOUR, mttrBusiness: 0, p90: HOUR },
    ]);
    expect(await expectDrillTotals(manager, body)).toBe(3);
    // A duration's drill lists the resolved records it averaged.
    expect(await listTotal(manager, body.drill[0]!.mttrBusiness!)).toBe(3);
  });

  it('first response by priority from the SLA clocks', async () => {
    const body = await run(manager, 'first-response-by-priority', { period: WEEK });
    expect(body.rows).toEqual([
      { priority: 'P1', responded: 3, wall: 15 * MINUTE, business: 15 * MINUTE, p90: 30 * MINUTE },
      // A3 waited from 23:30 to 09:20 (590 min), 20 minutes of them working time.
      { priority: 'P2', responded: 1, wall: 590 * MINUTE, business: 20 * MINUTE, p90: 590 * MINUTE },
    ]);
    // Clocks are not records (a reopened incident has two resolution clocks): their counts carry
    // no record count, and each drills to the records they belong to.
    expect(await expectDrillTotals(manager, body)).toBe(0);
    expect(await listTotal(manager, body.drill[0]!.responded!)).toBe(3);
  });

  it('SLA compliance per metric, with the previous period', async () => {
    const body = await run(manager, 'sla-compliance', { period: WEEK });
    expect(body.rows).toEqual([
      {
        metric: 'first-response',
        met: 3,
        breached: 1,
        compliance: 0.75,
        'met.previous': 1,
        'breached.previous': 0,
        'compliance.previous': 1,
      },
      {
        metric: 'resolution',
        met: 2,
        breached: 3,
        compliance: 0.4,
        'met.previous': 0,
        'breached.previous': 0,
        'compliance.previous': null,
      },
    ]);
    expect(body.labels.metric).toEqual({ 'first-response': 'First response', resolution: 'Resolution' });
    expect(await expectDrillTotals(manager, body)).toBe(0);
    expect(await listTotal(manager, body.drill[1]!.breached!)).toBe(3);
    // The compliance figure drills to the records decided (met or breached): A1, A2, A3, A8.
    expect(await listTotal(manager, body.drill[0]!.compliance!)).toBe(4);
    // The chart draws the compliance (in percent) and its previous period; the counts stay in the table.
    expect(body.chart.series.map((x: { name: string }) => x.name)).toHaveLength(2);
    expect(body.chart.series[0].data.map((d: { value: number }) => d.value)).toEqual([75, 40]);
  });

  it('CSAT per dimension', async () => {
    const body = await run(manager, 'csat-by-dimension', { period: WEEK });
    expect(body.rows).toHaveLength(1);
    const row = body.rows[0]!;
    expect(row.attitude).toBe(3.5);
    expect(row.speed).toBe(3.75);
    expect(row.quality).toBe(3.5);
    expect(row.overall).toBeCloseTo(43 / 12, 6); // MySQL's AVG keeps 8 decimals
    expect(row.ratings).toBe(4);
    expect(await expectDrillTotals(manager, body)).toBe(1);
  });

  it('an agent counts only the records they may see: their groups’ and their own work', async () => {
    // zhangwei: service desk (B1 P1, B2 P2, A5 P3) and B4 (P3, network) assigned to him.
    const zw = await run(zhangwei, 'open-backlog-by-priority');
    expect(table(zw, 'open')).toEqual([
      ['P1', 1],
      ['P2', 1],
      ['P3', 2],
    ]);
    expect(await expectDrillTotals(zhangwei, zw)).toBe(3);
    // wangfang: second line and network (B3 P2, A7 P3, B4 P3, A4 P2).
    const wf = await run(wangfang, 'open-backlog-by-priority');
    expect(table(wf, 'open')).toEqual([
      ['P2', 2],
      ['P3', 2],
    ]);
    expect(await expectDrillTotals(wangfang, wf)).toBe(2);
    const week = await run(wangfang, 'created-vs-resolved', { period: WEEK });
    // A2 (second line), A4 (network), A7 (second line).
    expect(week.rows.map((r) => r.created)).toEqual([1, 0, 1, 0, 0, 0, 1]);
    expect(await expectDrillTotals(wangfang, week)).toBe(14);
  });

  it('requesters run only reports for them, over their own requests', async () => {
    expect((await zhaolei.post('/reports/open-backlog-by-priority/run', { params: {} })).status).toBe(404);
    expect((await zhangwei.post('/reports/my-open-requests/run', { params: {} })).status).toBe(404);
    const keys = (await zhaolei.get('/reports')).body.items.map((i: { key: string }) => i.key);
    expect(keys).toEqual(['my-open-requests']);
    const mine = await run(zhaolei, 'my-open-requests');
    expect(table(mine, 'n')).toEqual([
      ['in-progress', 2],
      ['pending-customer', 1],
      ['resolved', 1],
      ['triage', 1],
    ]);
    expect(await expectDrillTotals(zhaolei, mine)).toBe(4);
    const hers = await run(alice, 'my-open-requests');
    expect(table(hers, 'n')).toEqual([
      ['in-progress', 2],
      ['triage', 1],
    ]);
  });

  it('days and hours in New York across both daylight-saving changes', async () => {
    // D4 23:50 EST on the 7th; D1 00:30 EST and D2 23:30 EDT on the 8th (a 23-hour day); D3 on the 9th.
    const spring = await run(manager, 'ny-days', { period: { from: '2026-03-07', to: '2026-03-09' } });
    expect(table(spring, 'n')).toEqual([
      ['2026-03-07', 1],
      ['2026-03-08', 2],
      ['2026-03-09', 1],
    ]);
    expect(await expectDrillTotals(manager, spring)).toBe(3);
    const fall = await run(manager, 'ny-days', { period: { from: '2025-11-01', to: '2025-11-02' } });
    expect(table(fall, 'n')).toEqual([
      ['2025-11-01', 1],
      ['2025-11-02', 3],
    ]);
    // 01:30 EDT and 01:30 EST are both "01:00" on the wall clock; the day has 24 wall-clock hours.
    const hours = await run(manager, 'ny-hours', { period: { from: '2025-11-02', to: '2025-11-02' } });
    expect(hours.rows).toHaveLength(24);
    expect(hours.rows.filter((r) => r.n).map((r) => [r.createdAt, r.n])).toEqual([
      ['2025-11-02 01:00', 2],
      ['2025-11-02 23:00', 1],
    ]);
    expect(await expectDrillTotals(manager, hours)).toBe(24);
  });

  it('weeks start on Monday; months from the zone’s calendar', async () => {
    // A9 was created 30 seconds into Monday 9 November: the next week.
    const weeks = await run(manager, 'weekly-created', { period: { from: '2026-11-02', to: '2026-11-15' } });
    expect(table(weeks, 'n')).toEqual([
      ['2026-11-02', 8],
      ['2026-11-09', 1],
    ]);
    expect(await expectDrillTotals(manager, weeks)).toBe(2);
    // Up to 9 November only: the fixture's open tickets are dated from the day the test runs.
    const months = await run(manager, 'monthly-created', {
      period: { from: '2026-10-01', to: '2026-11-09' },
    });
    expect(table(months, 'n')).toEqual([
      ['2026-10', 1],
      ['2026-11', 9],
    ]);
    expect(await expectDrillTotals(manager, months)).toBe(2);
  });

  it('indexed form fields: a category drills to f.category, an empty one to the report', async () => {
    const body = await run(manager, 'by-category', { period: WEEK });
    expect(table(body, 'n')).toEqual([
      ['network', 2],
      ['software', 1],
      [null, 5],
    ]);
    expect(body.drill[0]!.n!.query).toMatchObject({ type: 'incident', 'f.category': 'network' });
    expect(body.drill[2]!.n!.query).toHaveProperty('cell');
    expect(await expectDrillTotals(manager, body)).toBe(3);
  });

  it('time in each process step, wall-clock and business', async () => {
    const body = await run(manager, 'time-in-step', { period: WEEK });
    expect(body.rows).toEqual([
      // A2's approval: 17:30 to 09:00 the next day, half an hour of it working time.
      { step: 'approve', tasks: 1, wall: 15.5 * HOUR, business: 30 * MINUTE },
      { step: 'triage', tasks: 2, wall: 20 * MINUTE, business: 20 * MINUTE },
      // A1 10:10–14:00 (170 working minutes), A2 17:30–10:00 (90).
      { step: 'work', tasks: 2, wall: 610 * MINUTE, business: 130 * MINUTE },
    ]);
    // Tasks are not records: the counts drill to the records the tasks belong to.
    expect(await expectDrillTotals(manager, body)).toBe(0);
    expect(await listTotal(manager, body.drill[1]!.tasks!)).toBe(2);
  });

  it('approvals: who decided what, and how long it took', async () => {
    const body = await run(manager, 'decisions', { period: WEEK });
    expect(body.rows).toEqual([
      { decision: 'approve', n: 1, wait: 30 * MINUTE },
      { decision: 'reject', n: 1, wait: 15.5 * HOUR },
    ]);
  });

  it('status changes: time in each status and reopen counts', async () => {
    const body = await run(manager, 'status-times', { record: fx.ids.A3 });
    expect(body.rows).toEqual([
      { status: 'in-progress', entered: 2, time: 24 * HOUR + 10 * MINUTE + 3 * HOUR, reopens: 1 },
      { status: 'resolved', entered: 1, time: 2.5 * HOUR, reopens: 0 },
      { status: 'triage', entered: 1, time: 9 * HOUR + 50 * MINUTE, reopens: 0 },
    ]);
    expect(body.labels.status).toMatchObject({ 'in-progress': 'In progress', triage: 'Triage' });
  });

  it('top N with the rest as "others", which drills to the records it counted', async () => {
    const body = await run(manager, 'top-groups');
    // service desk 3, network 2 (before second line on a tie), others: second line 2 + no group 1.
    expect(table(body, 'open')).toEqual([
      ['service-desk', 3],
      ['network', 2],
      ['__others__', 3],
    ]);
    expect(body.labels.group!.__others__).toBe('Others');
    expect(body.chart.series[0].data.map((d: { name: string }) => d.name)).toEqual([
      'Service desk',
      'Network team',
      'Others',
    ]);
    expect(await expectDrillTotals(manager, body)).toBe(3);
  });

  it('labels follow the caller’s language', async () => {
    const zh = new ApiClient(srv.url);
    zh.locale = 'zh-CN';
    await zh.login('chenjing', DEMO_PASSWORD);
    const body = await run(zh, 'backlog-by-group');
    expect(body.labels.group!['service-desk']).toBe('服务台');
    expect(body.columns.find((c) => c.key === 'open')!.label).toBe('未关闭');
    const ageing = await run(zh, 'backlog-ageing');
    expect(Object.values(ageing.labels.age!)).toEqual(['< 1 天', '1–3 天', '3–7 天', '≥ 7 天']);
  });
});
