import type { ProcessDefinition, ProcessNode, SlaDefinition } from '@opsloom/spec';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoRecords } from '../../runtime/src/bootstrap.ts';
import { fromJson, toBool } from '../../runtime/src/db/json.ts';
import type { HistorySummary } from '../../runtime/src/demo/history.ts';
import { calendarAt } from '../../runtime/src/sla/definitions.ts';
import { businessMsBetween } from '../../runtime/src/time/index.ts';
import { ApiClient } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * The demo history (runtime/src/demo): ninety days of tickets loaded in bulk on a demo start.
 * Every loaded row must be what the engine itself would have written, so the portal, the
 * workspace, the SLA views and the reports work on them; these are the checks, over all of them.
 */

const TICKETS = 1200;
const DAYS = 90;

type Row = Record<string, any>;

function byRecord(rows: Row[], key = 'record_id'): Map<number, Row[]> {
  const out = new Map<number, Row[]>();
  for (const r of rows) {
    const id = Number(r[key]);
    const list = out.get(id) ?? [];
    list.push(r);
    out.set(id, list);
  }
  return out;
}

async function graphsOf(db: Knex): Promise<Map<string, ProcessDefinition>> {
  const rows = await db('definition_versions').where({ kind: 'process' }).select('key', 'version', 'body');
  return new Map(rows.map((r: Row) => [`${r.key}@${r.version}`, fromJson<ProcessDefinition>(r.body)!]));
}

describe.each(testDatabases())('demo history on %s', (dbName) => {
  let srv: TestServer;
  let summary: HistorySummary | null = null;
  let loadedAt = 0;
  const printed: string[] = [];

  beforeAll(async () => {
    srv = await startTestServer(dbName, { pluginsDir: SHIPPED_PLUGINS, demo: true });
    loadedAt = Date.now();
    const started = performance.now();
    // The history as `pnpm start` loads it (a smaller one: the suite stays fast), ending now.
    summary = await ensureDemoRecords(srv.services, (line) => printed.push(line), {
      history: { tickets: TICKETS, days: DAYS },
    });
    const ms = Math.round(performance.now() - started);
    console.log(
      `[demo history/${dbName}] ${printed.join(' | ').trim()} (${ms} ms with the five demo requests; rows ${JSON.stringify(summary?.rows)})`,
    );
  });
  afterAll(() => srv?.close());

  it('is loaded once, with the demo requests on top, and says what it loaded', async () => {
    expect(summary).not.toBeNull();
    // Every story's every step was one the engine allows.
    expect(summary!.refused).toEqual([]);
    expect(printed[0]).toMatch(
      /^ {2}Demo history: [\d,]+ tickets over 90 days \(.*incident.*; [\d,]+ open\), loaded in [\d.]+ s$/,
    );
    expect(printed[1]).toBe('  Demo requests created: 5');
    const before = Number((await srv.services.db('records').count({ n: '*' }))[0]!.n);
    await ensureDemoRecords(srv.services, () => {}, { history: { tickets: TICKETS } });
    expect(Number((await srv.services.db('records').count({ n: '*' }))[0]!.n)).toBe(before);
  });

  it('holds every shipped type in office-hour patterns over the ninety days', async () => {
    const db = srv.services.db;
    const rows = (await db('records').select('type', 'created_at', 'priority', 'closed_at')) as Row[];
    const count = (type: string) => rows.filter((r) => r.type === type).length;
    expect(count('incident')).toBeGreaterThan(TICKETS * 0.5);
    expect(count('service-request')).toBeGreaterThan(TICKETS * 0.25);
    for (const type of ['change', 'release', 'problem', 'inspection']) expect(count(type)).toBeGreaterThan(5);
    // Ninety days, ending now.
    const times = rows.map((r) => Number(r.created_at));
    expect(Math.min(...times)).toBeGreaterThan(loadedAt - DAYS * 86_400_000 - 60_000);
    expect(Math.max(...times)).toBeLessThanOrEqual(Date.now());
    // Most tickets people raise arrive on working hours (Asia/Shanghai), few at night.
    const raised = rows.filter((r) => r.type === 'incident' || r.type === 'service-request');
    const hour = (ms: number) => (new Date(ms).getUTCHours() + 8) % 24;
    const office = raised.filter((r) => {
      const h = hour(Number(r.created_at));
      return h >= 9 && h < 18;
    }).length;
    expect(office / raised.length).toBeGreaterThan(0.7);
    // Priorities: mostly P3/P4, some P1/P2.
    const incidents = rows.filter((r) => r.type === 'incident');
    const share = (p: string) => incidents.filter((r) => r.priority === p).length / incidents.length;
    expect(share('P3') + share('P4')).toBeGreaterThan(0.7);
    expect(share('P1')).toBeGreaterThan(0);
    expect(share('P2')).toBeGreaterThan(0.05);
    // A backlog of open work, and a history of closed work.
    const open = rows.filter((r) => r.closed_at === null).length;
    expect(open).toBeGreaterThan(20);
    expect(open).toBeLessThan(rows.length * 0.2);
  });

  it('is consistent, record by record, with what the engine writes', async () => {
    const db = srv.services.db;
    const now = Date.now();
    const graphs = await graphsOf(db);
    const records = (await db('records').orderBy('id')) as Row[];
    const instances = byRecord(await db('process_instances'));
    const tasks = byRecord(await db('tasks').orderBy('id'));
    const tokens = byRecord(await db('process_tokens'), 'instance_id');
    const history = byRecord(await db('record_history').orderBy('id'));
    const clocks = byRecord(await db('sla_clocks').orderBy('id'));
    const ratings = byRecord(await db('record_ratings'));
    const approvers = byRecord(await db('task_approvers'), 'task_id');
    const values = byRecord(await db('record_values'));
    const forms = new Map(
      (await db('definition_versions').where({ kind: 'form' }).select('key', 'version', 'body')).map(
        (r: Row) => [`${r.key}@${r.version}`, fromJson<{ indexed?: string[] }>(r.body)!],
      ),
    );
    const slas = new Map(
      (await db('definition_versions').where({ kind: 'sla' }).select('key', 'version', 'body')).map(
        (r: Row) => [`${r.key}@${r.version}`, fromJson<SlaDefinition>(r.body)!],
      ),
    );
    const jobs = (await db('jobs').where({ status: 'pending' })) as Row[];
    const problems: string[] = [];
    const fail = (rec: Row, what: string) => problems.push(`${rec.number} (${rec.status}): ${what}`);

    for (const rec of records) {
      const closed = rec.closed_at !== null;
      const insts = instances.get(Number(rec.id)) ?? [];
      if (insts.length !== 1) {
        fail(rec, `${insts.length} process instances`);
        continue;
      }
      const inst = insts[0]!;
      const graph = graphs.get(`${inst.process_key}@${inst.process_version}`)!;
      const nodes = new Map<string, ProcessNode>(graph.nodes.map((n) => [n.id, n]));
      // Instances end exactly when their record closes.
      if ((inst.status === 'completed') !== closed) fail(rec, `instance ${inst.status}`);
      if ((inst.ended_at !== null) !== closed) fail(rec, 'instance end time');
      const recTasks = tasks.get(Number(rec.id)) ?? [];
      const open = recTasks.filter((t) => t.status === 'open');
      const recTokens = tokens.get(Number(inst.id)) ?? [];
      const waiting = recTokens.filter((t) => ['waiting', 'multi'].includes(t.status));
      if (closed) {
        if (open.length) fail(rec, 'closed with open tasks');
        if (waiting.length) fail(rec, 'closed with waiting tokens');
        if (rec.assignee_id !== null) fail(rec, 'closed with an assignee');
      } else if (open.length) {
        // Exactly the open task the record's status implies, its token waiting there.
        if (open.length !== 1) fail(rec, `${open.length} open tasks`);
        for (const t of open) {
          const n = nodes.get(t.node_id);
          if (n?.type !== 'userTask') fail(rec, `open task at ${t.node_id}`);
          else if (n.status && n.status !== rec.status)
            fail(rec, `open task ${t.node_id} of status ${n.status}`);
          const token = recTokens.find((k) => Number(k.id) === Number(t.token_id));
          if (token?.status !== 'waiting' || token.node_id !== t.node_id)
            fail(rec, `task ${t.node_id} without its token`);
          // Assigned as the process assigns: to a member of the step's group, or its person.
          if (
            n?.type === 'userTask' &&
            n.assignee.type === 'requester' &&
            Number(t.assignee_id) !== Number(rec.requester_id)
          )
            fail(rec, `${t.node_id} not the requester's`);
          if (
            n?.type === 'userTask' &&
            !n.approval &&
            t.assignee_id !== null &&
            n.assignee.type !== 'requester' &&
            Number(rec.assignee_id) !== Number(t.assignee_id)
          )
            fail(rec, `record assignee ${rec.assignee_id} is not the task's ${t.assignee_id}`);
          if (t.approval_mode && !(approvers.get(Number(t.id)) ?? []).some((a) => a.decision === null))
            fail(rec, 'a vote nobody can cast');
        }
      } else {
        // No task: the process waits for a timer or a callback.
        const at = waiting.map((t) => nodes.get(t.node_id)?.type);
        if (!at.some((type) => type === 'timer' || type === 'callback' || type === 'serviceTask'))
          fail(
            rec,
            `open without a task or a wait (${recTokens.map((t) => `${t.node_id}:${t.status}`).join(', ')})`,
          );
        for (const t of waiting.filter((k) => nodes.get(k.node_id)?.type === 'timer'))
          if (
            !jobs.some(
              (j) =>
                j.type === 'timer' && Number(j.token_id) === Number(t.id) && Number(j.due_at) > now - 5_000,
            )
          )
            fail(rec, 'a timer without its job in the future');
      }
      for (const t of recTasks) {
        if (t.status === 'completed') {
          if (t.completed_at === null || !t.completed_by || !t.outcome)
            fail(rec, `task ${t.id} completed without its outcome`);
          const keys = graph.edges
            .filter((e) => e.source === t.node_id)
            .map((e) => e.action?.key ?? 'complete');
          if (!keys.includes(t.outcome)) fail(rec, `task ${t.node_id} outcome ${t.outcome}`);
          if (Number(t.completed_at) < Number(t.created_at))
            fail(rec, `task ${t.id} completed before it was created`);
        } else if (t.status === 'open' && t.completed_at !== null)
          fail(rec, `open task ${t.id} with a completion`);
      }

      // History: starts with the creation and the process, runs forward, and its last status is the record's.
      const hist = history.get(Number(rec.id)) ?? [];
      if (hist[0]?.kind !== 'created' || fromJson<Row>(hist[0].to_value)?.number !== rec.number)
        fail(rec, 'history does not start with its creation');
      if (hist[1]?.kind !== 'process') fail(rec, 'history does not start its process');
      for (let i = 1; i < hist.length; i++)
        if (Number(hist[i]!.at) < Number(hist[i - 1]!.at)) fail(rec, `history goes back at ${hist[i]!.kind}`);
      const statuses = hist.filter((h) => h.kind === 'field' && h.field === 'status');
      if (statuses.length && fromJson(statuses.at(-1)!.to_value) !== rec.status)
        fail(rec, 'last status change is not its status');
      const transitions = hist.filter((h) => h.kind === 'transition').length;
      const completed = recTasks.filter((t) => t.status === 'completed').length;
      if (transitions !== completed) fail(rec, `${transitions} transitions for ${completed} completed tasks`);
      if (Number(hist.at(-1)!.at) > now) fail(rec, 'history in the future');
      if (Number(rec.updated_at) > now || Number(rec.created_at) > Number(rec.updated_at)) fail(rec, 'times');

      // Indexed fields: record_values holds each, as records/store.ts writes it.
      const data = fromJson<Row>(rec.data)!;
      const indexed = forms.get(`${rec.type}@${rec.form_version}`)?.indexed ?? [];
      const vals = values.get(Number(rec.id)) ?? [];
      for (const f of indexed) {
        const v = data[f];
        const row = vals.find((x) => x.field === f);
        if (v === undefined || v === null) {
          if (row) fail(rec, `value of ${f} indexed but unset`);
        } else if (
          !row ||
          (typeof v === 'number' ? Number(row.num_value) !== v : row.str_value !== String(v))
        )
          fail(rec, `indexed ${f} is not ${v}`);
      }

      // SLA clocks: one per metric and cycle, stopped with an outcome once the record is done,
      // running (with a due instant) or paused while it is worked or waits.
      const recClocks = clocks.get(Number(rec.id)) ?? [];
      for (const c of recClocks.filter((x) => x.task_id === null)) {
        const def = slas.get(`${c.sla_key}@${c.sla_version}`)!;
        const goal = def.goals.find((g) => g.id === c.goal)!;
        if ((goal.calendar ?? def.calendar) !== c.calendar_key)
          fail(rec, `clock ${c.metric} on ${c.calendar_key}`);
        if (Number(c.target_ms) !== goal.targets[c.metric]!.minutes * 60_000)
          fail(rec, `clock ${c.metric} target`);
        if (c.state === 'stopped') {
          const breached = toBool(c.breached) || Number(c.elapsed_ms) >= Number(c.target_ms);
          if (c.met === null || toBool(c.met) === breached)
            fail(rec, `clock ${c.metric} met ${c.met} breached ${breached}`);
        } else {
          if (closed) fail(rec, `clock ${c.metric} ${c.state} on a closed record`);
          if (c.state === 'running' && (c.due_at === null || c.segment_started_at === null))
            fail(rec, `clock ${c.metric} runs without a due time`);
          if (c.next_check_at !== null && Number(c.next_check_at) < loadedAt - 5_000)
            fail(rec, `clock ${c.metric} check overdue`);
        }
      }
      // Elapsed business time on the clock's calendar (clocks that ran in one stretch).
      const paused = hist.some(
        (h) =>
          h.kind === 'field' &&
          h.field === 'status' &&
          ['pending-customer', 'awaiting-approval'].includes(fromJson(h.to_value) as string),
      );
      const regoaled = hist.some((h) => h.kind === 'sla_goal');
      for (const c of recClocks.filter(
        (x) => x.task_id === null && x.state === 'stopped' && !paused && !regoaled,
      )) {
        const cal = await calendarAt(db, c.calendar_key, Number(c.calendar_version));
        const expected = businessMsBetween(cal, Number(c.started_at), Number(c.stopped_at));
        if (Number(c.elapsed_ms) !== expected)
          fail(rec, `clock ${c.metric} elapsed ${c.elapsed_ms}, business time ${expected}`);
      }
      if (rec.type === 'incident') {
        const metric = (m: string) => recClocks.filter((c) => c.metric === m && c.task_id === null);
        if (metric('first-response').length !== 1) fail(rec, 'first-response clocks');
        const reopens = recTasks.filter((t) => t.outcome === 'reopen').length;
        if (metric('resolution').length !== 1 + reopens)
          fail(rec, `${metric('resolution').length} resolution cycles, ${reopens} reopens`);
        const resolution = metric('resolution').at(-1);
        if (rec.status === 'pending-customer' && resolution?.state !== 'paused')
          fail(rec, 'resolution not paused while waiting');
        if (['in-progress', 'triage'].includes(rec.status) && resolution?.state !== 'running')
          fail(rec, 'resolution not running');
      }
      // OLA clocks: one per task of a step with a deadline.
      for (const t of recTasks) {
        const n = nodes.get(t.node_id);
        const ola = recClocks.filter((c) => c.task_id !== null && Number(c.task_id) === Number(t.id));
        if ((n?.type === 'userTask' && n.dueIn ? 1 : 0) !== ola.length)
          fail(rec, `task ${t.node_id} has ${ola.length} OLA clocks`);
      }

      // Ratings: only on resolved records, by their requester, after the resolution.
      for (const g of ratings.get(Number(rec.id)) ?? []) {
        if (rec.resolved_at === null) fail(rec, 'rated but not resolved');
        if (Number(g.user_id) !== Number(rec.requester_id)) fail(rec, 'rated by someone else');
        if (Number(g.created_at) < Number(rec.resolved_at)) fail(rec, 'rated before it was resolved');
        for (const k of ['attitude', 'speed', 'quality'])
          if (!(g[k] >= 1 && g[k] <= 5)) fail(rec, `rating ${k} ${g[k]}`);
      }
    }
    expect(problems.slice(0, 30)).toEqual([]);

    // Numbers: unique per type, and the sequence is ahead of them.
    const numbers = records.map((r) => r.number);
    expect(new Set(numbers).size).toBe(numbers.length);
    for (const s of (await db('record_sequences')) as Row[]) {
      const prefix = records.find((r) => r.type === s.type)?.number.split('-')[0];
      const top = Math.max(
        ...records.filter((r) => r.type === s.type).map((r) => Number(r.number.split('-')[1])),
      );
      expect(Number(s.next_value), `${s.type} (${prefix})`).toBe(top);
    }
    // Nothing pending but honest timers: no burst of messages at start.
    expect(jobs.filter((j) => j.type !== 'timer' && j.type !== 'event' && j.type !== 'deliver')).toEqual([]);
  });

  it('has ratings on most resolved tickets, SLA breaches and reopened, waiting and reassigned tickets', async () => {
    const db = srv.services.db;
    const resolved = (await db('records')
      .whereIn('type', ['incident', 'service-request'])
      .whereNotNull('resolved_at')
      .select('id')) as Row[];
    const rated = (await db('record_ratings')
      .whereIn(
        'record_id',
        resolved.map((r) => r.id),
      )
      .select('record_id', 'auto')) as Row[];
    expect(rated.length / resolved.length).toBeGreaterThan(0.8);
    expect(rated.filter((r) => !toBool(r.auto)).length / resolved.length).toBeGreaterThan(0.35);
    const breached = Number(
      (await db('sla_clocks').whereNull('task_id').where({ breached: true }).count({ n: '*' }))[0]!.n,
    );
    const met = Number(
      (await db('sla_clocks').whereNull('task_id').where({ met: true }).count({ n: '*' }))[0]!.n,
    );
    expect(breached).toBeGreaterThan(0);
    expect(breached / (breached + met)).toBeLessThan(0.3);
    expect(Number((await db('tasks').where({ outcome: 'reopen' }).count({ n: '*' }))[0]!.n)).toBeGreaterThan(
      0,
    );
    expect(
      Number((await db('records').where({ status: 'pending-customer' }).count({ n: '*' }))[0]!.n),
    ).toBeGreaterThan(0);
    expect(
      Number((await db('tasks').where({ node_id: 'secondLine' }).count({ n: '*' }))[0]!.n),
    ).toBeGreaterThan(0);
    const transferred = await db('record_history')
      .where({ kind: 'task' })
      .where('detail', 'like', '%"transferred"%')
      .first('id');
    expect(transferred).toBeTruthy();
    // Problems are linked to the incidents they came from; changes have CAB votes.
    expect(
      Number((await db('record_links').where({ relation: 'caused-by' }).count({ n: '*' }))[0]!.n),
    ).toBeGreaterThan(Number((await db('records').where({ type: 'problem' }).count({ n: '*' }))[0]!.n) - 1);
    expect(
      Number((await db('task_approvers').whereNotNull('decision').count({ n: '*' }))[0]!.n),
    ).toBeGreaterThan(10);
  });

  it('lists in the queues and opens in the workspace and the portal', async () => {
    const manager = await new ApiClient(srv.url).login('chenjing', DEMO_PASSWORD);
    const open = await manager.get('/records?type=incident&closed=false&limit=100');
    expect(open.status).toBe(200);
    expect(open.body.total).toBeGreaterThan(10);
    const atRisk = await manager.get('/records?closed=false&sla=at-risk&sort=slaDue&limit=20');
    expect(atRisk.status).toBe(200);
    const first = open.body.items[0];
    for (const path of [
      `/records/${first.id}`,
      `/records/${first.id}/history`,
      `/records/${first.id}/sla`,
      `/records/${first.id}/tasks`,
    ]) {
      const res = await manager.get(path);
      expect(res.status, path).toBe(200);
    }
    // A requester sees their own history of requests in the portal.
    const zhaolei = await new ApiClient(srv.url).login('zhaolei', DEMO_PASSWORD);
    const mine = await zhaolei.get('/records?limit=50');
    expect(mine.body.total).toBeGreaterThan(10);
    expect(mine.body.items.every((r: Row) => r.requester === 'zhaolei')).toBe(true);
    const closed = mine.body.items.find((r: Row) => r.closedAt !== null);
    expect((await zhaolei.get(`/records/${closed.id}/history`)).status).toBe(200);
    expect((await zhaolei.get(`/records/${closed.id}/rating`)).status).toBe(200);
  });

  it('takes the next action on open tickets through the API', async () => {
    const db = srv.services.db;
    // An agent claims an incident waiting for triage, accepts it and resolves it.
    const triage = await db('tasks as t')
      .join('records as r', 'r.id', 't.record_id')
      .where({ 't.node_id': 'triage', 't.status': 'open' })
      .whereNull('t.assignee_id')
      .first('t.id', 'r.id as record');
    expect(triage).toBeTruthy();
    const agent = await new ApiClient(srv.url).login('zhangwei', DEMO_PASSWORD);
    expect((await agent.post(`/tasks/${triage.id}/claim`)).status).toBe(204);
    expect((await agent.post(`/tasks/${triage.id}/actions/accept`, {})).status).toBe(200);
    const work = (await agent.get(`/records/${triage.record}/tasks`)).body.items[0];
    expect(work.node).toBe('inProgress');
    const resolved = await agent.post(`/tasks/${work.id}/actions/resolve`, {
      data: { resolutionCode: 'fixed', resolutionNotes: '远程处理完成' },
    });
    expect(resolved.status).toBe(200);
    expect((await agent.get(`/records/${triage.record}`)).body.status).toBe('resolved');

    // A manager approves a request awaiting their approval.
    const waiting = await db('records')
      .where({ type: 'service-request', status: 'awaiting-approval' })
      .first('id', 'data');
    expect(waiting).toBeTruthy();
    const approver = fromJson<Row>(waiting.data)!.manager as string;
    const manager = await new ApiClient(srv.url).login(approver, DEMO_PASSWORD);
    const mine = (await manager.get('/tasks?mine=true')).body.items as Row[];
    const task =
      mine.find((t) => Number(t.recordId ?? t.record?.id) === Number(waiting.id)) ??
      (await manager.get(`/records/${waiting.id}/tasks`)).body.items[0];
    expect((await manager.post(`/tasks/${task.id}/actions/approve`, {})).status).toBe(200);
    expect((await manager.get(`/records/${waiting.id}`)).body.status).toBe('fulfilling');

    // A CAB member casts their vote on a change under review, if one waits.
    const cab = await db('tasks').where({ node_id: 'cabApproval', status: 'open' }).first('id');
    if (cab) {
      const voter = await db('task_approvers as a')
        .join('users as u', 'u.id', 'a.user_id')
        .where({ 'a.task_id': cab.id })
        .whereNull('a.decision')
        .first('u.username');
      const member = await new ApiClient(srv.url).login(voter.username, DEMO_PASSWORD);
      expect((await member.post(`/tasks/${cab.id}/actions/approve`, {})).status).toBe(200);
    }
  });

  it('fires no burst of escalations once the runtime runs on it', async () => {
    // The checker runs every second: what falls due now is what a real desk would see now.
    await new Promise((r) => setTimeout(r, 2500));
    const db = srv.services.db;
    const fired = Number(
      (
        await db('record_history')
          .where('at', '>=', loadedAt)
          .whereIn('kind', ['sla_warning', 'sla_breach', 'ola_warning', 'ola_breach'])
          .count({ n: '*' })
      )[0]!.n,
    );
    expect(fired).toBeLessThan(5);
    const deliveries = Number((await db('jobs').where({ type: 'deliver' }).count({ n: '*' }))[0]!.n);
    expect(deliveries).toBeLessThan(40);
  });
});
