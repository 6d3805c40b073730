import type { Recipient } from '@opsloom/spec';
import type { Knex } from 'knex';
import { fromJson } from '../db/json.ts';
import { userIdsWithRole } from '../people/users.ts';
import type { Rec } from '../records/store.ts';

/**
 * The one recipient resolver: notify nodes of processes, notify actions of rules and SLA/OLA
 * escalations all name people the same way (requester, assignee, assignment group, a group, a
 * role, watchers, a user or group field, users, fixed addresses) and get the same people.
 */

export interface Person {
  userId: number;
  username: string;
  displayName: string;
  email: string | null;
  locale: 'zh-CN' | 'en';
  /** Agents, managers and admins get links into the workspace; everyone else into the portal. */
  staff: boolean;
}

export interface Resolved {
  people: Person[];
  /** Fixed e-mail addresses (recipient type `address`), for the email channel. */
  addresses: string[];
}

const STAFF = ['admin', 'agent', 'manager'];

const namesOf = (v: unknown): string[] =>
  (Array.isArray(v) ? v : [v])
    .filter((x): x is string => typeof x === 'string')
    .flatMap((x) => x.split(','))
    .map((x) => x.trim())
    .filter(Boolean);

async function groupMembers(trx: Knex, where: { id?: number; key?: string }): Promise<number[]> {
  const q = trx('group_members as m').join('groups as g', 'g.id', 'm.group_id');
  if (where.id !== undefined) q.where('g.id', where.id);
  else q.where('g.key', where.key!);
  return (await q.select('m.user_id')).map((m: { user_id: number }) => m.user_id);
}

/** Looks people up by id: active users only, each once. */
export async function peopleByIds(trx: Knex, ids: Iterable<number>): Promise<Person[]> {
  const list = [...new Set(ids)];
  if (!list.length) return [];
  const rows = await trx('users')
    .whereIn('id', list)
    .where({ active: true })
    .orderBy('id')
    .select('id', 'username', 'display_name', 'email', 'locale', 'roles');
  return rows.map((u) => {
    const roles = fromJson<string[]>(u.roles) ?? [];
    return {
      userId: Number(u.id),
      username: u.username,
      displayName: u.display_name,
      email: u.email ?? null,
      locale: u.locale === 'en' ? 'en' : 'zh-CN',
      staff: roles.some((r) => STAFF.includes(r)),
    };
  });
}

export async function resolveRecipients(trx: Knex, rec: Rec, recipients: Recipient[]): Promise<Resolved> {
  const ids = new Set<number>();
  const addresses = new Set<string>();
  const add = (list: number[]) => {
    for (const id of list) ids.add(Number(id));
  };
  const byName = async (names: string[]) => {
    if (!names.length) return [];
    return (await trx('users').whereIn('username', names).select('id')).map((u: { id: number }) => u.id);
  };
  for (const r of recipients) {
    switch (r.type) {
      case 'requester':
        ids.add(rec.requesterId);
        break;
      case 'assignee':
        if (rec.assigneeId) ids.add(rec.assigneeId);
        break;
      case 'assignmentGroup':
        if (rec.groupId) add(await groupMembers(trx, { id: rec.groupId }));
        break;
      case 'watchers':
        add(
          (await trx('record_watchers').where({ record_id: rec.id }).select('user_id')).map(
            (w: { user_id: number }) => w.user_id,
          ),
        );
        break;
      case 'user':
        add(await byName(namesOf(r.value)));
        break;
      case 'group':
        for (const key of namesOf(r.value)) add(await groupMembers(trx, { key }));
        break;
      case 'role':
        add(await userIdsWithRole(trx, r.value!));
        break;
      case 'field': {
        // A user field holds usernames; a group field holds a group key: its members.
        const names = namesOf(rec.data[r.value!]);
        const people = await byName(names);
        add(people);
        if (!people.length) for (const key of names) add(await groupMembers(trx, { key }));
        break;
      }
      case 'address':
        for (const a of namesOf(r.value)) if (/^[^\s@]+@[^\s@]+$/.test(a)) addresses.add(a);
        break;
    }
  }
  return { people: await peopleByIds(trx, ids), addresses: [...addresses] };
}
