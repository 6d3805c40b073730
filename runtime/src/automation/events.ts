import type { Knex } from 'knex';
import { discardHeld, holdInserts } from '../db/held-inserts.ts';
import { isTransient } from '../db/retry.ts';
import { execute } from '../db/sql.ts';
import { enqueueJob } from '../engine/jobs.ts';
import type { Rec } from '../records/store.ts';
import { applySlaEvent, type RecordEvent } from '../sla/clocks.ts';
import { isListenedTo } from './published.ts';

/**
 * Events that rules react to. The place where a change happens calls `emitEvent` inside the
 * change's transaction; it writes one `event` job (when a published rule listens to its type), so
 * the event exists exactly when the change was committed. Rules are evaluated by the job runner after the commit, in their own
 * transaction (rules.ts).
 *
 * Causation: while a rule's actions run, `withCause` holds the chain of rules that led there.
 * Every event emitted meanwhile — by the rule's own actions or by the engine code they call
 * (a transition that creates a task) — carries that chain, its depth and the number of actions
 * already taken, which is what loop detection and the per-run action limit read.
 */

export const EVENT_JOB = 'event';

export type EventType =
  | 'record.created'
  | 'record.updated'
  | 'record.transitioned'
  | 'record.commented'
  | 'task.assigned'
  | 'approval.requested'
  | 'sla.warning'
  | 'sla.breached'
  | 'schedule.fired';

/**
 * Events the runtime reacts to itself, whatever rules are published: the task's people get an
 * in-app message (engine/notify.ts), sent by the event's job before the rules run. One job per
 * event carries both, so a new task costs the runner one job, not two.
 */
export const TASK_MESSAGE_EVENTS: ReadonlySet<EventType> = new Set<EventType>([
  'task.assigned',
  'approval.requested',
]);

export interface FieldChange {
  from: unknown;
  to: unknown;
}

export interface EventInput {
  type: EventType;
  recordId: number;
  /** Who made the change: a username, or `system:<what>` / `rule:<key>`. */
  actor: string;
  /** Field → { from, to } for updates and transitions. */
  changes?: Record<string, FieldChange>;
  /** The task of task.assigned / approval.requested / record.transitioned. */
  taskId?: number;
  /** Anything else the event knows (the action taken, the comment, the SLA metric…). */
  detail?: Record<string, unknown>;
}

export interface Cause {
  /** Keys of the rules whose actions led to this point, oldest first. */
  chain: string[];
  /** How many rule runs deep this is (0: a person's or the system's own change). */
  depth: number;
  /** Actions taken so far along the chain, for the per-run action limit. */
  actions: number;
}

/** What the caller may hand over besides the event: the record as the change left it, to spare a re-read. */
export type EventContext = Pick<RecordEvent, 'record' | 'created'>;

export interface EventPayload extends EventInput, Cause {
  at: number;
}

/**
 * The cause of a rule run's events, by the transaction handle its actions run on. Every event of
 * the run is emitted on that handle or on a transaction nested in it. (An AsyncLocalStorage
 * carried it before; on Node 20, once used, it installs promise hooks that cost every request of
 * the process ~15 % more CPU.)
 */
const causes = new WeakMap<object, Cause>();

/**
 * Runs `fn` in a savepoint of `trx`; every event emitted inside it carries `cause`. The savepoint
 * is a plain statement on the same handle rather than a knex nested transaction: building the
 * nested transaction's own knex instance cost more than the rule's actions. Nothing else runs on
 * the handle meanwhile (a transaction's work is sequential, and the SQLite group commit runs one
 * unit at a time), so marking the handle for the duration is exact. What the actions insert is
 * held (held-inserts.ts): a rule's history entries go in one statement, on MySQL in front of the
 * RELEASE; if the actions fail, it is dropped with the savepoint's rollback.
 */
export async function withCause<T>(trx: Knex, cause: Cause, fn: (sp: Knex) => Promise<T>): Promise<T> {
  const outer = causes.get(trx);
  // What was held before goes in ahead of the SAVEPOINT statement (held-inserts.ts), outside it.
  await execute(trx, 'SAVEPOINT rule_actions', []);
  causes.set(trx, cause);
  try {
    const value = await holdInserts(trx, () => fn(trx));
    await execute(trx, 'RELEASE SAVEPOINT rule_actions', []);
    return value;
  } catch (err) {
    discardHeld(trx);
    // A deadlock or a cluster conflict has already rolled the whole transaction back, savepoint and
    // all: it goes up as it is, for the transaction to be run again (db/retry.ts).
    if (isTransient(err)) throw err;
    await execute(trx, 'ROLLBACK TO SAVEPOINT rule_actions', []);
    await execute(trx, 'RELEASE SAVEPOINT rule_actions', []);
    throw err;
  } finally {
    if (outer) causes.set(trx, outer);
    else causes.delete(trx);
  }
}

function causeOf(trx: Knex): Cause | undefined {
  for (let t: unknown = trx; t; t = (t as { parentTransaction?: unknown }).parentTransaction) {
    const cause = causes.get(t as object);
    if (cause) return cause;
  }
  return undefined;
}

/** The one call sites use: writes the event in the caller's transaction. */
export async function emitEvent(trx: Knex, event: EventInput, known: EventContext = {}): Promise<void> {
  const cause = causeOf(trx);
  const payload: EventPayload = {
    ...event,
    at: Date.now(),
    chain: cause ? [...cause.chain] : [],
    depth: cause ? cause.depth + 1 : 0,
    actions: cause?.actions ?? 0,
  };
  // SLA clocks move in the transaction of the change itself, so their instants are exact.
  if (event.type.startsWith('record.'))
    await applySlaEvent(trx, { type: event.type, recordId: event.recordId, ...known }, payload.at);
  // Rules react to what happens while they are published: with none listening, and no message
  // of the runtime's own to send, there is no job.
  if (!TASK_MESSAGE_EVENTS.has(event.type) && !(await isListenedTo(trx, event.type))) return;
  await enqueueJob(trx, {
    type: EVENT_JOB,
    dueAt: payload.at,
    instanceId: null,
    tokenId: null,
    payload,
    maxAttempts: 3,
  });
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** What changed between two states of a record: form fields plus status, priority, assignee, group. */
export function recordChanges(before: Rec, after: Rec): Record<string, FieldChange> {
  const changes: Record<string, FieldChange> = {};
  for (const field of new Set([...Object.keys(before.data), ...Object.keys(after.data)]))
    if (!same(before.data[field], after.data[field]))
      changes[field] = { from: before.data[field] ?? null, to: after.data[field] ?? null };
  const std = [
    ['status', before.status, after.status],
    ['priority', before.priority, after.priority],
    ['assigneeId', before.assigneeId, after.assigneeId],
    ['groupId', before.groupId, after.groupId],
  ] as const;
  for (const [key, from, to] of std) if (!same(from, to) && !changes[key]) changes[key] = { from, to };
  return changes;
}
