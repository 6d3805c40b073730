import { evaluateCondition, localize } from '@opsloom/spec';
import type { Knex } from 'knex';
import type { Services } from '../context.ts';
import { dialectOf } from '../db/connect.ts';
import { holdInserts } from '../db/held-inserts.ts';
import { fromJson } from '../db/json.ts';
import { isTransient } from '../db/retry.ts';
import { type Query, selectRows, together } from '../db/sql.ts';
import { recordContext } from '../engine/context.ts';
import type { EngineHooks } from '../engine/engine.ts';
import { loadGraph } from '../engine/graph.ts';
import { completeJobQuery, type JobRow } from '../engine/jobs.ts';
import { type PeopleRow, sendTaskMessage, taskPeople, taskPeopleQuery } from '../engine/notify.ts';
import { ApiError } from '../http/errors.ts';
import { translate } from '../i18n/translate.ts';
import { loadForm } from '../records/forms.ts';
import { fromRow, type Rec, type RecordRow, writeHistory } from '../records/store.ts';
import { type ActionRun, runAction } from './actions.ts';
import { type Cause, type EventPayload, TASK_MESSAGE_EVENTS, withCause } from './events.ts';
import { type LoadedRule, publishedRules } from './published.ts';

/** Actions one chain of rule runs may take when the rule does not say (`maxActionsPerRun`). */
export const DEFAULT_MAX_ACTIONS = 20;

const lockRecordQuery = (trx: Knex, id: number): Query => ({
  sql: `select * from \`records\` where \`id\` = ?${dialectOf(trx) === 'mysql' ? ' for update' : ''}`,
  bindings: [id],
  returns: 'rows',
});

async function lockRecord(trx: Knex, id: number): Promise<Rec | null> {
  const q = lockRecordQuery(trx, id);
  const [row] = await selectRows<RecordRow>(trx, q.sql, q.bindings);
  return row ? fromRow(row) : null;
}

interface TaskRow {
  id: number;
  node_id: string;
  status: string;
  approval_mode: string | null;
  due_at: number | null;
  process_key: string;
  process_version: number;
  username: string | null;
  group_key: string | null;
}

const taskQuery = (taskId: number): Query => ({
  sql:
    'select `t`.`id`, `t`.`node_id`, `t`.`status`, `t`.`approval_mode`, `t`.`due_at`, `i`.`process_key`, ' +
    '`i`.`process_version`, `u`.`username`, `g`.`key` as `group_key` from `tasks` as `t` ' +
    'inner join `process_instances` as `i` on `i`.`id` = `t`.`instance_id` ' +
    'left join `users` as `u` on `u`.`id` = `t`.`assignee_id` ' +
    'left join `groups` as `g` on `g`.`id` = `t`.`group_id` where `t`.`id` = ?',
  bindings: [taskId],
  returns: 'rows',
});

/** What a rule's conditions and templates see as `task`. */
async function taskContext(trx: Knex, t: TaskRow | undefined): Promise<Record<string, unknown> | null> {
  if (!t) return null;
  const graph = await loadGraph(trx, t.process_key, t.process_version);
  const n = graph.nodes.get(t.node_id);
  return {
    id: Number(t.id),
    node: t.node_id,
    name: n && 'name' in n && n.name ? n.name : t.node_id,
    status: t.status,
    assignee: t.username ?? null,
    group: t.group_key ?? null,
    approvalMode: t.approval_mode ?? null,
    dueAt: t.due_at === null ? null : Number(t.due_at),
  };
}

async function readTask(trx: Knex, taskId: number | undefined): Promise<TaskRow | undefined> {
  if (!taskId) return undefined;
  const q = taskQuery(taskId);
  return (await selectRows<TaskRow>(trx, q.sql, q.bindings))[0];
}

type Note = { kind: string; detail: Record<string, unknown> };

/**
 * An `event` job: the rules listening to it run in one transaction, each in a savepoint so one
 * failing rule is rolled back and noted on the record without undoing the others. The job is
 * marked done in the same transaction, conditional on this runtime's claim.
 */
export async function runEventJob(
  services: Services,
  job: JobRow,
  owner: string,
  hooks: EngineHooks,
): Promise<void> {
  const ev = fromJson<EventPayload>(job.payload)!;
  // A schedule names the rule it runs; other rules listening to schedule.fired are not its business.
  const named = ev.type === 'schedule.fired' ? (ev.detail?.rule as string | undefined) : undefined;
  const rules = (await publishedRules(services.db)).filter(
    (r) => r.def.event === ev.type && (named === undefined || r.key === named),
  );
  // The task whose people get the in-app message of this event, if it has one.
  const messagedTask = TASK_MESSAGE_EVENTS.has(ev.type) && ev.taskId ? ev.taskId : null;
  let acted = false;
  // What the job inserts (its messages, history entries) is held and sent together.
  await services.db.transaction((trx) =>
    holdInserts(trx, async () => {
      // Lock the record, take the job, read the task and its people: one round trip on MySQL.
      const wantsRecord = rules.length > 0 || messagedTask !== null;
      const wantsTask = rules.length > 0 && !!ev.taskId;
      const queries: Query[] = [
        ...(wantsRecord ? [lockRecordQuery(trx, ev.recordId)] : []),
        completeJobQuery(job, owner),
        ...(messagedTask ? [taskPeopleQuery(messagedTask)] : []),
        ...(wantsTask ? [taskQuery(ev.taskId!)] : []),
      ];
      const answers = await together(trx, queries);
      const [recordRows, taken, peopleRows, taskRows] = [
        wantsRecord ? (answers.shift() as RecordRow[]) : [],
        answers.shift() as number,
        messagedTask ? (answers.shift() as PeopleRow[]) : [],
        wantsTask ? (answers.shift() as TaskRow[]) : [],
      ];
      if (taken !== 1) return;
      const locked = recordRows[0] ? fromRow(recordRows[0]) : null;
      if (!locked) return;
      if (messagedTask)
        await sendTaskMessage(trx, locked, ev.actor, ev.type, messagedTask, {
          people: taskPeople(peopleRows),
        });
      // The task as read above, until a rule's actions may have changed it.
      let task: TaskRow | undefined | null = taskRows[0];
      let rec = locked;
      for (const rule of rules.filter((r) => !r.def.form || r.def.form === rec.type)) {
        const outcome = await runRule({ services, trx, hooks, ev }, rule, rec, task);
        rec = outcome.rec;
        acted ||= outcome.acted;
        // Its actions may have moved or reassigned the task: the next rule reads it again.
        if (outcome.ranActions) task = null;
      }
    }),
  );
  if (acted) services.wake();
}

/** What every rule of one event job shares. */
interface EventRun {
  services: Services;
  trx: Knex;
  hooks: EngineHooks;
  ev: EventPayload;
}

interface RuleOutcome {
  /** The record as the rule left it. */
  rec: Rec;
  /** Its actions ran to the end. */
  acted: boolean;
  /** Its actions started (they may have changed the task, even if they then failed). */
  ranActions: boolean;
}

/** One rule's run on an event; what kept it from running to the end is noted on the record. */
async function runRule(
  run: EventRun,
  rule: LoadedRule,
  rec: Rec,
  task: TaskRow | undefined | null,
): Promise<RuleOutcome> {
  const notes: Note[] = [];
  const outcome = await tryRule(run, rule, rec, task, notes);
  if (notes.length) {
    await writeHistory(run.trx, outcome.rec.id, `rule:${rule.key}`, notes);
    run.services.log.info({ record: outcome.rec.id, event: run.ev.type, notes }, 'rule not run to the end');
  }
  return outcome;
}

async function tryRule(
  { services, trx, hooks, ev }: EventRun,
  rule: LoadedRule,
  rec: Rec,
  task: TaskRow | undefined | null,
  notes: Note[],
): Promise<RuleOutcome> {
  const unchanged: RuleOutcome = { rec, acted: false, ranActions: false };
  if (ev.chain.includes(rule.key)) {
    // Loop detection: a rule never reacts to an event its own actions caused, directly or
    // through other rules.
    notes.push({ kind: 'rule_skipped', detail: { rule: rule.key, reason: 'loop', chain: ev.chain } });
    return unchanged;
  }
  if (ev.depth >= services.config.ruleMaxDepth) {
    notes.push({
      kind: 'rule_skipped',
      detail: { rule: rule.key, reason: 'depth', depth: ev.depth, chain: ev.chain },
    });
    return unchanged;
  }
  const form = await loadForm(trx, rec.type, rec.formVersion);
  const ctx: Record<string, unknown> = {
    record: await recordContext(trx, rec),
    event: { type: ev.type, at: ev.at, actor: ev.actor, ...(ev.detail ?? {}) },
    actor: ev.actor,
    changes: ev.changes ?? {},
    task: await taskContext(trx, task === null ? await readTask(trx, ev.taskId) : task),
    now: Date.now(),
  };
  if (rule.def.condition) {
    try {
      if (!evaluateCondition(rule.def.condition, ctx)) return unchanged;
    } catch (err) {
      notes.push({ kind: 'rule_failed', detail: { rule: rule.key, error: messageOf(err) } });
      return unchanged;
    }
  }
  const name = `rule:${rule.key}`;
  const limit = rule.def.maxActionsPerRun ?? DEFAULT_MAX_ACTIONS;
  const cause: Cause = { chain: [...ev.chain, rule.key], depth: ev.depth, actions: ev.actions };
  const done: string[] = [];
  try {
    const after = await withCause(trx, cause, async (sp) => {
      const run: ActionRun = { services, trx: sp, hooks, actor: name, form, rec, ctx };
      for (const action of rule.def.actions) {
        if (cause.actions >= limit) {
          notes.push({
            kind: 'rule_limit',
            detail: { rule: rule.key, limit, skipped: rule.def.actions.length - done.length },
          });
          break;
        }
        cause.actions++;
        done.push(await runAction(run, action));
      }
      await writeHistory(sp, run.rec.id, name, [
        { kind: 'rule', detail: { rule: rule.key, version: rule.version, event: ev.type, actions: done } },
      ]);
      return run.rec;
    });
    return { rec: after, acted: true, ranActions: true };
  } catch (err) {
    // A lost race (409), a deadlock or a cluster conflict is worth a retry of the whole event;
    // anything else is the rule's fault.
    if ((err instanceof ApiError && err.status === 409) || isTransient(err)) throw err;
    notes.length = 0;
    notes.push({
      kind: 'rule_failed',
      detail: { rule: rule.key, name: localize(rule.def.name as never, 'en'), error: messageOf(err) },
    });
    return { rec: (await lockRecord(trx, rec.id)) ?? rec, acted: false, ranActions: true };
  }
}

function messageOf(err: unknown): string {
  if (err instanceof ApiError) return translate('en', err.messageKey, err.params);
  if (err && typeof err === 'object' && 'localized' in err)
    return (err as { localized: { en: string } }).localized.en;
  return err instanceof Error ? err.message : String(err);
}
