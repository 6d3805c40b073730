import type { Knex } from 'knex';
import type { Actor } from '../context.ts';
import { ApiError, notFound } from '../http/errors.ts';
import { translateBoth } from '../i18n/translate.ts';
import { loadRecord, writeHistory } from './store.ts';
import { assertCanSee, isStaff } from './visibility.ts';

export interface WatcherView {
  username: string;
  displayName: string;
  since: number;
}

export async function listWatchers(db: Knex, actor: Actor, recordId: number): Promise<WatcherView[]> {
  const rec = await loadRecord(db, recordId);
  await assertCanSee(db, actor, rec);
  const rows = await db('record_watchers as w')
    .join('users as u', 'u.id', 'w.user_id')
    .where('w.record_id', rec.id)
    .orderBy('w.created_at', 'asc')
    .orderBy('u.username', 'asc')
    .select('u.username', 'u.display_name', 'w.created_at');
  return rows.map((r: { username: string; display_name: string; created_at: number }) => ({
    username: r.username,
    displayName: r.display_name,
    since: Number(r.created_at),
  }));
}

/** Who a watcher change is about: oneself by default; someone else only for staff. */
async function target(db: Knex, actor: Actor, username: string | undefined) {
  if (!username || username === actor.username) return { id: actor.userId, username: actor.username };
  if (!isStaff(actor))
    throw new ApiError(
      403,
      'forbidden',
      'error.watch_others',
      {},
      {
        problems: [{ path: '/username', message: translateBoth('error.watch_others') }],
      },
    );
  const row = await db('users').where({ username, active: true }).first('id', 'username');
  if (!row) throw notFound(translateBoth('what.user', { key: username }));
  return { id: Number(row.id), username: row.username as string };
}

/**
 * Adds a watcher (idempotent). Watching makes the record visible to a requester, so a user can
 * only watch what they can already see; staff may add others (a colleague to keep informed).
 */
export async function addWatcher(db: Knex, actor: Actor, recordId: number, username?: string) {
  const rec = await loadRecord(db, recordId);
  await assertCanSee(db, actor, rec);
  const who = await target(db, actor, username);
  await db.transaction(async (trx) => {
    const existing = await trx('record_watchers').where({ record_id: rec.id, user_id: who.id }).first();
    if (existing) return;
    await trx('record_watchers')
      .insert({ record_id: rec.id, user_id: who.id, created_at: Date.now() })
      .onConflict(['record_id', 'user_id'])
      .ignore();
    await writeHistory(trx, rec.id, actor.username, [{ kind: 'watcher', detail: { added: who.username } }]);
  });
  return listWatchers(db, actor, rec.id);
}

export async function removeWatcher(db: Knex, actor: Actor, recordId: number, username: string) {
  const rec = await loadRecord(db, recordId);
  await assertCanSee(db, actor, rec);
  const who = await target(db, actor, username);
  await db.transaction(async (trx) => {
    const n = await trx('record_watchers').where({ record_id: rec.id, user_id: who.id }).delete();
    if (!n) throw notFound(translateBoth('what.user', { key: who.username }));
    await writeHistory(trx, rec.id, actor.username, [{ kind: 'watcher', detail: { removed: who.username } }]);
  });
}
