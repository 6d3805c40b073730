import type { Knex } from 'knex';
import type { Services } from '../context.ts';
import { fromJson } from '../db/json.ts';
import { completeJob, failJob, type JobRow } from '../engine/jobs.ts';
import { conflict, notFound } from '../http/errors.ts';
import { translateBoth } from '../i18n/translate.ts';
import { callFailure, localizedOf } from '../outbound/client.ts';
import { writeHistory } from '../records/store.ts';
import { openSecrets, type Revealed, shown } from '../secrets/references.ts';
import { postJson, redact, sendMail, signIm, webhookSignature } from './channels.ts';
import { type AttachmentRef, DELIVER_JOB, type DeliverPayload } from './outbox.ts';
import { loadSmtp } from './settings.ts';

/**
 * Sends one outbox message. The job was claimed with a conditional UPDATE (lock owner + expiry),
 * so one runtime sends it; the send happens outside any transaction and the job is marked done
 * right after the peer accepted it, conditional on still holding the claim. A runtime that dies
 * between the peer's acceptance and that UPDATE leaves the job to be taken over when its lock
 * expires, and the message is sent again: delivery is at-least-once in that window. Emails carry
 * a Message-ID derived from the job id so mail systems can drop the duplicate; webhooks carry it
 * as `X-Opsloom-Delivery`.
 */
export async function runDelivery(services: Services, job: JobRow, owner: string): Promise<void> {
  const msg = fromJson<DeliverPayload>(job.payload)!;
  try {
    await send(services, msg, job.id);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const outcome = await failJob(services.db, job, owner, message, services.config.notifyRetryBaseMs);
    services.log.warn(
      { job: job.id, channel: msg.channel, attempt: job.attempts, outcome, err: message },
      'notification not delivered',
    );
    const localized = localizedOf(err);
    if (outcome === 'dead' && msg.recordId !== null)
      await writeHistory(services.db, msg.recordId, 'system:notify', [
        {
          kind: 'notification_failed',
          detail: {
            job: job.id,
            channel: msg.channel,
            to: target(msg),
            error: message.slice(0, 500),
            ...(localized
              ? { errorText: { 'zh-CN': localized['zh-CN'].slice(0, 500), en: localized.en.slice(0, 500) } }
              : {}),
          },
        },
      ]);
    return;
  }
  await services.db.transaction(async (trx) => {
    // A delivered message's files are not needed any more (a dead one keeps them for a retry).
    if ((await completeJob(trx, job, owner)) && msg.channel === 'email' && msg.attachments?.length)
      await trx('outbox_attachments')
        .whereIn(
          'key',
          msg.attachments.map((a) => a.key),
        )
        .delete();
  });
}

/** The files an e-mail names, read at send time; one that is gone fails the message (and is retried, then dead). */
async function attachmentsOf(
  db: Knex,
  refs: AttachmentRef[] | undefined,
): Promise<{ filename: string; contentType: string; content: Buffer }[]> {
  if (!refs?.length) return [];
  const rows = (await db('outbox_attachments')
    .whereIn(
      'key',
      refs.map((r) => r.key),
    )
    .select('key', 'content')) as { key: string; content: Buffer | Uint8Array | string }[];
  const byKey = new Map(rows.map((r) => [r.key, r.content]));
  return refs.map((r) => {
    const content = byKey.get(r.key);
    if (content === undefined) throw new Error(`attachment ${r.filename} of this message is missing`);
    return {
      filename: r.filename,
      contentType: r.contentType,
      content: Buffer.isBuffer(content) ? content : Buffer.from(content as Uint8Array),
    };
  });
}

/** Where a message goes, as people may see it: secrets as references, a query's tokens left out. */
function target(msg: DeliverPayload): string {
  if (msg.channel === 'email') return msg.to;
  const url = shown(msg.url, msg.nonce);
  // A whole URL kept in a secret reads as its reference.
  return url.trimStart().startsWith('{{') ? url.split('?')[0]!.slice(0, 200) : redact(url);
}

function messageId(services: Services, jobId: number): string {
  let host = 'opsloom.local';
  try {
    host = new URL(services.config.publicUrl).hostname || host;
  } catch {
    // keep the default
  }
  return `<opsloom-outbox-${jobId}@${host}>`;
}

async function send(services: Services, msg: DeliverPayload, jobId: number): Promise<void> {
  const timeout = services.config.webhookTimeoutMs;
  if (msg.channel === 'email') {
    const { settings } = await loadSmtp(services.db, services.config);
    if (!settings?.host) throw new Error('SMTP is not configured (PUT /api/v1/settings/smtp)');
    const headers: Record<string, string> = {};
    if (msg.recordId !== null) headers['X-Opsloom-Record'] = String(msg.recordId);
    if (msg.schedule) headers['X-Opsloom-Schedule'] = msg.schedule;
    await sendMail(settings, {
      to: msg.to,
      subject: msg.subject,
      text: msg.text,
      html: msg.html,
      attachments: await attachmentsOf(services.db, msg.attachments),
      messageId: messageId(services, jobId),
      headers,
    });
  } else if (msg.channel === 'webhook' || msg.channel === 'im') {
    const signingSecret = msg.channel === 'webhook' ? (msg.signingSecret ?? null) : msg.secret;
    let secrets: Revealed | undefined;
    try {
      // The secrets are read now, at send time: a value set or changed since the message was queued counts.
      secrets = await openSecrets(services, msg.nonce, [msg.url, signingSecret]);
      const url = secrets.reveal(msg.url);
      const secret = signingSecret ? secrets.reveal(signingSecret) : null;
      if (msg.channel === 'webhook') {
        const headers: Record<string, string> = { 'x-opsloom-delivery': String(jobId) };
        const signature = msg.signature ?? (secret ? webhookSignature(secret, msg.body) : null);
        if (signature) headers['x-opsloom-signature'] = signature;
        await postJson(services.config, url, msg.body, headers, timeout);
      } else {
        const signed = signIm(msg.format, url, msg.body, secret ?? undefined);
        await postJson(services.config, signed.url, JSON.stringify(signed.body), {}, timeout);
      }
    } catch (err) {
      throw callFailure(`POST ${target(msg)}`, err, (t) => secrets?.scrub(t) ?? t);
    }
  } else {
    throw new Error(`unknown channel ${(msg as { channel: string }).channel}`);
  }
}

export interface OutboxView {
  id: number;
  channel: string;
  status: string;
  to: string;
  subject: string;
  recordId: number | null;
  source: string;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  createdAt: number;
  finishedAt: number | null;
}

function view(row: Record<string, unknown>): OutboxView {
  const msg = fromJson<DeliverPayload>(row.payload)!;
  return {
    id: Number(row.id),
    channel: msg.channel,
    status: String(row.status),
    to: target(msg),
    subject: msg.subject,
    recordId: msg.recordId,
    source: msg.source,
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    lastError: (row.last_error as string | null) ?? null,
    createdAt: Number(row.created_at),
    finishedAt: row.finished_at === null || row.finished_at === undefined ? null : Number(row.finished_at),
  };
}

/** Outbox messages by status, newest first (dead letters: `status = dead`). */
export async function listOutbox(
  db: Knex,
  opts: { status?: string; limit: number; before?: number },
): Promise<OutboxView[]> {
  const q = db('jobs').where({ type: DELIVER_JOB }).orderBy('id', 'desc').limit(opts.limit);
  if (opts.status) q.where({ status: opts.status });
  if (opts.before) q.where('id', '<', opts.before);
  return (await q.select('*')).map(view);
}

const messageWhat = (id: number) => translateBoth('what.notification', { key: id });

/** Gives a dead letter another full set of attempts, due now. */
export async function retryDead(services: Services, id: number, actor: string): Promise<OutboxView> {
  const row = await services.db.transaction(async (trx) => {
    const found = await trx('jobs').where({ id, type: DELIVER_JOB }).first();
    if (!found) throw notFound(messageWhat(id));
    const n = await trx('jobs')
      .where({ id, type: DELIVER_JOB, status: 'dead' })
      .update({ status: 'pending', attempts: 0, due_at: Date.now(), finished_at: null });
    if (n !== 1)
      throw conflict('not_dead', 'error.notification_not_dead', {
        what: messageWhat(id),
        status: found.status,
      });
    const msg = fromJson<DeliverPayload>(found.payload)!;
    if (msg.recordId !== null)
      await writeHistory(trx, msg.recordId, actor, [
        { kind: 'notification_retry', detail: { job: id, channel: msg.channel, to: target(msg) } },
      ]);
    return trx('jobs').where({ id }).first();
  });
  services.wake();
  return view(row);
}
