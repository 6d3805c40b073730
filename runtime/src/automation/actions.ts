import { type Action, compileExpression, evaluateCondition } from '@opsloom/spec';
import type { Knex } from 'knex';
import type { Services } from '../context.ts';
import { dialectOf } from '../db/connect.ts';
import { resolveAssignee } from '../engine/assign.ts';
import { type EngineHooks, follow, loadRun, lockInstance, type TokenRow } from '../engine/engine.ts';
import { node, outgoingOf } from '../engine/graph.ts';
import { queueNotification } from '../notify/outbox.ts';
import { templateContext } from '../notify/templates.ts';
import { checkRecordData, derivePriority, type LoadedForm } from '../records/forms.ts';
import { type Rec, type RecordPatch, updateRecord, writeHistory } from '../records/store.ts';
import { emitEvent, recordChanges } from './events.ts';

/** A rule action that could not be carried out; the rule run stops and says why on the record. */
export class RuleActionError extends Error {}

export interface ActionRun {
  services: Services;
  trx: Knex;
  hooks: EngineHooks;
  /** `rule:<key>`: the name history entries and emitted events carry. */
  actor: string;
  form: LoadedForm;
  rec: Rec;
  /** What CEL expressions and templates see (record, event, actor, changes, task). */
  ctx: Record<string, unknown>;
}

async function applyPatch(run: ActionRun, patch: RecordPatch): Promise<void> {
  const before = run.rec;
  run.rec = await updateRecord(run.trx, run.actor, run.form, before, patch);
  const changes = recordChanges(before, run.rec);
  if (Object.keys(changes).length)
    await emitEvent(run.trx, { type: 'record.updated', recordId: run.rec.id, actor: run.actor, changes });
}

function evaluate(source: string, ctx: Record<string, unknown>): unknown {
  return compileExpression(source).evaluate(ctx);
}

/** Carries out one action. Returns a short description for the rule's history entry. */
export async function runAction(run: ActionRun, action: Action): Promise<string> {
  switch (action.type) {
    case 'notify': {
      // Templates name the person whose change fired the rule, not the rule.
      const ctx = await templateContext(run.trx, run.services.config, run.rec, String(run.ctx.actor), {
        event: run.ctx.event,
        changes: run.ctx.changes,
        task: run.ctx.task,
      });
      const n = await queueNotification(
        { config: run.services.config, trx: run.trx, rec: run.rec, actor: run.actor, ctx, source: run.actor },
        action,
      );
      return `notify:${action.channel}:${n}`;
    }
    case 'setField': {
      const value = evaluate(action.value, run.ctx);
      const data = { ...run.rec.data, [action.field]: value };
      derivePriority(run.form.def, data);
      const problems = checkRecordData(run.form, data, run.rec.status);
      if (problems.length)
        throw new RuleActionError(
          `setField ${action.field}: ${problems.map((p) => p.message.en).join('; ')}`,
        );
      await applyPatch(run, { data });
      return `setField:${action.field}`;
    }
    case 'assign': {
      const who = await resolveAssignee(run.trx, action.assignee, run.rec, run.ctx);
      const assigneeId = who.userIds[0] ?? null;
      if (assigneeId === null && who.groupId === null)
        throw new RuleActionError(
          `assign: nobody matches ${action.assignee.type} ${action.assignee.value ?? ''}`,
        );
      const patch: RecordPatch = { assigneeId };
      if (who.groupId !== null) patch.groupId = who.groupId;
      await applyPatch(run, patch);
      // The record's open single-person tasks follow the record, so the new assignee can act.
      const tasks = await run
        .trx('tasks')
        .where({ record_id: run.rec.id, status: 'open' })
        .whereNull('approval_mode')
        .select('id', 'version');
      for (const t of tasks) {
        await run
          .trx('tasks')
          .where({ id: t.id })
          .update({
            assignee_id: assigneeId,
            ...(who.groupId !== null ? { group_id: who.groupId } : {}),
            version: t.version + 1,
          });
        if (assigneeId !== null)
          await emitEvent(run.trx, {
            type: 'task.assigned',
            recordId: run.rec.id,
            actor: run.actor,
            taskId: Number(t.id),
          });
      }
      return 'assign';
    }
    case 'transition':
      return transition(run, action.action);
    case 'raisePriority': {
      const field = run.form.def.priorityMatrix?.priorityField ?? 'priority';
      const schema = run.form.def.schema as { properties?: Record<string, { enum?: unknown[] }> };
      const levels = (schema.properties?.[field]?.enum ?? []).map(String);
      const current = String(run.rec.data[field] ?? run.rec.priority ?? '');
      // Priority enums list the highest first (P1, P2…): one step up is one place to the left.
      const at = levels.indexOf(current);
      const target =
        action.to ?? (at > 0 ? levels[at - 1] : at === -1 ? levels[levels.length - 1] : undefined);
      if (!target || target === current) return 'raisePriority:unchanged';
      if (levels.length && !levels.includes(target))
        throw new RuleActionError(`raisePriority: "${target}" is not one of ${levels.join(', ')}`);
      if (levels.length && at !== -1 && levels.indexOf(target) > at) return 'raisePriority:unchanged';
      await applyPatch(run, { data: { ...run.rec.data, [field]: target } });
      return `raisePriority:${target}`;
    }
  }
  return 'unknown';
}

/**
 * Takes the edge `actionKey` of the record's open task, as if its assignee had pressed the
 * button: the task completes, the edge's guards must hold and its `set` values apply, and the
 * process moves on in this transaction.
 */
async function transition(run: ActionRun, actionKey: string): Promise<string> {
  const open = await run.trx('tasks').where({ record_id: run.rec.id, status: 'open' }).orderBy('id');
  for (const task of open) {
    if (dialectOf(run.trx) === 'mysql') await run.trx('tasks').where({ id: task.id }).forUpdate().first('id');
    await lockInstance(run.trx, task.instance_id);
    const pr = await loadRun(run.services, run.trx, run.actor, task.instance_id, run.hooks);
    pr.rec = run.rec;
    const edge = outgoingOf(pr.graph, task.node_id).find((e) => (e.action?.key ?? 'complete') === actionKey);
    if (!edge) continue;
    for (const guard of edge.guards ?? []) {
      let ok = false;
      try {
        ok = evaluateCondition(guard.condition, run.ctx);
      } catch {
        ok = false;
      }
      if (!ok) throw new RuleActionError(`transition ${actionKey}: a guard of the action does not hold`);
    }
    const done = await run
      .trx('tasks')
      .where({ id: task.id, status: 'open' })
      .update({
        status: 'completed',
        completed_at: Date.now(),
        completed_by: run.actor,
        outcome: actionKey,
        version: task.version + 1,
      });
    if (done !== 1) continue;
    await run
      .trx('task_approvers')
      .where({ task_id: task.id })
      .whereNull('decision')
      .update({ decision: 'skipped' });
    await writeHistory(run.trx, run.rec.id, run.actor, [
      {
        kind: 'transition',
        detail: { task: Number(task.id), node: task.node_id, action: actionKey, to: edge.target },
      },
    ]);
    const before = run.rec;
    const token = (await run.trx('process_tokens').where({ id: task.token_id }).first()) as TokenRow;
    await follow(pr, token, edge, {});
    run.rec = pr.rec;
    await emitEvent(run.trx, {
      type: 'record.transitioned',
      recordId: run.rec.id,
      actor: run.actor,
      taskId: Number(task.id),
      changes: recordChanges(before, run.rec),
      detail: { action: actionKey, node: node(pr.graph, task.node_id).id, to: edge.target },
    });
    return `transition:${actionKey}`;
  }
  throw new RuleActionError(`transition: no open task of ${run.rec.number} has the action "${actionKey}"`);
}
