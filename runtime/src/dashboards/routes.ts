import { Type } from '@sinclair/typebox';
import { defineRoute } from '../http/api.ts';
import { AnyObject, Key } from '../http/schemas.ts';
import { bigScreenRoutes } from './bigscreen.ts';
import { listDashboards, openDashboard } from './dashboards.ts';
import { createShare, listShares, revokeShare } from './shares.ts';

const STAFF = ['admin', 'manager', 'agent'] as const;

const ShareSchema = Type.Object({
  id: Type.Integer(),
  dashboard: Type.String(),
  name: Type.String(),
  prefix: Type.String({ description: 'the first characters of the token, to tell links apart' }),
  issuedBy: Type.String(),
  createdAt: Type.Integer(),
  expiresAt: Type.Union([Type.Integer(), Type.Null()]),
  revokedAt: Type.Union([Type.Integer(), Type.Null()]),
  lastUsedAt: Type.Union([Type.Integer(), Type.Null()]),
});

export const dashboardRoutes = [
  defineRoute({
    method: 'get',
    path: '/dashboards',
    tag: 'dashboards',
    summary: 'The dashboards the caller may open; `landing` marks the one their role opens on',
    access: [...STAFF],
    response: Type.Object({
      items: Type.Array(
        Type.Object({
          key: Type.String(),
          name: Type.Unknown(),
          description: Type.Unknown(),
          widgets: Type.Integer(),
          bigScreen: Type.Boolean(),
          landing: Type.Boolean(),
        }),
      ),
    }),
    handler: ({ services, actor }) => listDashboards(services.db, actor),
  }),
  defineRoute({
    method: 'get',
    path: '/dashboards/:key',
    tag: 'dashboards',
    summary:
      'A dashboard as published: its grid of report widgets, filters, refresh and wall-screen settings',
    access: [...STAFF],
    params: Type.Object({ key: Key }),
    response: AnyObject,
    handler: ({ services, actor, params }) => openDashboard(services.db, actor, params.key),
  }),
  defineRoute({
    method: 'post',
    path: '/dashboards/:key/share',
    tag: 'dashboards',
    summary:
      'Issue a read-only wall-screen link for one dashboard (and its playlist): the token is shown only in this answer; it opens /bigscreen/{key}?token=… and no other API',
    access: ['admin'],
    successStatus: 201,
    params: Type.Object({ key: Key }),
    body: Type.Object(
      {
        name: Type.String({
          minLength: 1,
          maxLength: 200,
          description: 'where the screen hangs, e.g. 运维值班室',
        }),
        expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
      },
      { additionalProperties: false },
    ),
    response: Type.Intersect([ShareSchema, Type.Object({ token: Type.String(), url: Type.String() })]),
    handler: ({ services, actor, params, body }) =>
      createShare(services.db, actor, params.key, body, services.config.publicUrl),
  }),
  defineRoute({
    method: 'get',
    path: '/dashboards/:key/shares',
    tag: 'dashboards',
    summary: "A dashboard's wall-screen links (never their tokens)",
    access: ['admin'],
    params: Type.Object({ key: Key }),
    response: Type.Object({ items: Type.Array(ShareSchema) }),
    handler: async ({ services, params }) => ({ items: await listShares(services.db, params.key) }),
  }),
  defineRoute({
    method: 'delete',
    path: '/dashboards/shares/:id',
    tag: 'dashboards',
    summary: 'Revoke a wall-screen link: the screen showing it stops at its next refresh',
    access: ['admin'],
    params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
    handler: async ({ services, actor, params }) => {
      await revokeShare(services.db, actor, params.id);
    },
  }),
  ...bigScreenRoutes,
];
