import { randomBytes } from 'node:crypto';
import { type Locale, type Recipient, renderTemplate } from '@opsloom/spec';
import type { Knex } from 'knex';
import type { Config } from '../config.ts';
import { enqueueJob } from '../engine/jobs.ts';
import { type Rec, writeHistory } from '../records/store.ts';
import { newNonce, secretsContext } from '../secrets/references.ts';
import { type ImFormat, imBody } from './channels.ts';
import { resolveRecipients } from './recipients.ts';
import { type MessageTemplate, renderFor, workspaceLink } from './templates.ts';

/**
 * The outbox: a notification becomes one durable `deliver` job per message (an email to one
 * address, one webhook post, one robot post), written in the caller's transaction — so a message
 * exists exactly when the change that caused it was committed. The job runner claims and sends
 * them (deliver.ts). The in-app inbox needs no network: its rows are written here directly.
 */

export const DELIVER_JOB = 'deliver';

export interface NotifySpec {
  channel: 'email' | 'webhook' | 'inapp' | 'im' | string;
  recipients?: Recipient[];
  template: MessageTemplate;
  url?: string;
  secret?: string;
  format?: ImFormat | string;
}

/** A file an e-mail carries, as its payload names it; the bytes are in `outbox_attachments`. */
export interface AttachmentRef {
  key: string;
  filename: string;
  contentType: string;
  size: number;
}

export type DeliverPayload =
  | {
      channel: 'email';
      /** The record it is about; null for messages about no record (a scheduled report). */
      recordId: number | null;
      to: string;
      username: string | null;
      subject: string;
      text: string;
      /** An HTML alternative to `text` (a scheduled report's table). */
      html?: string;
      attachments?: AttachmentRef[];
      /** The schedule that sent it, for a scheduled report (`X-Opsloom-Schedule`). */
      schedule?: string;
      locale: Locale;
      source: string;
    }
  | {
      channel: 'webhook';
      recordId: number;
      /** Rendered, with secret placeholders of `nonce` (secrets/references.ts) instead of values. */
      url: string;
      body: string;
      /** Precomputed by older runtimes; now the signature is made at send time from `signingSecret`. */
      signature: string | null;
      signingSecret?: string | null;
      nonce?: string;
      subject: string;
      source: string;
    }
  | {
      channel: 'im';
      recordId: number;
      url: string;
      format: ImFormat;
      body: Record<string, unknown>;
      /** The robot's signing secret, as a placeholder (or a literal written by an older definition). */
      secret: string | null;
      nonce?: string;
      subject: string;
      source: string;
    };

/**
 * Most bytes of files one e-mail may carry (together). Files are stored with the message in the
 * database and the whole message goes to the SMTP server in one piece; most mail servers refuse
 * messages over 10–25 MB, and base64 makes files a third larger on the wire.
 */
export const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;

export interface NewAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface EmailMessage {
  to: string;
  username: string | null;
  subject: string;
  text: string;
  html?: string;
  locale: Locale;
  source: string;
  recordId?: number | null;
  schedule?: string;
  attachments?: NewAttachment[];
}

export const attachmentBytes = (files: readonly NewAttachment[]) =>
  files.reduce((n, f) => n + f.content.length, 0);

/**
 * Queues one e-mail inside `trx`, its files stored beside it (`outbox_attachments`, named from
 * the payload by a random key): the message and its files commit together, and a restart loses
 * neither. Files over MAX_ATTACHMENT_BYTES together are refused: the caller decides what to send
 * instead (a scheduled report says the file was too large).
 */
export async function queueEmail(trx: Knex, config: Config, msg: EmailMessage): Promise<void> {
  const files = msg.attachments ?? [];
  if (attachmentBytes(files) > MAX_ATTACHMENT_BYTES)
    throw new Error(`attachments of ${attachmentBytes(files)} bytes exceed ${MAX_ATTACHMENT_BYTES}`);
  const refs: AttachmentRef[] = [];
  const now = Date.now();
  for (const f of files) {
    const ref = {
      key: randomBytes(16).toString('hex'),
      filename: f.filename.slice(0, 255),
      contentType: f.contentType.slice(0, 128),
      size: f.content.length,
    };
    await trx('outbox_attachments').insert({
      key: ref.key,
      filename: ref.filename,
      content_type: ref.contentType,
      size: ref.size,
      content: f.content,
      created_at: now,
    });
    refs.push(ref);
  }
  const payload: DeliverPayload = {
    channel: 'email',
    recordId: msg.recordId ?? null,
    to: msg.to,
    username: msg.username,
    subject: msg.subject,
    text: msg.text,
    ...(msg.html !== undefined ? { html: msg.html } : {}),
    ...(refs.length ? { attachments: refs } : {}),
    ...(msg.schedule ? { schedule: msg.schedule } : {}),
    locale: msg.locale,
    source: msg.source,
  };
  await enqueueJob(trx, {
    type: DELIVER_JOB,
    dueAt: now,
    instanceId: null,
    tokenId: null,
    payload,
    maxAttempts: config.notifyMaxAttempts,
  });
}

export interface NotifyInput {
  config: Config;
  trx: Knex;
  rec: Rec;
  actor: string;
  /** Template context built by `templateContext` (record, actor, event, changes…). */
  ctx: Record<string, unknown>;
  /** What caused it, for the history entry and the dead-letter list: `rule:<key>`, `node:<id>`… */
  source: string;
}

/** Robots post to a group chat, not to a person: they speak the primary language (zh-CN). */
const GROUP_LOCALE: Locale = 'zh-CN';

/** Queues one notification (all its messages) inside `trx`; returns how many messages it made. */
export async function queueNotification(input: NotifyInput, spec: NotifySpec): Promise<number> {
  const { config, trx, rec, ctx, source } = input;
  const maxAttempts = config.notifyMaxAttempts;
  const now = Date.now();
  const enqueue = (payload: DeliverPayload) =>
    enqueueJob(trx, { type: DELIVER_JOB, dueAt: now, instanceId: null, tokenId: null, payload, maxAttempts });
  const detail: Record<string, unknown> = { channel: spec.channel, source };
  let count = 0;

  if (spec.channel === 'inapp' || spec.channel === 'email') {
    const { people, addresses } = await resolveRecipients(trx, rec, spec.recipients ?? []);
    if (spec.channel === 'inapp') {
      const rows = [];
      for (const p of people) {
        const m = await renderFor(config, spec.template, ctx, rec, p);
        rows.push({
          user_id: p.userId,
          record_id: rec.id,
          event: String((ctx.event as { type?: string } | undefined)?.type ?? 'notify'),
          title: m.subject,
          body: m.body,
          created_at: now,
        });
      }
      if (rows.length) await trx('inbox').insert(rows);
      count = rows.length;
      detail.recipients = people.map((p) => p.username);
    } else {
      const withoutAddress = people.filter((p) => !p.email).map((p) => p.username);
      const sent = new Set<string>();
      for (const p of people.filter((x) => x.email)) {
        if (sent.has(p.email!.toLowerCase())) continue;
        sent.add(p.email!.toLowerCase());
        const m = await renderFor(config, spec.template, ctx, rec, p);
        await enqueue({
          channel: 'email',
          recordId: rec.id,
          to: p.email!,
          username: p.username,
          subject: m.subject,
          text: m.body,
          locale: m.locale,
          source,
        });
        count++;
      }
      for (const address of addresses) {
        if (sent.has(address.toLowerCase())) continue;
        sent.add(address.toLowerCase());
        const m = await renderFor(config, spec.template, ctx, rec, null, GROUP_LOCALE);
        await enqueue({
          channel: 'email',
          recordId: rec.id,
          to: address,
          username: null,
          subject: m.subject,
          text: m.body,
          locale: m.locale,
          source,
        });
        count++;
      }
      detail.recipients = [...sent];
      if (withoutAddress.length) detail.withoutEmail = withoutAddress;
    }
  } else if (spec.channel === 'webhook' || spec.channel === 'im') {
    const m = await renderFor(config, spec.template, ctx, rec, null, GROUP_LOCALE);
    // The url and signing secret see `secrets` as placeholders; the values are put in at send
    // time (deliver.ts), so the job's payload never holds one.
    const nonce = newNonce();
    const secrets = secretsContext([spec.url, spec.secret], nonce);
    const url = (await renderTemplate(spec.url ?? '', { ...ctx, link: m.link, secrets })).trim();
    const signingSecret =
      spec.secret === undefined || spec.secret === ''
        ? null
        : /\{\{|\{%/.test(spec.secret)
          ? await renderTemplate(spec.secret, { secrets })
          : spec.secret;
    if (!/^https?:\/\//i.test(url)) {
      await writeHistory(trx, rec.id, input.actor, [
        { kind: 'notification', detail: { ...detail, delivered: false, reason: 'invalid url' } },
      ]);
      return 0;
    }
    if (spec.channel === 'webhook') {
      const body = JSON.stringify({
        event: (ctx.event as { type?: string } | undefined)?.type ?? null,
        source,
        record: ctx.record,
        actor: ctx.actor ?? input.actor,
        changes: ctx.changes ?? null,
        subject: m.subject,
        text: m.body,
        link: workspaceLink(config, rec.id),
        sentAt: now,
      });
      await enqueue({
        channel: 'webhook',
        recordId: rec.id,
        url,
        body,
        signature: null,
        signingSecret,
        nonce,
        subject: m.subject,
        source,
      });
    } else {
      const format = (spec.format ?? 'slack') as ImFormat;
      await enqueue({
        channel: 'im',
        recordId: rec.id,
        url,
        format,
        body: imBody(format, {
          subject: m.subject,
          body: m.body,
          link: m.link,
          number: rec.number,
          locale: m.locale,
        }),
        secret: signingSecret,
        nonce,
        subject: m.subject,
        source,
      });
      detail.format = format;
    }
    count = 1;
  }
  detail.messages = count;
  await writeHistory(trx, rec.id, input.actor, [{ kind: 'notification', detail }]);
  return count;
}
