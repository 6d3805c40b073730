import type { Knex } from 'knex';
import { toJson } from '../db/json.ts';

export interface NewJob {
  type: 'timer' | 'http' | 'notify' | string;
  dueAt: number;
  instanceId: number | null;
  tokenId: number | null;
  payload: unknown;
  maxAttempts?: number;
}

export interface JobRow {
  id: number;
  type: string;
  status: string;
  due_at: number;
  payload: string;
  instance_id: number | null;
  token_id: number | null;
  lock_owner: string | null;
  lock_expires_at: number | null;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
}

/** Jobs are written in the transaction that creates the wait, so they exist exactly when it does. */
export async function enqueueJob(trx: Knex, job: NewJob): Promise<number> {
  const [id] = await trx('jobs').insert({
    type: job.type,
    status: 'pending',
    due_at: job.dueAt,
    payload: toJson(job.payload),
    instance_id: job.instanceId,
    token_id: job.tokenId,
    attempts: 0,
    max_attempts: job.maxAttempts ?? 5,
    created_at: Date.now(),
  });
  return Number(id);
}

/**
 * Claims up to `limit` due jobs for `owner`. Each claim is a conditional UPDATE on the job's
 * status (or on an expired lock of a runtime that died), so of several runtimes racing for a
 * job exactly one gets it.
 */
export async function claimDueJobs(
  db: Knex,
  owner: string,
  limit: number,
  lockMs: number,
  now = Date.now(),
): Promise<JobRow[]> {
  const candidates = await db('jobs')
    .where((q) =>
      q
        .where((p) => p.where('status', 'pending').andWhere('due_at', '<=', now))
        .orWhere((p) => p.where('status', 'running').andWhere('lock_expires_at', '<', now)),
    )
    .orderBy('due_at')
    .limit(limit)
    .select('id', 'status', 'lock_owner', 'attempts');
  const claimed: JobRow[] = [];
  for (const c of candidates) {
    const n = await db('jobs')
      .where({ id: c.id, status: c.status, attempts: c.attempts })
      .andWhere((q) =>
        c.lock_owner === null ? q.whereNull('lock_owner') : q.where('lock_owner', c.lock_owner),
      )
      .update({
        status: 'running',
        lock_owner: owner,
        lock_expires_at: now + lockMs,
        attempts: c.attempts + 1,
      });
    if (n === 1) claimed.push((await db('jobs').where({ id: c.id }).first()) as JobRow);
  }
  return claimed;
}

/** Finishes a claimed job inside the transaction that applied its effect; false if the claim was lost. */
export async function completeJob(trx: Knex, job: JobRow, owner: string): Promise<boolean> {
  const n = await trx('jobs')
    .where({ id: job.id, status: 'running', lock_owner: owner, attempts: job.attempts })
    .update({ status: 'done', finished_at: Date.now(), lock_owner: null, lock_expires_at: null });
  return n === 1;
}

/** Gives a failed job back for a retry with exponential backoff, or dead-letters it after its last attempt. */
export async function failJob(
  db: Knex,
  job: JobRow,
  owner: string,
  error: string,
  baseMs = 1000,
): Promise<'retry' | 'dead'> {
  const dead = job.attempts >= job.max_attempts;
  const backoff = Math.min(2 ** (job.attempts - 1) * baseMs, 10 * 60_000);
  await db('jobs')
    .where({ id: job.id, status: 'running', lock_owner: owner })
    .update({
      status: dead ? 'dead' : 'pending',
      due_at: dead ? job.due_at : Date.now() + backoff,
      last_error: error.slice(0, 4000),
      lock_owner: null,
      lock_expires_at: null,
      finished_at: dead ? Date.now() : null,
    });
  return dead ? 'dead' : 'retry';
}

/**
 * Gives a dead job a fresh set of attempts, due now (an admin fixed the peer it could not reach).
 * Returns false when the job is not dead — it is pending, running or done.
 */
export async function reviveDeadJob(db: Knex, id: number): Promise<boolean> {
  const n = await db('jobs')
    .where({ id, status: 'dead' })
    .update({ status: 'pending', attempts: 0, due_at: Date.now(), finished_at: null, last_error: null });
  return n === 1;
}
