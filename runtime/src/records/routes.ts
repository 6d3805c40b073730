import { STATUS_CATEGORIES } from '@opsloom/spec';
import { Type } from '@sinclair/typebox';
import { defineRoute } from '../http/api.ts';
import { Key, Username } from '../http/schemas.ts';
import { drillRestriction } from '../reports/service.ts';
import { FIELD_PARAM, type ListQuery, listRecords } from './list.ts';
import { createRecord, editRecord } from './service.ts';
import { loadRecord } from './store.ts';
import { viewRecord } from './view.ts';
import { assertCanSee } from './visibility.ts';

/** `<catalog key>/<item id>` (spec's Key and Id patterns). */
const CATALOG_ITEM_REF = '^[a-z][a-z0-9_.-]{1,63}/[A-Za-z_][A-Za-z0-9_.:-]{0,63}$';

export const RecordId = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const FieldData = Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' }), Type.Unknown());
/** Text an admin wrote: one string for every language, or one per language. */
const AuthoredText = Type.Union([
  Type.String(),
  Type.Object({ 'zh-CN': Type.Optional(Type.String()), en: Type.Optional(Type.String()) }),
]);
/** A record's status as people read it, beside its key (forms.ts, recordStatus). */
export const StatusNames = {
  statusName: Type.Union([AuthoredText, Type.Null()], {
    description: "the status's name as the record type's form declares it; null when it declares none",
  }),
  statusCategory: Type.Union([...STATUS_CATEGORIES.map((c) => Type.Literal(c)), Type.Null()], {
    description: 'where the status stands: new, active, waiting (on someone outside the team) or done',
  }),
};
export const RecordViewSchema = Type.Object({
  id: Type.Integer(),
  type: Type.String(),
  number: Type.String(),
  title: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  status: Type.String({ description: 'the status key, as process nodes set it and expressions test it' }),
  ...StatusNames,
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
  catalogItem: Type.Union(
    [Type.Object({ ref: Type.String(), name: Type.Union([AuthoredText, Type.Null()]) }), Type.Null()],
    {
      description:
        'the catalog item it was requested through (`<catalog>/<item>`); name null once the item left the catalog',
    },
  ),
});

const SlaSummarySchema = Type.Union(
  [
    Type.Object({
      dueAt: Type.Union([Type.Integer(), Type.Null()], {
        description: 'earliest due instant (epoch ms) among running SLA metrics; null when none runs',
      }),
      paused: Type.Boolean({ description: 'a metric is paused and none runs' }),
      warned: Type.Boolean({ description: 'a running or paused metric passed a warning threshold' }),
      breached: Type.Boolean({ description: "an SLA metric's latest cycle breached its target" }),
    }),
    Type.Null(),
  ],
  { description: "the record's SLA state (OLAs of tasks excluded); null when it has no SLA clocks" },
);
const RecordListItemSchema = Type.Composite([RecordViewSchema, Type.Object({ sla: SlaSummarySchema })]);

const InstantParam = Type.String({ minLength: 1, maxLength: 40, description: 'epoch ms or ISO 8601' });
const ListRecordsQuery = Type.Object(
  {
    type: Type.Optional(Key),
    status: Type.Optional(Type.String({ maxLength: 500, description: 'comma-separated statuses' })),
    priority: Type.Optional(
      Type.String({
        maxLength: 200,
        description: 'comma-separated priorities; none for records without one',
      }),
    ),
    catalogItem: Type.Optional(
      Type.String({ maxLength: 1000, description: 'comma-separated catalog items (`<catalog>/<item>`)' }),
    ),
    requester: Type.Optional(Username),
    assignee: Type.Optional(Type.String({ maxLength: 64, description: 'username, or none' })),
    group: Type.Optional(Type.String({ maxLength: 64, description: 'group key, or none' })),
    q: Type.Optional(
      Type.String({ maxLength: 200, description: 'words that must occur in number, title or description' }),
    ),
    sla: Type.Optional(
      Type.Union(
        ['running', 'paused', 'warning', 'breached', 'at-risk', 'met'].map((v) => Type.Literal(v)),
        {
          description:
            'SLA state of the record: running (a metric counting), paused (a metric on hold), warning, breached, at-risk (a metric still counting or on hold that passed a warning threshold or its target), met',
        },
      ),
    ),
    'createdAt.gte': Type.Optional(InstantParam),
    'createdAt.lte': Type.Optional(InstantParam),
    'updatedAt.gte': Type.Optional(InstantParam),
    'updatedAt.lte': Type.Optional(InstantParam),
    'resolvedAt.gte': Type.Optional(InstantParam),
    'resolvedAt.lte': Type.Optional(InstantParam),
    'closedAt.gte': Type.Optional(InstantParam),
    'closedAt.lte': Type.Optional(InstantParam),
    resolved: Type.Optional(
      Type.Union([Type.Literal('true'), Type.Literal('false')], {
        description: 'true: only resolved records; false: only unresolved ones',
      }),
    ),
    closed: Type.Optional(
      Type.Union([Type.Literal('true'), Type.Literal('false')], {
        description: 'true: only closed records; false: only open ones',
      }),
    ),
    sort: Type.Optional(
      Type.String({
        maxLength: 80,
        description:
          'createdAt, updatedAt, number, priority, status, slaDue (earliest SLA due instant) or f.<indexed field>; - for descending',
      }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    offset: Type.Optional(Type.Integer({ minimum: 0 })),
    cursor: Type.Optional(Type.String({ maxLength: 2000, description: 'nextCursor of the previous page' })),
    report: Type.Optional(
      Type.String({
        pattern: '^[a-z][a-z0-9_.-]{1,63}$',
        description:
          'with cell: the records behind one figure of this report (a drill query of POST /reports/{key}/run)',
      }),
    ),
    cell: Type.Optional(
      Type.String({
        maxLength: 4000,
        pattern: '^[A-Za-z0-9_-]+$',
        description: 'the figure, as the report run gave it',
      }),
    ),
  },
  {
    additionalProperties: false,
    // f.<field>, f.<field>.gte, f.<field>.lte on the type's indexed form fields.
    patternProperties: { [FIELD_PARAM.source]: Type.String({ maxLength: 191 }) },
  },
);

export const recordRoutes = [
  defineRoute({
    method: 'get',
    path: '/records',
    tag: 'records',
    summary: 'List the records the caller may see: filters, full text, sort, offset or cursor pages',
    description:
      'Filter on standard fields (status, priority, requester, assignee, group; assignee=none), on indexed form ' +
      'fields with f.<field>=value, f.<field>.gte / f.<field>.lte (needs type), on createdAt/updatedAt/resolvedAt/' +
      'closedAt ranges, on resolved / closed (true or false), on a report figure (report + cell, its drill-down), ' +
      'and full text with q. Page with limit and offset, or with the nextCursor of the previous page.',
    access: 'authenticated',
    query: ListRecordsQuery,
    response: Type.Object({
      items: Type.Array(RecordListItemSchema),
      total: Type.Integer({ description: 'matching records, counted up to 1,000' }),
      totalExact: Type.Boolean({ description: 'false when more than 1,000 match (total is then 1,000)' }),
      nextCursor: Type.Union([Type.String(), Type.Null()]),
    }),
    async handler({ services, actor, query, locale }) {
      const q = query as ListQuery;
      const restrict =
        q.report !== undefined || q.cell !== undefined
          ? (await drillRestriction(services, actor, q.report ?? '', q.cell, locale)).query
          : undefined;
      return listRecords(services.db, actor, q, { restrict });
    },
  }),
  defineRoute({
    method: 'post',
    path: '/records',
    tag: 'records',
    summary: 'Create a record of a type (a published form); its process runs to the first wait',
    access: 'authenticated',
    successStatus: 201,
    body: Type.Object(
      {
        type: Key,
        data: FieldData,
        process: Type.Optional(Key),
        requester: Type.Optional(Username),
        catalogItem: Type.Optional(
          Type.String({
            pattern: CATALOG_ITEM_REF,
            description:
              'the catalog item it is requested through, `<catalog>/<item>`: its process, defaults and fixed fields apply',
          }),
        ),
      },
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
