import { Type } from '@sinclair/typebox';
import type { Knex } from 'knex';
import { recordAudit } from '../audit/audit.ts';
import { defineRoute } from '../http/api.ts';
import { conflict, notFound } from '../http/errors.ts';
import { Username } from '../http/schemas.ts';
import { translateBoth } from '../i18n/translate.ts';
import { redact } from '../notify/channels.ts';
import { RecordId } from '../records/routes.ts';
import { engineHooks } from '../records/service.ts';
import { loadRecord, writeHistory } from '../records/store.ts';
import { assertCanSee } from '../records/visibility.ts';
import { shown } from '../secrets/references.ts';
import { receiveCallback } from './callbacks.ts';
import { recordFailures } from './failures.ts';
import { reviveDeadJob } from './jobs.ts';
import { addApprover, claimTask, openTasks, returnTask, takeAction, transferTask, urge } from './tasks.ts';

const TaskId = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const NodeKey = Type.String({ minLength: 1, maxLength: 64 });

export const engineRoutes = [
  defineRoute({
    method: 'get',
    path: '/records/:id/tasks',
    tag: 'tasks',
    summary: "The record's open tasks and, for each, the actions (buttons) the caller may take now",
    access: 'authenticated',
    params: RecordId,
    async handler({ services, actor, params }) {
      const rec = await loadRecord(services.db, params.id);
      await assertCanSee(services.db, actor, rec);
      return { items: await openTasks(services, actor, rec.id, engineHooks) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/records/:id/failures',
    tag: 'tasks',
    summary:
      "Staff: the record's outbound calls (and other jobs) that failed for good, each with why and whether the flow still waits for it (then an admin may retry it: POST /jobs/:id/retry)",
    access: ['agent', 'manager', 'admin'],
    params: RecordId,
    async handler({ services, actor, params }) {
      const rec = await loadRecord(services.db, params.id);
      await assertCanSee(services.db, actor, rec);
      return { items: await recordFailures(services.db, rec.id) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/tasks/:id/actions/:action',
    tag: 'tasks',
    summary:
      'Take an action of a task (approve, resolve…): field changes, a comment and action input travel with it',
    access: 'authenticated',
    params: Type.Object({ id: Type.Integer({ minimum: 1 }), action: NodeKey }),
    body: Type.Object(
      {
        data: Type.Optional(
          Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' }), Type.Unknown()),
        ),
        input: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        comment: Type.Optional(Type.String({ minLength: 1, maxLength: 20_000 })),
        recordVersion: Type.Optional(Type.Integer({ minimum: 1 })),
      },
      { additionalProperties: false },
    ),
    async handler({ services, actor, params, body }) {
      const result = await takeAction(services, actor, params.id, params.action, body, engineHooks);
      services.wake();
      return result;
    },
  }),
  defineRoute({
    method: 'post',
    path: '/tasks/:id/claim',
    tag: 'tasks',
    summary: 'Claim (认领) an unassigned task of your group or role; 409 if someone was faster',
    access: 'authenticated',
    params: TaskId,
    async handler({ services, actor, params }) {
      await claimTask(services, actor, params.id, engineHooks);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/tasks/:id/transfer',
    tag: 'tasks',
    summary: 'Transfer (转交) the task, or your vote in an approval, to another user',
    access: 'authenticated',
    params: TaskId,
    body: Type.Object({ to: Username }, { additionalProperties: false }),
    async handler({ services, actor, params, body }) {
      await transferTask(services, actor, params.id, body.to, engineHooks);
      services.wake();
    },
  }),
  defineRoute({
    method: 'post',
    path: '/tasks/:id/approvers',
    tag: 'tasks',
    summary: 'Add an approver (加签): they must decide too before the task completes',
    access: 'authenticated',
    params: TaskId,
    body: Type.Object({ username: Username }, { additionalProperties: false }),
    async handler({ services, actor, params, body }) {
      await addApprover(services, actor, params.id, body.username, engineHooks);
      services.wake();
    },
  }),
  defineRoute({
    method: 'post',
    path: '/tasks/:id/return',
    tag: 'tasks',
    summary: 'Return (退回) the work to an earlier step of the process',
    access: 'authenticated',
    params: TaskId,
    body: Type.Object(
      { node: NodeKey, comment: Type.Optional(Type.String({ minLength: 1, maxLength: 20_000 })) },
      { additionalProperties: false },
    ),
    async handler({ services, actor, params, body }) {
      await returnTask(services, actor, params.id, body.node, body.comment, engineHooks);
      services.wake();
    },
  }),
  defineRoute({
    method: 'post',
    path: '/tasks/:id/urge',
    tag: 'tasks',
    summary: 'Urge (催办): remind whoever holds the task',
    access: 'authenticated',
    params: TaskId,
    body: Type.Object(
      { message: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })) },
      { additionalProperties: false },
    ),
    async handler({ services, actor, params, body }) {
      await urge(services, actor, params.id, body.message, engineHooks);
      services.wake();
    },
  }),
  defineRoute({
    method: 'post',
    path: '/callbacks/:instance/:name',
    tag: 'callbacks',
    summary:
      'An external system reports a result. The URL (with its sig) is handed to the system by the flow; a wrong signature gets 401, a repeat (same id) changes nothing',
    access: 'public',
    params: Type.Object({
      instance: Type.Integer({ minimum: 1 }),
      name: Type.String({ minLength: 1, maxLength: 64 }),
    }),
    query: Type.Object(
      {
        item: Type.Optional(Type.String({ maxLength: 191 })),
        sig: Type.String({ minLength: 1, maxLength: 200 }),
      },
      { additionalProperties: false },
    ),
    body: Type.Object(
      {
        id: Type.Optional(Type.String({ minLength: 1, maxLength: 191 })),
        result: Type.Optional(Type.Unknown()),
      },
      { additionalProperties: false },
    ),
    async handler({ services, params, query, body }) {
      const result = await receiveCallback(
        services,
        params.instance,
        params.name,
        query.item ?? '',
        query.sig,
        body,
        engineHooks,
      );
      services.wake();
      return result;
    },
  }),
  defineRoute({
    method: 'get',
    path: '/inbox',
    tag: 'inbox',
    summary: "The caller's in-app notifications, newest first, with the unread count",
    access: 'authenticated',
    query: Type.Object(
      {
        unread: Type.Optional(Type.Boolean()),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
        before: Type.Optional(Type.Integer({ minimum: 1 })),
      },
      { additionalProperties: false },
    ),
    async handler({ services, actor, query }) {
      const q = services
        .db('inbox')
        .where({ user_id: actor.userId })
        .orderBy('id', 'desc')
        .limit(query.limit ?? 50);
      if (query.unread) q.whereNull('read_at');
      if (query.before) q.where('id', '<', query.before);
      const rows = await q.select('*');
      const counted = await services
        .db('inbox')
        .where({ user_id: actor.userId })
        .whereNull('read_at')
        .count({ n: '*' })
        .first();
      return {
        unread: Number(counted?.n ?? 0),
        items: rows.map((r) => ({
          id: Number(r.id),
          recordId: r.record_id === null ? null : Number(r.record_id),
          event: r.event,
          title: r.title,
          body: r.body,
          createdAt: Number(r.created_at),
          read: r.read_at !== null,
        })),
      };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/inbox/read',
    tag: 'inbox',
    summary: 'Mark notifications read (all of them when no ids are given)',
    access: 'authenticated',
    body: Type.Object(
      { ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 500 })) },
      { additionalProperties: false },
    ),
    async handler({ services, actor, body }) {
      const q = services.db('inbox').where({ user_id: actor.userId }).whereNull('read_at');
      if (body.ids) q.whereIn('id', body.ids);
      return { marked: await q.update({ read_at: Date.now() }) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/jobs',
    tag: 'jobs',
    summary:
      'Durable jobs (timers, outbound calls of service tasks, deliveries), newest first — e.g. the dead ones with their last error; `failed`: pending ones whose last attempt failed (retrying)',
    access: ['admin'],
    query: Type.Object(
      {
        status: Type.Optional(
          Type.Union(['pending', 'running', 'done', 'dead', 'failed'].map((s) => Type.Literal(s))),
        ),
        type: Type.Optional(Type.String({ maxLength: 32 })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
      },
      { additionalProperties: false },
    ),
    async handler({ services, query }) {
      const q = services
        .db('jobs as j')
        .leftJoin('process_instances as i', 'i.id', 'j.instance_id')
        .orderBy('j.id', 'desc')
        .limit(query.limit ?? 50);
      if (query.status === 'failed') q.where('j.status', 'pending').whereNotNull('j.last_error');
      else if (query.status) q.where('j.status', query.status);
      if (query.type) q.where('j.type', query.type);
      const rows = await q.select(
        'j.id',
        'j.type',
        'j.status',
        'j.due_at',
        'j.attempts',
        'j.max_attempts',
        'j.last_error',
        'j.instance_id',
        'j.created_at',
        'j.payload',
        'i.record_id',
      );
      return {
        items: rows.map((r) => ({
          id: Number(r.id),
          type: r.type,
          status: r.status,
          dueAt: Number(r.due_at),
          attempts: r.attempts,
          maxAttempts: r.max_attempts,
          lastError: r.last_error,
          instanceId: r.instance_id === null ? null : Number(r.instance_id),
          recordId: jobRecordId(r),
          target: jobTarget(r),
          createdAt: Number(r.created_at),
        })),
      };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/jobs/:id/retry',
    tag: 'jobs',
    summary:
      'Run a dead job again with a fresh set of attempts (e.g. a service task whose endpoint was down); 409 if it is not dead',
    access: ['admin'],
    params: TaskId,
    async handler({ services, actor, params }) {
      if (!(await reviveDeadJob(services.db, params.id))) {
        const row = await services.db('jobs').where({ id: params.id }).first('status');
        if (!row) throw notFound(translateBoth('what.job', { key: params.id }));
        throw conflict('not_dead', 'error.job_not_dead', {
          what: translateBoth('what.job', { key: params.id }),
          status: row.status,
        });
      }
      await afterRetry(services.db, actor.username, params.id);
      services.wake();
    },
  }),
  defineRoute({
    method: 'post',
    path: '/jobs/retry',
    tag: 'jobs',
    summary:
      'Retry many jobs at once: dead ones get a fresh set of attempts, pending ones whose last attempt failed are due now; the others are answered as skipped with their status',
    access: ['admin'],
    body: Type.Object(
      { ids: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 500, uniqueItems: true }) },
      { additionalProperties: false },
    ),
    response: Type.Object({
      retried: Type.Array(Type.Integer()),
      skipped: Type.Array(
        Type.Object({ id: Type.Integer(), status: Type.Union([Type.String(), Type.Null()]) }),
        { description: 'status null: no such job' },
      ),
    }),
    async handler({ services, actor, body }) {
      const retried: number[] = [];
      const skipped: { id: number; status: string | null }[] = [];
      for (const id of body.ids) {
        let ok = await reviveDeadJob(services.db, id);
        // A pending job that failed and waits for its next attempt: its next attempt is now.
        if (!ok)
          ok =
            (await services
              .db('jobs')
              .where({ id, status: 'pending' })
              .whereNotNull('last_error')
              .update({ due_at: Date.now() })) === 1;
        if (ok) {
          retried.push(id);
          await afterRetry(services.db, actor.username, id);
        } else {
          const row = await services.db('jobs').where({ id }).first('status');
          skipped.push({ id, status: row?.status ?? null });
        }
      }
      if (retried.length) services.wake();
      return { retried, skipped };
    },
  }),
];

/** The record a job is about: its process instance's, or the one a delivery names. */
function jobRecordId(r: { record_id: number | null; type: string; payload: unknown }): number | null {
  if (r.record_id !== null && r.record_id !== undefined) return Number(r.record_id);
  const p = payloadOf(r.payload);
  return typeof p?.recordId === 'number' ? p.recordId : null;
}

/** Where a delivery goes, as people may see it: an address, or a URL without its query (tokens). */
function jobTarget(r: { type: string; payload: unknown }): string | null {
  if (r.type !== 'deliver') return null;
  const p = payloadOf(r.payload);
  if (!p) return null;
  if (p.channel === 'email') return `email → ${String(p.to ?? '')}`;
  if (typeof p.url === 'string') {
    const raw = shown(p.url, typeof p.nonce === 'string' ? p.nonce : null);
    const url = raw.trimStart().startsWith('{{') ? raw.split('?')[0]!.slice(0, 200) : redact(raw);
    return `${String(p.channel)} → ${url}`;
  }
  return String(p.channel ?? '');
}

function payloadOf(payload: unknown): Record<string, unknown> | null {
  try {
    const p = typeof payload === 'string' ? JSON.parse(payload) : payload;
    return p && typeof p === 'object' ? (p as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A retried job is audited, and its record's history says so. */
async function afterRetry(db: Knex, actor: string, id: number): Promise<void> {
  await recordAudit(db, actor, 'job.retry', 'job', String(id));
  const job = await db('jobs').where({ id }).first('instance_id');
  if (job?.instance_id) {
    const inst = await db('process_instances').where({ id: job.instance_id }).first('record_id');
    if (inst) await writeHistory(db, inst.record_id, actor, [{ kind: 'job_retry', detail: { job: id } }]);
  }
}
