import { Type } from '@sinclair/typebox';
import { defineRoute } from '../http/api.ts';
import { Key, Username } from '../http/schemas.ts';
import { createRecord, editRecord } from './service.ts';
import { loadRecord } from './store.ts';
import { viewRecord } from './view.ts';
import { assertCanSee } from './visibility.ts';

export const RecordId = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const FieldData = Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' }), Type.Unknown());
export const RecordViewSchema = Type.Object({
  id: Type.Integer(),
  type: Type.String(),
  number: Type.String(),
  title: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  priority: Type.Union([Type.String(), Type.Null()]),
  requester: Type.Union([Type.String(), Type.Null()]),
  assignee: Type.Union([Type.String(), Type.Null()]),
  group: Type.Union([Type.String(), Type.Null()]),
  data: Type.Record(Type.String(), Type.Unknown()),
  version: Type.Integer(),
  formVersion: Type.Integer(),
  createdAt: Type.Integer(),
  updatedAt: Type.Integer(),
  resolvedAt: Type.Union([Type.Integer(), Type.Null()]),
  closedAt: Type.Union([Type.Integer(), Type.Null()]),
});

export const recordRoutes = [
  defineRoute({
    method: 'post',
    path: '/records',
    tag: 'records',
    summary: 'Create a record of a type (a published form); its process runs to the first wait',
    access: 'authenticated',
    successStatus: 201,
    body: Type.Object(
      { type: Key, data: FieldData, process: Type.Optional(Key), requester: Type.Optional(Username) },
      { additionalProperties: false },
    ),
    response: RecordViewSchema,
    async handler({ services, actor, body }) {
      return viewRecord(services.db, await createRecord(services, actor, body));
    },
  }),
  defineRoute({
    method: 'get',
    path: '/records/:id',
    tag: 'records',
    summary: 'One record (404 if it does not exist or the caller may not see it)',
    access: 'authenticated',
    params: RecordId,
    response: RecordViewSchema,
    async handler({ services, actor, params }) {
      const rec = await loadRecord(services.db, params.id);
      await assertCanSee(services.db, actor, rec);
      return viewRecord(services.db, rec);
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/records/:id',
    tag: 'records',
    summary:
      'Change field values (staff); send the version you read — a stale one gets 409 and changes nothing',
    access: ['admin', 'agent', 'manager'],
    params: RecordId,
    body: Type.Object(
      { version: Type.Integer({ minimum: 1 }), data: FieldData },
      { additionalProperties: false },
    ),
    response: RecordViewSchema,
    async handler({ services, actor, params, body }) {
      return viewRecord(services.db, await editRecord(services, actor, params.id, body.data, body.version));
    },
  }),
];
