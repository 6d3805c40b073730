import { randomBytes } from 'node:crypto';
import {
  type Action,
  ANY_FORM,
  type Assignee,
  compileExpression,
  ExpressionError,
  endOutcome,
  evaluateCondition,
  type ProcessEdge,
  type ProcessNode,
  type RuleDefinition,
  renderTemplate,
  type ServiceAction,
  type SlaDefinition,
  type SlaTrigger,
} from '@opsloom/spec';
import type { TSchema } from '@sinclair/typebox';
import type { Knex } from 'knex';
import { requestThroughItem } from '../catalog/items.ts';
import type { Role } from '../context.ts';
import { dialectOf } from '../db/connect.ts';
import { fromJson, toBool, toJson } from '../db/json.ts';
import { currentBodies, currentOfKind, latestPublished } from '../definitions/current.ts';
import { durationMs } from '../engine/duration.ts';
import { stepAccess } from '../engine/field-access.ts';
import { compileGraph, type Graph } from '../engine/graph.ts';
import { compileSchema, type FieldProblem } from '../http/validate.ts';
import {
  checkRecordData,
  derivePriority,
  type LoadedForm,
  loadForm,
  requiredAtStatus,
} from '../records/forms.ts';
import type { Data, Rec, RecordPatch } from '../records/store.ts';
import { HOUSEKEEPING } from '../schedules/scheduler.ts';
import { type ClockRow, nextCheck, thresholds } from '../sla/clocks.ts';
import { calendarAt, WALL_CLOCK } from '../sla/definitions.ts';
import { OLA_PREFIX } from '../sla/ola.ts';
import { addBusinessMs, type BusinessCalendar, businessMsBetween } from '../time/index.ts';

/**
 * The process engine replayed in memory, for loading history.
 *
 * A ticket of the demo's ninety days must look as if the runtime had handled it: its record,
 * process instance, tokens, tasks, approvers, history, SLA and OLA clocks, comments, links and
 * rating exactly as the engine writes them (engine/engine.ts, engine/tasks.ts, engine/callbacks.ts,
 * engine/runner.ts, sla/clocks.ts, sla/checker.ts, automation/actions.ts, schedules/housekeeping.ts).
 * Running the engine itself at past instants would cost a transaction per step — minutes for a
 * few thousand tickets, days for a million — so this module does what those functions do, step
 * for step and in the same order, against rows held in memory, and `history.ts` writes the rows
 * in bulk. Everything that is data comes from the installed definitions (nodes, statuses,
 * assignees, edges' `set`, guards, SLA triggers and goals, calendars); the business-time math is
 * the runtime's own (time/), and so are form validation, step access, derived priority and
 * catalog defaults, so a step the real engine would refuse is refused here too.
 *
 * What is left out, deliberately: the notification bookkeeping (in-app messages, delivery and
 * event jobs, `notification` history entries, and the runs of rules whose only actions notify):
 * ninety days of "sent" messages that never went anywhere would fill inboxes and the outbox with
 * fiction. Rules that change records (the incident's customer-replied rule) do run. Jobs that
 * were done are not kept either; a job still pending at the end (a change's window timer) is.
 * On MySQL the instance lock counter (`lock_seq`) is counted as the engine bumps it.
 *
 * Every mutation takes an explicit instant `at`; the caller (history.ts) runs everything in time
 * order across all tickets, which round-robin assignment and record numbers depend on.
 */

type Json = Record<string, unknown>;

export interface Person {
  userId: number;
  username: string;
  displayName: string;
  roles: Role[];
  locale: 'zh-CN' | 'en';
  active: boolean;
}

export interface HistoryRow {
  record_id: number;
  at: number;
  actor: string;
  kind: string;
  field: string | null;
  from_value: string | null;
  to_value: string | null;
  detail: string | null;
  /** Global write order (not a column): rows of several records are written in it. */
  seq: number;
}

export interface InstanceRow {
  id: number;
  record_id: number;
  process_key: string;
  process_version: number;
  status: string;
  parent_token_id: number | null;
  secret: string;
  started_at: number;
  ended_at: number | null;
  lock_seq: number;
}

export interface TokenRow {
  id: number;
  instance_id: number;
  node_id: string;
  status: string;
  item: string | null;
  fork: string | null;
  created_at: number;
}

export interface TaskRow {
  id: number;
  instance_id: number;
  token_id: number;
  record_id: number;
  node_id: string;
  status: string;
  assignee_id: number | null;
  group_id: number | null;
  role: string | null;
  approval_mode: string | null;
  due_at: number | null;
  version: number;
  created_at: number;
  completed_at: number | null;
  completed_by: string | null;
  outcome: string | null;
}

export interface ApproverRow {
  task_id: number;
  user_id: number;
  seq: number;
  decision: string | null;
  decided_at: number | null;
  added_by: string | null;
}

export type Clock = Omit<ClockRow, 'id'> & { id: number };

export interface CommentRow {
  id: number;
  record_id: number;
  author: string;
  body: string;
  visibility: string;
  created_at: number;
}

export interface LinkRow {
  from_id: number;
  to_id: number | null;
  to_ci: string | null;
  relation: string;
  created_by: string;
  created_at: number;
}

export interface RatingRow {
  record_id: number;
  user_id: number;
  attitude: number;
  speed: number;
  quality: number;
  comment: string | null;
  created_at: number;
  auto: boolean;
}

export interface ReceiptRow {
  instance_id: number;
  receipt: string;
  received_at: number;
  response: string | null;
}

export interface JobRow {
  type: string;
  status: string;
  due_at: number;
  payload: string;
  instance_id: number | null;
  token_id: number | null;
  attempts: number;
  max_attempts: number;
  created_at: number;
}

export interface ScheduleRunRow {
  key: string;
  scheduled_for: number;
  started_at: number;
  status: string;
  reason: string;
  detail: string | null;
}

export interface Instance {
  row: InstanceRow;
  graph: Graph;
  tokens: TokenRow[];
}

export interface Task {
  row: TaskRow;
  approvers: ApproverRow[];
  instance: Instance;
}

/** A record as the replay holds it: the engine's `Rec`, plus every row that belongs to it. */
export interface RecState extends Rec {
  form: LoadedForm;
  history: HistoryRow[];
  comments: CommentRow[];
  links: LinkRow[];
  rating: RatingRow | null;
  instances: Instance[];
  tasks: Task[];
  clocks: Clock[];
  receipts: ReceiptRow[];
  jobs: JobRow[];
  /** When the next SLA checker pass that has something to do for it runs (null: none due). */
  checkAt: number | null;
  /** Its story has no further steps (history.ts may write it out once nothing else can change it). */
  storyDone: boolean;
  /** Written out: nothing may change it any more. */
  flushed: boolean;
}

/** Something the caller must do later: a checker pass, a rule run, a due job. */
export type Followup =
  | { kind: 'check'; at: number; rec: RecState }
  | { kind: 'rules'; at: number; rec: RecState; event: EventPayload }
  | { kind: 'timer'; at: number; rec: RecState; job: JobRow }
  | { kind: 'http'; at: number; rec: RecState; job: JobRow; token: TokenRow; nodeId: string; item: unknown };

export interface EventPayload {
  type: string;
  recordId: number;
  actor: string;
  at: number;
  taskId?: number;
  changes?: Record<string, { from: unknown; to: unknown }>;
  detail?: Json;
  chain: string[];
  depth: number;
}

/** Everything the replay reads once from the database before it starts. */
export interface World {
  db: Knex;
  mysql: boolean;
  people: Map<number, Person>;
  byName: Map<string, Person>;
  groups: Map<number, string>;
  groupIds: Map<string, number>;
  /** Active members of each group, by id (approvals and rotations go in this order). */
  members: Map<number, number[]>;
  forms: Map<string, LoadedForm>;
  graphs: Map<string, Graph>;
  slas: { def: SlaDefinition; version: number }[];
  calendarVersions: Map<string, number>;
  calendars: Map<string, BusinessCalendar>;
  rules: { key: string; version: number; def: RuleDefinition }[];
  /** Tasks already in the database, as round-robin sees them: group, assignee, latest creation. */
  assigned: { groupId: number; assigneeId: number; at: number }[];
  vars: Record<string, string>;
  ruleMaxDepth: number;
}

/** Reads what the replay needs: people, groups, current forms, processes, SLAs, calendars, rules. */
export async function loadWorld(
  db: Knex,
  config: { vars: Record<string, string>; ruleMaxDepth: number },
): Promise<World> {
  const people = new Map<number, Person>();
  const byName = new Map<string, Person>();
  for (const u of await db('users').select('id', 'username', 'display_name', 'roles', 'locale', 'active')) {
    const p: Person = {
      userId: Number(u.id),
      username: u.username,
      displayName: u.display_name,
      roles: fromJson<Role[]>(u.roles) ?? [],
      locale: u.locale === 'en' ? 'en' : 'zh-CN',
      active: toBool(u.active),
    };
    people.set(p.userId, p);
    byName.set(p.username, p);
  }
  const groups = new Map<number, string>();
  const groupIds = new Map<string, number>();
  for (const g of await db('groups').select('id', 'key')) {
    groups.set(Number(g.id), g.key);
    groupIds.set(g.key, Number(g.id));
  }
  const members = new Map<number, number[]>();
  for (const m of await db('group_members').select('group_id', 'user_id')) {
    if (!people.get(Number(m.user_id))?.active) continue;
    const list = members.get(Number(m.group_id)) ?? [];
    list.push(Number(m.user_id));
    members.set(Number(m.group_id), list);
  }
  for (const list of members.values()) list.sort((a, b) => a - b);
  const forms = new Map<string, LoadedForm>();
  for (const f of await currentOfKind(db, 'form')) forms.set(f.key, await loadForm(db, f.key, f.version));
  const graphs = new Map<string, Graph>();
  for (const p of await currentBodies<Graph['def']>(db, 'process'))
    graphs.set(p.key, compileGraph(p.def, p.version));
  const slas = (await currentBodies<SlaDefinition>(db, 'sla')).map((s) => ({
    def: s.def,
    version: s.version,
  }));
  const calendarVersions = new Map<string, number>();
  const calendars = new Map<string, BusinessCalendar>();
  const calendarKeys = new Set<string>();
  for (const { def } of slas) {
    calendarKeys.add(def.calendar);
    for (const g of def.goals) if (g.calendar) calendarKeys.add(g.calendar);
  }
  for (const c of await currentOfKind(db, 'calendar')) calendarKeys.add(c.key);
  for (const key of calendarKeys) {
    const v = await latestPublished(db, 'calendar', key);
    if (v === null) continue;
    calendarVersions.set(key, v);
    calendars.set(`${key}@${v}`, await calendarAt(db, key, v));
  }
  calendars.set(`${WALL_CLOCK}@0`, await calendarAt(db, WALL_CLOCK, 0));
  const rules = await currentBodies<RuleDefinition>(db, 'rule');
  const assigned = (
    (await db('tasks')
      .whereNotNull('group_id')
      .whereNotNull('assignee_id')
      .select('group_id', 'assignee_id')
      .max({ at: 'created_at' })
      .groupBy('group_id', 'assignee_id')) as { group_id: number; assignee_id: number; at: number }[]
  ).map((r) => ({ groupId: Number(r.group_id), assigneeId: Number(r.assignee_id), at: Number(r.at) }));
  return {
    db,
    mysql: dialectOf(db) === 'mysql',
    people,
    byName,
    groups,
    groupIds,
    members,
    forms,
    graphs,
    slas,
    calendarVersions,
    calendars,
    rules,
    assigned,
    vars: config.vars,
    ruleMaxDepth: config.ruleMaxDepth,
  };
}

/** Ids for the rows whose ids others refer to, handed out in creation order (see history.ts). */
export interface IdSource {
  take(table: 'records' | 'process_instances' | 'process_tokens' | 'tasks' | 'record_comments'): number;
}

/** A step the real runtime would refuse: the story asked for something its definitions do not allow. */
export class ReplayError extends Error {}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

const MAX_STEPS = 500;

interface Run {
  actor: string;
  inst: Instance;
  rec: RecState;
  steps: number;
  at: number;
  /** The rules whose actions led here (loop detection), as automation/events.ts carries them. */
  chain: string[];
  depth: number;
}

type UserTask = Extract<ProcessNode, { type: 'userTask' }>;

interface Scope {
  input?: unknown;
  item?: unknown;
  result?: unknown;
}

/** Who a system actor's linked records are requested by: the built-in account. */
const SYSTEM_USER = 'system';

export class Replay {
  /** Every record replayed so far that is not written out yet. */
  readonly records = new Map<number, RecState>();
  readonly byNumber = new Map<string, RecState>();
  readonly scheduleRuns: ScheduleRunRow[] = [];
  /** Work for later instants; the caller takes it after each call (`drain`). */
  private followups: Followup[] = [];
  private historySeq = 0;
  private readonly numbers = new Map<string, number>();
  /** Round-robin state: per group, per member, the creation instants of their tasks in it (sorted). */
  private readonly rotation = new Map<number, Map<number, number[]>>();
  private passJitter = 0;
  /** Records changed since the last `takeTouched` (their next checker pass may have moved). */
  private touched = new Set<RecState>();

  constructor(
    readonly world: World,
    private readonly ids: IdSource,
    sequences: Map<string, number>,
  ) {
    for (const [type, next] of sequences) this.numbers.set(type, next);
    for (const a of world.assigned) {
      const byMember = this.rotation.get(a.groupId) ?? new Map<number, number[]>();
      byMember.set(a.assigneeId, [a.at]);
      this.rotation.set(a.groupId, byMember);
    }
  }

  /** The follow-ups created since the last call. */
  drain(): Followup[] {
    const out = this.followups;
    this.followups = [];
    return out;
  }

  /** The records changed since the last call. */
  takeTouched(): RecState[] {
    const out = [...this.touched];
    this.touched.clear();
    return out;
  }

  /** Continues numbering after these (record_sequences as it is now, when others created records meanwhile). */
  continueSequences(sequences: Map<string, number>): void {
    for (const [type, next] of sequences) this.numbers.set(type, Math.max(next, this.numbers.get(type) ?? 0));
  }

  /** The last number handed out per record type (record_sequences.next_value). */
  sequences(): Map<string, number> {
    return new Map(this.numbers);
  }

  person(username: string): Person {
    const p = this.world.byName.get(username);
    if (!p) throw new ReplayError(`no user ${username}`);
    return p;
  }

  groupId(key: string): number {
    const id = this.world.groupIds.get(key);
    if (id === undefined) throw new ReplayError(`no group ${key}`);
    return id;
  }

  // ---------------------------------------------------------------- records (records/store.ts)

  private history(
    rec: RecState,
    actor: string,
    at: number,
    entries: { kind: string; field?: string; from?: unknown; to?: unknown; detail?: unknown }[],
  ): void {
    this.touched.add(rec);
    for (const e of entries)
      rec.history.push({
        record_id: rec.id,
        at,
        actor,
        kind: e.kind,
        field: e.field ?? null,
        from_value: e.from === undefined ? null : toJson(e.from),
        to_value: e.to === undefined ? null : toJson(e.to),
        detail: e.detail === undefined ? null : toJson(e.detail),
        seq: this.historySeq++,
      });
  }

  private standardFromData(form: LoadedForm, data: Data) {
    const titleField = form.def.titleField ?? 'title';
    const descriptionField = form.def.descriptionField ?? 'description';
    const priorityField = form.def.priorityMatrix?.priorityField ?? 'priority';
    const str = (v: unknown) => (v === undefined || v === null ? null : String(v));
    return {
      title: (str(data[titleField]) ?? '').slice(0, 500),
      description: str(data[descriptionField]),
      priority: str(data[priorityField])?.slice(0, 32) ?? null,
    };
  }

  private allocateNumber(form: LoadedForm): string {
    const next = (this.numbers.get(form.key) ?? 0) + 1;
    this.numbers.set(form.key, next);
    return `${form.def.numberPrefix}-${String(next).padStart(6, '0')}`;
  }

  private insertRecord(
    actor: string,
    at: number,
    input: { form: LoadedForm; data: Data; requesterId: number; catalogItem: string | null },
  ): RecState {
    const std = this.standardFromData(input.form, input.data);
    const rec: RecState = {
      id: this.ids.take('records'),
      type: input.form.key,
      formVersion: input.form.version,
      number: this.allocateNumber(input.form),
      ...std,
      status: 'new',
      requesterId: input.requesterId,
      assigneeId: null,
      // The form's handling group (service.ts handlingGroupOf).
      groupId: input.form.def.group ? (this.world.groupIds.get(input.form.def.group) ?? null) : null,
      data: input.data,
      version: 1,
      createdAt: at,
      updatedAt: at,
      resolvedAt: null,
      closedAt: null,
      catalogItem: input.catalogItem,
      form: input.form,
      history: [],
      comments: [],
      links: [],
      rating: null,
      instances: [],
      tasks: [],
      clocks: [],
      receipts: [],
      jobs: [],
      checkAt: null,
      storyDone: false,
      flushed: false,
    };
    this.records.set(rec.id, rec);
    this.byNumber.set(rec.number, rec);
    this.history(rec, actor, at, [{ kind: 'created', to: { number: rec.number, status: rec.status } }]);
    return rec;
  }

  private assertLive(rec: RecState): void {
    if (rec.flushed) throw new ReplayError(`${rec.number} was already written out`);
  }

  /** updateRecord: one history row per changed field, the version bumped; nothing when nothing changes. */
  private updateRecord(rec: RecState, actor: string, at: number, patch: RecordPatch): void {
    this.assertLive(rec);
    const data = patch.data ?? rec.data;
    const std = this.standardFromData(rec.form, data);
    const history: { kind: string; field: string; from: unknown; to: unknown }[] = [];
    if (data !== rec.data) {
      for (const field of new Set([...Object.keys(rec.data), ...Object.keys(data)])) {
        if (!same(rec.data[field], data[field]))
          history.push({ kind: 'field', field, from: rec.data[field], to: data[field] });
      }
    }
    const next = { status: rec.status, assigneeId: rec.assigneeId, groupId: rec.groupId };
    for (const key of ['status', 'assigneeId', 'groupId'] as const) {
      if (patch[key] !== undefined && !same(patch[key], rec[key])) {
        history.push({
          kind: 'field',
          field: key === 'status' ? 'status' : key === 'assigneeId' ? 'assignee' : 'group',
          from: rec[key],
          to: patch[key],
        });
        (next as Record<string, unknown>)[key] = patch[key];
      }
    }
    let resolvedAt = rec.resolvedAt;
    let closedAt = rec.closedAt;
    if (patch.resolved === true && rec.resolvedAt === null) resolvedAt = at;
    if (patch.resolved === false) resolvedAt = null;
    if (patch.closed === true && rec.closedAt === null) closedAt = at;
    if (patch.closed === false) closedAt = null;
    if (!history.length && resolvedAt === rec.resolvedAt && closedAt === rec.closedAt) return;
    Object.assign(rec, std, next, { data, version: rec.version + 1, updatedAt: at, resolvedAt, closedAt });
    this.history(rec, actor, at, history);
  }

  // ------------------------------------------------------------ expressions (engine/context.ts)

  recordContext(rec: Rec): Json {
    const name = (id: number | null) => (id === null ? null : (this.world.people.get(id)?.username ?? null));
    return {
      ...rec.data,
      id: rec.id,
      type: rec.type,
      number: rec.number,
      title: rec.title,
      status: rec.status,
      priority: rec.priority,
      requester: name(rec.requesterId),
      assignee: rec.assigneeId ? name(rec.assigneeId) : null,
      group: rec.groupId ? (this.world.groups.get(rec.groupId) ?? null) : null,
      createdAt: rec.createdAt,
      catalogItem: rec.catalogItem,
    };
  }

  private scope(rec: Rec, actor: string, at: number, scope: Scope = {}): Json {
    return {
      record: this.recordContext(rec),
      actor,
      now: at,
      input: scope.input ?? {},
      item: scope.item ?? null,
      result: scope.result ?? null,
    };
  }

  private evalExpr(source: string, ctx: Json): unknown {
    return compileExpression(source).evaluate(ctx);
  }

  private computeValues(run: Run, values: Record<string, string>, scope: Scope): Data {
    const ctx = this.scope(run.rec, run.actor, run.at, scope);
    const out: Data = {};
    for (const [field, source] of Object.entries(values)) out[field] = this.evalExpr(source, ctx);
    return out;
  }

  // ------------------------------------------------------------------ people (engine/assign.ts)

  private userIdsByName(names: string[]): number[] {
    return names.flatMap((n) => {
      const p = this.world.byName.get(n);
      return p?.active ? [p.userId] : [];
    });
  }

  private resolveAssignee(assignee: Assignee, rec: Rec, ctx: Json) {
    const none = { userIds: [] as number[], groupId: null as number | null, role: null as string | null };
    const names = (v: unknown): string[] =>
      (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string' && x.length > 0);
    switch (assignee.type) {
      case 'requester':
        return { ...none, userIds: [rec.requesterId] };
      case 'user':
        return {
          ...none,
          userIds: this.userIdsByName(names(assignee.value?.split(',').map((s) => s.trim()))),
        };
      case 'field':
      case 'expression': {
        const value =
          assignee.type === 'field' ? rec.data[assignee.value!] : this.evalExpr(assignee.value!, ctx);
        const people = this.userIdsByName(names(value));
        if (people.length) return { ...none, userIds: people };
        return {
          ...none,
          groupId: typeof value === 'string' ? (this.world.groupIds.get(value) ?? null) : null,
        };
      }
      case 'group':
        return { ...none, groupId: this.world.groupIds.get(assignee.value!) ?? null };
      case 'role':
        return { ...none, role: assignee.value! };
    }
    return none;
  }

  private withRole(role: string): number[] {
    return [...this.world.people.values()]
      .filter((p) => p.active && p.roles.includes(role as Role))
      .map((p) => p.userId)
      .sort((a, b) => a - b);
  }

  private approversOf(who: { groupId: number | null; role: string | null }): number[] {
    if (who.groupId !== null) return [...(this.world.members.get(who.groupId) ?? [])];
    if (who.role !== null) return this.withRole(who.role);
    return [];
  }

  private rotationAdd(task: TaskRow): void {
    if (task.group_id === null || task.assignee_id === null) return;
    let byMember = this.rotation.get(task.group_id);
    if (!byMember) {
      byMember = new Map();
      this.rotation.set(task.group_id, byMember);
    }
    const list = byMember.get(task.assignee_id) ?? [];
    let i = list.length;
    while (i > 0 && list[i - 1]! > task.created_at) i--;
    list.splice(i, 0, task.created_at);
    byMember.set(task.assignee_id, list);
  }

  private rotationRemove(task: TaskRow): void {
    if (task.group_id === null || task.assignee_id === null) return;
    const list = this.rotation.get(task.group_id)?.get(task.assignee_id);
    const i = list?.lastIndexOf(task.created_at) ?? -1;
    if (list && i >= 0) list.splice(i, 1);
  }

  /** Changes a task's assignee or group, keeping the rotation's view of the group in step. */
  private reassignTask(
    task: TaskRow,
    change: { assignee_id?: number | null; group_id?: number | null },
  ): void {
    this.rotationRemove(task);
    Object.assign(task, change);
    this.rotationAdd(task);
  }

  /** nextInRotation: the member given work in the group longest ago (ties: lowest id). */
  private nextInRotation(group: number): number | null {
    const members = this.world.members.get(group) ?? [];
    if (!members.length) return null;
    const byMember = this.rotation.get(group);
    const last = (m: number) => byMember?.get(m)?.at(-1) ?? 0;
    return [...members].sort((a, b) => last(a) - last(b) || a - b)[0] ?? null;
  }

  // ------------------------------------------------------------------------ the engine proper

  private lockInstance(inst: Instance): void {
    if (this.world.mysql) inst.row.lock_seq++;
  }

  private createToken(run: Run, nodeId: string, fork: string | null, item: string | null, status: string) {
    const token: TokenRow = {
      id: this.ids.take('process_tokens'),
      instance_id: run.inst.row.id,
      node_id: nodeId,
      status,
      item,
      fork,
      created_at: run.at,
    };
    run.inst.tokens.push(token);
    return token;
  }

  private movingToken(run: Run, nodeId: string, fork: string | null): TokenRow {
    return {
      id: 0,
      instance_id: run.inst.row.id,
      node_id: nodeId,
      status: 'active',
      item: null,
      fork,
      created_at: 0,
    };
  }

  private tokenById(inst: Instance, id: number): TokenRow {
    const t = inst.tokens.find((x) => x.id === id);
    if (!t) throw new ReplayError(`no token ${id}`);
    return t;
  }

  private setTokenStatus(inst: Instance, token: TokenRow, status: string, nodeId?: string): void {
    const row = this.tokenById(inst, token.id);
    row.status = status;
    if (nodeId) row.node_id = nodeId;
    token.status = status;
    if (nodeId) token.node_id = nodeId;
  }

  private patch(run: Run, patch: RecordPatch): void {
    this.updateRecord(run.rec, run.actor, run.at, patch);
  }

  private startInstance(
    rec: RecState,
    actor: string,
    at: number,
    processKey: string,
    chain: string[] = [],
  ): Run {
    const graph = this.world.graphs.get(processKey);
    if (!graph) throw new ReplayError(`process ${processKey} is not published`);
    if (graph.def.form !== rec.type && graph.def.form !== ANY_FORM)
      throw new ReplayError(`process ${processKey} runs on another form`);
    const inst: Instance = {
      row: {
        id: this.ids.take('process_instances'),
        record_id: rec.id,
        process_key: graph.key,
        process_version: graph.version,
        status: 'running',
        parent_token_id: null,
        secret: randomBytes(32).toString('base64url'),
        started_at: at,
        ended_at: null,
        lock_seq: 0,
      },
      graph,
      tokens: [],
    };
    rec.instances.push(inst);
    const run: Run = { actor, inst, rec, steps: 0, at, chain, depth: chain.length };
    this.history(rec, actor, at, [{ kind: 'process', detail: { started: `${graph.key}@${graph.version}` } }]);
    this.leave(run, this.movingToken(run, graph.start.id, null), graph.start);
    return run;
  }

  private outgoing(graph: Graph, id: string): ProcessEdge[] {
    return graph.outgoing.get(id) ?? [];
  }

  private node(graph: Graph, id: string): ProcessNode {
    const n = graph.nodes.get(id);
    if (!n) throw new ReplayError(`process ${graph.key} has no node ${id}`);
    return n;
  }

  private leave(run: Run, token: TokenRow, from: ProcessNode, scope: Scope = {}): void {
    // A service task's error edge is taken only by a call that failed for good, never replayed.
    const edges = this.outgoing(run.inst.graph, from.id).filter((e) => !e.error);
    if (from.type === 'parallelSplit') {
      this.setTokenStatus(run.inst, token, 'done');
      let i = 0;
      for (const edge of edges) {
        const fork = `${token.fork ? `${token.fork}/` : ''}${from.id}#${i++}`;
        this.follow(run, this.movingToken(run, from.id, fork), edge, scope);
      }
      return;
    }
    let edge: ProcessEdge | undefined;
    if (from.type === 'exclusiveGateway') {
      const ctx = this.scope(run.rec, run.actor, run.at, scope);
      edge =
        edges.find((e) => e.condition && evaluateCondition(e.condition, ctx)) ?? edges.find((e) => e.default);
      if (!edge) throw new ReplayError(`no outgoing path of gateway ${from.id} matches`);
    } else edge = edges[0];
    if (!edge) throw new ReplayError(`node ${from.id} has no outgoing edge`);
    this.follow(run, token, edge, scope);
  }

  private follow(run: Run, token: TokenRow, edge: ProcessEdge, scope: Scope = {}): void {
    if (edge.set && Object.keys(edge.set).length) {
      const values = this.computeValues(run, edge.set, scope);
      this.patch(run, { data: { ...run.rec.data, ...values } });
    }
    this.enter(run, token, this.node(run.inst.graph, edge.target), scope);
  }

  private statusPatch(rec: Rec, n: ProcessNode): RecordPatch {
    if (!n.status || n.status === rec.status) return {};
    const resolved = n.status === 'resolved' ? true : rec.resolvedAt !== null ? false : undefined;
    return { status: n.status, ...(resolved !== undefined ? { resolved } : {}) };
  }

  private setStatusFor(run: Run, n: ProcessNode): void {
    const p = this.statusPatch(run.rec, n);
    if (Object.keys(p).length) this.patch(run, p);
  }

  private enter(run: Run, token: TokenRow, n: ProcessNode, scope: Scope) {
    if (++run.steps > MAX_STEPS) throw new ReplayError(`process ${run.inst.graph.key} loops`);
    const waits = n.type === 'userTask' || n.type === 'timer' || n.type === 'subProcess';
    const status = waits ? 'waiting' : 'active';
    if (token.id === 0) {
      const created = this.createToken(run, n.id, token.fork, token.item, status);
      token.id = created.id;
      token.created_at = created.created_at;
    } else this.setTokenStatus(run.inst, token, status, n.id);
    token.node_id = n.id;
    token.status = status;
    switch (n.type) {
      case 'start':
        return this.leave(run, token, n, scope);
      case 'end':
        return this.reachEnd(run, token, n);
      case 'exclusiveGateway':
      case 'parallelSplit':
        this.setStatusFor(run, n);
        return this.leave(run, token, n, scope);
      case 'parallelJoin':
        return this.arriveAtJoin(run, token, n, scope);
      case 'userTask':
        return this.createTask(run, token, n);
      case 'timer': {
        this.setStatusFor(run, n);
        let due: number;
        if (n.timer.delay) due = run.at + durationMs(n.timer.delay);
        else {
          const v = this.evalExpr(n.timer.until!, this.scope(run.rec, run.actor, run.at, scope));
          due = typeof v === 'number' ? v : Date.parse(String(v));
          if (Number.isNaN(due)) throw new ReplayError(`timer ${n.id}: "${v}" is not an instant`);
        }
        const job: JobRow = {
          type: 'timer',
          status: 'pending',
          due_at: due,
          payload: toJson({})!,
          instance_id: run.inst.row.id,
          token_id: token.id,
          attempts: 0,
          max_attempts: 5,
          created_at: run.at,
        };
        run.rec.jobs.push(job);
        this.followups.push({ kind: 'timer', at: Math.max(due, run.at), rec: run.rec, job });
        return;
      }
      case 'callback':
        this.setStatusFor(run, n);
        return this.waitForCallbacks(run, token, n, scope);
      case 'serviceTask':
        this.setStatusFor(run, n);
        return this.runServiceTask(run, token, n, scope);
      case 'notify':
        // The message's job is notification bookkeeping (see the module's comment).
        return this.leave(run, token, n, scope);
      case 'subProcess':
        throw new ReplayError('sub-processes are not replayed');
    }
  }

  private itemsOf(list: unknown, itemKey: string | undefined): { key: string; value: unknown }[] {
    if (!Array.isArray(list)) return [];
    return list.map((value, i) => {
      const key =
        itemKey && value && typeof value === 'object'
          ? (value as Record<string, unknown>)[itemKey]
          : undefined;
      return {
        key: String(key ?? (typeof value === 'string' || typeof value === 'number' ? value : i)),
        value,
      };
    });
  }

  private waitForCallbacks(
    run: Run,
    token: TokenRow,
    n: Extract<ProcessNode, { type: 'callback' }>,
    scope: Scope,
  ) {
    const cb = n.callback;
    if (!cb.forEach) {
      this.setTokenStatus(run.inst, token, 'waiting');
      return;
    }
    const items = this.itemsOf(
      this.evalExpr(cb.forEach, this.scope(run.rec, run.actor, run.at, scope)),
      cb.itemKey,
    );
    if (!items.length) return this.leave(run, token, n, scope);
    this.setTokenStatus(run.inst, token, 'multi');
    for (const item of items) this.createToken(run, n.id, `${token.id}`, item.key, 'waiting');
  }

  private runServiceTask(
    run: Run,
    token: TokenRow,
    n: Extract<ProcessNode, { type: 'serviceTask' }>,
    scope: Scope,
  ) {
    const action = n.action;
    const items = n.forEach
      ? this.itemsOf(this.evalExpr(n.forEach, this.scope(run.rec, run.actor, run.at, scope)), undefined)
      : [{ key: '', value: scope.item ?? null }];
    switch (action.type) {
      case 'setFields': {
        let data = { ...run.rec.data };
        for (const item of items)
          data = { ...data, ...this.computeValues(run, action.values, { ...scope, item: item.value }) };
        this.patch(run, { data });
        return this.leave(run, token, n, scope);
      }
      case 'createRecord': {
        const numbers: string[] = [];
        for (const item of items) {
          const values = this.computeValues(run, action.values, { ...scope, item: item.value });
          numbers.push(this.createLinkedRecord(run, action, values).number);
        }
        if (action.resultField)
          this.patch(run, {
            data: { ...run.rec.data, [action.resultField]: n.forEach ? numbers : numbers[0] },
          });
        return this.leave(run, token, n, scope);
      }
      case 'updateCI': {
        for (const item of items) {
          const ci = this.evalExpr(
            action.ci,
            this.scope(run.rec, run.actor, run.at, { ...scope, item: item.value }),
          );
          const values = this.computeValues(run, action.values, { ...scope, item: item.value });
          this.history(run.rec, run.actor, run.at, [{ kind: 'ci_update', detail: { ci, values } }]);
        }
        return this.leave(run, token, n, scope);
      }
      case 'http': {
        if (n.forEach && !items.length) return this.leave(run, token, n, scope);
        this.setTokenStatus(run.inst, token, 'waiting');
        for (const item of items) {
          const job: JobRow = {
            type: 'http',
            status: 'pending',
            due_at: run.at,
            payload: toJson({ nodeId: n.id, item: item.value, input: scope.input ?? null })!,
            instance_id: run.inst.row.id,
            token_id: token.id,
            attempts: 0,
            max_attempts: (action.retries ?? 2) + 1,
            created_at: run.at,
          };
          run.rec.jobs.push(job);
          this.followups.push({
            kind: 'http',
            at: run.at,
            rec: run.rec,
            job,
            token,
            nodeId: n.id,
            item: item.value,
          });
        }
        return;
      }
    }
  }

  private arriveAtJoin(run: Run, token: TokenRow, n: ProcessNode, scope: Scope): void {
    const fork = token.fork ?? '';
    const cut = fork.lastIndexOf('/');
    const parentFork = cut >= 0 ? fork.slice(0, cut) : null;
    const split = (cut >= 0 ? fork.slice(cut + 1) : fork).split('#')[0]!;
    this.setTokenStatus(run.inst, token, 'joined');
    const branches = this.outgoing(run.inst.graph, split).length;
    const prefix = `${parentFork ? `${parentFork}/` : ''}${split}#`;
    const siblings = run.inst.tokens.filter(
      (t) =>
        t.node_id === n.id &&
        t.status === 'joined' &&
        (t.fork ?? '').startsWith(prefix) &&
        !(t.fork ?? '').slice(prefix.length).includes('/'),
    );
    if (siblings.length < branches) return;
    for (const t of siblings) t.status = 'done';
    const merged = this.movingToken(run, n.id, parentFork);
    this.setStatusFor(run, n);
    this.leave(run, merged, n, scope);
  }

  private reachEnd(run: Run, token: TokenRow, n: Extract<ProcessNode, { type: 'end' }>): void {
    this.setTokenStatus(run.inst, token, 'done');
    if (run.inst.tokens.some((t) => ['waiting', 'active', 'multi', 'joined'].includes(t.status))) return;
    run.inst.row.status = 'completed';
    run.inst.row.ended_at = run.at;
    const outcome = endOutcome(n);
    const patch: RecordPatch = {};
    if (n.status) patch.status = n.status;
    else if (!run.inst.row.parent_token_id) patch.status = outcome;
    if (outcome === 'resolved' || outcome === 'done') patch.resolved = true;
    if (outcome === 'closed' || outcome === 'cancelled' || outcome === 'rejected' || outcome === 'done') {
      patch.closed = true;
      patch.resolved = patch.resolved ?? outcome !== 'cancelled';
    }
    patch.assigneeId = null;
    this.patch(run, patch);
    this.history(run.rec, run.actor, run.at, [
      { kind: 'process', detail: { ended: `${run.inst.graph.key}@${run.inst.graph.version}`, outcome } },
    ]);
  }

  private createTask(run: Run, token: TokenRow, n: UserTask): void {
    const status = this.statusPatch(run.rec, n);
    const view: Rec = status.status ? { ...run.rec, status: status.status } : run.rec;
    const ctx = this.scope(view, run.actor, run.at);
    const resolved = this.resolveAssignee(n.assignee, view, ctx);
    const mode = n.approval?.mode ?? null;
    let who =
      mode && !resolved.userIds.length ? { ...resolved, userIds: this.approversOf(resolved) } : resolved;
    if (mode && n.approval?.excludeRequester)
      who = { ...who, userIds: who.userIds.filter((u) => u !== run.rec.requesterId) };
    const vote =
      !!mode && (who.userIds.length > 1 || (!!n.approval?.excludeRequester && !who.userIds.length));
    let assigneeId: number | null = null;
    if (who.userIds.length === 1 || (who.userIds.length > 0 && (!mode || mode === 'single')))
      assigneeId = who.userIds[0]!;
    if (mode === 'sequential' && who.userIds.length) assigneeId = who.userIds[0]!;
    if (!assigneeId && who.groupId && n.distribution === 'roundRobin')
      assigneeId = this.nextInRotation(who.groupId);
    const due = n.dueIn ? run.at + durationMs(n.dueIn) : null;
    const row: TaskRow = {
      id: this.ids.take('tasks'),
      instance_id: run.inst.row.id,
      token_id: token.id,
      record_id: run.rec.id,
      node_id: n.id,
      status: 'open',
      assignee_id: assigneeId,
      group_id: who.groupId,
      role: who.role,
      approval_mode: vote ? mode : null,
      due_at: due,
      version: 1,
      created_at: run.at,
      completed_at: null,
      completed_by: null,
      outcome: null,
    };
    const task: Task = { row, approvers: [], instance: run.inst };
    run.rec.tasks.push(task);
    this.rotationAdd(row);
    if (n.dueIn) this.startOla(run, task, n, due!);
    if (vote && who.userIds.length)
      task.approvers = who.userIds.map((user_id, seq) => ({
        task_id: row.id,
        user_id,
        seq,
        decision: null,
        decided_at: null,
        added_by: null,
      }));
    const patch: RecordPatch = { ...status };
    if (n.assignee.type !== 'requester') {
      if (who.groupId !== null && who.groupId !== run.rec.groupId) patch.groupId = who.groupId;
      if (assigneeId !== run.rec.assigneeId) patch.assigneeId = assigneeId;
    }
    if (Object.keys(patch).length) this.patch(run, patch);
    this.history(run.rec, run.actor, run.at, [
      {
        kind: 'task',
        detail: {
          task: row.id,
          node: n.id,
          event: 'created',
          assignees: who.userIds,
          group: who.groupId,
          role: who.role,
        },
      },
    ]);
    this.emit(run, mode ? 'approval.requested' : 'task.assigned', { taskId: row.id });
  }

  private startOla(run: Run, task: Task, n: UserTask, dueAt: number): void {
    const clock: Clock = {
      id: 0,
      record_id: run.rec.id,
      task_id: task.row.id,
      sla_key: `${OLA_PREFIX}${run.inst.graph.key}`,
      sla_version: run.inst.graph.version,
      metric: n.id,
      cycle: task.row.id,
      goal: 'ola',
      calendar_key: WALL_CLOCK,
      calendar_version: 0,
      target_ms: Math.max(1, dueAt - run.at),
      state: 'running',
      started_at: run.at,
      segment_started_at: run.at,
      elapsed_ms: 0,
      due_at: dueAt,
      next_check_at: null,
      warned: toJson([])!,
      breached: false,
      breached_at: null,
      stopped_at: null,
      met: null,
      version: 1,
    };
    clock.next_check_at = nextCheck(this.calendar(WALL_CLOCK, 0), clock as ClockRow, this.olaPercents(clock));
    run.rec.clocks.push(clock);
  }

  // --------------------------------------------------------------- creating records (service.ts)

  /**
   * createRecord: a person's request (through a catalog item, or direct), or a schedule's
   * (`automated`), checked as the runtime checks it, and its process run to the first wait.
   */
  async create(
    at: number,
    actor: Person,
    input: { type: string; data: Data; catalogItem?: string; requester?: string; process?: string },
    opts: { automated?: boolean } = {},
  ): Promise<RecState> {
    const form = this.world.forms.get(input.type);
    if (!form) throw new ReplayError(`form ${input.type} is not published`);
    const requester = input.requester ? this.person(input.requester) : actor;
    let processKey: string | null;
    let data: Data;
    if (input.catalogItem) {
      ({ process: processKey, data } = await requestThroughItem(
        this.world.db,
        requester,
        input.catalogItem,
        input,
      ));
    } else {
      processKey = input.process ?? this.defaultProcess(input.type);
      data = { ...input.data };
    }
    this.checkNew(form, data, opts.automated ? undefined : input.data);
    this.assertAssignable(form, data);
    return this.createIn(actor.username, at, {
      form,
      data,
      requesterId: requester.userId,
      processKey,
      catalogItem: input.catalogItem ?? null,
    });
  }

  private defaultProcess(type: string): string | null {
    const graphs = [...this.world.graphs.values()];
    const own = graphs.filter((g) => g.def.form === type).map((g) => g.key);
    const matching = own.length ? own : graphs.filter((g) => g.def.form === ANY_FORM).map((g) => g.key);
    if (matching.length > 1) throw new ReplayError(`${type} has several processes: name one`);
    return matching[0] ?? null;
  }

  private checkNew(form: LoadedForm, data: Data, sent: Data | undefined): void {
    derivePriority(form.def, data);
    this.refuse(checkRecordData(form, data, 'new', { sent }), `new ${form.key}`);
  }

  private refuse(problems: FieldProblem[], what: string): void {
    if (problems.length)
      throw new ReplayError(`${what}: ${problems.map((p) => `${p.path} ${p.message.en}`).join('; ')}`);
  }

  /** x-assignable (records/assignable.ts): a person field holds only whom it may. */
  private assertAssignable(form: LoadedForm, data: Data, before: Data = {}): void {
    const props = (form.def.schema.properties ?? {}) as Record<
      string,
      { 'x-assignable'?: { roles?: string[]; groups?: string[] } }
    >;
    for (const [field, schema] of Object.entries(props)) {
      const rule = schema['x-assignable'];
      const value = data[field];
      if (!rule || value === undefined || value === null || same(value, before[field])) continue;
      for (const name of Array.isArray(value) ? value : [value]) {
        const p = this.world.byName.get(String(name));
        const ok =
          !!p?.active &&
          ((rule.roles ?? []).some((r) => p.roles.includes(r as Role)) ||
            (rule.groups ?? []).some((g) =>
              (this.world.members.get(this.world.groupIds.get(g) ?? -1) ?? []).includes(p.userId),
            ) ||
            (!rule.roles?.length && !rule.groups?.length));
        if (!ok) throw new ReplayError(`${form.key}.${field}: ${name} may not be named there`);
      }
    }
  }

  private createIn(
    actor: string,
    at: number,
    input: {
      form: LoadedForm;
      data: Data;
      requesterId: number;
      processKey: string | null;
      catalogItem: string | null;
    },
    chain: string[] = [],
  ): RecState {
    const rec = this.insertRecord(actor, at, input);
    if (input.processKey) this.startInstance(rec, actor, at, input.processKey, chain);
    this.emitOn(rec, actor, at, chain, 'record.created', { created: true });
    return rec;
  }

  private createLinkedRecord(
    run: Run,
    action: Extract<ServiceAction, { type: 'createRecord' }>,
    data: Data,
  ): RecState {
    const form = this.world.forms.get(action.form);
    if (!form) throw new ReplayError(`form ${action.form} is not published`);
    const processKey = this.defaultProcess(action.form);
    this.checkNew(form, data, undefined);
    const requesterId =
      action.requester === 'requester'
        ? run.rec.requesterId
        : this.person(run.actor.includes(':') ? SYSTEM_USER : run.actor).userId;
    const created = this.createIn(
      run.actor,
      run.at,
      { form, data, requesterId, processKey, catalogItem: null },
      run.chain,
    );
    const relation = action.link ?? 'related-to';
    created.links.push({
      from_id: created.id,
      to_id: run.rec.id,
      to_ci: null,
      relation,
      created_by: run.actor,
      created_at: run.at,
    });
    this.history(run.rec, run.actor, run.at, [
      { kind: 'link', detail: { added: created.number, relation, incoming: true } },
    ]);
    this.history(created, run.actor, run.at, [{ kind: 'link', detail: { added: run.rec.number, relation } }]);
    if (action.visibleToRequester && requesterId !== run.rec.requesterId)
      throw new ReplayError('linked records visible to the requester are not replayed');
    return created;
  }

  // ---------------------------------------------------------------------- tasks (engine/tasks.ts)

  openTasks(rec: RecState, nodeId?: string): Task[] {
    return rec.tasks.filter(
      (t) => t.row.status === 'open' && (nodeId === undefined || t.row.node_id === nodeId),
    );
  }

  openTask(rec: RecState, nodeId: string): Task {
    const t = this.openTasks(rec, nodeId)[0];
    if (!t) throw new ReplayError(`${rec.number} has no open task at ${nodeId} (status ${rec.status})`);
    return t;
  }

  private runOf(task: Task, rec: RecState, actor: string, at: number, chain: string[] = []): Run {
    return { actor, inst: task.instance, rec, steps: 0, at, chain, depth: chain.length };
  }

  private isAdmin = (p: Person) => p.roles.includes('admin');

  mayAct(actor: Person, task: Task): boolean {
    if (this.isAdmin(actor)) return true;
    if (task.row.approval_mode) {
      const pending = task.approvers.filter((a) => a.decision === null).sort((a, b) => a.seq - b.seq);
      if (task.row.approval_mode === 'sequential') return pending[0]?.user_id === actor.userId;
      return pending.some((a) => a.user_id === actor.userId);
    }
    return task.row.assignee_id === actor.userId;
  }

  mayClaim(actor: Person, task: Task): boolean {
    if (task.row.assignee_id !== null || task.row.approval_mode) return false;
    if (this.isAdmin(actor)) return true;
    if (task.row.group_id !== null)
      return (this.world.members.get(task.row.group_id) ?? []).includes(actor.userId);
    if (task.row.role) return actor.roles.includes(task.row.role as Role);
    return false;
  }

  private recOf(task: Task): RecState {
    const rec = this.records.get(task.row.record_id);
    if (!rec) throw new ReplayError(`record ${task.row.record_id} is gone`);
    this.assertLive(rec);
    return rec;
  }

  /** claimTask (认领). */
  claim(at: number, task: Task, actor: Person): void {
    const rec = this.recOf(task);
    this.lockInstance(task.instance);
    if (task.row.status !== 'open') throw new ReplayError(`task ${task.row.id} is not open`);
    if (!this.mayClaim(actor, task))
      throw new ReplayError(`${actor.username} may not claim task ${task.row.node_id} of ${rec.number}`);
    this.reassignTask(task.row, { assignee_id: actor.userId });
    task.row.version++;
    const run = this.runOf(task, rec, actor.username, at);
    this.patch(run, { assigneeId: actor.userId });
    this.history(rec, actor.username, at, [
      { kind: 'task', detail: { task: task.row.id, event: 'claimed' } },
    ]);
  }

  /** transferTask (转交) of a single-person task. */
  transfer(at: number, task: Task, actor: Person, to: string): void {
    const rec = this.recOf(task);
    this.lockInstance(task.instance);
    const target = this.person(to);
    if (task.row.approval_mode) throw new ReplayError('transfers of votes are not replayed');
    if (!this.isAdmin(actor) && task.row.assignee_id !== actor.userId)
      throw new ReplayError(`${actor.username} may not transfer task ${task.row.id}`);
    this.reassignTask(task.row, { assignee_id: target.userId });
    task.row.version++;
    const run = this.runOf(task, rec, actor.username, at);
    this.patch(run, { assigneeId: target.userId });
    this.history(rec, actor.username, at, [
      { kind: 'task', detail: { task: task.row.id, event: 'transferred', to } },
    ]);
    this.emit(run, 'task.assigned', { taskId: task.row.id });
  }

  /**
   * takeAction: the person's field changes under the step's access, the edge's input and guards,
   * the vote, then the task completes and its token moves along the edge. Returns whether the
   * task was decided (a 会签 vote that others must still cast is not).
   */
  act(
    at: number,
    task: Task,
    actor: Person,
    actionKey: string,
    body: { data?: Data; input?: Json; comment?: string } = {},
  ): boolean {
    const rec = this.recOf(task);
    this.lockInstance(task.instance);
    if (task.row.status !== 'open') throw new ReplayError(`task ${task.row.id} of ${rec.number} is not open`);
    const graph = task.instance.graph;
    const n = this.node(graph, task.row.node_id) as UserTask;
    const edge = this.outgoing(graph, n.id).find((e) => (e.action?.key ?? 'complete') === actionKey);
    if (!edge) throw new ReplayError(`${rec.number} ${n.id} has no action ${actionKey}`);
    if (!this.mayAct(actor, task))
      throw new ReplayError(`${actor.username} may not act on ${rec.number} ${n.id}`);
    if (edge.action?.input) {
      const validate = compileSchema(edge.action.input as TSchema, false);
      if (!validate(body.input ?? {})) throw new ReplayError(`${rec.number} ${actionKey}: input refused`);
    }
    const run = this.runOf(task, rec, actor.username, at);
    const data = body.data ? { ...rec.data, ...body.data } : rec.data;
    const rejecting = edge.action?.style === 'danger' || edge.action?.key === 'reject';
    const stepped = stepAccess(n, { ...actor, displayName: actor.displayName, via: 'session' }, rec);
    const access = rejecting ? { ...stepped, required: [] } : stepped;
    this.refuse(
      checkRecordData(rec.form, data, rec.status, { before: rec.data, access, sent: body.data }),
      `${rec.number} ${actionKey}`,
    );
    this.assertAssignable(rec.form, data, rec.data);
    derivePriority(rec.form.def, data);
    if (body.data) this.patch(run, { data });
    const ctx = this.scope(rec, actor.username, at, { input: body.input });
    for (const guard of edge.guards ?? []) {
      let ok = false;
      try {
        ok = evaluateCondition(guard.condition, ctx);
      } catch (err) {
        if (!(err instanceof ExpressionError)) throw err;
      }
      if (!ok) throw new ReplayError(`${rec.number} ${actionKey}: guard ${guard.condition} does not hold`);
    }
    if (body.comment) this.addCommentRow(rec, actor.username, body.comment, 'public', at);
    let decided = true;
    if (task.row.approval_mode) {
      const nobodyVotes = this.isAdmin(actor) && !task.approvers.length;
      if (!nobodyVotes) decided = this.castVote(run, task, actor, actionKey, rejecting);
      this.history(rec, actor.username, at, [
        {
          kind: 'task',
          detail: { task: task.row.id, node: n.id, event: 'vote', action: actionKey, decided },
        },
      ]);
    }
    if (!decided) return false;
    this.complete(run, task, actionKey, edge, { input: body.input });
    return true;
  }

  private complete(run: Run, task: Task, actionKey: string, edge: ProcessEdge, scope: Scope): void {
    const rec = run.rec;
    Object.assign(task.row, {
      status: 'completed',
      completed_at: run.at,
      completed_by: run.actor,
      outcome: actionKey,
      version: task.row.version + 1,
    });
    for (const a of task.approvers) if (a.decision === null) a.decision = 'skipped';
    this.history(rec, run.actor, run.at, [
      {
        kind: 'transition',
        detail: { task: task.row.id, node: task.row.node_id, action: actionKey, to: edge.target },
      },
    ]);
    const token = this.tokenById(task.instance, task.row.token_id);
    const before = this.snapshot(rec);
    this.follow(run, { ...token }, edge, scope);
    this.refuse(
      requiredAtStatus(rec.form, rec.data, rec.status),
      `${rec.number} ${actionKey} at ${rec.status}`,
    );
    this.emit(run, 'record.transitioned', {
      taskId: task.row.id,
      changes: this.changes(before, rec),
      detail: { action: actionKey, node: task.row.node_id, to: edge.target },
    });
  }

  private castVote(run: Run, task: Task, actor: Person, actionKey: string, rejecting: boolean): boolean {
    const isApprover = task.approvers.some((a) => a.user_id === actor.userId);
    const pendingFirst = () =>
      [...task.approvers].sort((a, b) => a.seq - b.seq).find((a) => a.decision === null);
    const voter = this.isAdmin(actor) && !isApprover ? (pendingFirst()?.user_id ?? -1) : actor.userId;
    const row = task.approvers.find((a) => a.user_id === voter && a.decision === null);
    if (!row) throw new ReplayError(`${actor.username} has no vote left on task ${task.row.id}`);
    row.decision = actionKey;
    row.decided_at = run.at;
    const pending = [...task.approvers].sort((a, b) => a.seq - b.seq).filter((a) => a.decision === null);
    if (task.row.approval_mode === 'any' || rejecting || pending.length === 0) return true;
    if (task.row.approval_mode === 'sequential') {
      this.reassignTask(task.row, { assignee_id: pending[0]!.user_id });
      task.row.version++;
      this.patch(run, { assigneeId: pending[0]!.user_id });
      this.emit(run, 'approval.requested', { taskId: task.row.id });
    } else task.row.version++;
    return false;
  }

  // ------------------------------------------------------------- comments, links, ratings

  private addCommentRow(
    rec: RecState,
    author: string,
    body: string,
    visibility: string,
    at: number,
  ): CommentRow {
    const row: CommentRow = {
      id: this.ids.take('record_comments'),
      record_id: rec.id,
      author,
      body,
      visibility,
      created_at: at,
    };
    rec.comments.push(row);
    return row;
  }

  /** addComment: a public reply or an internal note. */
  comment(
    at: number,
    rec: RecState,
    actor: Person,
    body: string,
    visibility: 'public' | 'internal' = 'public',
  ): void {
    this.assertLive(rec);
    const staff = actor.roles.some((r) => r === 'admin' || r === 'agent' || r === 'manager');
    if (visibility === 'internal' && !staff) throw new ReplayError('internal notes are for staff');
    const row = this.addCommentRow(rec, actor.username, body, visibility, at);
    this.history(rec, actor.username, at, [
      { kind: 'comment', detail: { commentId: row.id, visibility, excerpt: body.slice(0, 200) } },
    ]);
    this.emitOn(rec, actor.username, at, [], 'record.commented', {
      detail: { commentId: row.id, visibility, body: body.slice(0, 2000) },
    });
  }

  /** addLink between two records, as staff add one ("INC-1 caused-by PRB-2"). */
  link(at: number, from: RecState, to: RecState, actor: Person, relation: string): void {
    this.assertLive(from);
    this.assertLive(to);
    from.links.push({
      from_id: from.id,
      to_id: to.id,
      to_ci: null,
      relation,
      created_by: actor.username,
      created_at: at,
    });
    this.history(from, actor.username, at, [{ kind: 'link', detail: { added: to.number, relation } }]);
    this.history(to, actor.username, at, [
      { kind: 'link', detail: { added: from.number, relation, incoming: true } },
    ]);
  }

  /** rateRecord: the requester's three 1–5 stars, once, on a resolved record. */
  rate(
    at: number,
    rec: RecState,
    stars: { attitude: number; speed: number; quality: number; comment?: string },
  ): void {
    this.assertLive(rec);
    if (rec.resolvedAt === null) throw new ReplayError(`${rec.number} is not resolved`);
    if (rec.rating) throw new ReplayError(`${rec.number} is rated already`);
    const by = this.world.people.get(rec.requesterId)!;
    rec.rating = {
      record_id: rec.id,
      user_id: rec.requesterId,
      attitude: stars.attitude,
      speed: stars.speed,
      quality: stars.quality,
      comment: stars.comment ?? null,
      created_at: at,
      auto: false,
    };
    this.history(rec, by.username, at, [
      { kind: 'rating', detail: { attitude: stars.attitude, speed: stars.speed, quality: stars.quality } },
    ]);
  }

  // ------------------------------------------------------------- callbacks and jobs (runner.ts)

  /** receiveCallback: an external system's result for a waiting callback node item, or a task listening. */
  callback(at: number, rec: RecState, name: string, item: string, result: unknown): void {
    this.assertLive(rec);
    const inst = rec.instances.find((i) => i.row.status === 'running');
    if (!inst) throw new ReplayError(`${rec.number} has no running process`);
    this.lockInstance(inst);
    const actor = `system:callback:${name}`;
    const run: Run = { actor, inst, rec, steps: 0, at, chain: [], depth: 0 };
    const callbackNodes = inst.graph.def.nodes
      .filter((n) => n.type === 'callback' && n.callback.name === name)
      .map((n) => n.id);
    const waiting = inst.tokens.find(
      (t) =>
        t.status === 'waiting' &&
        callbackNodes.includes(t.node_id) &&
        (item ? t.item === item : t.item === null),
    );
    rec.receipts.push({
      instance_id: inst.row.id,
      receipt: `demo-${inst.row.id}-${rec.receipts.length + 1}`,
      received_at: at,
      response: toJson({ accepted: true, record: rec.number }),
    });
    if (waiting) {
      const n = this.node(inst.graph, waiting.node_id) as Extract<ProcessNode, { type: 'callback' }>;
      this.history(rec, actor, at, [{ kind: 'callback', detail: { name, item, result: result ?? null } }]);
      this.applyResult(run, n.callback, item, result);
      this.setTokenStatus(inst, waiting, 'done');
      if (waiting.item !== null) {
        const parentId = Number(waiting.fork);
        const left = inst.tokens.some(
          (t) => t.node_id === n.id && t.fork === String(parentId) && t.status === 'waiting',
        );
        if (!left) this.leave(run, { ...this.tokenById(inst, parentId) }, n);
      } else this.leave(run, { ...waiting }, n);
      return;
    }
    const listener = this.openTasks(rec)
      .map((t) => this.node(t.instance.graph, t.row.node_id))
      .flatMap((n) => (n.type === 'userTask' ? (n.callbacks ?? []) : []))
      .find((cb) => cb.name === name);
    if (!listener) throw new ReplayError(`${rec.number}: nobody waits for callback ${name} ${item}`);
    this.history(rec, actor, at, [{ kind: 'callback', detail: { name, item, result: result ?? null } }]);
    this.applyResult(run, listener, item, result);
  }

  private applyResult(
    run: Run,
    cb: {
      itemKey?: string;
      resultField?: string;
      set?: Record<string, string>;
      list?: string;
      setItem?: Record<string, string>;
    },
    item: string,
    result: unknown,
  ): void {
    const data = { ...run.rec.data };
    let itemValue: unknown = item || null;
    if (cb.list) {
      const list = Array.isArray(data[cb.list]) ? [...(data[cb.list] as unknown[])] : [];
      const index = list.findIndex(
        (x) => String(x && typeof x === 'object' && cb.itemKey ? (x as Json)[cb.itemKey] : x) === item,
      );
      if (index >= 0) {
        itemValue = list[index];
        if (cb.setItem) {
          const values = this.computeValues(run, cb.setItem, { item: itemValue, result });
          list[index] = { ...(itemValue as Json), ...values };
          data[cb.list] = list;
        }
      }
    }
    if (cb.resultField) data[cb.resultField] = result;
    this.patch(run, { data });
    if (cb.set) {
      const values = this.computeValues(run, cb.set, { item: itemValue, result });
      this.patch(run, { data: { ...run.rec.data, ...values } });
    }
  }

  /** runTimer: a token's timer fell due (at the runner's pass `at`). */
  timer(at: number, rec: RecState, job: JobRow): void {
    this.assertLive(rec);
    const inst = rec.instances.find((i) => i.row.id === job.instance_id)!;
    this.lockInstance(inst);
    rec.jobs.splice(rec.jobs.indexOf(job), 1);
    const token = inst.tokens.find((t) => t.id === job.token_id);
    if (token?.status !== 'waiting') return;
    const run: Run = { actor: 'system:timer', inst, rec, steps: 0, at, chain: [], depth: 0 };
    this.history(rec, run.actor, at, [{ kind: 'timer', detail: { node: token.node_id } }]);
    this.leave(run, { ...token }, this.node(inst.graph, token.node_id));
  }

  /** runHttp: one call of a service task answered 2xx; the token moves on after its last call. */
  async http(
    at: number,
    rec: RecState,
    job: JobRow,
    nodeId: string,
    item: unknown,
    status = 200,
  ): Promise<void> {
    this.assertLive(rec);
    const inst = rec.instances.find((i) => i.row.id === job.instance_id)!;
    const n = this.node(inst.graph, nodeId);
    if (n.type !== 'serviceTask' || n.action.type !== 'http')
      throw new ReplayError(`${nodeId} is no HTTP task`);
    const vars = { CICD_URL: 'https://cicd.example.com', ...this.world.vars };
    const url = await renderTemplate(n.action.url, {
      ...this.scope(rec, 'system:http', at, { item }),
      vars,
      record: this.recordContext(rec),
    });
    this.lockInstance(inst);
    rec.jobs.splice(rec.jobs.indexOf(job), 1);
    const run: Run = { actor: 'system:http', inst, rec, steps: 0, at, chain: [], depth: 0 };
    this.history(rec, run.actor, at, [
      { kind: 'http', detail: { node: n.id, method: n.action.method, url, status } },
    ]);
    const token = inst.tokens.find((t) => t.id === job.token_id);
    if (token?.status !== 'waiting' || token.node_id !== n.id) return;
    if (rec.jobs.some((j) => j.type === 'http' && j.token_id === token.id)) return;
    this.leave(run, { ...token }, n);
  }

  // ------------------------------------------------------------------ events and rules (events.ts)

  private snapshot(rec: Rec): Rec {
    return { ...rec };
  }

  private changes(before: Rec, after: Rec): Record<string, { from: unknown; to: unknown }> {
    const out: Record<string, { from: unknown; to: unknown }> = {};
    for (const field of new Set([...Object.keys(before.data), ...Object.keys(after.data)]))
      if (!same(before.data[field], after.data[field]))
        out[field] = { from: before.data[field] ?? null, to: after.data[field] ?? null };
    const std = [
      ['status', before.status, after.status],
      ['priority', before.priority, after.priority],
      ['assigneeId', before.assigneeId, after.assigneeId],
      ['groupId', before.groupId, after.groupId],
    ] as const;
    for (const [key, from, to] of std) if (!same(from, to) && !out[key]) out[key] = { from, to };
    return out;
  }

  private emit(
    run: Run,
    type: string,
    opts: { taskId?: number; changes?: EventPayload['changes']; detail?: Json } = {},
  ) {
    this.emitOn(run.rec, run.actor, run.at, run.chain, type, opts);
  }

  /** emitEvent: SLA clocks move now; the rules that change records run as the event's job, a moment later. */
  private emitOn(
    rec: RecState,
    actor: string,
    at: number,
    chain: string[],
    type: string,
    opts: { taskId?: number; changes?: EventPayload['changes']; detail?: Json; created?: boolean } = {},
  ): void {
    if (type.startsWith('record.')) this.applySla(rec, type, at, opts.created === true);
    const rules = this.changingRules(type);
    if (!rules.length) return;
    const event: EventPayload = {
      type,
      recordId: rec.id,
      actor,
      at,
      ...(opts.taskId !== undefined ? { taskId: opts.taskId } : {}),
      ...(opts.changes ? { changes: opts.changes } : {}),
      ...(opts.detail ? { detail: opts.detail } : {}),
      chain: [...chain],
      depth: chain.length,
    };
    this.followups.push({ kind: 'rules', at: at + 1000 + this.jitter(700), rec, event });
  }

  /** Published rules of an event type with an action other than a notification (see the module's comment). */
  private changingRules(type: string) {
    return this.world.rules.filter(
      (r) => r.def.event === type && r.def.actions.some((a) => a.type !== 'notify'),
    );
  }

  /** runEventJob for the rules that change records. */
  runRules(at: number, rec: RecState, ev: EventPayload): void {
    this.assertLive(rec);
    for (const rule of this.changingRules(ev.type)) {
      if (rule.def.form && rule.def.form !== rec.type) continue;
      const name = `rule:${rule.key}`;
      if (ev.chain.includes(rule.key)) {
        this.history(rec, name, at, [
          { kind: 'rule_skipped', detail: { rule: rule.key, reason: 'loop', chain: ev.chain } },
        ]);
        continue;
      }
      if (ev.depth >= this.world.ruleMaxDepth) {
        this.history(rec, name, at, [
          {
            kind: 'rule_skipped',
            detail: { rule: rule.key, reason: 'depth', depth: ev.depth, chain: ev.chain },
          },
        ]);
        continue;
      }
      const ctx: Json = {
        record: this.recordContext(rec),
        event: { type: ev.type, at: ev.at, actor: ev.actor, ...(ev.detail ?? {}) },
        actor: ev.actor,
        changes: ev.changes ?? {},
        task: null,
        now: at,
      };
      if (rule.def.condition && !evaluateCondition(rule.def.condition, ctx)) continue;
      const chain = [...ev.chain, rule.key];
      const done: string[] = [];
      const limit = rule.def.maxActionsPerRun ?? 20;
      for (const action of rule.def.actions) {
        if (done.length >= limit) break;
        done.push(this.runAction(rec, name, at, action, ctx, chain));
      }
      this.history(rec, name, at, [
        { kind: 'rule', detail: { rule: rule.key, version: rule.version, event: ev.type, actions: done } },
      ]);
    }
  }

  /** runAction (automation/actions.ts); a notification is bookkeeping and is left out. */
  private runAction(
    rec: RecState,
    actor: string,
    at: number,
    action: Action,
    ctx: Json,
    chain: string[],
  ): string {
    const applyPatch = (patch: RecordPatch) => {
      const before = this.snapshot(rec);
      this.updateRecord(rec, actor, at, patch);
      const changes = this.changes(before, rec);
      if (Object.keys(changes).length) this.emitOn(rec, actor, at, chain, 'record.updated', { changes });
    };
    switch (action.type) {
      case 'notify':
        return `notify:${action.channel}:0`;
      case 'setField': {
        const data = { ...rec.data, [action.field]: this.evalExpr(action.value, ctx) };
        derivePriority(rec.form.def, data);
        this.refuse(checkRecordData(rec.form, data, rec.status), `${rec.number} setField`);
        applyPatch({ data });
        return `setField:${action.field}`;
      }
      case 'assign': {
        const who = this.resolveAssignee(action.assignee, rec, ctx);
        const assigneeId = who.userIds[0] ?? null;
        if (assigneeId === null && who.groupId === null) throw new ReplayError('assign: nobody matches');
        const patch: RecordPatch = { assigneeId };
        if (who.groupId !== null) patch.groupId = who.groupId;
        applyPatch(patch);
        for (const t of this.openTasks(rec).filter((x) => !x.row.approval_mode)) {
          this.reassignTask(t.row, {
            assignee_id: assigneeId,
            ...(who.groupId !== null ? { group_id: who.groupId } : {}),
          });
          t.row.version++;
          if (assigneeId !== null) this.emitOn(rec, actor, at, chain, 'task.assigned', { taskId: t.row.id });
        }
        return 'assign';
      }
      case 'transition':
        return this.ruleTransition(rec, actor, at, action.action, ctx, chain);
      case 'raisePriority': {
        const field = rec.form.def.priorityMatrix?.priorityField ?? 'priority';
        const schema = rec.form.def.schema as { properties?: Record<string, { enum?: unknown[] }> };
        const levels = (schema.properties?.[field]?.enum ?? []).map(String);
        const current = String(rec.data[field] ?? rec.priority ?? '');
        const i = levels.indexOf(current);
        const target =
          action.to ?? (i > 0 ? levels[i - 1] : i === -1 ? levels[levels.length - 1] : undefined);
        if (!target || target === current) return 'raisePriority:unchanged';
        if (levels.length && i !== -1 && levels.indexOf(target) > i) return 'raisePriority:unchanged';
        applyPatch({ data: { ...rec.data, [field]: target } });
        return `raisePriority:${target}`;
      }
    }
    return 'unknown';
  }

  private ruleTransition(
    rec: RecState,
    actor: string,
    at: number,
    actionKey: string,
    ctx: Json,
    chain: string[],
  ): string {
    for (const task of [...this.openTasks(rec)].sort((a, b) => a.row.id - b.row.id)) {
      this.lockInstance(task.instance);
      const edge = this.outgoing(task.instance.graph, task.row.node_id).find(
        (e) => (e.action?.key ?? 'complete') === actionKey,
      );
      if (!edge) continue;
      for (const guard of edge.guards ?? []) {
        let ok = false;
        try {
          ok = evaluateCondition(guard.condition, ctx);
        } catch {
          ok = false;
        }
        if (!ok) throw new ReplayError(`${rec.number} transition ${actionKey}: a guard does not hold`);
      }
      const run = this.runOf(task, rec, actor, at, chain);
      Object.assign(task.row, {
        status: 'completed',
        completed_at: at,
        completed_by: actor,
        outcome: actionKey,
        version: task.row.version + 1,
      });
      for (const a of task.approvers) if (a.decision === null) a.decision = 'skipped';
      this.history(rec, actor, at, [
        {
          kind: 'transition',
          detail: { task: task.row.id, node: task.row.node_id, action: actionKey, to: edge.target },
        },
      ]);
      const before = this.snapshot(rec);
      this.follow(run, { ...this.tokenById(task.instance, task.row.token_id) }, edge, {});
      this.emit(run, 'record.transitioned', {
        taskId: task.row.id,
        changes: this.changes(before, rec),
        detail: { action: actionKey, node: task.row.node_id, to: edge.target },
      });
      return `transition:${actionKey}`;
    }
    throw new ReplayError(`transition: no open task of ${rec.number} has the action "${actionKey}"`);
  }

  // -------------------------------------------------------------------- SLA clocks (sla/clocks.ts)

  calendar(key: string, version: number): BusinessCalendar {
    const cal = this.world.calendars.get(`${key}@${version}`);
    if (!cal) throw new ReplayError(`calendar ${key}@${version} is not published`);
    return cal;
  }

  private slaDef(key: string, version: number): SlaDefinition | null {
    return this.world.slas.find((s) => s.def.key === key && s.version === version)?.def ?? null;
  }

  private matches(trigger: SlaTrigger | undefined, event: string, ctx: Json): boolean {
    if (!trigger || (!trigger.events && !trigger.condition)) return false;
    if (trigger.events && !trigger.events.includes(event)) return false;
    if (!trigger.condition) return true;
    try {
      return evaluateCondition(trigger.condition, ctx);
    } catch (err) {
      if (err instanceof ExpressionError) return false;
      throw err;
    }
  }

  private save(clock: Clock, changes: Partial<Clock>): void {
    Object.assign(clock, changes, { version: clock.version + 1 });
  }

  private dueAt(cal: BusinessCalendar, clock: Clock, from: number): number {
    return addBusinessMs(cal, from, Math.max(0, Number(clock.target_ms) - Number(clock.elapsed_ms)));
  }

  /** applySlaEvent, for the clocks of one record. */
  private applySla(rec: RecState, eventType: string, now: number, created: boolean): void {
    this.touched.add(rec);
    const ctx = { ...this.scope(rec, 'system:sla', now), event: { type: eventType } };
    const clocks = created
      ? []
      : rec.clocks
          .filter((c) => c.task_id === null)
          .sort((a, b) =>
            a.sla_key < b.sla_key
              ? -1
              : a.sla_key > b.sla_key
                ? 1
                : a.metric < b.metric
                  ? -1
                  : a.metric > b.metric
                    ? 1
                    : a.cycle - b.cycle,
          );
    const latest = new Map<string, Clock>();
    for (const c of clocks) latest.set(`${c.sla_key}/${c.metric}`, c);
    const bySla = new Map<string, { def: SlaDefinition; version: number }>();
    for (const c of clocks) {
      if (bySla.has(c.sla_key)) continue;
      const def = this.slaDef(c.sla_key, c.sla_version);
      if (def) bySla.set(c.sla_key, { def, version: c.sla_version });
    }
    for (const s of this.world.slas) {
      if (bySla.has(s.def.key)) continue;
      if (s.def.form && s.def.form !== rec.type) continue;
      if (s.def.appliesTo && !this.matches({ condition: s.def.appliesTo }, eventType, ctx)) continue;
      bySla.set(s.def.key, s);
    }
    for (const { def, version } of bySla.values()) {
      let goalNow: { goal: SlaDefinition['goals'][number] | undefined } | null = null;
      const currentGoal = () => {
        if (!goalNow)
          goalNow = {
            goal: def.goals.find((g) => !g.when || this.matches({ condition: g.when }, eventType, ctx)),
          };
        return goalNow.goal;
      };
      for (const metric of def.metrics) {
        const clock = latest.get(`${def.key}/${metric.id}`);
        if (clock && clock.state !== 'stopped') {
          const goal = currentGoal();
          if (goal && goal.id !== clock.goal && goal.targets[metric.id])
            this.changeGoal(rec, def, clock, goal, metric.name, now);
          const cal = this.calendar(clock.calendar_key, clock.calendar_version);
          const percents = thresholds(def, clock);
          const running = clock.state === 'running';
          const elapsed = running
            ? Number(clock.elapsed_ms) + businessMsBetween(cal, Number(clock.segment_started_at), now)
            : Number(clock.elapsed_ms);
          if (this.matches(metric.stop, eventType, ctx)) {
            const breached = toBool(clock.breached) || elapsed >= Number(clock.target_ms);
            this.save(clock, {
              state: 'stopped',
              elapsed_ms: elapsed,
              segment_started_at: null,
              next_check_at: null,
              stopped_at: now,
              met: !breached,
            });
          } else if (running && this.matches(metric.pause, eventType, ctx)) {
            this.save(clock, {
              state: 'paused',
              elapsed_ms: elapsed,
              segment_started_at: null,
              due_at: null,
              next_check_at: null,
            });
          } else if (!running && !this.matches(metric.pause, eventType, ctx)) {
            const resumed = { ...clock, state: 'running' as const, segment_started_at: now };
            this.save(clock, {
              state: 'running',
              segment_started_at: now,
              due_at: this.dueAt(cal, resumed, now),
              next_check_at: nextCheck(cal, resumed as ClockRow, percents),
            });
          }
          continue;
        }
        if (!this.matches(metric.start, eventType, ctx)) continue;
        const goal = currentGoal();
        const target = goal?.targets[metric.id];
        if (!goal || !target) continue;
        const calendarKey = goal.calendar ?? def.calendar;
        const calendarVersion = this.world.calendarVersions.get(calendarKey);
        if (calendarVersion === undefined) continue;
        const cal = this.calendar(calendarKey, calendarVersion);
        const row: Clock = {
          id: 0,
          record_id: rec.id,
          task_id: null,
          sla_key: def.key,
          sla_version: version,
          metric: metric.id,
          cycle: (clock?.cycle ?? 0) + 1,
          goal: goal.id,
          calendar_key: calendarKey,
          calendar_version: calendarVersion,
          target_ms: Math.round(target.minutes * 60_000),
          state: 'running',
          started_at: now,
          segment_started_at: now,
          elapsed_ms: 0,
          due_at: null,
          next_check_at: null,
          warned: toJson([])!,
          breached: false,
          breached_at: null,
          stopped_at: null,
          met: null,
          version: 1,
        };
        if (this.matches(metric.pause, eventType, ctx))
          Object.assign(row, { state: 'paused', segment_started_at: null });
        else {
          row.due_at = this.dueAt(cal, row, now);
          row.next_check_at = nextCheck(cal, row as ClockRow, thresholds(def, row));
        }
        rec.clocks.push(row);
      }
    }
  }

  private changeGoal(
    rec: RecState,
    def: SlaDefinition,
    clock: Clock,
    goal: SlaDefinition['goals'][number],
    metricName: unknown,
    now: number,
  ): void {
    const calendarKey = goal.calendar ?? def.calendar;
    const calendarVersion = this.world.calendarVersions.get(calendarKey);
    if (calendarVersion === undefined) return;
    const oldCal = this.calendar(clock.calendar_key, clock.calendar_version);
    const cal = this.calendar(calendarKey, calendarVersion);
    const running = clock.state === 'running';
    const moved: Partial<Clock> = {
      goal: goal.id,
      calendar_key: calendarKey,
      calendar_version: calendarVersion,
      target_ms: Math.round(goal.targets[clock.metric]!.minutes * 60_000),
      elapsed_ms: running
        ? Number(clock.elapsed_ms) + businessMsBetween(oldCal, Number(clock.segment_started_at), now)
        : Number(clock.elapsed_ms),
      segment_started_at: running ? now : null,
    };
    const next = { ...clock, ...moved } as Clock;
    const from = clock.goal;
    this.save(clock, {
      ...moved,
      due_at: running ? this.dueAt(cal, next, now) : null,
      next_check_at: running ? nextCheck(cal, next as ClockRow, thresholds(def, next)) : null,
    });
    this.history(rec, `system:sla:${def.key}`, now, [
      {
        kind: 'sla_goal',
        detail: {
          sla: def.key,
          metric: clock.metric,
          metricName,
          cycle: clock.cycle,
          from,
          fromName: def.goals.find((g) => g.id === from)?.name ?? null,
          to: goal.id,
          toName: goal.name ?? null,
        },
      },
    ]);
  }

  // ----------------------------------------------------------------- the checker (sla/checker.ts)

  private olaPercents(clock: Clock): number[] {
    const graph = this.world.graphs.get(clock.sla_key.slice(OLA_PREFIX.length));
    const n = graph?.version === clock.sla_version ? graph.nodes.get(clock.metric) : undefined;
    if (n?.type !== 'userTask') return [100];
    return [...new Set([...(n.ola?.warnAt ?? []), 100])].sort((a, b) => a - b);
  }

  private clockSpec(clock: Clock): { percents: number[]; onWarn: Action[]; onBreach: Action[] } | null {
    if (clock.task_id !== null) {
      const graph = this.world.graphs.get(clock.sla_key.slice(OLA_PREFIX.length));
      const n = graph?.nodes.get(clock.metric);
      if (n?.type !== 'userTask') return null;
      return {
        percents: this.olaPercents(clock),
        onWarn: n.ola?.onWarn ?? [],
        onBreach: n.ola?.onBreach ?? [],
      };
    }
    const def = this.slaDef(clock.sla_key, clock.sla_version);
    if (!def) return null;
    const target = def.goals.find((g) => g.id === clock.goal)?.targets[clock.metric];
    return {
      percents: thresholds(def, clock),
      onWarn: target?.onWarn ?? [],
      onBreach: target?.onBreach ?? [],
    };
  }

  /** When the checker next has work for this record: the earliest next check of its clocks. */
  nextCheckOf(rec: RecState): number | null {
    let min: number | null = null;
    for (const c of rec.clocks)
      if (c.next_check_at !== null && (min === null || Number(c.next_check_at) < min))
        min = Number(c.next_check_at);
    return min;
  }

  private jitter(max: number): number {
    this.passJitter = (Math.imul(this.passJitter + 0x6d2b79f5, 1597334677) >>> 0) % 1_000_003;
    return this.passJitter % max;
  }

  /** The checker's pass after `due` (it looks every second): the instant the threshold is acted on. */
  passAfter(due: number, notBefore: number): number {
    return Math.max(due, notBefore) + 1 + this.jitter(999);
  }

  /** One checker pass at `now` over this record's due clocks. */
  check(now: number, rec: RecState): void {
    this.assertLive(rec);
    this.touched.add(rec);
    const due = rec.clocks
      .filter((c) => c.next_check_at !== null && Number(c.next_check_at) <= now)
      .sort((a, b) => Number(a.next_check_at) - Number(b.next_check_at));
    for (const clock of due) this.checkClock(rec, clock, now);
  }

  private checkClock(rec: RecState, clock: Clock, now: number): void {
    if (clock.state !== 'running' || clock.next_check_at === null || Number(clock.next_check_at) > now)
      return;
    if (clock.task_id !== null) {
      const task = rec.tasks.find((t) => t.row.id === clock.task_id);
      if (task?.row.status !== 'open') {
        const at = task?.row.completed_at ? Number(task.row.completed_at) : now;
        this.save(clock, {
          state: 'stopped',
          stopped_at: at,
          met: !toBool(clock.breached) && at <= Number(clock.due_at),
          next_check_at: null,
        });
        return;
      }
    }
    const spec = this.clockSpec(clock);
    if (!spec) return;
    const cal = this.calendar(clock.calendar_key, clock.calendar_version);
    const warned = new Set(fromJson<number[]>(clock.warned) ?? []);
    let breached = toBool(clock.breached);
    const firing: { percent: number; at: number }[] = [];
    for (const percent of spec.percents) {
      if (percent === 100 ? breached : warned.has(percent)) continue;
      const remaining = Math.ceil((Number(clock.target_ms) * percent) / 100) - Number(clock.elapsed_ms);
      const at =
        remaining <= 0
          ? Number(clock.segment_started_at)
          : addBusinessMs(cal, Number(clock.segment_started_at), remaining);
      if (at > now) break;
      firing.push({ percent, at });
      if (percent === 100) breached = true;
      else warned.add(percent);
    }
    if (!firing.length) return;
    const next = { ...clock, warned: toJson([...warned])!, breached } as Clock;
    this.save(clock, {
      warned: next.warned,
      breached,
      breached_at: breached && !toBool(clock.breached) ? firing.at(-1)!.at : clock.breached_at,
      next_check_at: nextCheck(cal, next as ClockRow, spec.percents),
    });
    const ola = clock.task_id !== null;
    const actor = `system:sla:${clock.sla_key}`;
    for (const f of firing) {
      const kind = f.percent === 100 ? 'breach' : 'warning';
      this.history(rec, actor, now, [
        {
          kind: `${ola ? 'ola' : 'sla'}_${kind}`,
          detail: { sla: clock.sla_key, metric: clock.metric, percent: f.percent, at: f.at },
        },
      ]);
      const ctx: Json = {
        record: this.recordContext(rec),
        sla: { key: clock.sla_key, metric: clock.metric, percent: f.percent, dueAt: clock.due_at },
        event: { type: kind === 'breach' ? 'sla.breached' : 'sla.warning' },
        actor,
        now,
      };
      for (const action of f.percent === 100 ? spec.onBreach : spec.onWarn)
        this.runAction(rec, actor, now, action, ctx, []);
      if (ola) continue;
      this.emitOn(rec, actor, now, [], kind === 'breach' ? 'sla.breached' : 'sla.warning', {
        detail: { sla: clock.sla_key, metric: clock.metric, percent: f.percent },
      });
    }
  }

  // -------------------------------------------------------- housekeeping (schedules/housekeeping.ts)

  /** autoCloseResolved and autoRate at one housekeeping run; returns what they did. */
  housekeeping(
    at: number,
    settings: { autoCloseDays: number; autoRateDays: number; autoRateStars: number },
  ): { closed: number; rated: number } {
    let closed = 0;
    let rated = 0;
    const system = { ...this.person(SYSTEM_USER), roles: ['admin'] as Role[] };
    if (settings.autoCloseDays > 0) {
      const cutoff = at - settings.autoCloseDays * 86_400_000;
      const candidates: Task[] = [];
      for (const rec of this.records.values()) {
        if (rec.flushed || rec.resolvedAt === null || rec.resolvedAt >= cutoff || rec.closedAt !== null)
          continue;
        candidates.push(...this.openTasks(rec));
      }
      for (const task of candidates.slice(0, 500)) {
        if (task.row.status !== 'open') continue;
        const keys = this.outgoing(task.instance.graph, task.row.node_id).map((e) => e.action?.key);
        const action = ['confirm', 'close'].find((k) => keys.includes(k));
        if (!action) continue;
        try {
          this.act(at, task, system, action, {
            comment: `auto: resolved more than ${settings.autoCloseDays} days ago`,
          });
          closed++;
        } catch (err) {
          if (!(err instanceof ReplayError)) throw err;
        }
      }
    }
    if (settings.autoRateDays > 0) {
      const cutoff = at - settings.autoRateDays * 86_400_000;
      const stars = settings.autoRateStars;
      for (const rec of this.records.values()) {
        if (rated >= 1000) break;
        if (rec.flushed || rec.rating || rec.resolvedAt === null || rec.resolvedAt >= cutoff) continue;
        rec.rating = {
          record_id: rec.id,
          user_id: rec.requesterId,
          attitude: stars,
          speed: stars,
          quality: stars,
          comment: null,
          created_at: at,
          auto: true,
        };
        this.history(rec, SYSTEM_USER, at, [
          { kind: 'rating', detail: { attitude: stars, speed: stars, quality: stars, auto: true } },
        ]);
        rated++;
      }
    }
    this.scheduleRuns.push({
      key: HOUSEKEEPING,
      scheduled_for: at,
      started_at: at,
      status: 'done',
      reason: 'scheduled',
      detail: toJson({ closed, rated }),
    });
    return { closed, rated };
  }

  /** A schedule occurrence that creates a record (schedules/scheduler.ts runOccurrence). */
  async scheduled(at: number, key: string, input: { type: string; data: Data }): Promise<RecState> {
    const system = { ...this.person(SYSTEM_USER), roles: ['agent'] as Role[] };
    const rec = await this.create(at, system, input, { automated: true });
    this.scheduleRuns.push({
      key,
      scheduled_for: at,
      started_at: at,
      status: 'done',
      reason: 'scheduled',
      detail: toJson({ record: rec.number }),
    });
    return rec;
  }

  /** Whether nothing can change the record any more, so it may be written out. */
  settled(rec: RecState): boolean {
    return (
      rec.storyDone &&
      rec.closedAt !== null &&
      !rec.jobs.length &&
      !this.openTasks(rec).length &&
      rec.clocks.every((c) => c.next_check_at === null) &&
      (rec.rating !== null || rec.resolvedAt === null)
    );
  }
}
