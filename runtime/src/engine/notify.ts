import { localize, type Recipient, renderTemplate } from '@opsloom/spec';
import type { Knex } from 'knex';
import type { Services } from '../context.ts';
import { insertRows } from '../db/held-inserts.ts';
import { type Query, selectRows } from '../db/sql.ts';
import { type NotifySpec, queueNotification } from '../notify/outbox.ts';
import { templateContext } from '../notify/templates.ts';
import type { Rec } from '../records/store.ts';
import { recordContext, scopeOf } from './context.ts';
import { type EngineHooks, loadRun } from './engine.ts';

interface NotifyPayload {
  recordId?: number;
  event?: string;
  taskId?: number;
  actor?: string;
  message?: string;
  notify?: { channel: string; recipients?: Recipient[]; template: { subject?: unknown; body: unknown } };
}

const EVENT_TITLES: Record<string, { en: string; 'zh-CN': string }> = {
  'task.assigned': {
    en: '{{number}} is waiting for you: {{title}}',
    'zh-CN': '{{number}} 待您处理：{{title}}',
  },
  'approval.requested': {
    en: 'Your approval is requested on {{number}}: {{title}}',
    'zh-CN': '{{number}} 请您审批：{{title}}',
  },
  'task.urged': {
    en: 'Reminder: {{number}} is still waiting for you: {{title}}',
    'zh-CN': '催办：{{number}} 仍在等待您处理：{{title}}',
  },
};

export interface Person {
  id: number;
  locale: string | null;
}

// The task's people in one statement: its undecided approvers (a vote), else its assignee, else
// the members of its group; each branch carries the task's status and approval mode.
const TASK_PEOPLE =
  'select 0 as `src`, `a`.`seq` as `ord`, `u`.`id`, `u`.`locale`, `t`.`status`, `t`.`approval_mode` ' +
  'from `tasks` as `t` inner join `task_approvers` as `a` on `a`.`task_id` = `t`.`id` and `a`.`decision` is null ' +
  'inner join `users` as `u` on `u`.`id` = `a`.`user_id` where `t`.`id` = ? ' +
  'union all select 1, 0, `u`.`id`, `u`.`locale`, `t`.`status`, `t`.`approval_mode` ' +
  'from `tasks` as `t` inner join `users` as `u` on `u`.`id` = `t`.`assignee_id` where `t`.`id` = ? ' +
  'union all select 2, 0, `u`.`id`, `u`.`locale`, `t`.`status`, `t`.`approval_mode` ' +
  'from `tasks` as `t` inner join `group_members` as `m` on `m`.`group_id` = `t`.`group_id` ' +
  'inner join `users` as `u` on `u`.`id` = `m`.`user_id` where `t`.`id` = ? and `t`.`assignee_id` is null ' +
  'order by `src`, `ord`';

/** The statement that reads a task's people; `taskPeople` picks who its message goes to. */
export const taskPeopleQuery = (taskId: number): Query => ({
  sql: TASK_PEOPLE,
  bindings: [taskId, taskId, taskId],
  returns: 'rows',
});

export type PeopleRow = Person & { src: number; status: string; approval_mode: string | null };

/** Who a task's message goes to: the approvers still to decide (only the next one in a sequential vote), else its assignee, else its group. */
export function taskPeople(rows: PeopleRow[]): Person[] {
  if (rows[0]?.status !== 'open') return [];
  const first = rows.filter((r) => Number(r.src) === Number(rows[0]!.src));
  const people =
    first[0]!.approval_mode === 'sequential' && Number(first[0]!.src) === 0 ? first.slice(0, 1) : first;
  return people.map((r) => ({ id: Number(r.id), locale: r.locale }));
}

async function taskRecipients(trx: Knex, taskId: number): Promise<Person[]> {
  const q = taskPeopleQuery(taskId);
  return taskPeople(await selectRows<PeopleRow>(trx, q.sql, q.bindings));
}

async function toInbox(
  trx: Knex,
  rec: Rec,
  actor: string,
  users: Person[],
  event: string,
  templates: { subject: unknown; body: unknown },
  extra: Record<string, unknown>,
) {
  if (!users.length) return;
  const ctx = {
    ...scopeOf(await recordContext(trx, rec), actor),
    ...extra,
    number: rec.number,
    title: rec.title,
  };
  // Rendered once per language, not once per person: a group's members mostly share one.
  const rendered = new Map<string, { title: string; body: string | null }>();
  const rows = [];
  for (const u of users) {
    const locale = u.locale === 'en' ? 'en' : 'zh-CN';
    let text = rendered.get(locale);
    if (!text) {
      text = {
        title: await renderTemplate(localize(templates.subject as never, locale), ctx),
        body: templates.body ? await renderTemplate(localize(templates.body as never, locale), ctx) : null,
      };
      rendered.set(locale, text);
    }
    rows.push({ user_id: u.id, record_id: rec.id, event, ...text, created_at: Date.now() });
  }
  await insertRows(trx, 'inbox', rows);
}

/**
 * The in-app message to a task's people (assigned, approval requested, urged). The runtime sends
 * it itself, whatever rules are published: the event job of task.assigned and
 * approval.requested calls it before the rules listening to the event, an urge's notify job
 * directly.
 */
export async function sendTaskMessage(
  trx: Knex,
  rec: Rec,
  actor: string,
  event: string,
  taskId: number,
  options: {
    /** What an urge says, shown as the message body. */
    message?: string;
    /** The task's people, when the caller read them already (taskPeople). */
    people?: Person[];
  } = {},
): Promise<void> {
  const { message, people } = options;
  const title = EVENT_TITLES[event];
  if (!title) return;
  await toInbox(
    trx,
    rec,
    actor,
    people ?? (await taskRecipients(trx, taskId)),
    event,
    { subject: title, body: message ?? null },
    { message: message ?? '' },
  );
}

/**
 * Delivers one notification job of the engine: an urge's message goes to the task's people's
 * inboxes; a notify node's notification goes through the outbox (runtime/src/notify), whatever
 * its channel.
 */
export async function deliverNotification(
  services: Services,
  trx: Knex,
  payload: NotifyPayload,
  hooks: EngineHooks,
): Promise<void> {
  if (!payload.recordId) return;
  const [inst] = await selectRows<{ id: number }>(
    trx,
    'select `id` from `process_instances` where `record_id` = ? order by `id` limit 1',
    [payload.recordId],
  );
  if (!inst) return;
  const run = await loadRun(services, trx, payload.actor ?? 'system:notify', inst.id, hooks);
  if (payload.event && payload.taskId) {
    await sendTaskMessage(trx, run.rec, run.actor, payload.event, payload.taskId, {
      message: payload.message,
    });
    return;
  }
  if (payload.notify) {
    // Every channel (in-app, email, webhook, IM robot) goes through the notification outbox,
    // the same code rules and SLA escalations use.
    const ctx = await templateContext(trx, services.config, run.rec, run.actor, {
      number: run.rec.number,
      title: run.rec.title,
    });
    await queueNotification(
      {
        config: services.config,
        trx,
        rec: run.rec,
        actor: run.actor,
        ctx,
        source: `process:${run.graph.key}`,
      },
      payload.notify as NotifySpec,
    );
  }
}
