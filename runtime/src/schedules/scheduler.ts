import { localize, renderTemplate, type ScheduleDefinition } from '@opsloom/spec';
import type { Knex } from 'knex';
import cron, { type ScheduledTask } from 'node-cron';
import type { Actor, Services } from '../context.ts';
import { isUniqueViolation } from '../db/connect.ts';
import { fromJson, toJson } from '../db/json.ts';
import { loadForm } from '../records/forms.ts';
import { createRecord } from '../records/service.ts';
import { type EmailReportAction, prepareScheduledReport, queuePrepared } from '../reports/scheduled.ts';
import { emitScheduleFired } from './events.ts';
import { autoCloseResolved, autoRate } from './housekeeping.ts';
import { computeScheduleValues } from './values.ts';

export const SYSTEM_USER = 'system';
/** The housekeeping's schedule runs are recorded under this key (the demo history replays them too). */
export const HOUSEKEEPING = 'system:housekeeping';

interface Loaded {
  def: ScheduleDefinition;
  version: number;
  task: ScheduledTask;
}

export interface RunResult {
  status: 'done' | 'skipped' | 'failed' | 'duplicate';
  detail?: unknown;
}

async function publishedSchedules(db: Knex): Promise<{ def: ScheduleDefinition; version: number }[]> {
  const rows = await db('definitions as d')
    .join('definition_versions as v', function () {
      this.on('v.definition_id', 'd.id').andOn('v.version', 'd.latest_version');
    })
    .where('d.kind', 'schedule')
    .whereNot('d.status', 'retired')
    .select('v.body', 'v.version');
  return rows
    .map((r: { body: string; version: number }) => ({
      def: fromJson<ScheduleDefinition>(r.body)!,
      version: r.version,
    }))
    .filter((s: { def: ScheduleDefinition }) => s.def.enabled !== false);
}

async function systemActor(db: Knex): Promise<Actor> {
  const row = await db('users').where({ username: SYSTEM_USER }).first();
  if (!row) throw new Error('the system user is missing');
  return {
    userId: row.id,
    username: SYSTEM_USER,
    displayName: row.display_name,
    roles: ['agent'],
    locale: 'zh-CN',
    via: 'token',
  };
}

/**
 * Runs schedule definitions. node-cron fires each schedule at its times in its own time zone;
 * the database decides who runs an occurrence: inserting its (key, instant) row into
 * schedule_runs succeeds for exactly one runtime. The next run instant is stored, so at start a
 * run missed while every runtime was down is caught up once (policy runOnce) or recorded as
 * skipped.
 */
export class Scheduler {
  private tasks = new Map<string, Loaded>();
  private housekeeping: ScheduledTask | null = null;
  private refreshTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly services: Services,
    private readonly refreshMs: number,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    const h = this.services.config.housekeeping;
    this.housekeeping = cron.createTask(
      h.cron,
      (ctx) => this.runHousekeeping(Math.round(ctx.date.getTime() / 1000) * 1000),
      {
        timezone: h.timeZone,
        name: 'housekeeping',
        unref: true,
        suppressMissedWarning: true,
      },
    );
    await this.housekeeping.start();
    await this.refresh();
    this.scheduleRefresh();
  }

  /**
   * Built-in housekeeping: auto-close records resolved long ago and auto-rate unrated ones.
   * Claimed per occurrence like any schedule, so with several runtimes it runs once.
   */
  async runHousekeeping(at: number): Promise<{ closed: number; rated: number } | null> {
    const { db, config } = this.services;
    if (!(await this.recordRun(db, HOUSEKEEPING, at, 'done', 'scheduled', null))) return null;
    const h = config.housekeeping;
    const closed = await autoCloseResolved(this.services, h.autoCloseDays, at);
    const rated = await autoRate(this.services, h.autoRateDays, h.autoRateStars, at);
    await db('schedule_runs')
      .where({ key: HOUSEKEEPING, scheduled_for: at })
      .update({ detail: toJson({ closed, rated }) });
    return { closed, rated };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.housekeeping?.destroy();
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    for (const t of this.tasks.values()) await t.task.destroy();
    this.tasks.clear();
  }

  private scheduleRefresh(): void {
    this.refreshTimer = setTimeout(async () => {
      try {
        await this.refresh();
      } catch (err) {
        this.services.log.error({ err }, 'schedule refresh failed');
      }
      if (!this.stopped) this.scheduleRefresh();
    }, this.refreshMs);
    this.refreshTimer.unref?.();
  }

  /** Picks up published, changed and retired schedules; catches up runs missed while down. */
  async refresh(): Promise<void> {
    const current = await publishedSchedules(this.services.db);
    const keep = new Set(current.map((s) => s.def.key));
    for (const [key, loaded] of this.tasks) {
      if (!keep.has(key)) {
        await loaded.task.destroy();
        this.tasks.delete(key);
      }
    }
    for (const s of current) {
      const loaded = this.tasks.get(s.def.key);
      if (loaded && loaded.version === s.version) continue;
      if (loaded) await loaded.task.destroy();
      const task = cron.createTask(s.def.cron, (ctx) => this.fire(s.def.key, ctx.date), {
        timezone: s.def.timeZone,
        name: `schedule:${s.def.key}`,
        unref: true,
        suppressMissedWarning: true,
      });
      this.tasks.set(s.def.key, { def: s.def, version: s.version, task });
      await this.catchUp(s.def, s.version, task);
      await task.start();
    }
  }

  private async catchUp(def: ScheduleDefinition, version: number, task: ScheduledTask): Promise<void> {
    const { db } = this.services;
    const state = await db('schedule_state').where({ key: def.key }).first();
    const next = task.getNextRun()?.getTime() ?? null;
    const due =
      state?.next_run_at === null || state?.next_run_at === undefined ? null : Number(state.next_run_at);
    if (due !== null && due <= Date.now() && state.version === version) {
      if (def.catchUp === 'runOnce') await this.runOccurrence(def, due, 'catch-up');
      else
        await this.recordRun(db, def.key, due, 'skipped', 'catch-up', {
          reason: 'missed while no runtime was running',
        });
    }
    const values = { version, next_run_at: next, updated_at: Date.now() };
    if (state) await db('schedule_state').where({ key: def.key }).update(values);
    else
      await db('schedule_state')
        .insert({ key: def.key, ...values })
        .onConflict('key')
        .merge();
  }

  private async fire(key: string, at: Date): Promise<void> {
    const loaded = this.tasks.get(key);
    if (!loaded || this.stopped) return;
    // One occurrence per wall-clock second, whichever runtime's timer fired a little early or late.
    const scheduledFor = Math.round(at.getTime() / 1000) * 1000;
    try {
      await this.runOccurrence(loaded.def, scheduledFor, 'scheduled');
      await this.services
        .db('schedule_state')
        .where({ key })
        .update({ next_run_at: loaded.task.getNextRun()?.getTime() ?? null, updated_at: Date.now() });
    } catch (err) {
      this.services.log.error({ err, schedule: key }, 'schedule run failed');
    }
  }

  private async recordRun(
    db: Knex,
    key: string,
    scheduledFor: number,
    status: string,
    reason: string,
    detail: unknown,
  ): Promise<boolean> {
    try {
      await db('schedule_runs').insert({
        key,
        scheduled_for: scheduledFor,
        started_at: Date.now(),
        status,
        reason,
        detail: toJson(detail),
      });
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  /** Claims and runs one occurrence; the claim and the action's effect commit together. */
  async runOccurrence(
    def: ScheduleDefinition,
    scheduledFor: number,
    reason: 'scheduled' | 'catch-up',
  ): Promise<RunResult> {
    const { db, log } = this.services;
    try {
      // A scheduled report reads (runs the report per recipient) before the claim, outside any
      // transaction; its messages are then written in the claim's transaction, so they exist
      // exactly when the occurrence was claimed. An occurrence already claimed is not read again.
      let prepared: Awaited<ReturnType<typeof prepareScheduledReport>> | null = null;
      if (def.action.type === 'emailReport') {
        if (await db('schedule_runs').where({ key: def.key, scheduled_for: scheduledFor }).first('id'))
          return { status: 'duplicate' };
        prepared = await prepareScheduledReport(
          this.services,
          { key: def.key, name: def.name, action: def.action as EmailReportAction },
          scheduledFor,
        );
      }
      return await db
        .transaction(async (trx): Promise<RunResult> => {
          if (!(await this.recordRun(trx, def.key, scheduledFor, 'done', reason, null)))
            return { status: 'duplicate' };
          const detail = prepared
            ? await queuePrepared(trx, this.services, prepared)
            : await this.runAction(trx, def, scheduledFor);
          await trx('schedule_runs')
            .where({ key: def.key, scheduled_for: scheduledFor })
            .update({ detail: toJson(detail) });
          return { status: 'done', detail } as RunResult;
        })
        .then((result) => {
          if (prepared?.messages.length && result.status === 'done') this.services.wake();
          return result;
        });
    } catch (err) {
      if (isUniqueViolation(err)) return { status: 'duplicate' };
      const message = err instanceof Error ? err.message : String(err);
      log.error({ err, schedule: def.key }, 'schedule action failed');
      await this.recordRun(db, def.key, scheduledFor, 'failed', reason, { error: message });
      return { status: 'failed', detail: { error: message } };
    }
  }

  private async runAction(trx: Knex, def: ScheduleDefinition, scheduledFor: number): Promise<unknown> {
    const action = def.action;
    if (action.type === 'createRecord') {
      const actor = await systemActor(trx);
      const context = { now: scheduledFor, schedule: { key: def.key, scheduledFor } };
      const data = computeScheduleValues(action.values, context);
      const form = await loadForm(trx, action.form);
      const titleField = form.def.titleField ?? 'title';
      if (action.title && data[titleField] === undefined) {
        data[titleField] = await renderTemplate(localize(action.title, 'zh-CN'), context);
      }
      const rec = await createRecord(
        { ...this.services, db: trx },
        actor,
        { type: action.form, data },
        { automated: true },
      );
      return { record: rec.number };
    }
    if (action.type === 'runRule')
      // The automation engine picks up `schedule.fired` events for the named rule.
      return { rule: action.rule, ...(await emitScheduleFired(trx, def.key, action.rule, scheduledFor)) };
    throw new Error(`schedule ${def.key}: action ${action.type} is not run here`);
  }
}
