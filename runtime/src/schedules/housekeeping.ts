import type { Knex } from 'knex';
import type { Actor, Services } from '../context.ts';
import { isUniqueViolation } from '../db/connect.ts';
import { loadGraph } from '../engine/graph.ts';
import { takeAction } from '../engine/tasks.ts';
import { engineHooks } from '../records/service.ts';
import { writeHistory } from '../records/store.ts';

/** Actions that confirm a resolution, in the order they are preferred. */
const CONFIRM_ACTIONS = ['confirm', 'close'];

export interface HousekeepingSettings {
  autoCloseDays: number;
  autoRateDays: number;
  autoRateStars: number;
}

/** Housekeeping acts as the system account with admin rights (it may act on any task). */
async function housekeeper(db: Knex): Promise<Actor> {
  const row = await db('users').where({ username: 'system' }).first('id');
  return {
    userId: row.id,
    username: 'system',
    displayName: 'Opsloom',
    roles: ['admin'],
    locale: 'zh-CN',
    via: 'token',
  };
}

/**
 * Closes records resolved more than `days` ago that still wait for the requester's
 * confirmation: the confirming action of their open task is taken for the requester, exactly
 * as if they had pressed it (guards and history included). Returns how many were closed.
 */
export async function autoCloseResolved(services: Services, days: number, now = Date.now()): Promise<number> {
  if (days <= 0) return 0;
  const { db } = services;
  const cutoff = now - days * 86_400_000;
  const candidates = await db('records as r')
    .join('tasks as t', 't.record_id', 'r.id')
    .join('process_instances as i', 'i.id', 't.instance_id')
    .where('r.resolved_at', '<', cutoff)
    .whereNull('r.closed_at')
    .where('t.status', 'open')
    .select('t.id as task', 't.node_id', 'i.process_key', 'i.process_version', 'r.id as record')
    .limit(500);
  const actor = await housekeeper(db);
  let closed = 0;
  for (const c of candidates) {
    const graph = await loadGraph(db, c.process_key, c.process_version);
    const keys = (graph.outgoing.get(c.node_id) ?? []).map((e) => e.action?.key);
    const action = CONFIRM_ACTIONS.find((k) => keys.includes(k));
    if (!action) continue;
    try {
      await takeAction(
        services,
        actor,
        Number(c.task),
        action,
        { comment: `auto: resolved more than ${days} days ago` },
        engineHooks,
      );
      closed++;
    } catch (err) {
      // A guard refused or someone acted first: the record stays for a person to look at.
      services.log.warn({ err, record: c.record }, 'auto-close skipped');
    }
  }
  if (closed) services.wake();
  return closed;
}

/**
 * Rates, on the requester's behalf, records resolved more than `days` ago that were never
 * rated. Such ratings are marked `auto` so reports can tell them apart.
 */
export async function autoRate(
  services: Services,
  days: number,
  stars: number,
  now = Date.now(),
): Promise<number> {
  if (days <= 0) return 0;
  const { db } = services;
  const cutoff = now - days * 86_400_000;
  const unrated = await db('records as r')
    .leftJoin('record_ratings as g', 'g.record_id', 'r.id')
    .where('r.resolved_at', '<', cutoff)
    .whereNull('g.record_id')
    .select('r.id', 'r.requester_id')
    .limit(1000);
  let rated = 0;
  for (const r of unrated) {
    const inserted = await db
      .transaction(async (trx) => {
        await trx('record_ratings').insert({
          record_id: r.id,
          user_id: r.requester_id,
          attitude: stars,
          speed: stars,
          quality: stars,
          comment: null,
          created_at: now,
          auto: true,
        });
        await writeHistory(trx, r.id, 'system', [
          { kind: 'rating', detail: { attitude: stars, speed: stars, quality: stars, auto: true } },
        ]);
        return true;
      })
      // The requester rated in the meantime: theirs stands.
      .catch((err) => {
        if (isUniqueViolation(err)) return false;
        throw err;
      });
    if (inserted) rated++;
  }
  return rated;
}
