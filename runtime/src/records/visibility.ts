import type { Knex } from 'knex';
import type { Actor } from '../context.ts';
import { dialectOf } from '../db/connect.ts';
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
  const agent = actor.roles.includes('agent');
  const groups = agent ? await groupIdsOf(db, actor.userId) : [];
  const me = actor.userId;
  q.where((w) => {
    if (dialectOf(db) === 'mysql') {
      // MariaDB/MySQL cannot combine an OR of IN-subqueries through indexes: it would check
      // every candidate row against each (seconds over a million records). A UNION of the
      // person's own record ids is materialised once (a few rows, each from an index) and
      // semi-joined instead — a 1M-record list for a requester went from ~5 s to ~40 ms.
      const mine = db('records')
        .where('requester_id', me)
        .select('id')
        .union((u) => u.from('record_watchers').where('user_id', me).select('record_id'))
        .union((u) => u.from('tasks').where('assignee_id', me).select('record_id'))
        .union((u) =>
          u
            .from('task_approvers as va')
            .join('tasks as vt', 'vt.id', 'va.task_id')
            .where('va.user_id', me)
            .select('vt.record_id'),
        );
      if (agent) mine.union((u) => u.from('records').where('assignee_id', me).select('id'));
      w.whereIn(`${alias}.id`, db.from(mine.as('vis')).select('vis.id'));
    } else {
      // SQLite reads each branch of this OR through its own index ("MULTI-INDEX OR").
      w.where(`${alias}.requester_id`, me)
        .orWhereIn(`${alias}.id`, db('record_watchers').where({ user_id: me }).select('record_id'))
        // Two subqueries rather than one with an OR across a join, so each reads an index
        // (tasks by assignee, task_approvers by user) instead of scanning every task.
        .orWhereIn(`${alias}.id`, db('tasks as vt').where('vt.assignee_id', me).select('vt.record_id'))
        .orWhereIn(
          `${alias}.id`,
          db('task_approvers as va')
            .join('tasks as vt', 'vt.id', 'va.task_id')
            .where('va.user_id', me)
            .select('vt.record_id'),
        );
      if (agent) w.orWhere(`${alias}.assignee_id`, me);
    }
    if (agent && groups.length) w.orWhereIn(`${alias}.group_id`, groups);
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
