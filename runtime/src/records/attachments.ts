import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import type { Knex } from 'knex';
import type Koa from 'koa';
import type { Config } from '../config.ts';
import type { Actor, Services } from '../context.ts';
import { ApiError, notFound } from '../http/errors.ts';
import { translateBoth } from '../i18n/translate.ts';
import { loadRecord, writeHistory } from './store.ts';
import { assertCanSee, isStaff } from './visibility.ts';

/**
 * Attachments: files live under `${dataDir}/attachments/<first two hex digits of the SHA-256>/
 * <sha256>-<random>` (one file per upload, so deleting one attachment never touches another);
 * the row keeps the name, type, size, hash and storage key. Uploads stream to a temporary file
 * in the same folder tree while being hashed and counted, then are renamed into place, so a
 * refused or broken upload leaves nothing behind and memory use does not grow with file size.
 */
export interface AttachmentView {
  id: number;
  recordId: number;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  uploadedBy: string;
  createdAt: number;
  /** Where to download it (relative to the server). */
  url: string;
}

interface AttachmentRow {
  id: number;
  record_id: number;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  storage_key: string;
  uploaded_by: string;
  created_at: number;
}

const view = (r: AttachmentRow): AttachmentView => ({
  id: Number(r.id),
  recordId: Number(r.record_id),
  filename: r.filename,
  contentType: r.content_type,
  size: Number(r.size),
  sha256: r.sha256,
  uploadedBy: r.uploaded_by,
  createdAt: Number(r.created_at),
  url: `/api/v1/attachments/${r.id}`,
});

export const attachmentsRoot = (config: Config) => path.join(config.dataDir, 'attachments');

/** 20971520 → "20 MB": the limit as people read it, for the 413 message. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KB`;
  return `${n} bytes`;
}

/** A MIME type is accepted when the allow-list names it, or names its family as `image/*`. */
export function typeAllowed(type: string, allowed: readonly string[]): boolean {
  return allowed.some((a) => a === type || (a.endsWith('/*') && type.startsWith(a.slice(0, -1))));
}

/** The name as the user's machine had it, without folders or control characters. */
function cleanFilename(raw: string | undefined): string {
  const base = (raw ?? '').replace(/\\/g, '/').split('/').pop() ?? '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  const cleaned = base.replace(/[\u0000-\u001f\u007f"]/g, '').trim();
  return (cleaned || 'file').slice(0, 255);
}

const tooLarge = (config: Config) =>
  new ApiError(
    413,
    'attachment_too_large',
    'error.attachment_too_large',
    { limit: formatBytes(config.attachmentMaxBytes) },
    { limit: config.attachmentMaxBytes },
  );
const missingFile = () =>
  new ApiError(
    400,
    'validation_failed',
    'error.attachment_missing',
    {},
    {
      problems: [{ path: '/file', message: translateBoth('error.attachment_missing') }],
    },
  );

interface Received {
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  tmp: string;
}

/**
 * Streams the one file of a multipart body to a temporary file, enforcing the size and type rules.
 * Settles however the body ends: a client that goes away mid-body, or sends nothing for
 * `uploadIdleMs`, gets its file stream destroyed, so the temporary file's descriptor is closed and
 * the file deleted before the promise rejects (an abandoned upload once kept both until restart,
 * and its request counted as in flight for ever).
 */
function receiveFile(ctx: Koa.Context, config: Config, tmpDir: string): Promise<Received> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: ctx.req.headers,
        limits: {
          // busboy reports the limit when a file *reaches* it; a file of exactly the documented
          // size must pass, so it is told one byte more.
          fileSize: config.attachmentMaxBytes + 1,
          files: 1,
          fields: 10,
          parts: 11,
          fieldSize: 16 * 1024,
        },
        defParamCharset: 'utf8',
      });
    } catch (err) {
      reject(
        new ApiError(400, 'malformed_multipart', 'error.malformed_multipart', {
          detail: (err as Error).message,
        }),
      );
      return;
    }
    let failure: ApiError | null = null;
    let receiving: Promise<Received> | null = null;
    let fileStream: (NodeJS.ReadableStream & { destroy(err?: Error): void }) | null = null;
    let settled = false;
    const req = ctx.req;
    const idle = setTimeout(() => {
      // The 408 goes out, then the connection: the rest of a stalled body is not waited for.
      ctx.set('Connection', 'close');
      ctx.res.once('finish', () => req.destroy());
      abandon(
        new ApiError(408, 'upload_stalled', 'error.upload_stalled', { seconds: config.uploadIdleMs / 1000 }),
      );
    }, config.uploadIdleMs);
    const onData = () => idle.refresh();
    const onClose = () => {
      if (!req.complete) abandon(new ApiError(400, 'body_incomplete', 'error.body_incomplete'));
    };
    req.on('data', onData);
    req.on('close', onClose);
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      req.off('data', onData);
      req.off('close', onClose);
      fn();
    };
    /** Stops reading, closes and deletes the temporary file, then rejects. */
    function abandon(err: ApiError) {
      if (settled) return;
      settle(() => {
        req.unpipe(bb);
        fileStream?.destroy(err);
        const cleanup = receiving
          ? receiving.then(
              (got) => fs.promises.rm(got.tmp, { force: true }),
              () => {},
            )
          : Promise.resolve();
        cleanup.then(
          () => reject(err),
          () => reject(err),
        );
      });
    }
    bb.on('file', (name, stream, info) => {
      if (name !== 'file' || receiving) {
        failure ??= missingFile();
        stream.resume();
        return;
      }
      const contentType = (info.mimeType || 'application/octet-stream').split(';')[0]!.trim().toLowerCase();
      if (!typeAllowed(contentType, config.attachmentTypes)) {
        failure ??= new ApiError(415, 'attachment_type', 'error.attachment_type', {
          type: contentType,
          allowed: config.attachmentTypes.join(', '),
        });
        stream.resume();
        return;
      }
      stream.on('limit', () => {
        failure ??= tooLarge(config);
      });
      fileStream = stream;
      const tmp = path.join(tmpDir, `${Date.now()}-${randomBytes(8).toString('hex')}`);
      const hash = createHash('sha256');
      let size = 0;
      const meter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          hash.update(chunk);
          size += chunk.length;
          done(null, chunk);
        },
      });
      receiving = pipeline(stream, meter, fs.createWriteStream(tmp)).then(
        () => ({
          filename: cleanFilename(info.filename),
          contentType,
          size,
          sha256: hash.digest('hex'),
          tmp,
        }),
        async (err) => {
          await fs.promises.rm(tmp, { force: true });
          throw err;
        },
      );
      receiving.catch(() => {});
    });
    bb.on('filesLimit', () => {
      failure ??= missingFile();
    });
    bb.on('error', (err) => {
      abandon(
        new ApiError(400, 'malformed_multipart', 'error.malformed_multipart', {
          detail: (err as Error).message,
        }),
      );
    });
    bb.on('close', () => {
      (async () => {
        const got = receiving ? await receiving : null;
        if (failure) {
          if (got) await fs.promises.rm(got.tmp, { force: true });
          throw failure;
        }
        if (!got) throw missingFile();
        return got;
      })().then(
        (got) => settle(() => resolve(got)),
        (err) => settle(() => reject(err)),
      );
    });
    req.pipe(bb);
  });
}

export async function uploadAttachment(
  services: Services,
  actor: Actor,
  recordId: number,
  ctx: Koa.Context,
): Promise<AttachmentView> {
  const { db, config } = services;
  const rec = await loadRecord(db, recordId);
  await assertCanSee(db, actor, rec);
  if (!ctx.is('multipart/form-data'))
    throw new ApiError(415, 'unsupported_media_type', 'error.attachment_missing');
  // An honest client announcing a body far over the limit is refused before it is read.
  const announced = Number(ctx.get('content-length') || 0);
  if (announced > config.attachmentMaxBytes + 64 * 1024) {
    ctx.set('Connection', 'close');
    throw tooLarge(config);
  }
  const root = attachmentsRoot(config);
  const tmpDir = path.join(root, 'tmp');
  await fs.promises.mkdir(tmpDir, { recursive: true });
  const got = await receiveFile(ctx, config, tmpDir);
  const storageKey = `${got.sha256.slice(0, 2)}/${got.sha256}-${randomBytes(4).toString('hex')}`;
  const target = path.join(root, storageKey);
  try {
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    await fs.promises.rename(got.tmp, target);
    const now = Date.now();
    return await db.transaction(async (trx) => {
      const row = {
        record_id: rec.id,
        filename: got.filename,
        content_type: got.contentType,
        size: got.size,
        sha256: got.sha256,
        storage_key: storageKey,
        uploaded_by: actor.username,
        created_at: now,
      };
      const [id] = await trx('record_attachments').insert(row);
      await writeHistory(
        trx,
        rec.id,
        actor.username,
        [{ kind: 'attachment', detail: { added: got.filename, attachmentId: Number(id), size: got.size } }],
        now,
      );
      return view({ id: Number(id), ...row });
    });
  } catch (err) {
    await fs.promises.rm(got.tmp, { force: true });
    await fs.promises.rm(target, { force: true });
    throw err;
  }
}

export async function listAttachments(db: Knex, actor: Actor, recordId: number): Promise<AttachmentView[]> {
  const rec = await loadRecord(db, recordId);
  await assertCanSee(db, actor, rec);
  const rows: AttachmentRow[] = await db('record_attachments')
    .where({ record_id: rec.id })
    .orderBy('id', 'asc');
  return rows.map(view);
}

/** The attachment row, if the caller may see its record; otherwise 404 naming only the attachment. */
async function visibleAttachment(db: Knex, actor: Actor, id: number): Promise<AttachmentRow> {
  const what = translateBoth('what.attachment', { key: id });
  const row: AttachmentRow | undefined = await db('record_attachments').where({ id }).first();
  if (!row) throw notFound(what);
  try {
    await assertCanSee(db, actor, await loadRecord(db, Number(row.record_id)));
  } catch {
    throw notFound(what);
  }
  return row;
}

/** Sends the file as a download (never rendered inline by the browser). */
export async function downloadAttachment(services: Services, actor: Actor, id: number, ctx: Koa.Context) {
  const row = await visibleAttachment(services.db, actor, id);
  const file = path.join(attachmentsRoot(services.config), row.storage_key);
  try {
    await fs.promises.access(file, fs.constants.R_OK);
  } catch {
    services.log.warn({ attachment: row.id, file }, 'attachment file is missing');
    throw notFound(translateBoth('what.attachment', { key: id }));
  }
  ctx.attachment(row.filename);
  ctx.type = row.content_type;
  ctx.length = Number(row.size);
  ctx.set('Content-Security-Policy', "sandbox; default-src 'none'");
  ctx.set('Cache-Control', 'private, no-store');
  ctx.body = fs.createReadStream(file);
}

/** Deletes an attachment: its uploader or staff; history on the record, then the file goes. */
export async function deleteAttachment(services: Services, actor: Actor, id: number): Promise<void> {
  const row = await visibleAttachment(services.db, actor, id);
  if (row.uploaded_by !== actor.username && !isStaff(actor))
    throw new ApiError(403, 'forbidden', 'error.not_uploader', {
      what: translateBoth('what.attachment', { key: row.filename }),
    });
  await services.db.transaction(async (trx) => {
    const n = await trx('record_attachments').where({ id: row.id }).delete();
    if (!n) throw notFound(translateBoth('what.attachment', { key: id }));
    await writeHistory(trx, Number(row.record_id), actor.username, [
      { kind: 'attachment', detail: { removed: row.filename, attachmentId: Number(row.id) } },
    ]);
  });
  await fs.promises.rm(path.join(attachmentsRoot(services.config), row.storage_key), { force: true });
}
