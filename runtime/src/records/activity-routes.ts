import { RELATION_NAMES } from '@opsloom/spec';
import { Type } from '@sinclair/typebox';
import { defineRoute } from '../http/api.ts';
import { Username } from '../http/schemas.ts';
import { deleteAttachment, downloadAttachment, listAttachments, uploadAttachment } from './attachments.ts';
import { addComment, listComments } from './comments.ts';
import { recordHistory } from './history.ts';
import { addLink, listLinks, removeLink } from './links.ts';
import { RecordId, StatusNames } from './routes.ts';
import { addWatcher, listWatchers, removeWatcher } from './watchers.ts';

// What happens around a record besides its fields and process: comments, attachments,
// watchers, links and its history. Every route answers 404 for a record the caller may not see.

const STAFF = ['admin', 'agent', 'manager'] as const;
const Visibility = Type.Union([Type.Literal('public'), Type.Literal('internal')]);
const Comment = Type.Object({
  id: Type.Integer(),
  author: Type.String(),
  body: Type.String(),
  visibility: Visibility,
  createdAt: Type.Integer(),
});
const Attachment = Type.Object({
  id: Type.Integer(),
  recordId: Type.Integer(),
  filename: Type.String(),
  contentType: Type.String(),
  size: Type.Integer(),
  sha256: Type.String(),
  uploadedBy: Type.String(),
  createdAt: Type.Integer(),
  url: Type.String(),
});
const AttachmentId = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const Watcher = Type.Object({ username: Type.String(), displayName: Type.String(), since: Type.Integer() });
const Link = Type.Object({
  id: Type.Integer(),
  relation: Type.String(),
  direction: Type.Union([Type.Literal('outgoing'), Type.Literal('incoming')]),
  record: Type.Union([
    Type.Object({
      id: Type.Integer(),
      number: Type.String(),
      type: Type.String(),
      title: Type.String(),
      status: Type.String(),
      ...StatusNames,
    }),
    Type.Null(),
  ]),
  ci: Type.Union([Type.String(), Type.Null()]),
  createdBy: Type.String(),
  createdAt: Type.Integer(),
});
const HistoryEntry = Type.Object({
  id: Type.Integer(),
  at: Type.Integer(),
  actor: Type.String(),
  kind: Type.String(),
  field: Type.Union([Type.String(), Type.Null()]),
  from: Type.Unknown(),
  to: Type.Unknown(),
  detail: Type.Unknown(),
  names: Type.Optional(
    Type.Record(Type.String(), Type.Unknown(), {
      description:
        'names (zh-CN/en) of what the detail names by id: node, to (the step moved to), action, process, rule',
    }),
  ),
});
const items = <T extends Parameters<typeof Type.Array>[0]>(schema: T) =>
  Type.Object({ items: Type.Array(schema) });

export const recordActivityRoutes = [
  defineRoute({
    method: 'get',
    path: '/records/:id/comments',
    tag: 'records',
    summary: "The record's comments, oldest first (requesters see public ones only)",
    access: 'authenticated',
    params: RecordId,
    response: items(Comment),
    handler: async ({ services, actor, params }) => ({
      items: await listComments(services.db, actor, params.id),
    }),
  }),
  defineRoute({
    method: 'post',
    path: '/records/:id/comments',
    tag: 'records',
    summary: 'Comment on a record; internal notes (visibility internal) are for staff only',
    access: 'authenticated',
    successStatus: 201,
    params: RecordId,
    body: Type.Object(
      { body: Type.String({ minLength: 1, maxLength: 20_000 }), visibility: Type.Optional(Visibility) },
      { additionalProperties: false },
    ),
    response: Comment,
    handler: ({ services, actor, params, body }) => addComment(services.db, actor, params.id, body),
  }),
  defineRoute({
    method: 'get',
    path: '/records/:id/attachments',
    tag: 'records',
    summary: "The record's attachments",
    access: 'authenticated',
    params: RecordId,
    response: items(Attachment),
    handler: async ({ services, actor, params }) => ({
      items: await listAttachments(services.db, actor, params.id),
    }),
  }),
  defineRoute({
    method: 'post',
    path: '/records/:id/attachments',
    tag: 'records',
    summary:
      'Attach a file (multipart/form-data, one file in the field "file"); 413 over the size limit, 415 for a type not allowed',
    access: 'authenticated',
    successStatus: 201,
    params: RecordId,
    consumes: {
      type: 'multipart/form-data',
      schema: Type.Object(
        { file: Type.String({ format: 'binary' }) },
        { required: ['file'], additionalProperties: false },
      ),
    },
    response: Attachment,
    handler: ({ services, actor, params, ctx }) => uploadAttachment(services, actor, params.id, ctx),
  }),
  defineRoute({
    method: 'get',
    path: '/attachments/:id',
    tag: 'records',
    summary: 'Download an attachment (404 unless the caller may see its record)',
    access: 'authenticated',
    params: AttachmentId,
    produces: 'application/octet-stream',
    response: Type.String({ format: 'binary' }),
    async handler({ services, actor, params, ctx }) {
      await downloadAttachment(services, actor, params.id, ctx);
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/attachments/:id',
    tag: 'records',
    summary: 'Delete an attachment (its uploader, or staff)',
    access: 'authenticated',
    params: AttachmentId,
    async handler({ services, actor, params }) {
      await deleteAttachment(services, actor, params.id);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/records/:id/watchers',
    tag: 'records',
    summary: "The record's watchers (关注人)",
    access: 'authenticated',
    params: RecordId,
    response: items(Watcher),
    handler: async ({ services, actor, params }) => ({
      items: await listWatchers(services.db, actor, params.id),
    }),
  }),
  defineRoute({
    method: 'post',
    path: '/records/:id/watchers',
    tag: 'records',
    summary: 'Watch a record (yourself by default; staff may add someone else)',
    access: 'authenticated',
    params: RecordId,
    body: Type.Object({ username: Type.Optional(Username) }, { additionalProperties: false }),
    response: items(Watcher),
    handler: async ({ services, actor, params, body }) => ({
      items: await addWatcher(services.db, actor, params.id, body.username),
    }),
  }),
  defineRoute({
    method: 'delete',
    path: '/records/:id/watchers/:username',
    tag: 'records',
    summary: 'Stop watching (yourself; staff may remove someone else)',
    access: 'authenticated',
    params: Type.Object({ id: Type.Integer({ minimum: 1 }), username: Username }),
    async handler({ services, actor, params }) {
      await removeWatcher(services.db, actor, params.id, params.username);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/records/:id/links',
    tag: 'records',
    summary: "The record's links in both directions (incoming ones read with the inverse relation)",
    access: 'authenticated',
    params: RecordId,
    response: items(Link),
    handler: async ({ services, actor, params }) => ({
      items: await listLinks(services.db, actor, params.id),
    }),
  }),
  defineRoute({
    method: 'post',
    path: '/records/:id/links',
    tag: 'records',
    summary: 'Link the record to another record (to: number or id) or to a configuration item (ci: key)',
    access: STAFF,
    successStatus: 201,
    params: RecordId,
    body: Type.Object(
      {
        to: Type.Optional(
          Type.Union([
            Type.Integer({ minimum: 1 }),
            Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$' }),
          ]),
        ),
        ci: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,127}$' })),
        relation: Type.Union(RELATION_NAMES.map((r) => Type.Literal(r))),
      },
      { additionalProperties: false },
    ),
    response: Link,
    handler: ({ services, actor, params, body }) => addLink(services.db, actor, params.id, body),
  }),
  defineRoute({
    method: 'delete',
    path: '/records/:id/links/:linkId',
    tag: 'records',
    summary: 'Remove a link (from either of its records)',
    access: STAFF,
    params: Type.Object({ id: Type.Integer({ minimum: 1 }), linkId: Type.Integer({ minimum: 1 }) }),
    async handler({ services, actor, params }) {
      await removeLink(services.db, actor, params.id, params.linkId);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/records/:id/history',
    tag: 'records',
    summary:
      "The record's history: field changes (from/to), transitions, comments, links… with who and when, steps and actions named; requesters see what happened to their request, not the team's own bookkeeping (OLAs, rules, jobs, notifications)",
    access: 'authenticated',
    params: RecordId,
    response: items(HistoryEntry),
    handler: async ({ services, actor, params }) => ({
      items: await recordHistory(services.db, actor, params.id),
    }),
  }),
];
