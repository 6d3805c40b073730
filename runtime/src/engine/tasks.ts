import {
  ExpressionError,
  evaluateCondition,
  isBudgetError,
  localize,
  locateExpressionError,
  type ProcessEdge,
  type ProcessNode,
  renderTemplate,
} from '@opsloom/spec';
import type { TSchema } from '@sinclair/typebox';
import type { Knex } from 'knex';
import { emitEvent, recordChanges } from '../automation/events.ts';
import type { Actor, Services } from '../context.ts';
import { dialectOf } from '../db/connect.ts';
import { ApiError, conflict, notFound } from '../http/errors.ts';
import { compileSchema, toFieldProblems } from '../http/validate.ts';
import { translateBoth } from '../i18n/translate.ts';
import { assertAssignable } from '../records/assignable.ts';
import { checkRecordData, derivePriority, fieldError, requiredAtStatus } from '../records/forms.ts';
import { type Data, writeHistory } from '../records/store.ts';
import { assertCanSee, groupIdsOf } from '../records/visibility.ts';
import {
  type EngineHooks,
  exprContext,
  follow,
  loadRun,
  lockInstance,
  patchRecord,
  type Run,
  setTokenStatus,
  type TokenRow,
} from './engine.ts';
import { stepAccess } from './field-access.ts';
import { node, outgoingOf } from './graph.ts';
import { enqueueJob } from './jobs.ts';

export interface TaskRow {
  id: number;
  instance_id: number;
  token_id: number;
  record_id: number;
  node_id: string;
  status: string;
  assignee_id: number | null;
  group_id: number | null;
  role: string | null;
  approval_mode: string | null;
  due_at: number | null;
  version: number;
  created_at: number;
}

type UserTask = Extract<ProcessNode, { type: 'userTask' }>;

const taskWhat = (id: number) => translateBoth('what.task', { key: id });
const isAdmin = (actor: Actor) => actor.roles.includes('admin');

/** Loads an open task with its row locked (MySQL) so concurrent actions on it serialise. */
async function lockTask(trx: Knex, taskId: number): Promise<TaskRow> {
  const q = trx('tasks').where({ id: taskId });
  if (dialectOf(trx) === 'mysql') q.forUpdate();
  const task = (await q.first()) as TaskRow | undefined;
  if (!task) throw notFound(taskWhat(taskId));
  return task;
}

function assertOpen(task: TaskRow): void {
  if (task.status !== 'open')
    throw conflict('task_closed', 'error.task_closed', { what: taskWhat(task.id), status: task.status });
}

async function approvers(trx: Knex, taskId: number) {
  return trx('task_approvers').where({ task_id: taskId }).orderBy('seq').select('user_id', 'seq', 'decision');
}

/** Whether the actor may take the task's actions now: its assignee, a pending approver, or an admin. */
export async function mayAct(trx: Knex, actor: Actor, task: TaskRow): Promise<boolean> {
  if (isAdmin(actor)) return true;
  if (task.approval_mode) {
    const list = await approvers(trx, task.id);
    const pending = list.filter((a: { decision: string | null }) => a.decision === null);
    if (task.approval_mode === 'sequential') return pending[0]?.user_id === actor.userId;
    return pending.some((a: { user_id: number }) => a.user_id === actor.userId);
  }
  return task.assignee_id === actor.userId;
}

async function mayClaim(trx: Knex, actor: Actor, task: TaskRow): Promise<boolean> {
  if (task.assignee_id !== null || task.approval_mode) return false;
  if (isAdmin(actor)) return true;
  if (task.group_id !== null) return (await groupIdsOf(trx, actor.userId)).includes(task.group_id);
  if (task.role) return actor.roles.includes(task.role as Actor['roles'][number]);
  return false;
}

const isRejection = (edge: ProcessEdge) => edge.action?.style === 'danger' || edge.action?.key === 'reject';

function forbidden(): ApiError {
  return new ApiError(403, 'not_your_task', 'error.not_your_task');
}

export interface ActionBody {
  data?: Data;
  input?: Record<string, unknown>;
  comment?: string;
  /** The record version the caller read; a stale one gets 409 and changes nothing. */
  recordVersion?: number;
}

/**
 * Runs `fn` in one transaction on an open task the actor may see: the task and its instance
 * locked, its process run loaded — 404 for a record out of sight, 409 for a task no longer open.
 */
async function inOpenTask<T>(
  services: Services,
  actor: Actor,
  taskId: number,
  hooks: EngineHooks,
  fn: (trx: Knex, task: TaskRow, run: Run) => Promise<T>,
): Promise<T> {
  return services.db.transaction(async (trx) => {
    const task = await lockTask(trx, taskId);
    // Task, then instance: the order every path that moves an instance's tokens takes.
    await lockInstance(trx, task.instance_id);
    const run = await openRun(services, trx, actor, task, hooks);
    assertOpen(task);
    return fn(trx, task, run);
  });
}

async function openRun(
  services: Services,
  trx: Knex,
  actor: Actor,
  task: TaskRow,
  hooks: EngineHooks,
): Promise<Run> {
  const run = await loadRun(services, trx, actor.username, task.instance_id, hooks);
  await assertCanSee(trx, actor, run.rec);
  return run;
}

/**
 * Takes an action (an outgoing edge) of a user task: applies the caller's field changes under
 * the step's field access, checks the edge's guards, records approval votes, and when the task
 * is decided moves its token along the edge, all in one transaction.
 */
export async function takeAction(
  services: Services,
  actor: Actor,
  taskId: number,
  actionKey: string,
  body: ActionBody,
  hooks: EngineHooks,
): Promise<{ completed: boolean; recordId: number }> {
  return inOpenTask(services, actor, taskId, hooks, async (trx, task, run) => {
    const n = node(run.graph, task.node_id) as UserTask;
    const edges = outgoingOf(run.graph, n.id);
    const edge = edges.find((e) => (e.action?.key ?? 'complete') === actionKey);
    if (!edge) {
      throw new ApiError(400, 'unknown_action', 'error.unknown_action', {
        action: actionKey,
        available: edges.map((e) => e.action?.key ?? 'complete').join(', '),
      });
    }
    if (!(await mayAct(trx, actor, task))) throw forbidden();
    if (body.recordVersion !== undefined && body.recordVersion !== run.rec.version) {
      throw conflict('stale_version', 'error.stale_revision', {
        what: translateBoth('what.record', { key: run.rec.number }),
        read: body.recordVersion,
        current: run.rec.version,
      });
    }

    if (edge.action?.input) checkActionInput(edge.action.input, body.input ?? {});

    const data = body.data ? { ...run.rec.data, ...body.data } : run.rec.data;
    const rejecting = isRejection(edge);
    // Required-at-this-step fields matter when moving forward, not when rejecting or returning.
    const stepped = stepAccess(n, actor, run.rec);
    const access = rejecting ? { ...stepped, required: [] } : stepped;
    const problems = checkRecordData(run.form, data, run.rec.status, {
      before: run.rec.data,
      access,
      sent: body.data,
    });
    if (problems.length) throw fieldError(problems);
    await assertAssignable(trx, run.form, data, run.rec.data);
    // Derived values (the impact × urgency priority) follow the person's changes; they are
    // not the person's changes, so step locks do not apply to them.
    derivePriority(run.form.def, data);
    if (body.data) await patchRecord(run, { data });

    const ctx = await exprContext(run, { input: body.input });
    for (const guard of edge.guards ?? []) {
      let ok: boolean;
      try {
        ok = evaluateCondition(guard.condition, ctx);
      } catch (err) {
        if (isBudgetError(err))
          throw locateExpressionError(err, {
            definition: `process ${run.instance.process_key}@${run.instance.process_version}`,
            at: `edge ${edge.id} guard`,
          });
        if (!(err instanceof ExpressionError)) throw err;
        ok = false;
      }
      if (!ok) {
        const message = {
          en: await renderTemplate(localize(guard.message, 'en'), ctx),
          'zh-CN': await renderTemplate(localize(guard.message, 'zh-CN'), ctx),
        };
        throw new ApiError(
          422,
          'guard_failed',
          'error.guard_failed',
          { message },
          { action: actionKey, message },
        );
      }
    }

    if (body.comment) {
      await trx('record_comments').insert({
        record_id: run.rec.id,
        author: actor.username,
        body: body.comment,
        visibility: 'public',
        created_at: Date.now(),
      });
    }

    let decided = true;
    if (task.approval_mode) {
      // A vote nobody may cast (its only approver was the requester it excludes) is an admin's
      // to decide outright; otherwise the caller's vote (an admin's: the first pending one's).
      const nobodyVotes =
        isAdmin(actor) && !(await trx('task_approvers').where({ task_id: task.id }).first('user_id'));
      if (!nobodyVotes) decided = await castVote(trx, run, task, actor, actionKey, rejecting);
      await writeHistory(trx, run.rec.id, actor.username, [
        { kind: 'task', detail: { task: task.id, node: n.id, event: 'vote', action: actionKey, decided } },
      ]);
    }
    if (!decided) return { completed: false, recordId: run.rec.id };

    const done = await trx('tasks')
      .where({ id: task.id, status: 'open' })
      .update({
        status: 'completed',
        completed_at: Date.now(),
        completed_by: actor.username,
        outcome: actionKey,
        version: task.version + 1,
      });
    if (done !== 1)
      throw conflict('task_closed', 'error.task_closed', { what: taskWhat(task.id), status: 'completed' });
    await trx('task_approvers')
      .where({ task_id: task.id })
      .whereNull('decision')
      .update({ decision: 'skipped' });
    await writeHistory(trx, run.rec.id, actor.username, [
      { kind: 'transition', detail: { task: task.id, node: n.id, action: actionKey, to: edge.target } },
    ]);
    const token = (await trx('process_tokens').where({ id: task.token_id }).first()) as TokenRow;
    const before = run.rec;
    await follow(run, token, edge, { input: body.input });
    // Where the action leaves the record, its rules must hold: otherwise each next step there
    // would be refused for a field its people may not fill (records/forms.ts requiredAtStatus).
    const unmet = requiredAtStatus(run.form, run.rec.data, run.rec.status);
    if (unmet.length) throw fieldError(unmet);
    await emitEvent(trx, {
      type: 'record.transitioned',
      recordId: run.rec.id,
      actor: actor.username,
      taskId: task.id,
      changes: recordChanges(before, run.rec),
      detail: { action: actionKey, node: n.id, to: edge.target },
    });
    return { completed: true, recordId: run.rec.id };
  });
}

/** The action's `input` against the JSON Schema its edge declares: 400 with every problem, as for a body. */
function checkActionInput(schema: Record<string, unknown>, input: Record<string, unknown>): void {
  const validate = compileSchema(schema as TSchema, false);
  if (validate(input)) return;
  const problems = toFieldProblems(validate.errors).map((p) => ({ ...p, path: `/input${p.path}` }));
  const first = problems[0]!;
  throw new ApiError(
    400,
    'validation_failed',
    'error.validation_body',
    {
      detail: { en: `${first.path} ${first.message.en}`, 'zh-CN': `${first.path} ${first.message['zh-CN']}` },
    },
    { problems },
  );
}

async function isApprover(trx: Knex, taskId: number, userId: number): Promise<boolean> {
  return Boolean(await trx('task_approvers').where({ task_id: taskId, user_id: userId }).first('user_id'));
}
/** Records the actor's vote on an approval task; whether it decides the task. */
async function castVote(
  trx: Knex,
  run: Run,
  task: TaskRow,
  actor: Actor,
  actionKey: string,
  rejecting: boolean,
): Promise<boolean> {
  const voted = await trx('task_approvers')
    .where({
      task_id: task.id,
      user_id:
        isAdmin(actor) && !(await isApprover(trx, task.id, actor.userId))
          ? await firstPending(trx, task.id)
          : actor.userId,
    })
    .whereNull('decision')
    .update({ decision: actionKey, decided_at: Date.now() });
  if (voted !== 1) throw conflict('already_decided', 'error.already_decided', { what: taskWhat(task.id) });
  const pending = (await approvers(trx, task.id)).filter(
    (a: { decision: string | null }) => a.decision === null,
  );
  if (task.approval_mode === 'any' || rejecting || pending.length === 0) return true;
  if (task.approval_mode === 'sequential') {
    await trx('tasks')
      .where({ id: task.id })
      .update({ assignee_id: pending[0].user_id, version: task.version + 1 });
    await patchRecord(run, { assigneeId: pending[0].user_id });
    // The next approver in line is asked now (the message goes to the first undecided one).
    await notifyTask(trx, run, task.id, 'approval.requested', actor.username);
  } else {
    await trx('tasks')
      .where({ id: task.id })
      .update({ version: task.version + 1 });
  }
  return false;
}

async function firstPending(trx: Knex, taskId: number): Promise<number> {
  const row = await trx('task_approvers')
    .where({ task_id: taskId })
    .whereNull('decision')
    .orderBy('seq')
    .first('user_id');
  return row?.user_id ?? -1;
}

/** Claim (认领) an unassigned group or role task: one conditional UPDATE decides between claimers. */
export async function claimTask(
  services: Services,
  actor: Actor,
  taskId: number,
  hooks: EngineHooks,
): Promise<void> {
  await inOpenTask(services, actor, taskId, hooks, async (trx, task, run) => {
    if (!(await mayClaim(trx, actor, task))) {
      if (task.assignee_id !== null)
        throw conflict('already_claimed', 'error.already_claimed', { what: taskWhat(task.id) });
      throw forbidden();
    }
    const n = await trx('tasks')
      .where({ id: task.id, version: task.version })
      .whereNull('assignee_id')
      .update({ assignee_id: actor.userId, version: task.version + 1 });
    if (n !== 1) throw conflict('already_claimed', 'error.already_claimed', { what: taskWhat(task.id) });
    await patchRecord(run, { assigneeId: actor.userId });
    await writeHistory(trx, run.rec.id, actor.username, [
      { kind: 'task', detail: { task: task.id, event: 'claimed' } },
    ]);
  });
}

async function userId(trx: Knex, username: string): Promise<number> {
  const row = await trx('users').where({ username, active: true }).first('id');
  if (!row) throw notFound(translateBoth('what.user', { key: username }));
  return row.id;
}

/** Transfer (转交): hand the task — or the caller's vote in an approval — to someone else. */
export async function transferTask(
  services: Services,
  actor: Actor,
  taskId: number,
  to: string,
  hooks: EngineHooks,
): Promise<void> {
  await inOpenTask(services, actor, taskId, hooks, async (trx, task, run) => {
    const target = await userId(trx, to);
    if (task.approval_mode) {
      const from =
        isAdmin(actor) && !(await isApprover(trx, task.id, actor.userId))
          ? await firstPending(trx, task.id)
          : actor.userId;
      if (await isApprover(trx, task.id, target))
        throw conflict('already_approver', 'error.already_approver', { user: to });
      const n = await trx('task_approvers')
        .where({ task_id: task.id, user_id: from })
        .whereNull('decision')
        .update({ user_id: target });
      if (n !== 1) throw forbidden();
      if (task.assignee_id === from)
        await trx('tasks').where({ id: task.id }).update({ assignee_id: target });
    } else {
      if (!isAdmin(actor) && task.assignee_id !== actor.userId) throw forbidden();
      await trx('tasks')
        .where({ id: task.id })
        .update({ assignee_id: target, version: task.version + 1 });
      await patchRecord(run, { assigneeId: target });
    }
    await writeHistory(trx, run.rec.id, actor.username, [
      { kind: 'task', detail: { task: task.id, event: 'transferred', to } },
    ]);
    await notifyTask(trx, run, task.id, 'task.assigned', actor.username);
  });
}

/** Add an approver (加签): the task becomes (or stays) a vote in which the new person must also decide. */
export async function addApprover(
  services: Services,
  actor: Actor,
  taskId: number,
  who: string,
  hooks: EngineHooks,
): Promise<void> {
  await inOpenTask(services, actor, taskId, hooks, async (trx, task, run) => {
    if (!(await mayAct(trx, actor, task))) throw forbidden();
    const target = await userId(trx, who);
    if (!task.approval_mode) {
      if (task.assignee_id === null)
        throw conflict('unassigned', 'error.unassigned_task', { what: taskWhat(task.id) });
      await trx('task_approvers').insert({
        task_id: task.id,
        user_id: task.assignee_id,
        seq: 0,
        added_by: null,
      });
      await trx('tasks')
        .where({ id: task.id })
        .update({ approval_mode: 'all', version: task.version + 1 });
    }
    if (await isApprover(trx, task.id, target))
      throw conflict('already_approver', 'error.already_approver', { user: who });
    const last = await trx('task_approvers').where({ task_id: task.id }).max({ seq: 'seq' }).first();
    await trx('task_approvers').insert({
      task_id: task.id,
      user_id: target,
      seq: Number(last?.seq ?? 0) + 1,
      added_by: actor.username,
    });
    await writeHistory(trx, run.rec.id, actor.username, [
      { kind: 'task', detail: { task: task.id, event: 'approver_added', user: who } },
    ]);
    await notifyTask(trx, run, task.id, 'approval.requested', actor.username);
  });
}

/** Nodes a task may be returned (退回) to: user tasks of this instance that were completed before. */
export async function returnTargets(trx: Knex, task: TaskRow): Promise<string[]> {
  const rows = await trx('tasks')
    .where({ instance_id: task.instance_id, status: 'completed' })
    .whereNot('node_id', task.node_id)
    .orderBy('id')
    .select('node_id');
  return [...new Set(rows.map((r: { node_id: string }) => r.node_id))];
}

/** Return (退回) the work to an earlier step: this task is cancelled and that step is entered again. */
export async function returnTask(
  services: Services,
  actor: Actor,
  taskId: number,
  toNode: string,
  comment: string | undefined,
  hooks: EngineHooks,
): Promise<void> {
  await inOpenTask(services, actor, taskId, hooks, async (trx, task, run) => {
    if (!(await mayAct(trx, actor, task))) throw forbidden();
    const targets = await returnTargets(trx, task);
    if (!targets.includes(toNode)) {
      throw new ApiError(400, 'bad_return_target', 'error.bad_return_target', {
        node: toNode,
        available: targets.join(', ') || '-',
      });
    }
    await trx('tasks').where({ id: task.id }).update({
      status: 'cancelled',
      completed_at: Date.now(),
      completed_by: actor.username,
      outcome: 'returned',
    });
    await writeHistory(trx, run.rec.id, actor.username, [
      {
        kind: 'transition',
        detail: { task: task.id, node: task.node_id, action: 'return', to: toNode, comment },
      },
    ]);
    if (comment) {
      await trx('record_comments').insert({
        record_id: run.rec.id,
        author: actor.username,
        body: comment,
        visibility: 'public',
        created_at: Date.now(),
      });
    }
    const token = (await trx('process_tokens').where({ id: task.token_id }).first()) as TokenRow;
    await setTokenStatus(trx, token.id, 'active');
    const before = run.rec;
    await follow(run, token, { id: `return:${task.node_id}`, source: task.node_id, target: toNode });
    await emitEvent(trx, {
      type: 'record.transitioned',
      recordId: run.rec.id,
      actor: actor.username,
      taskId: task.id,
      changes: recordChanges(before, run.rec),
      detail: { action: 'return', node: task.node_id, to: toNode },
    });
  });
}

/** Urge (催办): remind whoever holds the open tasks of a record. */
export async function urge(
  services: Services,
  actor: Actor,
  taskId: number,
  message: string | undefined,
  hooks: EngineHooks,
): Promise<void> {
  await inOpenTask(services, actor, taskId, hooks, async (trx, task, run) => {
    await writeHistory(trx, run.rec.id, actor.username, [
      { kind: 'task', detail: { task: task.id, event: 'urged', message } },
    ]);
    await notifyTask(trx, run, task.id, 'task.urged', actor.username, message);
  });
}

/** Tells a task's people: assigned and approval requested are events (their job sends the
 * in-app message, then rules run); an urge is a notify job of its own. */
async function notifyTask(
  trx: Knex,
  run: Run,
  taskId: number,
  event: 'task.assigned' | 'approval.requested' | 'task.urged',
  actor: string,
  message?: string,
): Promise<void> {
  if (event !== 'task.urged') {
    await emitEvent(trx, { type: event, recordId: run.rec.id, actor, taskId });
    return;
  }
  await enqueueJob(trx, {
    type: 'notify',
    dueAt: Date.now(),
    instanceId: run.instance.id,
    tokenId: null,
    payload: { recordId: run.rec.id, event, taskId, actor, message },
  });
}

export interface AvailableTask {
  id: number;
  node: string;
  name: unknown;
  /** The step's instructions to the people who act on it, as the process says them. */
  instructions: unknown;
  status: string;
  assignee: string | null;
  group: string | null;
  approvalMode: string | null;
  approvers: { username: string; decision: string | null }[];
  dueAt: number | null;
  version: number;
  /** `input`: JSON Schema of what the person supplies with the action (the UI renders it as a small form). */
  actions: { key: string; label: unknown; style: string; input: unknown }[];
  fieldAccess: unknown;
  can: {
    act: boolean;
    claim: boolean;
    transfer: boolean;
    addApprover: boolean;
    return: boolean;
    urge: boolean;
  };
  returnTargets: string[];
}

/** The record's open tasks, and what the caller may do on each now: the UI's buttons. */
export async function openTasks(
  services: Services,
  actor: Actor,
  recordId: number,
  hooks: EngineHooks,
): Promise<AvailableTask[]> {
  const db = services.db;
  const tasks = (await db('tasks').where({ record_id: recordId, status: 'open' }).orderBy('id')) as TaskRow[];
  const out: AvailableTask[] = [];
  for (const task of tasks) {
    const run = await loadRun(services, db, actor.username, task.instance_id, hooks);
    const n = node(run.graph, task.node_id) as UserTask;
    const list = await db('task_approvers as a')
      .join('users as u', 'u.id', 'a.user_id')
      .where({ task_id: task.id })
      .orderBy('seq')
      .select('u.username', 'a.decision');
    const names = new Map(
      (
        await db('users')
          .whereIn('id', [task.assignee_id ?? -1])
          .select('id', 'username')
      ).map((u: { id: number; username: string }) => [u.id, u.username]),
    );
    const group = task.group_id ? await db('groups').where({ id: task.group_id }).first('key') : null;
    const act = await mayAct(db, actor, task);
    const targets = await returnTargets(db, task);
    out.push({
      id: task.id,
      node: task.node_id,
      name: n.name ?? n.id,
      instructions: n.instructions ?? null,
      status: task.status,
      assignee: task.assignee_id ? (names.get(task.assignee_id) ?? null) : null,
      group: group?.key ?? null,
      approvalMode: task.approval_mode,
      approvers: list,
      dueAt: task.due_at === null ? null : Number(task.due_at),
      version: task.version,
      actions: act
        ? outgoingOf(run.graph, n.id).map((e) => ({
            key: e.action?.key ?? 'complete',
            label: e.action?.label ?? e.action?.key ?? 'complete',
            style: e.action?.style ?? 'default',
            input: e.action?.input ?? null,
          }))
        : [],
      // What the viewer may change taking an action here; for someone who may not act, the step's
      // own access, which an edit outside the task is held to (records/service.ts).
      fieldAccess: act ? stepAccess(n, actor, run.rec) : (n.fieldAccess ?? null),
      can: {
        act,
        claim: await mayClaim(db, actor, task),
        transfer: act,
        addApprover: act,
        return: act && targets.length > 0,
        urge: true,
      },
      returnTargets: act ? targets : [],
    });
  }
  return out;
}
