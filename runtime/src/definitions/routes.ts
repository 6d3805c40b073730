import { DEFINITION_KINDS, definitionJsonSchemas, validateDefinition } from '@opsloom/spec';
import { Type } from '@sinclair/typebox';
import { defineRoute } from '../http/api.ts';
import { ApiError } from '../http/errors.ts';
import { AnyObject, Key, Problem } from '../http/schemas.ts';
import { BUNDLE_FORMAT, type Bundle, exportBundle, importBundle } from './bundle.ts';
import { loadLookup } from './lookup.ts';
import { publishNotices } from './notices.ts';
import {
  createDefinition,
  diffVersions,
  discardDraft,
  getDefinition,
  getVersion,
  listDefinitions,
  listVersions,
  publishDefinition,
  retireDefinition,
  saveDraft,
  validateStored,
} from './store.ts';

const Kind = Type.Union(DEFINITION_KINDS.map((k) => Type.Literal(k)));
const Status = Type.Union([Type.Literal('draft'), Type.Literal('published'), Type.Literal('retired')]);
const KindKey = Type.Object({ kind: Kind, key: Key });
const Summary = Type.Object({
  kind: Kind,
  key: Type.String(),
  name: Type.Unknown(),
  status: Status,
  latestVersion: Type.Integer(),
  revision: Type.Integer(),
  hasDraft: Type.Boolean(),
  source: Type.Union([Type.String(), Type.Null()]),
  updatedAt: Type.Integer(),
  updatedBy: Type.Union([Type.String(), Type.Null()]),
});
const Detail = Type.Intersect([
  Summary,
  Type.Object({
    definition: Type.Union([AnyObject, Type.Null()]),
    published: Type.Union([AnyObject, Type.Null()]),
  }),
]);
const VersionInfo = Type.Object({
  version: Type.Integer(),
  checksum: Type.String(),
  publishedAt: Type.Integer(),
  publishedBy: Type.String(),
});
const Notice = Type.Object({
  code: Type.String(),
  message: Type.Object({ 'zh-CN': Type.String(), en: Type.String() }),
});
const Validation = Type.Object({ ok: Type.Boolean(), problems: Type.Array(Problem) });
const BundleEntry = Type.Object(
  {
    kind: Kind,
    key: Key,
    status: Status,
    source: Type.Union([Type.String({ maxLength: 128 }), Type.Null()]),
    draft: Type.Union([AnyObject, Type.Null()]),
    versions: Type.Array(
      Type.Object(
        {
          version: Type.Integer({ minimum: 1 }),
          publishedAt: Type.Integer({ minimum: 0 }),
          publishedBy: Type.String({ minLength: 1, maxLength: 128 }),
          definition: AnyObject,
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
const BundleSchema = Type.Object(
  { format: Type.Literal(BUNDLE_FORMAT), definitions: Type.Array(BundleEntry) },
  { additionalProperties: false },
);

const WRITERS = ['admin'] as const;
const READERS = ['admin', 'agent', 'manager'] as const;

export const definitionRoutes = [
  defineRoute({
    method: 'get',
    path: '/definitions',
    tag: 'definitions',
    summary: 'List definitions (latest state of each), optionally of one kind or status',
    access: READERS,
    query: Type.Object(
      { kind: Type.Optional(Kind), status: Type.Optional(Status) },
      { additionalProperties: false },
    ),
    response: Type.Object({ items: Type.Array(Summary) }),
    handler: async ({ services, query }) => ({ items: await listDefinitions(services.db, query) }),
  }),
  defineRoute({
    method: 'post',
    path: '/definitions',
    tag: 'definitions',
    summary:
      'Create a definition as a draft. It must be valid (422 lists every problem); references are checked at publish.',
    access: WRITERS,
    successStatus: 201,
    body: AnyObject,
    response: Detail,
    handler: ({ services, actor, body }) => createDefinition(services.db, actor, body),
  }),
  defineRoute({
    method: 'post',
    path: '/definitions/validate',
    tag: 'definitions',
    summary: 'Validate a definition without storing it; references are checked against what is published',
    access: WRITERS,
    body: AnyObject,
    response: Validation,
    async handler({ services, body }) {
      return validateDefinition(body, await loadLookup(services.db, [body]));
    },
  }),
  defineRoute({
    method: 'get',
    path: '/definitions/schemas',
    tag: 'definitions',
    summary: 'The JSON Schema of every definition kind (for editors such as Monaco)',
    access: READERS,
    handler: () => definitionJsonSchemas,
  }),
  defineRoute({
    method: 'get',
    path: '/definitions/export',
    tag: 'definitions',
    summary: 'Export every definition with all its versions as one bundle (stable key order)',
    access: WRITERS,
    query: Type.Object({ kind: Type.Optional(Kind) }, { additionalProperties: false }),
    handler: ({ services, query }) => exportBundle(services.db, query),
  }),
  defineRoute({
    method: 'post',
    path: '/definitions/import',
    tag: 'definitions',
    summary: 'Import a bundle: all or nothing; existing versions must match, new versions are added',
    access: WRITERS,
    body: BundleSchema,
    handler: ({ services, actor, body }) => importBundle(services.db, actor, body as Bundle),
  }),
  defineRoute({
    method: 'get',
    path: '/definitions/:kind/:key',
    tag: 'definitions',
    summary: 'One definition: its draft (or latest version) to edit, and the latest published version',
    access: READERS,
    params: KindKey,
    response: Detail,
    handler: ({ services, params }) => getDefinition(services.db, params.kind, params.key),
  }),
  defineRoute({
    method: 'put',
    path: '/definitions/:kind/:key/draft',
    tag: 'definitions',
    summary: 'Replace the draft; send the revision you read (409 if someone saved since)',
    access: WRITERS,
    params: KindKey,
    body: Type.Object(
      { revision: Type.Integer({ minimum: 1 }), definition: AnyObject },
      { additionalProperties: false },
    ),
    response: Detail,
    handler: ({ services, actor, params, body }) =>
      saveDraft(services.db, actor, params.kind, params.key, body.definition, body.revision),
  }),
  defineRoute({
    method: 'delete',
    path: '/definitions/:kind/:key/draft',
    tag: 'definitions',
    summary: 'Discard the draft (a never-published definition is deleted)',
    access: WRITERS,
    params: KindKey,
    handler: async ({ services, actor, params }) => {
      await discardDraft(services.db, actor, params.kind, params.key);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/definitions/:kind/:key/validate',
    tag: 'definitions',
    summary: 'Validate the stored draft, including references to published definitions, groups and users',
    access: WRITERS,
    params: KindKey,
    response: Validation,
    async handler({ services, params }) {
      const problems = await validateStored(services.db, params.kind, params.key);
      return { ok: problems.length === 0, problems };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/definitions/:kind/:key/publish',
    tag: 'definitions',
    summary: 'Publish the draft as the next immutable version; running work keeps the version it started on',
    access: WRITERS,
    successStatus: 201,
    params: KindKey,
    body: Type.Object(
      { revision: Type.Optional(Type.Integer({ minimum: 1 })) },
      { additionalProperties: false },
    ),
    // What the publish means beyond itself (a form no process runs on follows the default lifecycle).
    response: Type.Intersect([VersionInfo, Type.Object({ notices: Type.Array(Notice) })]),
    handler: async ({ services, actor, params, body }) => {
      const published = await publishDefinition(services.db, actor, params.kind, params.key, {
        revision: body.revision,
      });
      return { ...published, notices: await publishNotices(services.db, params.kind, params.key) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/definitions/:kind/:key/retire',
    tag: 'definitions',
    summary: 'Retire a definition: nothing new starts on it; running work finishes on its version',
    access: WRITERS,
    params: KindKey,
    response: Summary,
    handler: ({ services, actor, params }) => retireDefinition(services.db, actor, params.kind, params.key),
  }),
  defineRoute({
    method: 'get',
    path: '/definitions/:kind/:key/versions',
    tag: 'definitions',
    summary: 'Published versions, newest first',
    access: READERS,
    params: KindKey,
    response: Type.Object({ items: Type.Array(VersionInfo) }),
    handler: async ({ services, params }) => ({
      items: await listVersions(services.db, params.kind, params.key),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/definitions/:kind/:key/versions/:version',
    tag: 'definitions',
    summary: 'One published version, exactly as it was published',
    access: READERS,
    params: Type.Object({ kind: Kind, key: Key, version: Type.Integer({ minimum: 1 }) }),
    response: AnyObject,
    handler: ({ services, params }) => getVersion(services.db, params.kind, params.key, params.version),
  }),
  defineRoute({
    method: 'get',
    path: '/definitions/:kind/:key/diff',
    tag: 'definitions',
    summary: 'Differences between two versions (to=draft compares with the draft), as JSON Pointer changes',
    access: READERS,
    params: KindKey,
    query: Type.Object(
      {
        from: Type.Integer({ minimum: 1 }),
        to: Type.Union([Type.Integer({ minimum: 1 }), Type.Literal('draft')]),
      },
      { additionalProperties: false },
    ),
    async handler({ services, params, query }) {
      if (query.to !== 'draft' && query.to === query.from) {
        throw new ApiError(400, 'validation_failed', 'error.validation_query', {
          detail: { en: '/to must differ from /from', 'zh-CN': '/to 必须与 /from 不同' },
        });
      }
      return { changes: await diffVersions(services.db, params.kind, params.key, query.from, query.to) };
    },
  }),
];
