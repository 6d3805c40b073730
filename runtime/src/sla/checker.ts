import type { Action } from '@opsloom/spec';
import type { Knex } from 'knex';
import { runAction } from '../automation/actions.ts';
import { emitEvent } from '../automation/events.ts';
import type { Services } from '../context.ts';
import { fromJson, toBool, toJson } from '../db/json.ts';
import { recordContext } from '../engine/context.ts';
import type { EngineHooks } from '../engine/engine.ts';
import { loadForm } from '../records/forms.ts';
import { loadRecord, writeHistory } from '../records/store.ts';
import { addBusinessMs } from '../time/index.ts';
import { type ClockRow, nextCheck, thresholds } from './clocks.ts';
import { calendarAt, slaVersion } from './definitions.ts';
import { type ClockSpec, olaSpec } from './ola.ts';

const BATCH = 200;

/**
 * Fires SLA warnings and breaches. A pass reads only clocks whose `next_check_at` has come
 * (an index range), so its cost follows the number of thresholds due, not of running clocks.
 * Each clock is claimed by a conditional UPDATE on its version, in the transaction that runs its
 * escalation actions: a threshold fires once, whichever runtime gets there.
 */
export class SlaChecker {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private active: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly services: Services,
    private readonly hooks: EngineHooks,
    private readonly pollMs: number,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.active;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.active = this.pass()
        .catch((err) => this.services.log.error({ err }, 'SLA check failed'))
        .finally(() => {
          if (!this.stopped) this.schedule();
        });
    }, this.pollMs);
    this.timer.unref?.();
  }

  /** One pass over due clocks; returns how many thresholds fired. */
  async pass(now = Date.now()): Promise<number> {
    const due = await this.services
      .db('sla_clocks')
      .where('next_check_at', '<=', now)
      .orderBy('next_check_at')
      .limit(BATCH)
      .select('id');
    let fired = 0;
    for (const { id } of due) {
      try {
        fired += await this.services.db.transaction((trx) => this.checkClock(trx, Number(id), now));
      } catch (err) {
        this.services.log.error({ err, clock: id }, 'SLA escalation failed');
      }
    }
    if (fired) this.services.wake();
    return fired;
  }

  private async checkClock(trx: Knex, id: number, now: number): Promise<number> {
    const clock = (await trx('sla_clocks').where({ id }).first()) as ClockRow | undefined;
    if (clock?.state !== 'running' || clock.next_check_at === null || Number(clock.next_check_at) > now)
      return 0;
    if (clock.task_id !== null && (await this.stopFinishedOla(trx, clock))) return 0;
    const spec = await clockSpec(trx, clock);
    if (!spec) return 0;
    const cal = await calendarAt(trx, clock.calendar_key, clock.calendar_version);
    const warned = new Set(fromJson<number[]>(clock.warned) ?? []);
    let breached = toBool(clock.breached);
    const firing: { percent: number; at: number }[] = [];
    for (const percent of spec.percents) {
      if (percent === 100 ? breached : warned.has(percent)) continue;
      const remaining = Math.ceil((Number(clock.target_ms) * percent) / 100) - Number(clock.elapsed_ms);
      const at =
        remaining <= 0
          ? Number(clock.segment_started_at)
          : addBusinessMs(cal, Number(clock.segment_started_at), remaining);
      if (at > now) break;
      firing.push({ percent, at });
      if (percent === 100) breached = true;
      else warned.add(percent);
    }
    if (!firing.length) return 0;
    const next = { ...clock, warned: toJson([...warned])!, breached };
    const claimed = await trx('sla_clocks')
      .where({ id, version: clock.version })
      .update({
        warned: next.warned,
        breached,
        breached_at: breached && !toBool(clock.breached) ? firing.at(-1)!.at : clock.breached_at,
        next_check_at: nextCheck(cal, next, spec.percents),
        version: clock.version + 1,
      });
    if (claimed !== 1) return 0;

    let rec = await loadRecord(trx, clock.record_id);
    const form = await loadForm(trx, rec.type, rec.formVersion);
    const ola = clock.task_id !== null;
    for (const f of firing) {
      const kind = f.percent === 100 ? 'breach' : 'warning';
      const actions: Action[] = f.percent === 100 ? spec.onBreach : spec.onWarn;
      const actor = `system:sla:${clock.sla_key}`;
      await writeHistory(trx, rec.id, actor, [
        {
          kind: `${ola ? 'ola' : 'sla'}_${kind}`,
          detail: { sla: clock.sla_key, metric: clock.metric, percent: f.percent, at: f.at },
        },
      ]);
      const run = {
        services: this.services,
        trx,
        hooks: this.hooks,
        actor,
        form,
        rec,
        ctx: {
          record: await recordContext(trx, rec),
          sla: {
            key: clock.sla_key,
            metric: clock.metric,
            name: spec.name,
            percent: f.percent,
            dueAt: clock.due_at,
          },
          event: { type: kind === 'breach' ? 'sla.breached' : 'sla.warning' },
          actor,
          now,
        },
      };
      for (const action of actions) await runAction(run, action);
      rec = run.rec;
      if (ola) continue;
      await emitEvent(trx, {
        type: kind === 'breach' ? 'sla.breached' : 'sla.warning',
        recordId: rec.id,
        actor,
        detail: { sla: clock.sla_key, metric: clock.metric, percent: f.percent },
      });
    }
    return firing.length;
  }

  /** An OLA clock whose task was completed, returned or withdrawn stops at that moment. */
  private async stopFinishedOla(trx: Knex, clock: ClockRow): Promise<boolean> {
    const task = await trx('tasks').where({ id: clock.task_id }).first('status', 'completed_at');
    if (task?.status === 'open') return false;
    const at = task?.completed_at ? Number(task.completed_at) : Date.now();
    await trx('sla_clocks')
      .where({ id: clock.id, version: clock.version })
      .update({
        state: 'stopped',
        stopped_at: at,
        met: !toBool(clock.breached) && at <= Number(clock.due_at),
        next_check_at: null,
        version: clock.version + 1,
      });
    return true;
  }
}

/** What a clock warns about and how it escalates: its SLA goal's target, or its task node's OLA. */
async function clockSpec(db: Knex, clock: ClockRow): Promise<ClockSpec | null> {
  if (clock.task_id !== null) return olaSpec(db, clock);
  const def = await slaVersion(db, clock.sla_key, clock.sla_version);
  if (!def) return null;
  const target = def.goals.find((g) => g.id === clock.goal)?.targets[clock.metric];
  return {
    name: def.metrics.find((m) => m.id === clock.metric)?.name ?? clock.metric,
    percents: thresholds(def, clock),
    onWarn: target?.onWarn ?? [],
    onBreach: target?.onBreach ?? [],
  };
}
