import type { Assignee } from '@opsloom/spec';
import { compileExpression } from '@opsloom/spec';
import type { Knex } from 'knex';
import { groupIdOf } from '../people/names.ts';
import { userIdsWithRole } from '../people/users.ts';
import type { Rec } from '../records/store.ts';

export interface Assignment {
  userIds: number[];
  groupId: number | null;
  role: string | null;
}

async function userIdsByName(db: Knex, names: string[]): Promise<number[]> {
  if (!names.length) return [];
  const rows = await db('users').whereIn('username', names).where({ active: true }).select('id', 'username');
  // Keep the order the definition gave: it is the order of a sequential approval.
  return names.flatMap((n) =>
    rows.filter((r: { username: string }) => r.username === n).map((r: { id: number }) => r.id),
  );
}

const groupId = groupIdOf;

const names = (v: unknown): string[] =>
  (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string' && x.length > 0);

/**
 * Who a user task goes to. A user, a field or an expression may name several people (the
 * approvers of 会签/或签); a group or a role leaves the task to be claimed.
 */
export async function resolveAssignee(
  db: Knex,
  assignee: Assignee,
  rec: Rec,
  context: Record<string, unknown>,
): Promise<Assignment> {
  const none: Assignment = { userIds: [], groupId: null, role: null };
  switch (assignee.type) {
    case 'requester':
      return { ...none, userIds: [rec.requesterId] };
    case 'user':
      return {
        ...none,
        userIds: await userIdsByName(db, names(assignee.value?.split(',').map((s) => s.trim()))),
      };
    case 'field': {
      const value = rec.data[assignee.value!];
      // A field may hold usernames, or a group key (a group picker).
      const people = await userIdsByName(db, names(value));
      if (people.length) return { ...none, userIds: people };
      const g = typeof value === 'string' ? await groupId(db, value) : null;
      return { ...none, groupId: g };
    }
    case 'expression': {
      const value = compileExpression(assignee.value!).evaluate(context);
      const people = await userIdsByName(db, names(value));
      if (people.length) return { ...none, userIds: people };
      const g = typeof value === 'string' ? await groupId(db, value) : null;
      return { ...none, groupId: g };
    }
    case 'group':
      return { ...none, groupId: await groupId(db, assignee.value!) };
    case 'role':
      return { ...none, role: assignee.value! };
  }
  return none;
}

/**
 * The approvers of an approval (会签 / 或签 / sequential) given to a group or a role: its active
 * members, each with a vote, in a stable order (a CAB approves as its members, not as whichever
 * member claims the task first).
 */
export async function approversOf(db: Knex, who: Assignment): Promise<number[]> {
  if (who.groupId !== null) return activeMembers(db, who.groupId);
  if (who.role !== null) return userIdsWithRole(db, who.role);
  return [];
}

/** A group's active members, by id: the order of its approvals and of its rotation's ties. */
async function activeMembers(db: Knex, group: number): Promise<number[]> {
  const rows = await db('group_members as m')
    .join('users as u', 'u.id', 'm.user_id')
    .where({ 'm.group_id': group, 'u.active': true })
    .orderBy('u.id')
    .select('u.id');
  return rows.map((r: { id: number }) => r.id);
}

/** The next member of a group in turn, for round-robin distribution: the one given work longest ago. */
export async function nextInRotation(db: Knex, group: number): Promise<number | null> {
  const members = await activeMembers(db, group);
  if (!members.length) return null;
  const last: { assignee_id: number; at: number }[] = await db('tasks')
    .where({ group_id: group })
    .whereNotNull('assignee_id')
    .whereIn('assignee_id', members)
    .select('assignee_id')
    .max({ at: 'created_at' })
    .groupBy('assignee_id');
  const lastAt = new Map(last.map((r) => [r.assignee_id, Number(r.at)]));
  return members.sort((a, b) => (lastAt.get(a) ?? 0) - (lastAt.get(b) ?? 0) || a - b)[0] ?? null;
}
