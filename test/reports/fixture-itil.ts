import type { TestServer } from '../support/server.ts';
import { at, HOUR, MINUTE, Seeder } from './seed.ts';

/**
 * The records, history, tasks, SLA clocks and ratings behind the ITIL KPI tests (kpis-itil.test.ts),
 * every instant fixed in Asia/Shanghai (+08:00) so no figure depends on the day the test runs
 * (the only exception: an open task past its due instant is overdue from then on). Week under
 * test: Monday 2 – Sunday 8 November 2026; the next week is 9 – 15 November. cal-5x8 works
 * Monday–Friday 09:00–12:00 and 13:00–18:00.
 *
 * Incidents (service-request where it says so), all resolved ones closed an hour later:
 *
 * | rec | prio | group (history)          | assignee (history)      | created     | resolved    | status history                     |
 * |-----|------|--------------------------|-------------------------|-------------|-------------|------------------------------------|
 * | F1  | P1   | → service-desk           | → zhangwei              | 2 Nov 09:00 | 2 Nov 11:00 |                                    |
 * | F2  | P1   | → service-desk → 2nd line| → zhangwei → wangfang   | 3 Nov 10:00 | 3 Nov 15:00 |                                    |
 * | F3  | P2   | → service-desk           | → zhangwei              | 4 Nov 10:00 | 5 Nov 10:00 | resolved 4th 16:00, reopened 5th 09:00, resolved 10:00 |
 * | F4  | P3   | → network                | → wangfang              | 5 Nov 10:00 | 6 Nov 10:00 |                                    |
 * | F5  | P3   | → service-desk           | –                       | 6 Nov 10:00 | 10 Nov 10:00| resolved 9th 10:00, reopened 12:00, resolved 10th |
 * | F6  | P3 SR| → service-desk           | → zhangwei              | 9 Nov 09:00 | 11 Nov 09:00|                                    |
 * | F7  | P1   | service-desk             | zhangwei                | 7 Nov 09:00 | open        |                                    |
 * | F10 | P2   | service-desk             | zhangwei                | 8 Nov 09:00 | open        |                                    |
 *
 * Tasks (incident-flow unless said): F1 work zhangwei 2 Nov 09:00–11:00; F2 triage zhangwei
 * 3 Nov 10:00–11:00, F2 work wangfang 11:00–15:00; F3 work zhangwei 4 Nov 10:00 – 5 Nov 10:00;
 * F4 work wangfang 5 Nov 10:00 – 6 Nov 10:00; F5 triage (group only) 6 Nov 10:00–10:30; F6 work
 * zhangwei 9 Nov 09:00 – 11 Nov 09:00; F7 triage wangfang Sat 7 Nov 10:00–10:30, F7 work zhangwei
 * open; F10 work zhangwei open, F10 approve lina open.
 *
 * SLA clocks: F1 first response met; F2 first response and resolution breached; F3 first
 * response and resolution breached; F7 first response breached (still running); F4 resolution
 * breached on 31 October (the month before).
 *
 * Ratings: F1 [5,4,5] 3 Nov, F2 [3,2,2] 4 Nov, F3 [4,5,3] 6 Nov, F4 [2,3,4] 7 Nov, F6 [1,1,1] 12 Nov.
 *
 * Changes (group cab): CH1 closed successful 3 Nov, CH2 closed successful 5 Nov, CH3 closed
 * rolled back 6 Nov, CH4 rejected 4 Nov, CH5 closed partly done 10 Nov, CH6 implementing.
 *
 * Releases: R1 2 Nov [billing SIT发布成功, portal 未发布], R2 4 Nov [billing UAT发布成功],
 * R3 6 Nov [billing SIT发布成功, crm SIT发布失败, portal 未发布], R4 12 Nov [billing 未发布].
 *
 * Inspections (group dc-ops, inspection-flow, step inspect due 4 h after 09:00): I1 2 Nov done
 * 11:00; I2 3 Nov done 15:00 (late), then a follow-up open; I3 4 Nov open (overdue); I4 4 Nov done
 * 12:59.
 */
export interface ItilFixture {
  ids: Record<string, number>;
}

export async function seedItilFixture(srv: TestServer): Promise<ItilFixture> {
  const s = new Seeder(srv.services.db, 'ITL');
  const ids: Record<string, number> = {};
  const rec = async (name: string, r: Parameters<Seeder['record']>[0]) => {
    ids[name] = await s.record(r);
    return ids[name]!;
  };
  const zhaolei = 'zhaolei';

  // --- incidents and a service request --------------------------------------------------------
  const resolved = (
    name: string,
    r: {
      priority: string;
      group: string;
      assignee?: string;
      created: string;
      resolved: string;
      type?: string;
    },
  ) =>
    rec(name, {
      type: r.type ?? 'incident',
      status: 'closed',
      priority: r.priority,
      group: r.group,
      assignee: r.assignee ?? null,
      requester: zhaolei,
      createdAt: at(r.created),
      resolvedAt: at(r.resolved),
      closedAt: at(r.resolved) + HOUR,
    });
  const F1 = await resolved('F1', {
    priority: 'P1',
    group: 'service-desk',
    assignee: 'zhangwei',
    created: '2026-11-02T09:00:00+08:00',
    resolved: '2026-11-02T11:00:00+08:00',
  });
  const F2 = await resolved('F2', {
    priority: 'P1',
    group: 'second-line',
    assignee: 'wangfang',
    created: '2026-11-03T10:00:00+08:00',
    resolved: '2026-11-03T15:00:00+08:00',
  });
  const F3 = await resolved('F3', {
    priority: 'P2',
    group: 'service-desk',
    assignee: 'zhangwei',
    created: '2026-11-04T10:00:00+08:00',
    resolved: '2026-11-05T10:00:00+08:00',
  });
  const F4 = await resolved('F4', {
    priority: 'P3',
    group: 'network',
    assignee: 'wangfang',
    created: '2026-11-05T10:00:00+08:00',
    resolved: '2026-11-06T10:00:00+08:00',
  });
  const F5 = await resolved('F5', {
    priority: 'P3',
    group: 'service-desk',
    created: '2026-11-06T10:00:00+08:00',
    resolved: '2026-11-10T10:00:00+08:00',
  });
  const F6 = await resolved('F6', {
    type: 'service-request',
    priority: 'P3',
    group: 'service-desk',
    assignee: 'zhangwei',
    created: '2026-11-09T09:00:00+08:00',
    resolved: '2026-11-11T09:00:00+08:00',
  });
  const F7 = await rec('F7', {
    status: 'in-progress',
    priority: 'P1',
    group: 'service-desk',
    assignee: 'zhangwei',
    requester: 'alice',
    createdAt: at('2026-11-07T09:00:00+08:00'),
  });
  const F10 = await rec('F10', {
    status: 'in-progress',
    priority: 'P2',
    group: 'service-desk',
    assignee: 'zhangwei',
    requester: 'alice',
    createdAt: at('2026-11-08T09:00:00+08:00'),
  });

  // First assignments (from none) are not reassignments; F2's hand-over to second line is two.
  const first = async (record: number, when: string, group: string, assignee: string | null) => {
    await s.reassign(record, at(when), 'group', null, group);
    if (assignee) await s.reassign(record, at(when) + MINUTE, 'assignee', null, assignee);
  };
  await first(F1, '2026-11-02T09:00:00+08:00', 'service-desk', 'zhangwei');
  await first(F2, '2026-11-03T10:00:00+08:00', 'service-desk', 'zhangwei');
  await s.reassign(F2, at('2026-11-03T11:00:00+08:00'), 'group', 'service-desk', 'second-line');
  await s.reassign(F2, at('2026-11-03T11:00:00+08:00'), 'assignee', 'zhangwei', 'wangfang');
  await first(F3, '2026-11-04T10:00:00+08:00', 'service-desk', 'zhangwei');
  // F11 (15 September, away from every other period): handed from zhangwei to lina within the
  // service desk — a reassignment, but not a transfer, so still resolved at first contact.
  const F11 = await resolved('F11', {
    priority: 'P4',
    group: 'service-desk',
    assignee: 'lina',
    created: '2026-09-15T09:00:00+08:00',
    resolved: '2026-09-15T12:00:00+08:00',
  });
  await first(F11, '2026-09-15T09:00:00+08:00', 'service-desk', 'zhangwei');
  await s.reassign(F11, at('2026-09-15T10:00:00+08:00'), 'assignee', 'zhangwei', 'lina');
  await first(F4, '2026-11-05T10:00:00+08:00', 'network', 'wangfang');
  await first(F5, '2026-11-06T10:00:00+08:00', 'service-desk', null);
  await first(F6, '2026-11-09T09:00:00+08:00', 'service-desk', 'zhangwei');

  // Reopens: leaving `resolved` (a done status) for `in-progress`.
  await s.transition(F3, at('2026-11-04T16:00:00+08:00'), 'in-progress', 'resolved');
  await s.transition(F3, at('2026-11-05T09:00:00+08:00'), 'resolved', 'in-progress');
  await s.transition(F3, at('2026-11-05T10:00:00+08:00'), 'in-progress', 'resolved');
  await s.transition(F5, at('2026-11-09T10:00:00+08:00'), 'in-progress', 'resolved');
  await s.transition(F5, at('2026-11-09T12:00:00+08:00'), 'resolved', 'in-progress');
  await s.transition(F5, at('2026-11-10T10:00:00+08:00'), 'in-progress', 'resolved');

  // --- tasks ------------------------------------------------------------------------------------
  const task = (
    record: number,
    node: string,
    assignee: string | null,
    from: string,
    to: string | null,
    more: Partial<Parameters<Seeder['task']>[0]> = {},
  ) =>
    s.task({
      record,
      node,
      status: to ? 'completed' : 'open',
      group: more.group ?? 'service-desk',
      assignee,
      createdAt: at(from),
      completedAt: to ? at(to) : null,
      ...more,
    });
  await task(F1, 'work', 'zhangwei', '2026-11-02T09:00:00+08:00', '2026-11-02T11:00:00+08:00');
  await task(F2, 'triage', 'zhangwei', '2026-11-03T10:00:00+08:00', '2026-11-03T11:00:00+08:00');
  await task(F2, 'work', 'wangfang', '2026-11-03T11:00:00+08:00', '2026-11-03T15:00:00+08:00', {
    group: 'second-line',
  });
  await task(F3, 'work', 'zhangwei', '2026-11-04T10:00:00+08:00', '2026-11-05T10:00:00+08:00');
  await task(F4, 'work', 'wangfang', '2026-11-05T10:00:00+08:00', '2026-11-06T10:00:00+08:00', {
    group: 'network',
  });
  await task(F5, 'triage', null, '2026-11-06T10:00:00+08:00', '2026-11-06T10:30:00+08:00');
  await task(F6, 'work', 'zhangwei', '2026-11-09T09:00:00+08:00', '2026-11-11T09:00:00+08:00', {
    process: 'service-request-flow',
  });
  await task(F7, 'triage', 'wangfang', '2026-11-07T10:00:00+08:00', '2026-11-07T10:30:00+08:00');
  await task(F7, 'work', 'zhangwei', '2026-11-07T10:30:00+08:00', null);
  await task(F10, 'work', 'zhangwei', '2026-11-08T09:00:00+08:00', null);
  await task(F10, 'approve', 'lina', '2026-11-08T09:30:00+08:00', null);

  // --- SLA clocks ---------------------------------------------------------------------------------
  const clock = (
    record: number,
    metric: string,
    start: string,
    targetMin: number,
    outcome: 'met' | 'breached' | 'running-breached',
  ) =>
    s.clock({
      record,
      metric,
      goal: 'p1',
      targetMs: targetMin * MINUTE,
      state: outcome === 'running-breached' ? 'running' : 'stopped',
      startedAt: at(start),
      stoppedAt: outcome === 'running-breached' ? null : at(start) + 2 * targetMin * MINUTE,
      elapsedMs: 2 * targetMin * MINUTE,
      met: outcome === 'met' ? true : outcome === 'breached' ? false : null,
      breached: outcome !== 'met',
    });
  await clock(F1, 'first-response', '2026-11-02T09:00:00+08:00', 15, 'met');
  await clock(F2, 'first-response', '2026-11-03T10:00:00+08:00', 15, 'breached');
  await clock(F2, 'resolution', '2026-11-03T10:00:00+08:00', 240, 'breached');
  await clock(F3, 'first-response', '2026-11-04T10:00:00+08:00', 15, 'breached');
  await clock(F3, 'resolution', '2026-11-04T10:00:00+08:00', 240, 'breached');
  await clock(F7, 'first-response', '2026-11-07T09:00:00+08:00', 15, 'running-breached');
  // Started 31 October 20:00 with an hour to go: breached at 21:00, in October.
  await clock(F4, 'resolution', '2026-10-31T20:00:00+08:00', 60, 'breached');

  // --- ratings ------------------------------------------------------------------------------------
  await s.rating(F1, zhaolei, [5, 4, 5], at('2026-11-03T12:00:00+08:00'));
  await s.rating(F2, zhaolei, [3, 2, 2], at('2026-11-04T12:00:00+08:00'));
  await s.rating(F3, zhaolei, [4, 5, 3], at('2026-11-06T12:00:00+08:00'));
  await s.rating(F4, zhaolei, [2, 3, 4], at('2026-11-07T12:00:00+08:00'));
  await s.rating(F6, zhaolei, [1, 1, 1], at('2026-11-12T12:00:00+08:00'));

  // --- changes ------------------------------------------------------------------------------------
  const change = (name: string, status: string, closed: string | null, result?: string) =>
    rec(name, {
      type: 'change',
      status,
      group: 'cab',
      requester: 'alice',
      createdAt: at('2026-10-26T10:00:00+08:00'),
      resolvedAt: closed ? at(closed) : null,
      closedAt: closed ? at(closed) : null,
      values: { changeType: 'normal', risk: 'low', ...(result ? { implementationResult: result } : {}) },
    });
  await change('CH1', 'closed', '2026-11-03T20:00:00+08:00', 'successful');
  await change('CH2', 'closed', '2026-11-05T20:00:00+08:00', 'successful');
  await change('CH3', 'closed', '2026-11-06T20:00:00+08:00', 'rolled-back');
  await change('CH4', 'rejected', '2026-11-04T20:00:00+08:00');
  await change('CH5', 'closed', '2026-11-10T20:00:00+08:00', 'partial');
  await change('CH6', 'implementing', null);

  // --- releases -----------------------------------------------------------------------------------
  const release = (name: string, created: string, apps: [string, string][]) =>
    rec(name, {
      type: 'release',
      status: 'SIT测试中',
      requester: 'alice',
      createdAt: at(created),
      data: { apps: apps.map(([app, status]) => ({ name: app, status })) },
    });
  await release('R1', '2026-11-02T10:00:00+08:00', [
    ['billing', 'SIT发布成功'],
    ['portal', '未发布'],
  ]);
  await release('R2', '2026-11-04T10:00:00+08:00', [['billing', 'UAT发布成功']]);
  await release('R3', '2026-11-06T10:00:00+08:00', [
    ['billing', 'SIT发布成功'],
    ['crm', 'SIT发布失败'],
    ['portal', '未发布'],
  ]);
  await release('R4', '2026-11-12T10:00:00+08:00', [['billing', '未发布']]);

  // --- inspections --------------------------------------------------------------------------------
  const inspection = async (name: string, day: string, done: string | null) => {
    const id = await rec(name, {
      type: 'inspection',
      status: done ? 'closed' : 'inspecting',
      group: 'dc-ops',
      requester: 'system',
      createdAt: at(`${day}T09:00:00+08:00`),
      resolvedAt: done ? at(done) : null,
      closedAt: done ? at(done) : null,
      values: { room: 'IDC-A' },
    });
    await s.task({
      record: id,
      node: 'inspect',
      process: 'inspection-flow',
      status: done ? 'completed' : 'open',
      group: 'dc-ops',
      createdAt: at(`${day}T09:00:00+08:00`),
      completedAt: done ? at(done) : null,
      dueAt: at(`${day}T13:00:00+08:00`),
    });
    return id;
  };
  await inspection('I1', '2026-11-02', '2026-11-02T11:00:00+08:00');
  const I2 = await inspection('I2', '2026-11-03', '2026-11-03T15:00:00+08:00');
  await s.task({
    record: I2,
    node: 'followUp',
    process: 'inspection-flow',
    status: 'open',
    group: 'dc-ops',
    createdAt: at('2026-11-03T15:00:00+08:00'),
    dueAt: at('2026-11-04T15:00:00+08:00'),
  });
  await inspection('I3', '2026-11-04', null);
  await inspection('I4', '2026-11-04', '2026-11-04T12:59:00+08:00');

  return { ids };
}

/** The week under test, as a dateRange parameter (whole local days, both included). */
export const WEEK = { from: '2026-11-02', to: '2026-11-08' };
