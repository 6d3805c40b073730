import type { Knex } from 'knex';
import type { Actor, Services } from '../context.ts';
import { isUniqueViolation } from '../db/connect.ts';
import { conflict } from '../http/errors.ts';
import { translateBoth } from '../i18n/translate.ts';
import { loadRecord, writeHistory } from '../records/store.ts';
import { assertCanSee } from '../records/visibility.ts';
import { requesterRecord } from './withdraw.ts';

export interface RatingInput {
  attitude: number;
  speed: number;
  quality: number;
  comment?: string;
}

export interface Rating extends RatingInput {
  recordId: number;
  by: string;
  createdAt: number;
}

async function readRating(db: Knex, recordId: number): Promise<Rating | null> {
  const row = await db('record_ratings as r')
    .join('users as u', 'u.id', 'r.user_id')
    .where('r.record_id', recordId)
    .first('r.*', 'u.username');
  if (!row) return null;
  return {
    recordId: Number(row.record_id),
    attitude: Number(row.attitude),
    speed: Number(row.speed),
    quality: Number(row.quality),
    ...(row.comment ? { comment: row.comment } : {}),
    by: row.username,
    createdAt: Number(row.created_at),
  };
}

/** The record's rating, or null; anyone who may see the record may read it. */
export async function getRating(
  db: Knex,
  actor: Actor,
  recordId: number,
): Promise<{ rating: Rating | null }> {
  await assertCanSee(db, actor, await loadRecord(db, recordId));
  return { rating: await readRating(db, recordId) };
}

/** The requester rates a resolved record, once: a second rating is 409, an unresolved record 409. */
export async function rateRecord(
  services: Services,
  actor: Actor,
  recordId: number,
  input: RatingInput,
): Promise<Rating> {
  return services.db.transaction(async (trx) => {
    const rec = await requesterRecord(trx, actor, recordId);
    const what = translateBoth('what.record', { key: rec.number });
    if (rec.resolvedAt === null) throw conflict('not_resolved', 'error.not_resolved', { what });
    try {
      await trx('record_ratings').insert({
        record_id: rec.id,
        user_id: actor.userId,
        attitude: input.attitude,
        speed: input.speed,
        quality: input.quality,
        comment: input.comment ?? null,
        created_at: Date.now(),
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict('already_rated', 'error.already_rated', { what });
      throw err;
    }
    await writeHistory(trx, rec.id, actor.username, [
      {
        kind: 'rating',
        detail: { attitude: input.attitude, speed: input.speed, quality: input.quality },
      },
    ]);
    return (await readRating(trx, rec.id))!;
  });
}
