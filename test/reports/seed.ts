import type { Knex } from 'knex';

/**
 * Rows written straight into the tables the report datasets read, with known instants, so the
 * expected figures can be worked out by hand. Records get the current form version of their
 * type and a number of their own; people and groups are named by username / key.
 */

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** An instant written as local wall time with its offset, e.g. at('2026-11-02T10:00+08:00'). */
export const at = (iso: string) => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad instant ${iso}`);
  return ms;
};

export interface RecordSeed {
  type?: string;
  title?: string;
  status: string;
  priority?: string | null;
  group?: string | null;
  assignee?: string | null;
  requester: string;
  catalogItem?: string | null;
  createdAt: number;
  resolvedAt?: number | null;
  closedAt?: number | null;
  /** Indexed form fields (record_values) and data. */
  values?: Record<string, string | number>;
  /** The status its `created` history entry names (default: `status`). */
  initialStatus?: string;
  /** More of the record's data, not indexed (a table field such as a release's `apps`). */
  data?: Record<string, unknown>;
}

export interface TaskSeed {
  record: number;
  node: string;
  status: 'open' | 'completed' | 'cancelled';
  group?: string | null;
  assignee?: string | null;
  createdAt: number;
  completedAt?: number | null;
  dueAt?: number | null;
  outcome?: string | null;
  /** The process of the record's instance (default incident-flow), set by its first task. */
  process?: string;
}

export interface ClockSeed {
  record: number;
  sla?: string;
  metric: string;
  cycle?: number;
  goal: string;
  calendar?: string;
  targetMs: number;
  state: 'running' | 'paused' | 'stopped';
  startedAt: number;
  stoppedAt?: number | null;
  elapsedMs: number;
  breached?: boolean;
  met?: boolean | null;
}

export class Seeder {
  private seq = 0;
  private readonly ids = new Map<string, number>();
  private readonly formVersions = new Map<string, number>();

  constructor(
    readonly db: Knex,
    private readonly prefix = 'RPT',
  ) {}

  private async idOf(table: 'users' | 'groups', name: string | null | undefined): Promise<number | null> {
    if (name === null || name === undefined) return null;
    const key = `${table}:${name}`;
    if (!this.ids.has(key)) {
      const row = await this.db(table)
        .where(table === 'users' ? 'username' : 'key', name)
        .first('id');
      if (!row) throw new Error(`no ${table} ${name}`);
      this.ids.set(key, Number(row.id));
    }
    return this.ids.get(key)!;
  }

  private async formVersion(type: string): Promise<number> {
    if (!this.formVersions.has(type)) {
      const row = await this.db('definitions').where({ kind: 'form', key: type }).first('latest_version');
      this.formVersions.set(type, row ? Number(row.latest_version) : 1);
    }
    return this.formVersions.get(type)!;
  }

  async record(r: RecordSeed): Promise<number> {
    const type = r.type ?? 'incident';
    this.seq++;
    const number = `${this.prefix}-${String(this.seq).padStart(6, '0')}`;
    const data = { title: r.title ?? number, ...(r.values ?? {}), ...(r.data ?? {}) };
    const [id] = await this.db('records').insert({
      type,
      form_version: await this.formVersion(type),
      number,
      title: r.title ?? number,
      description: null,
      status: r.status,
      priority: r.priority ?? null,
      requester_id: await this.idOf('users', r.requester),
      assignee_id: await this.idOf('users', r.assignee),
      group_id: await this.idOf('groups', r.group),
      catalog_item: r.catalogItem ?? null,
      data: JSON.stringify(data),
      version: 1,
      created_at: r.createdAt,
      updated_at: r.resolvedAt ?? r.createdAt,
      resolved_at: r.resolvedAt ?? null,
      closed_at: r.closedAt ?? null,
    });
    const recordId = Number(id);
    for (const [field, value] of Object.entries(r.values ?? {}))
      await this.db('record_values').insert({
        record_id: recordId,
        type,
        field,
        str_value: typeof value === 'string' ? value : null,
        num_value: typeof value === 'number' ? value : null,
        created_at: r.createdAt,
      });
    await this.history(recordId, r.createdAt, 'created', null, {
      number,
      status: r.initialStatus ?? r.status,
    });
    return recordId;
  }

  async history(
    record: number,
    when: number,
    kind: string,
    field: string | null,
    to: unknown,
    from?: unknown,
  ) {
    await this.db('record_history').insert({
      record_id: record,
      at: when,
      actor: 'seed',
      kind,
      field,
      from_value: from === undefined ? null : JSON.stringify(from),
      to_value: to === undefined ? null : JSON.stringify(to),
      detail: null,
    });
  }

  /** A status change in the record's history. */
  async transition(record: number, when: number, from: string, to: string) {
    await this.history(record, when, 'field', 'status', to, from);
  }

  /** A change of the record's group or assignee (history keeps their ids), `null` for none. */
  async reassign(
    record: number,
    when: number,
    field: 'group' | 'assignee',
    from: string | null,
    to: string | null,
  ) {
    const table = field === 'group' ? 'groups' : 'users';
    await this.history(
      record,
      when,
      'field',
      field,
      await this.idOf(table, to),
      await this.idOf(table, from),
    );
  }

  async task(t: TaskSeed): Promise<number> {
    const instance = await this.instanceOf(t.record, t.process);
    const [id] = await this.db('tasks').insert({
      instance_id: instance,
      token_id: 0,
      record_id: t.record,
      node_id: t.node,
      status: t.status,
      assignee_id: await this.idOf('users', t.assignee),
      group_id: await this.idOf('groups', t.group),
      role: null,
      approval_mode: null,
      due_at: t.dueAt ?? null,
      version: 1,
      created_at: t.createdAt,
      completed_at: t.completedAt ?? null,
      completed_by: t.completedAt ? 'seed' : null,
      outcome: t.outcome ?? null,
    });
    return Number(id);
  }

  private async instanceOf(record: number, process = 'incident-flow'): Promise<number> {
    const row = await this.db('process_instances').where({ record_id: record }).first('id');
    if (row) return Number(row.id);
    const [id] = await this.db('process_instances').insert({
      record_id: record,
      process_key: process,
      process_version: 1,
      status: 'running',
      parent_token_id: null,
      secret: 'seed',
      started_at: 0,
      ended_at: null,
    });
    return Number(id);
  }

  async approver(task: number, user: string, decision: string | null, decidedAt: number | null, seq = 0) {
    await this.db('task_approvers').insert({
      task_id: task,
      user_id: await this.idOf('users', user),
      seq,
      decision,
      decided_at: decidedAt,
      added_by: null,
    });
  }

  async clock(c: ClockSeed) {
    await this.db('sla_clocks').insert({
      record_id: c.record,
      task_id: null,
      sla_key: c.sla ?? 'incident-sla',
      sla_version: 1,
      metric: c.metric,
      cycle: c.cycle ?? 1,
      goal: c.goal,
      calendar_key: c.calendar ?? 'cal-5x8',
      calendar_version: 1,
      target_ms: c.targetMs,
      state: c.state,
      started_at: c.startedAt,
      segment_started_at: c.state === 'running' ? c.startedAt : null,
      elapsed_ms: c.elapsedMs,
      due_at: null,
      next_check_at: null,
      warned: '[]',
      breached: c.breached ? 1 : 0,
      breached_at: c.breached ? c.startedAt + c.targetMs : null,
      stopped_at: c.stoppedAt ?? null,
      met: c.met === undefined || c.met === null ? null : c.met ? 1 : 0,
      version: 1,
    });
  }

  async rating(record: number, by: string, stars: [number, number, number], when: number) {
    await this.db('record_ratings').insert({
      record_id: record,
      user_id: await this.idOf('users', by),
      attitude: stars[0],
      speed: stars[1],
      quality: stars[2],
      comment: null,
      created_at: when,
    });
  }
}
