import { Type } from '@sinclair/typebox';
import { defineRoute } from '../http/api.ts';
import { RecordId } from '../records/routes.ts';
import { myTasks } from './my-tasks.ts';
import { getRating, rateRecord } from './rating.ts';
import { withdrawRecord } from './withdraw.ts';

// What a requester (and anyone with tasks) does outside a task's own actions: withdraw a
// request, rate it once resolved, and list the tasks waiting for them ("My approvals").

const Stars = Type.Integer({ minimum: 1, maximum: 5 });
const Rating = Type.Object({
  recordId: Type.Integer(),
  attitude: Stars,
  speed: Stars,
  quality: Stars,
  comment: Type.Optional(Type.String()),
  by: Type.String(),
  createdAt: Type.Integer(),
});

export const requestRoutes = [
  defineRoute({
    method: 'get',
    path: '/tasks',
    tag: 'tasks',
    summary:
      'Open tasks the caller may act on now (assigned, or an approval waiting for their vote), with record number and title',
    description:
      'mine=true (the default) lists the tasks whose actions the caller may take now; claimable=true adds the ' +
      "unassigned tasks of the caller's groups and roles (reason: claim).",
    access: 'authenticated',
    query: Type.Object(
      {
        mine: Type.Optional(Type.Boolean({ default: true })),
        claimable: Type.Optional(Type.Boolean()),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 200 })),
      },
      { additionalProperties: false },
    ),
    response: Type.Object({
      items: Type.Array(
        Type.Object({
          id: Type.Integer(),
          recordId: Type.Integer(),
          number: Type.String(),
          title: Type.String(),
          type: Type.String(),
          requester: Type.Union([Type.String(), Type.Null()]),
          recordStatus: Type.String(),
          catalogItem: Type.Union([
            Type.Object({ ref: Type.String(), name: Type.Union([Type.Unknown(), Type.Null()]) }),
            Type.Null(),
          ]),
          node: Type.String(),
          name: Type.Unknown(),
          approvalMode: Type.Union([Type.String(), Type.Null()]),
          reason: Type.Union([Type.Literal('act'), Type.Literal('claim')]),
          dueAt: Type.Union([Type.Integer(), Type.Null()]),
          createdAt: Type.Integer(),
        }),
      ),
    }),
    handler: async ({ services, actor, query }) => ({
      items: await myTasks(services.db, actor, query.claimable === true, query.limit ?? 200),
    }),
  }),
  defineRoute({
    method: 'post',
    path: '/records/:id/withdraw',
    tag: 'records',
    summary:
      'Withdraw (撤回) a request: the requester cancels its open tasks and waits; status withdrawn, closed (409 once closed)',
    access: 'authenticated',
    params: RecordId,
    body: Type.Object(
      { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })) },
      { additionalProperties: false },
    ),
    async handler({ services, actor, params, body }) {
      await withdrawRecord(services, actor, params.id, body.reason);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/records/:id/rating',
    tag: 'records',
    summary: "The requester's rating of the record (null until rated)",
    access: 'authenticated',
    params: RecordId,
    response: Type.Object({ rating: Type.Union([Rating, Type.Null()]) }),
    handler: ({ services, actor, params }) => getRating(services.db, actor, params.id),
  }),
  defineRoute({
    method: 'post',
    path: '/records/:id/rating',
    tag: 'records',
    summary:
      'Rate a resolved request (requester only, once): attitude, speed and quality, one to five stars each',
    access: 'authenticated',
    successStatus: 201,
    params: RecordId,
    body: Type.Object(
      {
        attitude: Stars,
        speed: Stars,
        quality: Stars,
        comment: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
      },
      { additionalProperties: false },
    ),
    response: Rating,
    handler: ({ services, actor, params, body }) => rateRecord(services, actor, params.id, body),
  }),
];
