import { TemplateError } from '@opsloom/spec';
import { Type } from '@sinclair/typebox';
import { recordAudit } from '../audit/audit.ts';
import { defineRoute } from '../http/api.ts';
import { ApiError } from '../http/errors.ts';
import { Username } from '../http/schemas.ts';
import { localizedOf } from '../outbound/client.ts';
import { loadRecord } from '../records/store.ts';
import { newNonce, openSecrets, type Revealed, secretsContext } from '../secrets/references.ts';
import { type ImFormat, imBody, postJson, redact, sendMail, signIm } from './channels.ts';
import { listOutbox, retryDead } from './deliver.ts';
import { peopleByIds } from './recipients.ts';
import { loadSmtp, saveSmtp, viewSmtp } from './settings.ts';
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
  defineRoute({
    method: 'post',
    path: '/notifications/test',
    tag: 'notifications',
    summary:
      'Send a test message now: an e-mail through the saved SMTP settings, or a post to an IM robot (its URL and secret may be {{ secrets.NAME }} references); 422 with the reason when it is not delivered',
    access: ['admin'],
    body: Type.Object(
      {
        channel: Type.Union([Type.Literal('email'), Type.Literal('im')]),
        to: Type.Optional(
          Type.String({ format: 'email', maxLength: 320, description: 'email: the address' }),
        ),
        format: Type.Optional(
          Type.Union(
            ['dingtalk', 'feishu', 'wecom', 'slack'].map((f) => Type.Literal(f)),
            {
              description: 'im: the robot vendor',
            },
          ),
        ),
        url: Type.Optional(
          Type.String({ minLength: 1, maxLength: 2000, description: "im: the robot's URL" }),
        ),
        secret: Type.Optional(
          Type.String({ minLength: 1, maxLength: 500, description: 'im: its signing secret' }),
        ),
      },
      { additionalProperties: false },
    ),
    response: Type.Object({ delivered: Type.Literal(true), to: Type.String(), answer: Type.String() }),
    async handler({ services, actor, body, locale }) {
      const subject = locale === 'en' ? 'Opsloom test message' : 'Opsloom 测试消息';
      const text =
        locale === 'en'
          ? `${actor.displayName} sent this test from the administration console. If you read it, the settings work.`
          : `${actor.displayName} 从管理控制台发送了这条测试消息。收到即表示设置可用。`;
      const missing = (path: string, en: string, zh: string) => {
        const detail = { en: `${path} ${en}`, 'zh-CN': `${path} ${zh}` };
        return new ApiError(
          400,
          'validation_failed',
          'error.validation_body',
          { detail },
          { problems: [{ path, message: detail }] },
        );
      };
      if (body.channel === 'email' && !body.to)
        throw missing('/to', 'the address to send the test e-mail to is missing', '缺少测试邮件的收件地址');
      if (body.channel === 'im' && !body.url)
        throw missing('/url', "the robot's URL is missing", '缺少机器人的 URL');
      if (body.channel === 'im' && !body.format)
        throw missing(
          '/format',
          'say which IM the robot is on (dingtalk, feishu, wecom, slack)',
          '请选择机器人所属的 IM（钉钉、飞书、企业微信、Slack）',
        );
      let to: string;
      let answer: string;
      let revealed: Revealed | undefined;
      try {
        if (body.channel === 'email') {
          to = body.to!;
          const { settings } = await loadSmtp(services.db, services.config);
          if (!settings?.host) throw new ApiError(409, 'smtp_not_configured', 'error.smtp_not_configured');
          answer = await sendMail(settings, {
            to,
            subject,
            text,
            messageId: `<opsloom-test-${Date.now()}-${newNonce()}@opsloom.local>`,
          });
        } else {
          // References render to placeholders and are read from the store only for the post itself.
          const nonce = newNonce();
          const rawUrl = body.url!;
          const names = secretsContext([rawUrl, body.secret ?? ''], nonce);
          const fill = (t: string) =>
            t.replace(/\{\{\s*secrets\.([A-Z][A-Z0-9_]*)\s*\}\}/g, (m, n: string) => names[n] ?? m);
          const url = fill(rawUrl);
          const secret = body.secret === undefined ? undefined : fill(body.secret);
          to = rawUrl.trimStart().startsWith('{{') ? rawUrl.split('?')[0]!.slice(0, 200) : redact(rawUrl);
          revealed = await openSecrets(services, nonce, [url, secret ?? '']);
          const message = imBody(body.format as ImFormat, {
            subject,
            body: text,
            link: `${services.config.publicUrl}/designer/admin/notifications`,
            number: 'Opsloom',
            locale,
          });
          const signed = signIm(
            body.format as ImFormat,
            revealed.reveal(url),
            message,
            secret === undefined ? undefined : revealed.reveal(secret),
          );
          answer = String(
            await postJson(
              services.config,
              signed.url,
              JSON.stringify(signed.body),
              {},
              services.config.webhookTimeoutMs,
            ),
          );
        }
      } catch (err) {
        if (err instanceof ApiError) throw err;
        // A peer may echo what it got: the secrets' values are taken out of what is answered.
        const scrub = (text: string) => (revealed ? revealed.scrub(text) : text).slice(0, 500);
        const localized = localizedOf(err);
        const message = scrub(err instanceof Error ? err.message : String(err));
        const detail = localized
          ? { en: scrub(localized.en), 'zh-CN': scrub(localized['zh-CN']) }
          : { en: message, 'zh-CN': message };
        throw new ApiError(
          422,
          'test_message_failed',
          'error.test_message_failed',
          { detail },
          { problems: [{ path: body.channel === 'email' ? '/to' : '/url', message: detail }] },
        );
      }
      await recordAudit(services.db, actor.username, 'notification.test', 'settings', body.channel, { to });
      return { delivered: true as const, to, answer: answer.slice(0, 300) };
    },
  }),
];
