import { Type } from '@sinclair/typebox';
import { listAudit } from '../audit/audit.ts';
import { dialectOf } from '../db/connect.ts';
import { pendingMigrations } from '../db/migrations/index.ts';
import { retryCounts } from '../db/retry.ts';
import { defineRoute } from '../http/api.ts';
import { listPlugins } from '../plugins/installer.ts';

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
    summary: 'The audit log, newest first; page with `before` = the last id you saw',
    access: ['admin'],
    query: Type.Object(
      {
        entityType: Type.Optional(Type.String({ maxLength: 32 })),
        entityKey: Type.Optional(Type.String({ maxLength: 200 })),
        actor: Type.Optional(Type.String({ maxLength: 128 })),
        before: Type.Optional(Type.Integer({ minimum: 1 })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
      },
      { additionalProperties: false },
    ),
    handler: ({ services, query }) => listAudit(services.db, { ...query, limit: query.limit ?? 100 }),
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
