import {
  ExpressionError,
  evaluateCondition,
  isBudgetError,
  locateExpressionError,
  type SlaDefinition,
  type SlaTrigger,
} from '@opsloom/spec';
import type { Knex } from 'knex';
import { insertRows } from '../db/held-inserts.ts';
import { fromJson, toBool, toJson } from '../db/json.ts';
import { recordContext, scopeOf } from '../engine/context.ts';
import { loadRecord, type Rec, writeHistory } from '../records/store.ts';
import { addBusinessMs, type BusinessCalendar, businessMsBetween } from '../time/index.ts';
import { calendarAt, currentCalendarVersion, currentSlas, slaVersion } from './definitions.ts';

export interface ClockRow {
  id: number;
  record_id: number;
  task_id: number | null;
  sla_key: string;
  sla_version: number;
  metric: string;
  cycle: number;
  goal: string;
  calendar_key: string;
  calendar_version: number;
  target_ms: number;
  state: 'running' | 'paused' | 'stopped';
  started_at: number;
  segment_started_at: number | null;
  elapsed_ms: number;
  due_at: number | null;
  next_check_at: number | null;
  warned: string;
  breached: number | boolean;
  breached_at: number | null;
  stopped_at: number | null;
  met: number | boolean | null;
  version: number;
}

export interface RecordEvent {
  type: string;
  recordId: number;
  /** The record as the change left it, when the caller has it (else it is read). */
  record?: Rec;
  /** The record was inserted in this transaction, so it has no clocks to move yet. */
  created?: boolean;
}

const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function matches(
  trigger: SlaTrigger | undefined,
  event: string,
  ctx: Record<string, unknown>,
  sla: string,
): boolean {
  if (!trigger || (!trigger.events && !trigger.condition)) return false;
  if (trigger.events && !trigger.events.includes(event)) return false;
  if (!trigger.condition) return true;
  try {
    return evaluateCondition(trigger.condition, ctx);
  } catch (err) {
    // A condition over a field the record does not have yet simply does not hold; one that ran
    // out of budget is refused, or enough data would keep a clock from starting.
    if (isBudgetError(err)) throw locateExpressionError(err, { definition: `sla ${sla}` });
    if (err instanceof ExpressionError) return false;
    throw err;
  }
}

/** Percent thresholds of a clock's target: its warnings, then 100 (the breach). */
export function thresholds(def: SlaDefinition, clock: Pick<ClockRow, 'goal' | 'metric'>): number[] {
  const target = def.goals.find((g) => g.id === clock.goal)?.targets[clock.metric];
  return [...new Set([...(target?.warnAt ?? []), 100])].sort((a, b) => a - b);
}

/**
 * The next instant a running clock needs the checker: its earliest threshold not yet fired.
 * A threshold already behind us is due now.
 */
export function nextCheck(cal: BusinessCalendar, clock: ClockRow, percents: number[]): number | null {
  if (clock.state !== 'running' || clock.segment_started_at === null) return null;
  const warned = new Set(fromJson<number[]>(clock.warned) ?? []);
  const breached = toBool(clock.breached);
  const pending = percents.filter((p) => (p === 100 ? !breached : !warned.has(p)));
  if (!pending.length) return null;
  const first = pending[0]!;
  const remaining = Math.ceil((Number(clock.target_ms) * first) / 100) - Number(clock.elapsed_ms);
  return remaining <= 0
    ? Number(clock.segment_started_at)
    : addBusinessMs(cal, Number(clock.segment_started_at), remaining);
}

function dueAt(cal: BusinessCalendar, clock: ClockRow, from: number): number {
  return addBusinessMs(cal, from, Math.max(0, Number(clock.target_ms) - Number(clock.elapsed_ms)));
}

async function save(trx: Knex, clock: ClockRow, changes: Partial<ClockRow>): Promise<void> {
  await trx('sla_clocks')
    .where({ id: clock.id })
    .update({ ...changes, version: clock.version + 1 });
  Object.assign(clock, changes, { version: clock.version + 1 });
}

type Goal = SlaDefinition['goals'][number];

/** The goal a record is under now: the first whose condition holds. */
const goalFor = (def: SlaDefinition, event: string, ctx: Record<string, unknown>): Goal | undefined =>
  def.goals.find((g) => !g.when || matches({ condition: g.when }, event, ctx, def.key));

/**
 * A record whose priority (or whatever its SLA's goals test) changed is held to the goal that
 * applies now, as agents expect when a P3 becomes a P1: the time already counted stays counted
 * (by the old goal's calendar, up to now), the rest counts against the new goal's target on the
 * new goal's calendar. A breach already passed stays a breach; warnings the new target has
 * already passed fire at the checker's next look.
 */
async function changeGoal(
  trx: Knex,
  change: { rec: Rec; def: SlaDefinition; clock: ClockRow; goal: Goal; metricName: unknown },
  now: number,
): Promise<void> {
  const { rec, def, clock, goal } = change;
  const calendarKey = goal.calendar ?? def.calendar;
  const calendarVersion = await currentCalendarVersion(trx, calendarKey);
  if (calendarVersion === null) return;
  const oldCal = await calendarAt(trx, clock.calendar_key, clock.calendar_version);
  const cal = await calendarAt(trx, calendarKey, calendarVersion);
  const running = clock.state === 'running';
  const moved: Partial<ClockRow> = {
    goal: goal.id,
    calendar_key: calendarKey,
    calendar_version: calendarVersion,
    target_ms: Math.round(goal.targets[clock.metric]!.minutes * 60_000),
    elapsed_ms: running
      ? Number(clock.elapsed_ms) + businessMsBetween(oldCal, Number(clock.segment_started_at), now)
      : Number(clock.elapsed_ms),
    segment_started_at: running ? now : null,
  };
  const next = { ...clock, ...moved };
  const from = clock.goal;
  await save(trx, clock, {
    ...moved,
    due_at: running ? dueAt(cal, next, now) : null,
    next_check_at: running ? nextCheck(cal, next, thresholds(def, next)) : null,
  });
  await writeHistory(trx, rec.id, `system:sla:${def.key}`, [
    {
      kind: 'sla_goal',
      detail: {
        sla: def.key,
        metric: clock.metric,
        metricName: change.metricName,
        cycle: clock.cycle,
        from,
        fromName: def.goals.find((g) => g.id === from)?.name ?? null,
        to: goal.id,
        toName: goal.name ?? null,
      },
    },
  ]);
}

/**
 * Moves a record's SLA clocks after something happened to it, inside the transaction of that
 * change: moves running clocks to the goal that applies now, stops, pauses, resumes them, and
 * starts clocks (or a new cycle) whose start trigger matches. A clock keeps the SLA version it
 * started on.
 */
export async function applySlaEvent(trx: Knex, event: RecordEvent, now = Date.now()): Promise<void> {
  const rec = event.record ?? (await loadRecord(trx, event.recordId));
  const ctx = { ...scopeOf(await recordContext(trx, rec), 'system:sla'), event: { type: event.type } };
  const clocks = event.created
    ? []
    : ((await trx('sla_clocks')
        .where({ record_id: rec.id })
        .whereNull('task_id')
        .orderBy(['sla_key', 'metric', 'cycle'])) as ClockRow[]);
  const latest = new Map<string, ClockRow>();
  for (const c of clocks) latest.set(`${c.sla_key}/${c.metric}`, c);

  // SLAs this record is under: those it already has clocks of (at their version), and the
  // current ones that apply to it.
  const bySla = new Map<string, { def: SlaDefinition; version: number }>();
  for (const c of clocks) {
    if (bySla.has(c.sla_key)) continue;
    const def = await slaVersion(trx, c.sla_key, c.sla_version);
    if (def) bySla.set(c.sla_key, { def, version: c.sla_version });
  }
  for (const s of await currentSlas(trx)) {
    if (bySla.has(s.def.key)) continue;
    if (s.def.form && s.def.form !== rec.type) continue;
    if (s.def.appliesTo && !matches({ condition: s.def.appliesTo }, event.type, ctx, s.def.key)) continue;
    bySla.set(s.def.key, s);
  }

  for (const { def, version } of bySla.values()) {
    // The goal the record is under now, the same for every metric of the SLA: asked once.
    let goalNow: { goal: Goal | undefined } | null = null;
    const currentGoal = () => {
      if (!goalNow) goalNow = { goal: goalFor(def, event.type, ctx) };
      return goalNow.goal;
    };
    for (const metric of def.metrics) {
      const clock = latest.get(`${def.key}/${metric.id}`);
      if (clock && clock.state !== 'stopped') {
        const goal = currentGoal();
        if (goal && goal.id !== clock.goal && goal.targets[metric.id])
          await changeGoal(trx, { rec, def, clock, goal, metricName: metric.name }, now);
        const cal = await calendarAt(trx, clock.calendar_key, clock.calendar_version);
        const percents = thresholds(def, clock);
        const running = clock.state === 'running';
        const elapsed = running
          ? Number(clock.elapsed_ms) + businessMsBetween(cal, Number(clock.segment_started_at), now)
          : Number(clock.elapsed_ms);
        if (matches(metric.stop, event.type, ctx, def.key)) {
          const breached = toBool(clock.breached) || elapsed >= Number(clock.target_ms);
          await save(trx, clock, {
            state: 'stopped',
            elapsed_ms: elapsed,
            segment_started_at: null,
            next_check_at: null,
            stopped_at: now,
            met: !breached,
          });
        } else if (running && matches(metric.pause, event.type, ctx, def.key)) {
          await save(trx, clock, {
            state: 'paused',
            elapsed_ms: elapsed,
            segment_started_at: null,
            due_at: null,
            next_check_at: null,
          });
        } else if (!running && !matches(metric.pause, event.type, ctx, def.key)) {
          const resumed = { ...clock, state: 'running' as const, segment_started_at: now };
          await save(trx, clock, {
            state: 'running',
            segment_started_at: now,
            due_at: dueAt(cal, resumed, now),
            next_check_at: nextCheck(cal, resumed, percents),
          });
        }
        continue;
      }
      if (!matches(metric.start, event.type, ctx, def.key)) continue;
      const goal = currentGoal();
      const target = goal?.targets[metric.id];
      if (!goal || !target) continue;
      const calendarKey = goal.calendar ?? def.calendar;
      const calendarVersion = await currentCalendarVersion(trx, calendarKey);
      if (calendarVersion === null) continue;
      const cal = await calendarAt(trx, calendarKey, calendarVersion);
      const row: Omit<ClockRow, 'id'> = {
        record_id: rec.id,
        task_id: null,
        sla_key: def.key,
        sla_version: version,
        metric: metric.id,
        cycle: (clock?.cycle ?? 0) + 1,
        goal: goal.id,
        calendar_key: calendarKey,
        calendar_version: calendarVersion,
        target_ms: Math.round(target.minutes * 60_000),
        state: 'running',
        started_at: now,
        segment_started_at: now,
        elapsed_ms: 0,
        due_at: null,
        next_check_at: null,
        warned: toJson([])!,
        breached: false,
        breached_at: null,
        stopped_at: null,
        met: null,
        version: 1,
      };
      const paused = matches(metric.pause, event.type, ctx, def.key);
      if (paused) Object.assign(row, { state: 'paused', segment_started_at: null });
      else {
        row.due_at = dueAt(cal, row as ClockRow, now);
        row.next_check_at = nextCheck(cal, row as ClockRow, thresholds(def, row));
      }
      await insertRows(trx, 'sla_clocks', [row]);
    }
  }
}

export interface MetricView {
  sla: string;
  metric: string;
  name: unknown;
  goal: string;
  cycle: number;
  targetMinutes: number;
  elapsedMinutes: number;
  remainingMinutes: number;
  dueAt: number | null;
  state: 'running' | 'paused' | 'stopped';
  paused: boolean;
  met: boolean | null;
  breached: boolean;
  warned: number[];
}

/** The record API's view of each metric: target, elapsed, remaining, paused, met or breached. */
export async function metricsOf(db: Knex, recordId: number, now = Date.now()): Promise<MetricView[]> {
  const clocks = (await db('sla_clocks')
    .where({ record_id: recordId })
    .whereNull('task_id')
    .orderBy(['sla_key', 'metric', 'cycle'])) as ClockRow[];
  const out: MetricView[] = [];
  for (const c of clocks) {
    const def = await slaVersion(db, c.sla_key, c.sla_version);
    const cal = await calendarAt(db, c.calendar_key, c.calendar_version);
    const elapsed =
      c.state === 'running'
        ? Number(c.elapsed_ms) + businessMsBetween(cal, Number(c.segment_started_at), now)
        : Number(c.elapsed_ms);
    const breached = toBool(c.breached) || elapsed >= Number(c.target_ms);
    out.push({
      sla: c.sla_key,
      metric: c.metric,
      name: def?.metrics.find((m) => m.id === c.metric)?.name ?? c.metric,
      goal: c.goal,
      cycle: c.cycle,
      targetMinutes: Number(c.target_ms) / 60_000,
      elapsedMinutes: Math.round((elapsed / 60_000) * 100) / 100,
      remainingMinutes: Math.round(((Number(c.target_ms) - elapsed) / 60_000) * 100) / 100,
      dueAt: n(c.due_at),
      state: c.state,
      paused: c.state === 'paused',
      met: c.met === null ? null : toBool(c.met),
      breached,
      warned: fromJson<number[]>(c.warned) ?? [],
    });
  }
  return out;
}
