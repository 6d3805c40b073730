import type { Knex } from 'knex';
import type { Actor } from '../context.ts';
import { notFound } from '../http/errors.ts';
import { type Rec, recordWhat } from './store.ts';

export const seesEverything = (actor: Actor) =>
  actor.roles.includes('admin') || actor.roles.includes('manager');

export async function groupIdsOf(db: Knex, userId: number): Promise<number[]> {
  return (await db('group_members').where({ user_id: userId }).select('group_id')).map(
    (r: { group_id: number }) => r.group_id,
  );
}

/**
 * Narrows a records query to what the actor may see: everything for admins and managers;
 * for agents their groups' records, their assignments and tasks; for everyone their own
 * requests and what they watch.
 */
export async function scopeToVisible(
  db: Knex,
  actor: Actor,
  q: Knex.QueryBuilder,
  alias = 'records',
): Promise<void> {
  if (seesEverything(actor)) return;
  const groups = actor.roles.includes('agent') ? await groupIdsOf(db, actor.userId) : [];
  q.where((w) => {
    w.where(`${alias}.requester_id`, actor.userId)
      .orWhereIn(`${alias}.id`, db('record_watchers').where({ user_id: actor.userId }).select('record_id'))
      .orWhereIn(
        `${alias}.id`,
        db('tasks as vt')
          .leftJoin('task_approvers as va', 'va.task_id', 'vt.id')
          .where('vt.assignee_id', actor.userId)
          .orWhere('va.user_id', actor.userId)
          .select('vt.record_id'),
      );
    if (actor.roles.includes('agent')) {
      w.orWhere(`${alias}.assignee_id`, actor.userId);
      if (groups.length) w.orWhereIn(`${alias}.group_id`, groups);
    }
  });
}

/** 404 — never 403 — for a record the actor may not see, so ids cannot be probed. */
export async function assertCanSee(db: Knex, actor: Actor, rec: Rec): Promise<void> {
  if (seesEverything(actor)) return;
  const q = db('records').where('records.id', rec.id);
  await scopeToVisible(db, actor, q);
  if (!(await q.first('records.id'))) throw notFound(recordWhat(rec.id));
}

/** Agents and above work on records; requesters only read theirs, comment and act on their own tasks. */
export const isStaff = (actor: Actor) =>
  actor.roles.some((r) => r === 'admin' || r === 'agent' || r === 'manager');
