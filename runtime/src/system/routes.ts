import { Type } from '@sinclair/typebox';
import { listAudit } from '../audit/audit.ts';
import { dialectOf } from '../db/connect.ts';
import { pendingMigrations } from '../db/migrations/index.ts';
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
      }),
    }),
    async handler({ ctx, services }) {
      let reachable = true;
      let pending: string[] = [];
      try {
        await services.db.raw('select 1');
        pending = await pendingMigrations(services.db);
      } catch (err) {
        reachable = false;
        services.log.error({ err }, 'health check: database unreachable');
      }
      const ok = reachable && pending.length === 0;
      ctx.status = ok ? 200 : 503;
      ctx.body = {
        status: ok ? 'ok' : 'degraded',
        database: {
          reachable,
          dialect: dialectOf(services.db),
          pendingMigrations: pending,
        },
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
