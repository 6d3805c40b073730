import type { Knex } from 'knex';
import { insertRows } from '../db/held-inserts.ts';
import { toJson } from '../db/json.ts';
import { execute, type Query, selectRows } from '../db/sql.ts';

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
export async function enqueueJob(trx: Knex, job: NewJob): Promise<void> {
  await insertRows(trx, 'jobs', [
    {
      type: job.type,
      status: 'pending',
      due_at: job.dueAt,
      payload: toJson(job.payload),
      instance_id: job.instanceId,
      token_id: job.tokenId,
      attempts: 0,
      max_attempts: job.maxAttempts ?? 5,
      created_at: Date.now(),
    },
  ]);
}

/**
 * Claims up to `limit` due jobs for `owner` with one conditional UPDATE: a row is taken only if
 * it is still pending and due (or running under an expired lock of a runtime that died) when the
 * UPDATE reaches it, so of several runtimes racing for a job exactly one gets it. The claim's
 * lock expiry doubles as its stamp: the rows carrying this owner and stamp are this claim's.
 */
export async function claimDueJobs(
  db: Knex,
  owner: string,
  limit: number,
  lockMs: number,
  now = Date.now(),
): Promise<JobRow[]> {
  // Two index range scans rather than one OR: under a backlog the OR made the database collect
  // and sort every due job on each claim. The limit is written into the text, not bound: SQLite
  // re-plans a statement whose LIMIT is a parameter on every run (connect.ts).
  const take = Math.trunc(limit);
  const due = await selectRows<{ id: number }>(
    db,
    `select \`id\` from \`jobs\` where \`status\` = 'pending' and \`due_at\` <= ? order by \`due_at\` limit ${take}`,
    [now],
  );
  const orphaned = await selectRows<{ id: number }>(
    db,
    `select \`id\` from \`jobs\` where \`status\` = 'running' and \`lock_expires_at\` < ? limit ${take}`,
    [now],
  );
  const ids = [...orphaned, ...due].slice(0, limit).map((r) => r.id);
  if (!ids.length) return [];
  const stamp = now + lockMs;
  const list = ids.map(() => '?').join(', ');
  // The rows are found by id alone. The conditions on status are a CASE (and the read-back names
  // no status) so that no plan can use the status index instead: SQLite, without statistics,
  // answered an OR of two status conditions by scanning every pending due job — under a backlog
  // of 15,000 each claim took 0.6 ms, and more the longer the backlog grew.
  const n = await execute(
    db,
    "update `jobs` set `status` = 'running', `lock_owner` = ?, `lock_expires_at` = ?, `attempts` = `attempts` + 1 " +
      `where \`id\` in (${list}) and case \`status\` when 'pending' then \`due_at\` <= ? ` +
      "when 'running' then `lock_expires_at` < ? else 0 end",
    [owner, stamp, ...ids, now, now],
  );
  if (!n) return [];
  return selectRows<JobRow>(
    db,
    `select * from \`jobs\` where \`id\` in (${list}) and \`lock_owner\` = ? and \`lock_expires_at\` = ? ` +
      'order by `due_at`',
    [...ids, owner, stamp],
  );
}

/** The statement that finishes a claimed job (see completeJob); it changes one row, or none if the claim was lost. */
export function completeJobQuery(job: JobRow, owner: string): Query {
  return {
    sql:
      "update `jobs` set `status` = 'done', `finished_at` = ?, `lock_owner` = null, `lock_expires_at` = null " +
      "where `id` = ? and `status` = 'running' and `lock_owner` = ? and `attempts` = ?",
    bindings: [Date.now(), job.id, owner, job.attempts],
    returns: 'changes',
  };
}

/** Finishes a claimed job inside the transaction that applied its effect; false if the claim was lost. */
export async function completeJob(trx: Knex, job: JobRow, owner: string): Promise<boolean> {
  const q = completeJobQuery(job, owner);
  return (await execute(trx, q.sql, q.bindings)) === 1;
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
