import { TemplateError } from '@opsloom/spec';
import { Type } from '@sinclair/typebox';
import { defineRoute } from '../http/api.ts';
import { ApiError } from '../http/errors.ts';
import { Username } from '../http/schemas.ts';
import { loadRecord } from '../records/store.ts';
import { listOutbox, retryDead } from './deliver.ts';
import { peopleByIds } from './recipients.ts';
import { saveSmtp, viewSmtp } from './settings.ts';
import { renderFor, templateContext } from './templates.ts';

const Text = Type.String({ maxLength: 20_000 });
const I18nText = Type.Union([
  Text,
  Type.Object({ 'zh-CN': Type.Optional(Text), en: Type.Optional(Text) }, { additionalProperties: false }),
]);
const Locale = Type.Union([Type.Literal('zh-CN'), Type.Literal('en')]);

const SmtpView = Type.Object({
  host: Type.String(),
  port: Type.Integer(),
  secure: Type.Boolean(),
  startTls: Type.String(),
  username: Type.Union([Type.String(), Type.Null()]),
  from: Type.String(),
  tlsRejectUnauthorized: Type.Boolean(),
  passwordSet: Type.Boolean(),
  source: Type.String(),
});

const OutboxItem = Type.Object({
  id: Type.Integer(),
  channel: Type.String(),
  status: Type.String(),
  to: Type.String(),
  subject: Type.String(),
  recordId: Type.Union([Type.Integer(), Type.Null()], {
    description: 'null for a message about no record (a scheduled report)',
  }),
  source: Type.String(),
  attempts: Type.Integer(),
  maxAttempts: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.Integer(),
  finishedAt: Type.Union([Type.Integer(), Type.Null()]),
});

const ListQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  before: Type.Optional(Type.Integer({ minimum: 1 })),
};

export const notifyRoutes = [
  defineRoute({
    method: 'get',
    path: '/settings/smtp',
    tag: 'notifications',
    summary: 'The SMTP server notifications are sent through (the password is never returned)',
    access: ['admin'],
    response: SmtpView,
    handler: ({ services }) => viewSmtp(services.db, services.config),
  }),
  defineRoute({
    method: 'put',
    path: '/settings/smtp',
    tag: 'notifications',
    summary:
      'Set the SMTP server: host, port, TLS (secure = implicit TLS; startTls required / opportunistic / never), credentials, from address. Omit password to keep the stored one, null to remove it',
    access: ['admin'],
    body: Type.Object(
      {
        host: Type.String({ minLength: 1, maxLength: 255 }),
        port: Type.Integer({ minimum: 1, maximum: 65535 }),
        secure: Type.Optional(Type.Boolean()),
        startTls: Type.Optional(
          Type.Union([Type.Literal('required'), Type.Literal('opportunistic'), Type.Literal('never')]),
        ),
        username: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 255 }), Type.Null()])),
        password: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 1000 }), Type.Null()])),
        from: Type.String({ minLength: 3, maxLength: 320 }),
        tlsRejectUnauthorized: Type.Optional(Type.Boolean()),
      },
      { additionalProperties: false },
    ),
    response: SmtpView,
    handler: ({ services, actor, body }) => saveSmtp(services.db, services.config, actor.username, body),
  }),
  defineRoute({
    method: 'get',
    path: '/notifications/outbox',
    tag: 'notifications',
    summary:
      'Outgoing messages (email, webhook, IM robot), newest first, by status: pending, running, done, dead',
    access: ['admin'],
    query: Type.Object(
      {
        status: Type.Optional(
          Type.Union([
            Type.Literal('pending'),
            Type.Literal('running'),
            Type.Literal('done'),
            Type.Literal('dead'),
          ]),
        ),
        ...ListQuery,
      },
      { additionalProperties: false },
    ),
    response: Type.Object({ items: Type.Array(OutboxItem) }),
    async handler({ services, query }) {
      return { items: await listOutbox(services.db, { ...query, limit: query.limit ?? 50 }) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/notifications/dead',
    tag: 'notifications',
    summary: 'Dead letters: messages that failed every attempt, with their last error',
    access: ['admin'],
    query: Type.Object(ListQuery, { additionalProperties: false }),
    response: Type.Object({ items: Type.Array(OutboxItem) }),
    async handler({ services, query }) {
      return {
        items: await listOutbox(services.db, {
          status: 'dead',
          limit: query.limit ?? 50,
          before: query.before,
        }),
      };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/notifications/:id/retry',
    tag: 'notifications',
    summary: 'Send a dead letter again (a fresh set of attempts); 409 if it is not dead',
    access: ['admin'],
    params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
    response: OutboxItem,
    handler: ({ services, actor, params }) => retryDead(services, params.id, actor.username),
  }),
  defineRoute({
    method: 'post',
    path: '/notifications/preview',
    tag: 'notifications',
    summary:
      'Render a notification template against a record, in a language, optionally as a given recipient would get it',
    access: ['admin'],
    body: Type.Object(
      {
        template: Type.Object(
          { subject: Type.Optional(I18nText), body: I18nText },
          { additionalProperties: false },
        ),
        recordId: Type.Integer({ minimum: 1 }),
        locale: Type.Optional(Locale),
        recipient: Type.Optional(Username),
      },
      { additionalProperties: false },
    ),
    response: Type.Object({
      subject: Type.String(),
      body: Type.String(),
      locale: Type.String(),
      link: Type.String(),
    }),
    async handler({ services, actor, body, locale }) {
      const rec = await loadRecord(services.db, body.recordId);
      let person = null;
      if (body.recipient) {
        const row = await services.db('users').where({ username: body.recipient }).first('id');
        [person] = row ? await peopleByIds(services.db, [row.id]) : [];
        if (!person)
          throw new ApiError(404, 'not_found', 'error.not_found', {
            what: { en: `user "${body.recipient}"`, 'zh-CN': `用户“${body.recipient}”` },
          });
      }
      const ctx = await templateContext(services.db, services.config, rec, actor.username, {
        event: { type: 'preview', actor: actor.username },
        changes: {},
        task: null,
      });
      try {
        return await renderFor(
          services.config,
          body.template,
          ctx,
          rec,
          person ?? {
            locale: body.locale ?? locale,
            staff: true,
            username: actor.username,
            displayName: actor.displayName,
          },
          body.locale ?? person?.locale ?? locale,
        );
      } catch (err) {
        if (!(err instanceof TemplateError)) throw err;
        throw new ApiError(
          422,
          'template_invalid',
          'error.template_invalid',
          { detail: err.localized },
          { problems: [{ path: '/template', message: err.localized }] },
        );
      }
    },
  }),
];
