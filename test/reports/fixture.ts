import type { TestServer } from '../support/server.ts';
import { at, DAY, HOUR, MINUTE, Seeder } from './seed.ts';

/**
 * The records, tasks, SLA clocks and ratings the KPI tests count, with instants chosen so every
 * figure can be worked out by hand (the tests write them out). Times are Asia/Shanghai (the
 * runtime's default zone) unless they say otherwise. The week under test is Monday 2 – Sunday 8
 * November 2026; cal-5x8 works Monday–Friday 09:00–12:00 and 13:00–18:00.
 *
 * | rec | prio | group        | created (+08)   | resolved (+08)  | closed | wall   | business (5×8)         |
 * |-----|------|--------------|-----------------|-----------------|--------|--------|------------------------|
 * | A0  | P3   | service-desk | Wed 28 Oct 10:00| 28 Oct 12:00    | yes    | 2 h    | (previous period only) |
 * | A1  | P1   | service-desk | Mon 2 Nov 10:00 | Mon 2 Nov 14:00 | yes    | 4 h    | 10–12, 13–14: 3 h      |
 * | A2  | P1   | second-line  | Mon 2 Nov 17:00 | Tue 3 Nov 10:00 | yes    | 17 h   | 17–18, 9–10: 2 h       |
 * | A3  | P2   | service-desk | Tue 3 Nov 23:30 | Thu 5 Nov 09:30 | yes    | 34 h   | Wed 8 h + 0.5 h: 8.5 h |
 * | A4  | P2   | network      | Wed 4 Nov 00:10 | –               | no     |        | (UTC day: 3 Nov)       |
 * | A8  | P1   | service-desk | Thu 5 Nov 09:00 | Thu 5 Nov 09:30 | yes    | 0.5 h  | 0.5 h                  |
 * | A5  | P3   | service-desk | Fri 6 Nov 16:00 | Mon 9 Nov 10:00 | no     | 66 h   | (resolved after week)  |
 * | A6  | P4   | –            | Sat 7 Nov 12:00 | Sat 7 Nov 13:00 | yes    | 1 h    | 0 (weekend)            |
 * | A7  | P3   | second-line  | Sun 8 Nov 23:59 | –               | no     |        |                        |
 * | A9  | P4   | service-desk | Mon 9 Nov 00:00:30 | Mon 9 Nov 01:00 | yes |        | (the next week)        |
 *
 * Open now (relative to the run): B1 P1 service-desk 2 h old, B2 P2 service-desk 30 h, B3 P2
 * second-line 4 d, B4 P3 network 10 d (assigned to zhangwei), B5 P3 no group 20 h; and A4, A5, A7.
 * C1/C2 (group dc-ops, closed): created 2026-12-06T23:30+08:00 and 2026-12-07T00:10+08:00.
 * D1–D4 and E1–E4 (group cab, closed): around New York's daylight-saving changes.
 */
export interface Fixture {
  now: number;
  ids: Record<string, number>;
  /** How many records the fixture wrote. */
  records: number;
}

export async function seedFixture(srv: TestServer): Promise<Fixture> {
  const s = new Seeder(srv.services.db);
  const now = Date.now();
  const ids: Record<string, number> = {};
  const closedAfter = (ms: number) => ms + HOUR;
  const rec = async (name: string, r: Parameters<Seeder['record']>[0]) => {
    ids[name] = await s.record(r);
    return ids[name]!;
  };
  const zhaolei = 'zhaolei';

  // --- the week of 2–8 November 2026 ------------------------------------------------------
  await rec('A0', {
    status: 'closed',
    priority: 'P3',
    group: 'service-desk',
    requester: zhaolei,
    createdAt: at('2026-10-28T10:00:00+08:00'),
    resolvedAt: at('2026-10-28T12:00:00+08:00'),
    closedAt: closedAfter(at('2026-10-28T12:00:00+08:00')),
  });
  await rec('A1', {
    status: 'closed',
    priority: 'P1',
    group: 'service-desk',
    requester: zhaolei,
    createdAt: at('2026-11-02T10:00:00+08:00'),
    resolvedAt: at('2026-11-02T14:00:00+08:00'),
    closedAt: at('2026-11-03T10:00:00+08:00'),
    values: { category: 'network', priority: 'P1' },
  });
  await rec('A2', {
    status: 'closed',
    priority: 'P1',
    group: 'second-line',
    requester: 'alice',
    createdAt: at('2026-11-02T17:00:00+08:00'),
    resolvedAt: at('2026-11-03T10:00:00+08:00'),
    closedAt: closedAfter(at('2026-11-03T10:00:00+08:00')),
    values: { category: 'software', priority: 'P1' },
  });
  await rec('A3', {
    status: 'resolved',
    initialStatus: 'triage',
    priority: 'P2',
    group: 'service-desk',
    requester: zhaolei,
    createdAt: at('2026-11-03T23:30:00+08:00'),
    resolvedAt: at('2026-11-05T09:30:00+08:00'),
    closedAt: closedAfter(at('2026-11-05T15:00:00+08:00')),
    values: { category: 'network', priority: 'P2' },
  });
  await rec('A4', {
    status: 'in-progress',
    priority: 'P2',
    group: 'network',
    requester: zhaolei,
    createdAt: at('2026-11-04T00:10:00+08:00'),
  });
  await rec('A8', {
    status: 'closed',
    priority: 'P1',
    group: 'service-desk',
    requester: 'alice',
    createdAt: at('2026-11-05T09:00:00+08:00'),
    resolvedAt: at('2026-11-05T09:30:00+08:00'),
    closedAt: closedAfter(at('2026-11-05T09:30:00+08:00')),
  });
  await rec('A5', {
    status: 'resolved',
    priority: 'P3',
    group: 'service-desk',
    requester: zhaolei,
    createdAt: at('2026-11-06T16:00:00+08:00'),
    resolvedAt: at('2026-11-09T10:00:00+08:00'),
  });
  await rec('A6', {
    status: 'closed',
    priority: 'P4',
    group: null,
    requester: zhaolei,
    createdAt: at('2026-11-07T12:00:00+08:00'),
    resolvedAt: at('2026-11-07T13:00:00+08:00'),
    closedAt: closedAfter(at('2026-11-07T13:00:00+08:00')),
  });
  await rec('A7', {
    status: 'triage',
    priority: 'P3',
    group: 'second-line',
    requester: 'alice',
    createdAt: at('2026-11-08T23:59:00+08:00'),
  });
  await rec('A9', {
    status: 'closed',
    priority: 'P4',
    group: 'service-desk',
    requester: zhaolei,
    createdAt: at('2026-11-09T00:00:30+08:00'),
    resolvedAt: at('2026-11-09T01:00:00+08:00'),
    closedAt: closedAfter(at('2026-11-09T01:00:00+08:00')),
  });

  // --- open now -------------------------------------------------------------------------------
  await rec('B1', {
    status: 'in-progress',
    priority: 'P1',
    group: 'service-desk',
    requester: zhaolei,
    createdAt: now - 2 * HOUR,
  });
  await rec('B2', {
    status: 'in-progress',
    priority: 'P2',
    group: 'service-desk',
    requester: 'alice',
    createdAt: now - 30 * HOUR,
  });
  await rec('B3', {
    status: 'pending-customer',
    priority: 'P2',
    group: 'second-line',
    requester: zhaolei,
    createdAt: now - 4 * DAY,
  });
  await rec('B4', {
    status: 'in-progress',
    priority: 'P3',
    group: 'network',
    assignee: 'zhangwei',
    requester: 'alice',
    createdAt: now - 10 * DAY,
  });
  await rec('B5', {
    status: 'triage',
    priority: 'P3',
    group: null,
    requester: zhaolei,
    createdAt: now - 20 * HOUR,
  });

  // --- day boundaries in Asia/Shanghai ---------------------------------------------------------
  for (const [name, created] of [
    ['C1', '2026-12-06T23:30:00+08:00'],
    ['C2', '2026-12-07T00:10:00+08:00'],
  ] as const)
    await rec(name, {
      status: 'closed',
      priority: 'P3',
      group: 'dc-ops',
      requester: zhaolei,
      createdAt: at(created),
      resolvedAt: at(created) + 30 * MINUTE,
      closedAt: at(created) + HOUR,
    });

  // --- New York's daylight-saving changes (a report in America/New_York) ---------------------
  for (const [name, created] of [
    ['D1', '2026-03-08T00:30:00-05:00'],
    ['D2', '2026-03-08T23:30:00-04:00'],
    ['D3', '2026-03-09T00:10:00-04:00'],
    ['D4', '2026-03-07T23:50:00-05:00'],
    ['E1', '2025-11-02T01:30:00-04:00'],
    ['E2', '2025-11-02T01:30:00-05:00'],
    ['E3', '2025-11-02T23:30:00-05:00'],
    ['E4', '2025-11-01T23:30:00-04:00'],
  ] as const)
    await rec(name, {
      status: 'closed',
      priority: 'P4',
      group: 'cab',
      requester: 'alice',
      createdAt: at(created),
      resolvedAt: at(created) + MINUTE,
      closedAt: at(created) + 2 * MINUTE,
    });

  // --- tasks and approvals --------------------------------------------------------------------
  await s.task({
    record: ids.A1!,
    node: 'triage',
    status: 'completed',
    group: 'service-desk',
    createdAt: at('2026-11-02T10:00:00+08:00'),
    completedAt: at('2026-11-02T10:10:00+08:00'),
  });
  await s.task({
    record: ids.A1!,
    node: 'work',
    status: 'completed',
    group: 'service-desk',
    assignee: 'zhangwei',
    createdAt: at('2026-11-02T10:10:00+08:00'),
    completedAt: at('2026-11-02T14:00:00+08:00'),
  });
  await s.task({
    record: ids.A2!,
    node: 'triage',
    status: 'completed',
    group: 'service-desk',
    createdAt: at('2026-11-02T17:00:00+08:00'),
    completedAt: at('2026-11-02T17:30:00+08:00'),
  });
  await s.task({
    record: ids.A2!,
    node: 'work',
    status: 'completed',
    group: 'second-line',
    assignee: 'wangfang',
    createdAt: at('2026-11-02T17:30:00+08:00'),
    completedAt: at('2026-11-03T10:00:00+08:00'),
  });
  const approval = await s.task({
    record: ids.A2!,
    node: 'approve',
    status: 'completed',
    group: null,
    createdAt: at('2026-11-02T17:30:00+08:00'),
    completedAt: at('2026-11-03T09:00:00+08:00'),
  });
  await s.approver(approval, 'lina', 'approve', at('2026-11-02T18:00:00+08:00'), 0);
  await s.approver(approval, 'liuyang', 'reject', at('2026-11-03T09:00:00+08:00'), 1);

  // --- status history of A3: triage → in-progress → resolved → reopened → resolved --------
  await s.transition(ids.A3!, at('2026-11-04T09:20:00+08:00'), 'triage', 'in-progress');
  await s.transition(ids.A3!, at('2026-11-05T09:30:00+08:00'), 'in-progress', 'resolved');
  await s.transition(ids.A3!, at('2026-11-05T12:00:00+08:00'), 'resolved', 'in-progress');
  await s.transition(ids.A3!, at('2026-11-05T15:00:00+08:00'), 'in-progress', 'resolved');

  // --- SLA clocks -----------------------------------------------------------------------------
  const fr = (
    record: string,
    goal: string,
    start: string,
    stop: string | null,
    elapsedMin: number,
    met: boolean | null,
    breached = false,
    targetMin = 15,
  ) =>
    s.clock({
      record: ids[record]!,
      metric: 'first-response',
      goal,
      calendar: goal === 'p1' ? 'cal-7x24' : 'cal-5x8',
      targetMs: targetMin * MINUTE,
      state: stop ? 'stopped' : 'running',
      startedAt: at(start),
      stoppedAt: stop ? at(stop) : null,
      elapsedMs: elapsedMin * MINUTE,
      met,
      breached,
    });
  await fr('A0', 'p3', '2026-10-28T10:00:00+08:00', '2026-10-28T10:30:00+08:00', 30, true, false, 240);
  await fr('A1', 'p1', '2026-11-02T10:00:00+08:00', '2026-11-02T10:10:00+08:00', 10, true);
  await fr('A2', 'p1', '2026-11-02T17:00:00+08:00', '2026-11-02T17:30:00+08:00', 30, false, true);
  await fr('A3', 'p2', '2026-11-03T23:30:00+08:00', '2026-11-04T09:20:00+08:00', 20, true, false, 60);
  await fr('A4', 'p2', '2026-11-04T00:10:00+08:00', null, 0, null, false, 60);
  await fr('A8', 'p1', '2026-11-05T09:00:00+08:00', '2026-11-05T09:05:00+08:00', 5, true);
  await fr('C1', 'p3', '2026-12-06T23:30:00+08:00', '2026-12-07T09:10:00+08:00', 10, true, false, 240);
  const res = (
    record: string,
    goal: string,
    start: string,
    stop: string | null,
    elapsedH: number,
    met: boolean | null,
    breached: boolean,
  ) =>
    s.clock({
      record: ids[record]!,
      metric: 'resolution',
      goal,
      targetMs: 4 * HOUR,
      state: stop ? 'stopped' : 'running',
      startedAt: at(start),
      stoppedAt: stop ? at(stop) : null,
      elapsedMs: elapsedH * HOUR,
      met,
      breached,
    });
  await res('A1', 'p1', '2026-11-02T10:00:00+08:00', '2026-11-02T14:00:00+08:00', 4, true, false);
  await res('A2', 'p1', '2026-11-02T17:00:00+08:00', '2026-11-03T10:00:00+08:00', 17, false, true);
  await res('A3', 'p2', '2026-11-03T23:30:00+08:00', '2026-11-05T09:30:00+08:00', 8.5, false, true);
  await res('A4', 'p2', '2026-11-04T00:10:00+08:00', null, 9, null, true);
  await res('A6', 'p4', '2026-11-07T12:00:00+08:00', '2026-11-07T13:00:00+08:00', 0, true, false);

  // --- ratings --------------------------------------------------------------------------------
  await s.rating(ids.A1!, zhaolei, [5, 4, 5], at('2026-11-03T12:00:00+08:00'));
  await s.rating(ids.A2!, 'alice', [3, 3, 2], at('2026-11-04T12:00:00+08:00'));
  await s.rating(ids.A3!, zhaolei, [4, 5, 4], at('2026-11-06T12:00:00+08:00'));
  await s.rating(ids.A6!, zhaolei, [2, 3, 3], at('2026-11-07T18:00:00+08:00'));
  await s.rating(ids.C1!, zhaolei, [1, 1, 1], at('2026-12-07T12:00:00+08:00'));

  return { now, ids, records: Object.keys(ids).length };
}

/** The week under test, as a dateRange parameter (whole local days, both included). */
export const WEEK = { from: '2026-11-02', to: '2026-11-08' };
