import type { Knex } from 'knex';
import type { Services } from '../context.ts';
import { reserveIds } from '../db/ids.ts';
import { insertMany } from '../db/sql.ts';
import { Random } from './random.ts';
import { type Followup, type IdSource, loadWorld, type RecState, Replay, type World } from './replay.ts';

/**
 * A replay bound to a database: the ids it hands out (reserved there), the queue that runs every
 * step and every follow-up (checker passes, rule runs, due jobs) in time order, and the bulk
 * writer of its rows. The demo history (history.ts) drives one with its stories; tests drive one
 * step by step beside the real engine; a benchmark may load a million records through one.
 */

// ------------------------------------------------------------------------------------------ ids

const TABLES = ['records', 'process_instances', 'process_tokens', 'tasks', 'record_comments'] as const;
type IdTable = (typeof TABLES)[number];

/** Ids as reserveIds hands them out; refilled between steps, a block at a time on MySQL. */
class Ids implements IdSource {
  private pools = new Map<IdTable, { next: number; end: number }>();

  constructor(
    private readonly db: Knex,
    private readonly mysql: boolean,
  ) {}

  async ensure(margin = 400, chunk = 5000): Promise<void> {
    for (const table of TABLES) {
      const pool = this.pools.get(table);
      if (pool && pool.end - pool.next >= margin) continue;
      if (pool && !this.mysql) continue; // SQLite: counted on from the first reservation
      if (this.mysql && table !== 'record_comments') {
        const first = await reserveIds(this.db, table, chunk);
        this.pools.set(table, { next: first, end: first + chunk });
      } else if (!pool) {
        // SQLite: the next id of the table as its AUTOINCREMENT sequence knows it; record_comments
        // (not one of the tables ids are preassigned for) after its largest id, on both.
        const first = await this.db.transaction((trx) => reserveIds(trx, table, 1));
        this.pools.set(table, { next: first, end: Number.MAX_SAFE_INTEGER });
      }
    }
  }

  take(table: IdTable): number {
    const pool = this.pools.get(table);
    if (!pool || pool.next >= pool.end) throw new Error(`no ${table} id reserved`);
    return pool.next++;
  }
}

// ------------------------------------------------------------------------------------ the queue

interface Entry {
  at: number;
  seq: number;
  run: () => Promise<void> | void;
}

/** A binary min-heap by instant, then insertion order: every run is in time order, ties as queued. */
class Queue {
  private items: Entry[] = [];
  private seq = 0;

  push(at: number, run: Entry['run']): void {
    const item = { at, seq: this.seq++, run };
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }

  pop(): Entry | undefined {
    const a = this.items;
    if (!a.length) return undefined;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l]!, a[m]!)) m = l;
        if (r < a.length && this.less(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }

  peek(): Entry | undefined {
    return this.items[0];
  }

  private less(x: Entry, y: Entry): boolean {
    return x.at < y.at || (x.at === y.at && x.seq < y.seq);
  }
}

// ---------------------------------------------------------------------------------------- write

type Row = Record<string, unknown>;

/** The rows of these records, table by table, as the runtime would have written them. */
function rowsOf(recs: RecState[]): Map<string, Row[]> {
  const t = new Map<string, Row[]>(
    [
      'records',
      'record_values',
      'process_instances',
      'process_tokens',
      'tasks',
      'task_approvers',
      'sla_clocks',
      'record_comments',
      'record_links',
      'record_ratings',
      'callback_receipts',
      'jobs',
      'record_history',
    ].map((name) => [name, []]),
  );
  const add = (name: string, row: Row) => t.get(name)!.push(row);
  const history: RecState['history'] = [];
  for (const r of recs) {
    add('records', {
      id: r.id,
      type: r.type,
      form_version: r.formVersion,
      number: r.number,
      title: r.title,
      description: r.description,
      status: r.status,
      priority: r.priority,
      requester_id: r.requesterId,
      assignee_id: r.assigneeId,
      group_id: r.groupId,
      data: JSON.stringify(r.data),
      version: r.version,
      created_at: r.createdAt,
      updated_at: r.updatedAt,
      resolved_at: r.resolvedAt,
      closed_at: r.closedAt,
      catalog_item: r.catalogItem,
    });
    // record_values: the form's indexed fields (records/store.ts indexRows), from the final data.
    for (const field of r.form.def.indexed ?? []) {
      const v = r.data[field];
      if (v === undefined || v === null) continue;
      add('record_values', {
        record_id: r.id,
        type: r.type,
        field,
        str_value: typeof v === 'number' ? null : String(v).slice(0, 191),
        num_value: typeof v === 'number' ? v : null,
        created_at: r.createdAt,
      });
    }
    for (const i of r.instances) {
      add('process_instances', { ...i.row });
      for (const tok of i.tokens) add('process_tokens', { ...tok });
    }
    for (const task of r.tasks) {
      add('tasks', { ...task.row });
      for (const a of task.approvers) add('task_approvers', { ...a });
    }
    for (const c of r.clocks) {
      const { id: _id, ...clock } = c;
      add('sla_clocks', clock);
    }
    for (const c of r.comments) add('record_comments', { ...c });
    for (const l of r.links) add('record_links', { ...l });
    if (r.rating) add('record_ratings', { ...r.rating });
    for (const x of r.receipts) add('callback_receipts', { ...x });
    for (const j of r.jobs) add('jobs', { ...j });
    history.push(...r.history);
  }
  // History in the order it happened across records, as the runtime appends it.
  history.sort((a, b) => a.seq - b.seq);
  for (const { seq: _seq, ...h } of history) add('record_history', h);
  return t;
}

async function writeBatch(
  db: Knex,
  recs: RecState[],
  replay: Replay,
  counts: Record<string, number>,
): Promise<void> {
  const tables = rowsOf(recs);
  const runs = replay.scheduleRuns.splice(0);
  const sequences = replay.sequences();
  await db.transaction(async (trx) => {
    for (const [table, rows] of tables) {
      if (rows.length) await insertMany(trx, table, rows);
      counts[table] = (counts[table] ?? 0) + rows.length;
    }
    if (runs.length) {
      await insertMany(trx, 'schedule_runs', runs as unknown as Row[]);
      counts.schedule_runs = (counts.schedule_runs ?? 0) + runs.length;
    }
    for (const [type, next] of sequences) {
      const n = await trx('record_sequences').where({ type }).update({ next_value: next });
      if (!n) await trx('record_sequences').insert({ type, next_value: next });
    }
  });
}

// ----------------------------------------------------------------------------------- the session

export interface SessionOptions {
  /** Run the SLA checker's passes as their thresholds fall due (off: the caller runs `check`). */
  autoCheck?: boolean;
  seed?: number;
}

export class ReplaySession {
  readonly queue = new Queue();
  /** Rows written so far, by table. */
  readonly counts: Record<string, number> = {};
  /** Time spent writing (ms). */
  writeMs = 0;
  private readonly loopRnd: Random;

  private constructor(
    readonly db: Knex,
    readonly world: World,
    readonly replay: Replay,
    private readonly ids: Ids,
    private readonly opts: SessionOptions,
  ) {
    this.loopRnd = new Random((opts.seed ?? 1) ^ 0x5eed);
  }

  /** A replay of the database's current definitions, people and sequences. */
  static async open(services: Services, opts: SessionOptions = {}): Promise<ReplaySession> {
    const { db, config } = services;
    const world = await loadWorld(db, { vars: config.vars, ruleMaxDepth: config.ruleMaxDepth });
    // Ids are reserved at the first step, not now: whatever is written before it keeps its own.
    const ids = new Ids(db, world.mysql);
    const sequences = new Map<string, number>();
    for (const s of await db('record_sequences').select('type', 'next_value'))
      sequences.set(s.type, Number(s.next_value));
    return new ReplaySession(db, world, new Replay(world, ids, sequences), ids, { autoCheck: true, ...opts });
  }

  /** Queues `run` at `at`. */
  push(at: number, run: Entry['run']): void {
    this.queue.push(at, run);
  }

  /** Runs everything queued up to `until`, in time order, with what each step leads to. */
  async runUntil(until: number): Promise<void> {
    for (let entry = this.queue.peek(); entry && entry.at <= until; entry = this.queue.peek()) {
      this.queue.pop();
      await this.ids.ensure();
      await entry.run();
      this.afterStep(entry.at);
    }
  }

  /** What a step done outside the queue leads to (a test's direct call), queued. */
  afterStep(at: number): void {
    for (const f of this.replay.drain()) this.follow(f);
    if (this.opts.autoCheck)
      for (const rec of this.replay.takeTouched()) if (!rec.flushed) this.scheduleCheck(rec, at);
  }

  /** Runs `fn` at `at` (ids reserved first), then queues what it leads to. */
  async step<T>(at: number, fn: () => T | Promise<T>): Promise<T> {
    await this.ids.ensure();
    const out = await fn();
    this.afterStep(at);
    return out;
  }

  private scheduleCheck(rec: RecState, at: number): void {
    const replay = this.replay;
    const due = replay.nextCheckOf(rec);
    if (due === null) {
      rec.checkAt = null;
      return;
    }
    if (rec.checkAt !== null && rec.checkAt >= at && rec.checkAt <= Math.max(due, at) + 1000) return;
    const pass = replay.passAfter(due, at);
    rec.checkAt = pass;
    this.queue.push(pass, () => {
      if (rec.flushed || rec.checkAt !== pass) return;
      rec.checkAt = null;
      replay.check(pass, rec);
    });
  }

  private follow(f: Followup): void {
    const replay = this.replay;
    switch (f.kind) {
      case 'rules':
        this.queue.push(f.at, () => {
          if (!f.rec.flushed) replay.runRules(f.at, f.rec, f.event);
        });
        return;
      case 'timer': {
        // The job runner looks for due jobs every second.
        const at = f.at + 200 + this.loopRnd.int(0, 800);
        this.queue.push(at, () => {
          if (!f.rec.flushed && f.rec.jobs.includes(f.job)) replay.timer(at, f.rec, f.job);
        });
        return;
      }
      case 'http': {
        // A call to CI/CD answered within seconds.
        const at = f.at + 1500 + this.loopRnd.int(0, 2500);
        this.queue.push(at, async () => {
          if (!f.rec.flushed && f.rec.jobs.includes(f.job))
            await replay.http(at, f.rec, f.job, f.nodeId, f.item);
        });
        return;
      }
      case 'check':
        if (this.opts.autoCheck) this.scheduleCheck(f.rec, f.at);
    }
  }

  /** Takes records out of the replay: nothing may change them any more; `write` them later. */
  retire(recs: RecState[]): void {
    for (const r of recs) {
      r.flushed = true;
      this.replay.records.delete(r.id);
      this.replay.byNumber.delete(r.number);
    }
  }

  /** Writes records (by default every one still held) with the schedule runs and sequences so far. */
  async write(recs: RecState[] = [...this.replay.records.values()]): Promise<void> {
    const started = performance.now();
    this.retire(recs);
    await writeBatch(this.db, recs, this.replay, this.counts);
    this.writeMs += performance.now() - started;
  }
}
