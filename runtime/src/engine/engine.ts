import {
  ANY_FORM,
  compileExpression,
  ExpressionError,
  endOutcome,
  evaluateCondition,
  type ProcessEdge,
  type ProcessNode,
  type ServiceAction,
} from '@opsloom/spec';
import type { Knex } from 'knex';
import { randomToken } from '../auth/secrets.ts';
import { emitEvent } from '../automation/events.ts';
import type { Services } from '../context.ts';
import { dialectOf } from '../db/connect.ts';
import { insertNew } from '../db/held-inserts.ts';
import { execute, selectRows } from '../db/sql.ts';
import { ApiError } from '../http/errors.ts';
import { type LoadedForm, loadForm } from '../records/forms.ts';
import {
  type Data,
  loadRecord,
  type Rec,
  type RecordPatch,
  updateRecord,
  writeHistory,
} from '../records/store.ts';
import { startOla } from '../sla/ola.ts';
import { approversOf, nextInRotation, resolveAssignee } from './assign.ts';
import { type ExprScope, recordContext, scopeOf } from './context.ts';
import { durationMs } from './duration.ts';
import { type Graph, loadGraph, node, outgoingOf } from './graph.ts';
import { enqueueJob } from './jobs.ts';

/** Everything one engine run needs; a run is one transaction from a trigger to the next waits. */
export interface Run {
  services: Services;
  trx: Knex;
  actor: string;
  instance: InstanceRow;
  graph: Graph;
  form: LoadedForm;
  rec: Rec;
  /** Node entries in this run: a process that loops without waiting is stopped, not spun forever. */
  steps: number;
  /** Hooks for the record module (e.g. create a linked record) injected to keep dependencies one-way. */
  hooks: EngineHooks;
}

type CreateRecordAction = Extract<ServiceAction, { type: 'createRecord' }>;

export interface EngineHooks {
  createLinkedRecord(run: Run, action: CreateRecordAction, data: Data): Promise<Rec>;
}

export interface InstanceRow {
  id: number;
  record_id: number;
  process_key: string;
  process_version: number;
  status: string;
  parent_token_id: number | null;
  secret: string;
  started_at: number;
  ended_at: number | null;
}

export interface TokenRow {
  id: number;
  instance_id: number;
  node_id: string;
  status: string;
  item: string | null;
  fork: string | null;
}

const MAX_STEPS = 500;

export class EngineError extends ApiError {}

function engineError(code: string, en: string, zh: string, details?: unknown): EngineError {
  return new EngineError(422, code, 'error.engine', { detail: { en, 'zh-CN': zh } }, details);
}

function evalExpr(run: Run, source: string, ctx: Record<string, unknown>, where: string): unknown {
  try {
    return compileExpression(source).evaluate(ctx);
  } catch (err) {
    if (err instanceof ExpressionError) {
      const at = `process ${run.instance.process_key}@${run.instance.process_version} ${where}`;
      throw engineError(
        err.reason === 'budget' ? 'expression_budget' : 'expression_failed',
        `${at}: ${err.localized.en}`,
        `${at}：${err.localized['zh-CN']}`,
      );
    }
    throw err;
  }
}

export async function exprContext(run: Run, scope: ExprScope = {}): Promise<Record<string, unknown>> {
  return scopeOf(await recordContext(run.trx, run.rec), run.actor, scope);
}

/** Changes the record inside the run, keeping `run.rec` current. */
export async function patchRecord(run: Run, patch: RecordPatch, expectedVersion?: number): Promise<void> {
  run.rec = await updateRecord(
    run.trx,
    run.actor,
    run.form,
    run.rec,
    patch,
    expectedVersion ?? run.rec.version,
  );
}

/** Evaluates `field → expression` pairs into a new data object (all read the same "before" state). */
export async function computeValues(
  run: Run,
  values: Record<string, string>,
  scope: ExprScope,
  where: string,
): Promise<Data> {
  const ctx = await exprContext(run, scope);
  const out: Data = {};
  for (const [field, source] of Object.entries(values))
    out[field] = evalExpr(run, source, ctx, `${where}/${field}`);
  return out;
}

async function createToken(
  run: Run,
  nodeId: string,
  fork: string | null,
  item: string | null = null,
  status = 'waiting',
) {
  const id = await insertNew(run.trx, 'process_tokens', {
    instance_id: run.instance.id,
    node_id: nodeId,
    status,
    item,
    fork,
    created_at: Date.now(),
  });
  return { id, instance_id: run.instance.id, node_id: nodeId, status, item, fork } as TokenRow;
}

/**
 * A token about to move on from `nodeId` (the start, a split's branch, a join's merge): it is
 * written only when it enters its next node, where it lands, so it costs one insert instead of
 * an insert and an update. Until then its id is 0.
 */
function movingToken(run: Run, nodeId: string, fork: string | null): TokenRow {
  return { id: 0, instance_id: run.instance.id, node_id: nodeId, status: 'active', item: null, fork };
}

export async function setTokenStatus(
  trx: Knex,
  tokenId: number,
  status: string,
  nodeId?: string,
): Promise<void> {
  if (nodeId)
    await execute(trx, 'update `process_tokens` set `status` = ?, `node_id` = ? where `id` = ?', [
      status,
      nodeId,
      tokenId,
    ]);
  else await execute(trx, 'update `process_tokens` set `status` = ? where `id` = ?', [status, tokenId]);
}

/**
 * Serialises the transactions that move one instance's tokens (callbacks, HTTP results, timers,
 * task actions). Without it two of them could each see the other's sibling still waiting (the
 * last two callbacks of a multi-instance wait, the two branches arriving at a join) and neither
 * would move on. Call it first in the transaction, so on MySQL the snapshot that later reads see
 * is taken after the lock; SQLite has one writer anyway.
 *
 * The lock is a write (migration 029): a Galera node ignores a `FOR UPDATE` taken on another
 * node, but of two transactions that wrote the same row it lets only the first commit; the other
 * is run again (db/retry.ts) and then sees the sibling moved.
 */
export async function lockInstance(trx: Knex, instanceId: number): Promise<void> {
  if (dialectOf(trx) === 'mysql')
    await execute(trx, 'update `process_instances` set `lock_seq` = `lock_seq` + 1 where `id` = ?', [
      instanceId,
    ]);
}

/** Starts an instance of a process for a record and runs it to its first waits. */
export async function startInstance(
  services: Services,
  trx: Knex,
  actor: string,
  rec: Rec,
  form: LoadedForm,
  processKey: string,
  hooks: EngineHooks,
  parentTokenId: number | null = null,
): Promise<{ run: Run; instanceId: number }> {
  const graph = await loadGraph(trx, processKey);
  // A process for any form (the default lifecycle) runs on every type that has none of its own.
  if (graph.def.form !== form.key && graph.def.form !== ANY_FORM) {
    throw engineError(
      'process_form_mismatch',
      `process ${processKey} runs on form ${graph.def.form}, not ${form.key}`,
      `流程 ${processKey} 适用于表单 ${graph.def.form}，而不是 ${form.key}`,
    );
  }
  const now = Date.now();
  const row = {
    record_id: rec.id,
    process_key: graph.key,
    process_version: graph.version,
    status: 'running',
    parent_token_id: parentTokenId,
    secret: randomToken(32),
    started_at: now,
  };
  const id = await insertNew(trx, 'process_instances', row);
  // The row as written: no need to read back what this transaction just inserted.
  const instance: InstanceRow = { id, ...row, ended_at: null };
  const run: Run = { services, trx, actor, instance, graph, form, rec, steps: 0, hooks };
  await writeHistory(trx, rec.id, actor, [
    { kind: 'process', detail: { started: `${graph.key}@${graph.version}` } },
  ]);
  const token = movingToken(run, graph.start.id, null);
  await leave(run, token, graph.start);
  return { run, instanceId: Number(id) };
}

/** Loads the run of an instance (pinned to the process version it started on). */
export async function loadRun(
  services: Services,
  trx: Knex,
  actor: string,
  instanceId: number,
  hooks: EngineHooks,
): Promise<Run> {
  const [instance] = await selectRows<InstanceRow>(trx, 'select * from `process_instances` where `id` = ?', [
    instanceId,
  ]);
  if (!instance) throw new Error(`no process instance ${instanceId}`);
  const graph = await loadGraph(trx, instance.process_key, instance.process_version);
  const rec = await loadRecord(trx, instance.record_id);
  const form = await loadForm(trx, rec.type, rec.formVersion);
  return { services, trx, actor, instance, graph, form, rec, steps: 0, hooks };
}

/**
 * Moves a token out of a node along its single outgoing path (or the gateway's chosen one). A
 * service task's error edge is not a way out here: only a call that failed for good takes it
 * (takeErrorEdge).
 */
export async function leave(
  run: Run,
  token: TokenRow,
  from: ProcessNode,
  scope: ExprScope = {},
): Promise<void> {
  const edges = outgoingOf(run.graph, from.id).filter((e) => !e.error);
  if (from.type === 'parallelSplit') {
    await setTokenStatus(run.trx, token.id, 'done');
    let i = 0;
    for (const edge of edges) {
      const fork = `${token.fork ? `${token.fork}/` : ''}${from.id}#${i++}`;
      const child = movingToken(run, from.id, fork);
      await follow(run, child, edge, scope);
    }
    return;
  }
  let edge: ProcessEdge | undefined;
  if (from.type === 'exclusiveGateway') {
    const ctx = await exprContext(run, scope);
    edge =
      edges.find((e) => e.condition && evaluateCondition(e.condition, ctx)) ?? edges.find((e) => e.default);
    if (!edge) {
      throw engineError(
        'no_path',
        `no outgoing path of gateway ${from.id} matches and it has no default`,
        `网关 ${from.id} 没有满足条件的出口，也没有默认出口`,
      );
    }
  } else {
    edge = edges[0];
  }
  if (!edge)
    throw engineError('dead_end', `node ${from.id} has no outgoing edge`, `节点 ${from.id} 没有出口`);
  await follow(run, token, edge, scope);
}

/** The error edge of a node (an HTTP service task's), if it has one. */
export function errorEdgeOf(graph: Graph, nodeId: string): ProcessEdge | undefined {
  return outgoingOf(graph, nodeId).find((e) => e.error);
}

/**
 * A service task's call failed for good: its token leaves along the task's error edge, whose
 * expressions see the call's `item` and `input` and `result` = { error, status }.
 */
export async function takeErrorEdge(
  run: Run,
  token: TokenRow,
  edge: ProcessEdge,
  scope: ExprScope,
): Promise<void> {
  await follow(run, token, edge, scope);
}

/** Traverses an edge: applies its `set` values, then enters its target. */
export async function follow(
  run: Run,
  token: TokenRow,
  edge: ProcessEdge,
  scope: ExprScope = {},
): Promise<void> {
  if (edge.set && Object.keys(edge.set).length) {
    const values = await computeValues(run, edge.set, scope, `edge ${edge.id}`);
    await patchRecord(run, { data: { ...run.rec.data, ...values } });
  }
  await enter(run, token, node(run.graph, edge.target), scope);
}

/**
 * Entering a node with a status gives the record that status. A status named "resolved" marks
 * the record resolved (the requester may still confirm or reopen); moving to any other working
 * status after it — a reopen — clears the mark.
 */
function statusPatch(run: Run, n: ProcessNode): RecordPatch {
  if (!n.status || n.status === run.rec.status) return {};
  const resolved = n.status === 'resolved' ? true : run.rec.resolvedAt !== null ? false : undefined;
  return { status: n.status, ...(resolved !== undefined ? { resolved } : {}) };
}

async function setStatusFor(run: Run, n: ProcessNode): Promise<void> {
  const patch = statusPatch(run, n);
  if (Object.keys(patch).length) await patchRecord(run, patch);
}

async function enter(run: Run, token: TokenRow, n: ProcessNode, scope: ExprScope): Promise<void> {
  if (++run.steps > MAX_STEPS) {
    throw engineError(
      'loop',
      `process ${run.graph.key} ran ${MAX_STEPS} steps without waiting`,
      `流程 ${run.graph.key} 连续执行超过 ${MAX_STEPS} 步未停止`,
    );
  }
  // Nodes that wait right away take the token as waiting: one write instead of two.
  const waits = n.type === 'userTask' || n.type === 'timer' || n.type === 'subProcess';
  const status = waits ? 'waiting' : 'active';
  if (token.id === 0) token.id = (await createToken(run, n.id, token.fork, token.item, status)).id;
  else await setTokenStatus(run.trx, token.id, status, n.id);
  token.node_id = n.id;
  token.status = status;
  switch (n.type) {
    case 'start':
      return leave(run, token, n, scope);
    case 'end':
      return reachEnd(run, token, n);
    case 'exclusiveGateway':
    case 'parallelSplit':
      await setStatusFor(run, n);
      return leave(run, token, n, scope);
    case 'parallelJoin':
      return arriveAtJoin(run, token, n, scope);
    case 'userTask':
      // The step's status is written together with the task's assignment (createTask).
      return createTask(run, token, n);
    case 'timer': {
      await setStatusFor(run, n);
      let due: number;
      if (n.timer.delay) due = Date.now() + durationMs(n.timer.delay);
      else {
        const v = evalExpr(run, n.timer.until!, await exprContext(run, scope), `node ${n.id} timer`);
        due = typeof v === 'number' ? v : Date.parse(String(v));
        if (Number.isNaN(due))
          throw engineError(
            'bad_deadline',
            `timer ${n.id}: "${v}" is not an instant`,
            `定时器 ${n.id}：“${v}”不是有效时间`,
          );
      }
      await enqueueJob(run.trx, {
        type: 'timer',
        dueAt: due,
        instanceId: run.instance.id,
        tokenId: token.id,
        payload: {},
      });
      return;
    }
    case 'callback':
      await setStatusFor(run, n);
      return waitForCallbacks(run, token, n, scope);
    case 'serviceTask':
      await setStatusFor(run, n);
      return runServiceTask(run, token, n, scope);
    case 'notify':
      await enqueueJob(run.trx, {
        type: 'notify',
        dueAt: Date.now(),
        instanceId: run.instance.id,
        tokenId: null,
        payload: { recordId: run.rec.id, notify: n.notify, actor: run.actor },
      });
      return leave(run, token, n, scope);
    case 'subProcess': {
      await setStatusFor(run, n);
      const child = await loadGraph(run.trx, n.process);
      if (child.def.form !== run.form.key && child.def.form !== ANY_FORM) {
        throw engineError(
          'subprocess_form',
          `sub-process ${n.process} runs on another form`,
          `子流程 ${n.process} 使用了不同的表单`,
        );
      }
      const started = await startInstance(
        run.services,
        run.trx,
        run.actor,
        run.rec,
        run.form,
        n.process,
        run.hooks,
        token.id,
      );
      run.rec = started.run.rec;
      return;
    }
  }
}

/** Items of a multi-instance node: the forEach list, each with the key that names it in callbacks. */
export function itemsOf(list: unknown, itemKey: string | undefined): { key: string; value: unknown }[] {
  if (!Array.isArray(list)) return [];
  return list.map((value, i) => {
    const key =
      itemKey && value && typeof value === 'object' ? (value as Record<string, unknown>)[itemKey] : undefined;
    return {
      key: String(key ?? (typeof value === 'string' || typeof value === 'number' ? value : i)),
      value,
    };
  });
}

async function waitForCallbacks(
  run: Run,
  token: TokenRow,
  n: Extract<ProcessNode, { type: 'callback' }>,
  scope: ExprScope,
) {
  const cb = n.callback;
  if (!cb.forEach) {
    await setTokenStatus(run.trx, token.id, 'waiting');
    return;
  }
  const items = itemsOf(
    evalExpr(run, cb.forEach, await exprContext(run, scope), `node ${n.id} forEach`),
    cb.itemKey,
  );
  if (!items.length) return leave(run, token, n, scope);
  // The node's token waits as 'multi' while one child token per item waits for its callback.
  await setTokenStatus(run.trx, token.id, 'multi');
  for (const item of items) await createToken(run, n.id, `${token.id}`, item.key);
}

async function runServiceTask(
  run: Run,
  token: TokenRow,
  n: Extract<ProcessNode, { type: 'serviceTask' }>,
  scope: ExprScope,
) {
  const action = n.action;
  const items = n.forEach
    ? itemsOf(evalExpr(run, n.forEach, await exprContext(run, scope), `node ${n.id} forEach`), undefined)
    : [{ key: '', value: scope.item ?? null }];
  switch (action.type) {
    case 'setFields': {
      let data = { ...run.rec.data };
      for (const item of items)
        data = {
          ...data,
          ...(await computeValues(run, action.values, { ...scope, item: item.value }, `node ${n.id}`)),
        };
      await patchRecord(run, { data });
      return leave(run, token, n, scope);
    }
    case 'createRecord': {
      const numbers: string[] = [];
      for (const item of items) {
        const values = await computeValues(
          run,
          action.values,
          { ...scope, item: item.value },
          `node ${n.id}`,
        );
        numbers.push((await run.hooks.createLinkedRecord(run, action, values)).number);
      }
      // The record names what it raised (an incident its problem), beside the link.
      if (action.resultField)
        await patchRecord(run, {
          data: { ...run.rec.data, [action.resultField]: n.forEach ? numbers : numbers[0] },
        });
      return leave(run, token, n, scope);
    }
    case 'updateCI': {
      // The CMDB arrives with its own issue; until then a CI update is recorded on the record.
      for (const item of items) {
        const ci = evalExpr(
          run,
          action.ci,
          await exprContext(run, { ...scope, item: item.value }),
          `node ${n.id} ci`,
        );
        const values = await computeValues(
          run,
          action.values,
          { ...scope, item: item.value },
          `node ${n.id}`,
        );
        await writeHistory(run.trx, run.rec.id, run.actor, [{ kind: 'ci_update', detail: { ci, values } }]);
      }
      return leave(run, token, n, scope);
    }
    case 'http': {
      if (n.forEach && !items.length) return leave(run, token, n, scope);
      // Calls leave the transaction: one durable job per call, the token waits for all of them.
      await setTokenStatus(run.trx, token.id, 'waiting');
      const ctx = await exprContext(run, scope);
      for (const item of n.forEach
        ? itemsOf(evalExpr(run, n.forEach, ctx, `node ${n.id} forEach`), undefined)
        : items) {
        await enqueueJob(run.trx, {
          type: 'http',
          dueAt: Date.now(),
          instanceId: run.instance.id,
          tokenId: token.id,
          maxAttempts: (action.retries ?? 2) + 1,
          // The action's input travels with the call: its templates see `input` as the edge did.
          payload: { nodeId: n.id, item: item.value, input: scope.input ?? null },
        });
      }
      return;
    }
  }
}

async function arriveAtJoin(run: Run, token: TokenRow, n: ProcessNode, scope: ExprScope) {
  const fork = token.fork ?? '';
  const cut = fork.lastIndexOf('/');
  const parentFork = cut >= 0 ? fork.slice(0, cut) : null;
  const split = (cut >= 0 ? fork.slice(cut + 1) : fork).split('#')[0]!;
  await setTokenStatus(run.trx, token.id, 'joined');
  const branches = outgoingOf(run.graph, split).length;
  const prefix = `${parentFork ? `${parentFork}/` : ''}${split}#`;
  const arrived = await run
    .trx('process_tokens')
    .where({ instance_id: run.instance.id, node_id: n.id, status: 'joined' })
    .andWhere('fork', 'like', `${prefix}%`)
    .select('id', 'fork');
  const siblings = arrived.filter((t: { fork: string }) => !t.fork.slice(prefix.length).includes('/'));
  if (siblings.length < branches) return;
  await run
    .trx('process_tokens')
    .whereIn(
      'id',
      siblings.map((t: { id: number }) => t.id),
    )
    .update({ status: 'done' });
  const merged = movingToken(run, n.id, parentFork);
  await setStatusFor(run, n);
  return leave(run, merged, n, scope);
}

async function reachEnd(run: Run, token: TokenRow, n: Extract<ProcessNode, { type: 'end' }>) {
  await setTokenStatus(run.trx, token.id, 'done');
  // Other branches still running (an end inside a parallel region is refused by the validator,
  // but a sub-process end must still wait for its own tokens).
  const open = await run
    .trx('process_tokens')
    .where({ instance_id: run.instance.id })
    .whereIn('status', ['waiting', 'active', 'multi', 'joined'])
    .first('id');
  if (open) return;
  await run
    .trx('process_instances')
    .where({ id: run.instance.id })
    .update({ status: 'completed', ended_at: Date.now() });
  const outcome = endOutcome(n);
  const patch: RecordPatch = {};
  if (n.status) patch.status = n.status;
  else if (!run.instance.parent_token_id) patch.status = outcome;
  if (outcome === 'resolved' || outcome === 'done') patch.resolved = true;
  if (outcome === 'closed' || outcome === 'cancelled' || outcome === 'rejected' || outcome === 'done') {
    patch.closed = true;
    patch.resolved = patch.resolved ?? outcome !== 'cancelled';
  }
  if (!run.instance.parent_token_id) {
    patch.assigneeId = null;
    await patchRecord(run, patch);
  } else if (patch.status) {
    await patchRecord(run, { status: patch.status });
  }
  await writeHistory(run.trx, run.rec.id, run.actor, [
    { kind: 'process', detail: { ended: `${run.graph.key}@${run.graph.version}`, outcome } },
  ]);
  if (run.instance.parent_token_id) {
    // A finished sub-process resumes its parent where it waited.
    const parentToken = (await run
      .trx('process_tokens')
      .where({ id: run.instance.parent_token_id })
      .first()) as TokenRow;
    const parent = await loadRun(run.services, run.trx, run.actor, parentToken.instance_id, run.hooks);
    parent.rec = run.rec;
    parent.steps = run.steps;
    await leave(parent, parentToken, node(parent.graph, parentToken.node_id));
    run.rec = parent.rec;
  }
}

async function createTask(run: Run, token: TokenRow, n: Extract<ProcessNode, { type: 'userTask' }>) {
  // Assignee rules see the record with the step's status already set, as if written first.
  const status = statusPatch(run, n);
  const rec = status.status ? { ...run.rec, status: status.status } : run.rec;
  const ctx = await exprContext({ ...run, rec });
  const resolved = await resolveAssignee(run.trx, n.assignee, rec, ctx);
  const mode = n.approval?.mode ?? null;
  // An approval given to a group or a role is its members' vote, not a task one of them claims;
  // an approval that excludes the requester leaves them out however they were named.
  let who =
    mode && !resolved.userIds.length
      ? { ...resolved, userIds: await approversOf(run.trx, resolved) }
      : resolved;
  if (mode && n.approval?.excludeRequester)
    who = { ...who, userIds: who.userIds.filter((u) => u !== run.rec.requesterId) };
  // A vote among several; or one nobody but the requester could cast, which waits for an admin
  // (加签, 转交) rather than falling to the group, where the requester could claim it.
  const vote = !!mode && (who.userIds.length > 1 || (!!n.approval?.excludeRequester && !who.userIds.length));
  let assigneeId: number | null = null;
  if (who.userIds.length === 1 || (who.userIds.length > 0 && (!mode || mode === 'single')))
    assigneeId = who.userIds[0]!;
  if (mode === 'sequential' && who.userIds.length) assigneeId = who.userIds[0]!;
  if (!assigneeId && who.groupId && n.distribution === 'roundRobin')
    assigneeId = await nextInRotation(run.trx, who.groupId);
  const now = Date.now();
  const taskId = await insertNew(run.trx, 'tasks', {
    instance_id: run.instance.id,
    token_id: token.id,
    record_id: run.rec.id,
    node_id: n.id,
    status: 'open',
    assignee_id: assigneeId,
    group_id: who.groupId,
    role: who.role,
    approval_mode: vote ? mode : null,
    due_at: n.dueIn ? now + durationMs(n.dueIn) : null,
    version: 1,
    created_at: now,
  });
  if (n.dueIn) {
    await startOla(run.trx, {
      recordId: run.rec.id,
      taskId,
      processKey: run.graph.key,
      processVersion: run.graph.version,
      nodeId: n.id,
      dueAt: now + durationMs(n.dueIn),
      now,
    });
  }
  if (vote && who.userIds.length) {
    await run
      .trx('task_approvers')
      .insert(who.userIds.map((user_id, seq) => ({ task_id: taskId, user_id, seq, added_by: null })));
  }
  // A step that waits on the requester (confirm, reply) leaves the record with its agent and
  // queue; every other step hands the record to whoever holds the task.
  const patch: RecordPatch = { ...status };
  if (n.assignee.type !== 'requester') {
    if (who.groupId !== null && who.groupId !== run.rec.groupId) patch.groupId = who.groupId;
    if (assigneeId !== run.rec.assigneeId) patch.assigneeId = assigneeId;
  }
  if (Object.keys(patch).length) await patchRecord(run, patch);
  await writeHistory(run.trx, run.rec.id, run.actor, [
    {
      kind: 'task',
      detail: {
        task: taskId,
        node: n.id,
        event: 'created',
        assignees: who.userIds,
        group: who.groupId,
        role: who.role,
      },
    },
  ]);
  // The event's job also sends the task's people their in-app message (TASK_MESSAGE_EVENTS).
  await emitEvent(run.trx, {
    type: mode ? 'approval.requested' : 'task.assigned',
    recordId: run.rec.id,
    actor: run.actor,
    taskId,
  });
}
