import type { Action, ProcessNode } from '@opsloom/spec';
import type { Knex } from 'knex';
import { insertRows } from '../db/held-inserts.ts';
import { toJson } from '../db/json.ts';
import { loadGraph } from '../engine/graph.ts';
import { type ClockRow, nextCheck } from './clocks.ts';
import { calendarAt, WALL_CLOCK } from './definitions.ts';

/** OLA clocks are keyed `process:<key>` at the process version, one per task (metric = node id). */
export const OLA_PREFIX = 'process:';

export interface ClockSpec {
  name: unknown;
  percents: number[];
  onWarn: Action[];
  onBreach: Action[];
}

/** Warnings and escalations of an OLA clock: the `ola` of its user-task node. */
export async function olaSpec(db: Knex, clock: ClockRow): Promise<ClockSpec | null> {
  const graph = await loadGraph(db, clock.sla_key.slice(OLA_PREFIX.length), clock.sla_version);
  const n = graph.nodes.get(clock.metric) as Extract<ProcessNode, { type: 'userTask' }> | undefined;
  if (n?.type !== 'userTask') return null;
  return {
    name: n.name ?? n.id,
    percents: [...new Set([...(n.ola?.warnAt ?? []), 100])].sort((a, b) => a - b),
    onWarn: n.ola?.onWarn ?? [],
    onBreach: n.ola?.onBreach ?? [],
  };
}

/**
 * Starts the OLA clock of a task whose node has a `dueIn` (a per-step deadline). The deadline is
 * wall-clock time. The clock stops when the checker next finds the task no longer open.
 */
export async function startOla(
  trx: Knex,
  t: {
    recordId: number;
    taskId: number;
    processKey: string;
    processVersion: number;
    nodeId: string;
    dueAt: number;
    now: number;
  },
): Promise<void> {
  const clock = {
    record_id: t.recordId,
    task_id: t.taskId,
    sla_key: `${OLA_PREFIX}${t.processKey}`,
    sla_version: t.processVersion,
    metric: t.nodeId,
    cycle: t.taskId,
    goal: 'ola',
    calendar_key: WALL_CLOCK,
    calendar_version: 0,
    target_ms: Math.max(1, t.dueAt - t.now),
    state: 'running' as const,
    started_at: t.now,
    segment_started_at: t.now,
    elapsed_ms: 0,
    due_at: t.dueAt,
    next_check_at: null as number | null,
    warned: toJson([])!,
    breached: false,
    breached_at: null,
    stopped_at: null,
    met: null,
    version: 1,
  };
  const spec = await olaSpec(trx, { ...clock, id: 0 } as ClockRow);
  clock.next_check_at = nextCheck(
    await calendarAt(trx, WALL_CLOCK, 0),
    clock as unknown as ClockRow,
    spec?.percents ?? [100],
  );
  await insertRows(trx, 'sla_clocks', [clock]);
}
