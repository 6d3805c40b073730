import type { Knex } from 'knex';
import { emitEvent } from '../automation/events.ts';
import type { Actor } from '../context.ts';
import { ApiError } from '../http/errors.ts';
import { loadRecord, writeHistory } from './store.ts';
import { assertCanSee, isStaff } from './visibility.ts';

export type CommentVisibility = 'public' | 'internal';

export interface CommentView {
  id: number;
  author: string;
  body: string;
  visibility: CommentVisibility;
  createdAt: number;
}

const view = (r: {
  id: number;
  author: string;
  body: string;
  visibility: string;
  created_at: number;
}): CommentView => ({
  id: Number(r.id),
  author: r.author,
  body: r.body,
  visibility: r.visibility as CommentVisibility,
  createdAt: Number(r.created_at),
});

/** A record's comments, oldest first; requesters (non-staff) see the public ones only. */
export async function listComments(db: Knex, actor: Actor, recordId: number): Promise<CommentView[]> {
  const rec = await loadRecord(db, recordId);
  await assertCanSee(db, actor, rec);
  const q = db('record_comments').where({ record_id: rec.id }).orderBy('id', 'asc');
  if (!isStaff(actor)) q.where({ visibility: 'public' });
  return (await q.select('id', 'author', 'body', 'visibility', 'created_at')).map(view);
}

/**
 * Adds a comment. Anyone who sees the record may comment publicly; internal notes (内部备注)
 * are for staff only. The history entry carries the visibility so requesters never see an
 * internal note even as a history line.
 */
export async function addComment(
  db: Knex,
  actor: Actor,
  recordId: number,
  input: { body: string; visibility?: CommentVisibility },
): Promise<CommentView> {
  const visibility = input.visibility ?? 'public';
  const rec = await loadRecord(db, recordId);
  await assertCanSee(db, actor, rec);
  if (visibility === 'internal' && !isStaff(actor))
    throw new ApiError(
      403,
      'forbidden',
      'error.internal_comment_staff',
      {},
      {
        problems: [
          {
            path: '/visibility',
            message: {
              en: 'internal comments are for agents, managers and admins',
              'zh-CN': '内部备注仅限处理人、经理和管理员',
            },
          },
        ],
      },
    );
  const now = Date.now();
  return db.transaction(async (trx) => {
    const [id] = await trx('record_comments').insert({
      record_id: rec.id,
      author: actor.username,
      body: input.body,
      visibility,
      created_at: now,
    });
    await writeHistory(
      trx,
      rec.id,
      actor.username,
      [{ kind: 'comment', detail: { commentId: Number(id), visibility, excerpt: input.body.slice(0, 200) } }],
      now,
    );
    await emitEvent(trx, {
      type: 'record.commented',
      recordId: rec.id,
      actor: actor.username,
      detail: { commentId: Number(id), visibility, body: input.body.slice(0, 2000) },
    });
    return { id: Number(id), author: actor.username, body: input.body, visibility, createdAt: now };
  });
}
