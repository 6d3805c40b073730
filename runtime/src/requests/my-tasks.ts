import type { I18nText } from '@opsloom/spec';
import type { Knex } from 'knex';
import { catalogItemNames } from '../catalog/items.ts';
import type { Actor } from '../context.ts';
import { loadGraph, node } from '../engine/graph.ts';
import { mayAct, type TaskRow } from '../engine/tasks.ts';
import { groupIdsOf } from '../records/visibility.ts';

export interface MyTask {
  id: number;
  recordId: number;
  number: string;
  title: string;
  type: string;
  /** Who asked for the record (username): an approver decides knowing whose request it is. */
  requester: string | null;
  recordStatus: string;
  /** The catalog item the record was requested through, named as the catalog now names it. */
  catalogItem: { ref: string; name: I18nText | null } | null;
  node: string;
  name: unknown;
  approvalMode: string | null;
  /** `act`: the caller may take its actions now; `claim`: unassigned in one of the caller's queues. */
  reason: 'act' | 'claim';
  dueAt: number | null;
  createdAt: number;
}

/**
 * Open tasks the caller may act on now — assigned to them, or an approval waiting for their
 * vote (会签 / 或签; sequential only when it is their turn) — and, with `claimable`, the
 * unassigned tasks of their groups and roles. Oldest first, with the record's number and title.
 */
export async function myTasks(db: Knex, actor: Actor, claimable: boolean, limit: number): Promise<MyTask[]> {
  const groups = claimable ? await groupIdsOf(db, actor.userId) : [];
  const rows = (await db('tasks as t')
    .join('records as r', 'r.id', 't.record_id')
    .join('process_instances as i', 'i.id', 't.instance_id')
    .leftJoin('users as u', 'u.id', 'r.requester_id')
    .where('t.status', 'open')
    .andWhere((w) => {
      w.where('t.assignee_id', actor.userId).orWhereIn(
        't.id',
        db('task_approvers').where({ user_id: actor.userId }).whereNull('decision').select('task_id'),
      );
      if (claimable) {
        w.orWhere((c) => {
          c.whereNull('t.assignee_id')
            .whereNull('t.approval_mode')
            .andWhere((g) => {
              g.whereIn('t.group_id', groups.length ? groups : [-1]).orWhereIn('t.role', actor.roles);
            });
        });
      }
    })
    .orderBy('t.id')
    .limit(limit)
    .select(
      't.*',
      'r.number',
      'r.title',
      'r.type',
      'u.username as requester',
      'r.status as record_status',
      'r.catalog_item',
      'i.process_key',
      'i.process_version',
    )) as (TaskRow & {
    number: string;
    title: string;
    type: string;
    requester: string | null;
    record_status: string;
    catalog_item: string | null;
    process_key: string;
    process_version: number;
  })[];
  const refs = rows.flatMap((r) => (r.catalog_item ? [r.catalog_item] : []));
  const items = refs.length ? await catalogItemNames(db, refs) : null;
  const out: MyTask[] = [];
  for (const row of rows) {
    const act = await mayAct(db, actor, row);
    const claim = !act && claimable && row.assignee_id === null && !row.approval_mode;
    if (!act && !claim) continue;
    let name: unknown = row.node_id;
    try {
      name =
        node(await loadGraph(db, row.process_key, Number(row.process_version)), row.node_id).name ?? name;
    } catch {
      // a task of a version that no longer loads still lists, under its node id
    }
    out.push({
      id: Number(row.id),
      recordId: Number(row.record_id),
      number: row.number,
      title: row.title,
      type: row.type,
      requester: row.requester,
      recordStatus: row.record_status,
      catalogItem: row.catalog_item
        ? { ref: row.catalog_item, name: items?.get(row.catalog_item) ?? null }
        : null,
      node: row.node_id,
      name,
      approvalMode: row.approval_mode,
      reason: act ? 'act' : 'claim',
      dueAt: row.due_at === null ? null : Number(row.due_at),
      createdAt: Number(row.created_at),
    });
  }
  return out;
}
