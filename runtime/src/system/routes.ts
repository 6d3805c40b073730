import { Type } from '@sinclair/typebox';
import { dialectOf } from '../db/connect.ts';
import { pendingMigrations } from '../db/migrations/index.ts';
import { retryCounts } from '../db/retry.ts';
import { defineRoute } from '../http/api.ts';
import { ApiError } from '../http/errors.ts';
import { listPlugins } from '../plugins/installer.ts';
import { searchAudit } from './audit-search.ts';

export const systemRoutes = [
  defineRoute({
    method: 'get',
    path: '/health',
    tag: 'system',
    summary:
      'Liveness for load balancers: 200 when the database answers and migrations are current, else 503',
    access: 'public',
    response: Type.Object({
      status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
      database: Type.Object({
        reachable: Type.Boolean(),
        dialect: Type.String(),
        pendingMigrations: Type.Array(Type.String()),
        problem: Type.Union(
          [
            Type.Literal('unreachable'),
            Type.Literal('not-ready'),
            Type.Literal('migrations-pending'),
            Type.Null(),
          ],
          {
            description:
              'unreachable: no connection; not-ready: a cluster node outside the primary component; migrations-pending',
          },
        ),
      }),
      retries: Type.Object(
        {
          transactions: Type.Integer(),
          statements: Type.Integer(),
          exhausted: Type.Integer(),
        },
        {
          description: 'since this runtime started: deadlocks and cluster conflicts run again (db/retry.ts)',
        },
      ),
    }),
    async handler({ ctx, services }) {
      let problem: 'unreachable' | 'not-ready' | 'migrations-pending' | null = null;
      let pending: string[] = [];
      try {
        await services.db.raw('select 1');
        pending = await pendingMigrations(services.db);
        if (pending.length) problem = 'migrations-pending';
      } catch (err) {
        problem = (err as { errno?: number }).errno === 1047 ? 'not-ready' : 'unreachable';
        services.log.warn({ err }, 'health check: database unavailable');
      }
      ctx.status = problem ? 503 : 200;
      if (problem) ctx.set('Retry-After', '5');
      ctx.body = {
        status: problem ? 'degraded' : 'ok',
        database: {
          reachable: problem !== 'unreachable' && problem !== 'not-ready',
          dialect: dialectOf(services.db),
          pendingMigrations: pending,
          problem,
        },
        retries: { ...retryCounts(services.db) },
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/audit',
    tag: 'system',
    summary:
      'The audit log, newest first, by who (actor), what (action, entity) and when (from, to); page with `before` = the last id you saw',
    access: ['admin'],
    query: Type.Object(
      {
        entityType: Type.Optional(Type.String({ maxLength: 32 })),
        entityKey: Type.Optional(Type.String({ maxLength: 200 })),
        actor: Type.Optional(Type.String({ maxLength: 128 })),
        action: Type.Optional(
          Type.String({
            maxLength: 64,
            description: 'an action (user.update), or ending in a dot every action under it (user.)',
          }),
        ),
        from: Type.Optional(Type.Integer({ minimum: 0, description: 'at or after this instant (epoch ms)' })),
        to: Type.Optional(Type.Integer({ minimum: 0, description: 'before this instant (epoch ms)' })),
        before: Type.Optional(Type.Integer({ minimum: 1 })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
      },
      { additionalProperties: false },
    ),
    handler({ services, query }) {
      if (query.from !== undefined && query.to !== undefined && query.to <= query.from) {
        const detail = { en: '/to must be later than /from', 'zh-CN': '/to 结束时间必须晚于 /from 开始时间' };
        throw new ApiError(
          400,
          'validation_failed',
          'error.validation_query',
          { detail },
          { problems: [{ path: '/to', message: detail }] },
        );
      }
      return searchAudit(services.db, { ...query, limit: query.limit ?? 100 });
    },
  }),
  defineRoute({
    method: 'get',
    path: '/plugins',
    tag: 'system',
    summary: 'Installed and refused plugins, with the validator messages of refused ones',
    access: ['admin'],
    handler: async ({ services }) => ({ items: await listPlugins(services.db) }),
  }),
];
