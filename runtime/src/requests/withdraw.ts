import type { Knex } from 'knex';
import type { Actor, Services } from '../context.ts';
import { dialectOf } from '../db/connect.ts';
import { ApiError, conflict } from '../http/errors.ts';
import { translateBoth } from '../i18n/translate.ts';
import { loadRecord, type Rec, writeHistory } from '../records/store.ts';
import { assertCanSee } from '../records/visibility.ts';

const OPEN_TOKENS = ['waiting', 'active', 'multi', 'joined'];

/** Loads a record the actor may see and checks the actor requested it (admins may act for anyone). */
export async function requesterRecord(trx: Knex, actor: Actor, recordId: number): Promise<Rec> {
  if (dialectOf(trx) === 'mysql') await trx('records').where({ id: recordId }).forUpdate().first('id');
  const rec = await loadRecord(trx, recordId);
  await assertCanSee(trx, actor, rec);
  if (rec.requesterId !== actor.userId && !actor.roles.includes('admin'))
    throw new ApiError(403, 'not_requester', 'error.not_requester', {
      what: translateBoth('what.record', { key: rec.number }),
    });
  return rec;
}

/**
 * Withdraw (撤回) a request: its open tasks and waits (tokens, timers, pending calls) of every
 * running instance are cancelled, the record becomes `withdrawn` and closed — one transaction,
 * with history. A closed record cannot be withdrawn (409).
 */
export async function withdrawRecord(
  services: Services,
  actor: Actor,
  recordId: number,
  reason?: string,
): Promise<void> {
  await services.db.transaction(async (trx) => {
    const rec = await requesterRecord(trx, actor, recordId);
    if (rec.closedAt !== null)
      throw conflict('record_closed', 'error.record_closed', {
        what: translateBoth('what.record', { key: rec.number }),
        status: rec.status,
      });
    const now = Date.now();
    const instances = (
      await trx('process_instances').where({ record_id: rec.id, status: 'running' }).select('id')
    ).map((r: { id: number }) => r.id);
    const cancelledTasks = await trx('tasks')
      .where({ record_id: rec.id, status: 'open' })
      .update({ status: 'cancelled', completed_at: now, completed_by: actor.username, outcome: 'withdrawn' });
    if (instances.length) {
      await trx('process_tokens')
        .whereIn('instance_id', instances)
        .whereIn('status', OPEN_TOKENS)
        .update({ status: 'cancelled' });
      await trx('jobs')
        .whereIn('instance_id', instances)
        .where({ status: 'pending' })
        .update({ status: 'dead', last_error: 'withdrawn by the requester', finished_at: now });
      await trx('process_instances').whereIn('id', instances).update({ status: 'cancelled', ended_at: now });
    }
    const updated = await trx('records')
      .where({ id: rec.id, version: rec.version })
      .update({
        status: 'withdrawn',
        assignee_id: null,
        closed_at: now,
        updated_at: now,
        version: rec.version + 1,
      });
    if (updated !== 1)
      throw conflict('stale_version', 'error.stale_revision', {
        what: translateBoth('what.record', { key: rec.number }),
        read: rec.version,
        current: rec.version + 1,
      });
    await writeHistory(
      trx,
      rec.id,
      actor.username,
      [
        { kind: 'field', field: 'status', from: rec.status, to: 'withdrawn' },
        { kind: 'transition', detail: { action: 'withdraw', tasks: cancelledTasks, reason } },
      ],
      now,
    );
    if (reason) {
      await trx('record_comments').insert({
        record_id: rec.id,
        author: actor.username,
        body: reason,
        visibility: 'public',
        created_at: now,
      });
    }
  });
}
