import { Type } from '@sinclair/typebox';
import { defineRoute } from '../http/api.ts';
import { conflict, notFound } from '../http/errors.ts';
import { Username } from '../http/schemas.ts';
import { translateBoth } from '../i18n/translate.ts';
import { RecordId } from '../records/routes.ts';
import { engineHooks } from '../records/service.ts';
import { loadRecord, writeHistory } from '../records/store.ts';
import { assertCanSee } from '../records/visibility.ts';
import { receiveCallback } from './callbacks.ts';
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
      'Durable jobs (timers, outbound calls of service tasks, deliveries), newest first — e.g. the dead ones with their last error',
    access: ['admin'],
    query: Type.Object(
      {
        status: Type.Optional(Type.Union(['pending', 'running', 'done', 'dead'].map((s) => Type.Literal(s)))),
        type: Type.Optional(Type.String({ maxLength: 32 })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
      },
      { additionalProperties: false },
    ),
    async handler({ services, query }) {
      const q = services
        .db('jobs')
        .orderBy('id', 'desc')
        .limit(query.limit ?? 50);
      if (query.status) q.where({ status: query.status });
      if (query.type) q.where({ type: query.type });
      const rows = await q.select(
        'id',
        'type',
        'status',
        'due_at',
        'attempts',
        'max_attempts',
        'last_error',
        'instance_id',
        'created_at',
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
      const job = await services.db('jobs').where({ id: params.id }).first('instance_id');
      if (job?.instance_id) {
        const inst = await services.db('process_instances').where({ id: job.instance_id }).first('record_id');
        if (inst)
          await writeHistory(services.db, inst.record_id, actor.username, [
            { kind: 'job_retry', detail: { job: params.id } },
          ]);
      }
      services.wake();
    },
  }),
];
