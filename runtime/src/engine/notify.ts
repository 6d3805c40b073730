import { localize, type Recipient, renderTemplate } from '@opsloom/spec';
import type { Knex } from 'knex';
import type { Services } from '../context.ts';
import { writeHistory } from '../records/store.ts';
import { type EngineHooks, exprContext, loadRun, type Run } from './engine.ts';

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

async function taskRecipients(trx: Knex, taskId: number): Promise<number[]> {
  const task = await trx('tasks').where({ id: taskId }).first();
  if (task?.status !== 'open') return [];
  const approvers = await trx('task_approvers')
    .where({ task_id: taskId })
    .whereNull('decision')
    .orderBy('seq')
    .select('user_id');
  if (approvers.length) {
    return task.approval_mode === 'sequential'
      ? [approvers[0].user_id]
      : approvers.map((a: { user_id: number }) => a.user_id);
  }
  if (task.assignee_id) return [task.assignee_id];
  if (task.group_id)
    return (await trx('group_members').where({ group_id: task.group_id }).select('user_id')).map(
      (m: { user_id: number }) => m.user_id,
    );
  return [];
}

/** Recipients of a notify node or action, as user ids (addresses are for the email channel). */
async function resolveRecipients(trx: Knex, run: Run, recipients: Recipient[]): Promise<number[]> {
  const ids = new Set<number>();
  const byName = async (names: unknown) => {
    const list = (Array.isArray(names) ? names : [names]).filter((x): x is string => typeof x === 'string');
    if (!list.length) return;
    for (const u of await trx('users').whereIn('username', list).select('id')) ids.add(u.id);
  };
  for (const r of recipients) {
    if (r.type === 'requester') ids.add(run.rec.requesterId);
    else if (r.type === 'assignee' && run.rec.assigneeId) ids.add(run.rec.assigneeId);
    else if (r.type === 'watchers')
      for (const w of await trx('record_watchers').where({ record_id: run.rec.id }).select('user_id'))
        ids.add(w.user_id);
    else if (r.type === 'user') await byName(r.value);
    else if (r.type === 'field') await byName(run.rec.data[r.value!]);
    else if (r.type === 'group') {
      const rows = await trx('group_members as m')
        .join('groups as g', 'g.id', 'm.group_id')
        .where('g.key', r.value!)
        .select('m.user_id');
      for (const m of rows) ids.add(m.user_id);
    } else if (r.type === 'role') {
      for (const u of await trx('users').where('roles', 'like', `%"${r.value}"%`).select('id')) ids.add(u.id);
    }
  }
  return [...ids];
}

async function toInbox(
  trx: Knex,
  run: Run,
  userIds: number[],
  event: string,
  templates: { subject: unknown; body: unknown },
  extra: Record<string, unknown>,
) {
  if (!userIds.length) return;
  const users = await trx('users').whereIn('id', userIds).select('id', 'locale');
  const ctx = { ...(await exprContext(run)), ...extra, number: run.rec.number, title: run.rec.title };
  const rows = [];
  for (const u of users) {
    const locale = u.locale === 'en' ? 'en' : 'zh-CN';
    rows.push({
      user_id: u.id,
      record_id: run.rec.id,
      event,
      title: await renderTemplate(localize(templates.subject as never, locale), ctx),
      body: templates.body ? await renderTemplate(localize(templates.body as never, locale), ctx) : null,
      created_at: Date.now(),
    });
  }
  await trx('inbox').insert(rows);
}

/**
 * Delivers one notification. The in-app inbox is written here; email, webhooks and IM robots
 * belong to the notification engine (its own issue) — until it exists such a notification is
 * recorded on the record as not delivered rather than silently dropped.
 */
export async function deliverNotification(
  services: Services,
  trx: Knex,
  payload: NotifyPayload,
  hooks: EngineHooks,
): Promise<void> {
  if (!payload.recordId) return;
  const inst = await trx('process_instances')
    .where({ record_id: payload.recordId })
    .orderBy('id')
    .first('id');
  if (!inst) return;
  const run = await loadRun(services, trx, payload.actor ?? 'system:notify', inst.id, hooks);
  if (payload.event && payload.taskId) {
    const title = EVENT_TITLES[payload.event];
    if (!title) return;
    await toInbox(
      trx,
      run,
      await taskRecipients(trx, payload.taskId),
      payload.event,
      { subject: title, body: payload.message ?? null },
      { message: payload.message ?? '' },
    );
    return;
  }
  if (payload.notify) {
    const n = payload.notify;
    if (n.channel === 'inapp') {
      await toInbox(
        trx,
        run,
        await resolveRecipients(trx, run, n.recipients ?? []),
        'notify',
        { subject: n.template.subject ?? n.template.body, body: n.template.body },
        {},
      );
    } else {
      await writeHistory(trx, run.rec.id, 'system:notify', [
        {
          kind: 'notification',
          detail: { channel: n.channel, delivered: false, reason: 'channel not configured' },
        },
      ]);
    }
  }
}
