import { type DatasetSource, REPORT_DATASETS, type ReportFieldKind } from '@opsloom/spec';
import type { Knex } from 'knex';
import { type Dialect, jsonText, list, type Sql, sql } from './sql.ts';

/**
 * The dataset registry: for each dataset spec lists (REPORT_DATASETS), its FROM clause — always
 * with the records table aliased `r`, so the runtime's visibility rule narrows every dataset the
 * same way — and each field's SQL.
 *
 * Adding a dataset (CMDB CIs, knowledge articles): a spec entry with its fields, and an entry here
 * whose `from` joins whatever decides visibility (for CIs and articles that is not `records`: give
 * the dataset a `scope` of its own and let the runtime pass a rule for it — the seam is
 * `EngineContext.scope`, which today takes the records alias).
 *
 * A rollup (pre-aggregated daily counts kept by the writing transaction or the job runner) would be
 * another `DatasetImpl` with the same field names over the rollup table: a plan names fields, not
 * columns, so a planner choosing the rollup when every field the report uses exists there (and
 * summing its counts) needs no change to definitions, drill-down or charts.
 */

/** What field SQL may ask of the query it is part of. */
export interface QueryScope {
  dialect: Dialect;
  now: number;
  /** Adds a join once per alias. */
  join(alias: string, add: (q: Knex.QueryBuilder) => void): void;
  /** The value of an indexed form field of a records report (through record_values). */
  formField(name: string): Sql;
  /** Statuses whose category is done (for reopen counts). */
  doneStatuses: readonly string[];
  /** A column of the table's row (formRows): the element's property, as text. */
  tableColumn(name: string): Sql;
  /** The JSON path of the report's table field in records.data (formRows), e.g. `$."apps"`. */
  tablePath: string | undefined;
}

/** Value names the runtime can look up for a dimension (group names, people, steps…). */
export type LabelKind =
  | 'group'
  | 'user'
  | 'type'
  | 'status'
  | 'catalogItem'
  | 'process'
  | 'step'
  | 'sla'
  | 'metric'
  | 'boolean';

/**
 * How a condition on a records field reads in the records list's query (GET /records), for a
 * drill-down that opens the list with filters a person can read and change.
 */
export type ListMapping =
  | { kind: 'values'; param: 'type' | 'status' | 'priority' | 'catalogItem'; none?: boolean; multi: boolean }
  | { kind: 'person'; param: 'group' | 'assignee' | 'requester'; none: boolean }
  | { kind: 'range'; param: 'createdAt' | 'updatedAt' | 'resolvedAt' | 'closedAt' }
  | { kind: 'flag'; param: 'closed' | 'resolved'; invert: boolean }
  /** age = now - created: an age range is a creation range. */
  | { kind: 'age' }
  /** resolution time: only resolved records have one. */
  | { kind: 'resolutionTime' };

export interface FieldImpl {
  kind: ReportFieldKind;
  expr(s: QueryScope): Sql;
  /** Start and end instants of a duration, for business time. */
  span?(s: QueryScope): [Sql, Sql];
  /**
   * A flag's condition itself: a filter "flag = true" is sent as it, so an index on its column can
   * serve it (`r.closed_at IS NULL`, where `CASE WHEN … END = 1` makes the database read every row).
   */
  test?(s: QueryScope): Sql;
  labels?: LabelKind;
  list?: ListMapping;
}

export interface DatasetImpl {
  source: DatasetSource;
  /**
   * The FROM clause; `records` false leaves out the join of `records as r`, for a dataset whose
   * rows each belong to a record (`recordJoin`): the engine does so when nothing in the query
   * reads `r` — no record field, no form, and a viewer who sees every record.
   */
  from(db: Knex, s: QueryScope, records?: boolean): Knex.QueryBuilder;
  /** Set when every row names an existing record (records are never deleted): the join is optional. */
  recordJoin?: boolean;
  fields: Record<string, FieldImpl>;
}

const col = (kind: ReportFieldKind, column: string, more: Partial<FieldImpl> = {}): FieldImpl => ({
  kind,
  expr: () => sql(column),
  ...more,
});

const flag = (condition: (s: QueryScope) => Sql, more: Partial<FieldImpl> = {}): FieldImpl => ({
  kind: 'boolean',
  expr: (s) => {
    const c = condition(s);
    return { text: `CASE WHEN ${c.text} THEN 1 ELSE 0 END`, values: c.values };
  },
  test: condition,
  labels: 'boolean',
  ...more,
});

const duration = (
  start: (s: QueryScope) => Sql,
  end: (s: QueryScope) => Sql,
  more: Partial<FieldImpl> = {},
): FieldImpl => ({
  kind: 'duration',
  expr: (s) => {
    const a = start(s);
    const b = end(s);
    return { text: `(${b.text}) - (${a.text})`, values: [...b.values, ...a.values] };
  },
  span: (s) => [start(s), end(s)],
  ...more,
});

const now = (s: QueryScope) => sql('?', s.now);
const coalesceNow = (column: string) => (s: QueryScope) => sql(`COALESCE(${column}, ?)`, s.now);

/** A person or group name through a join (usernames and group keys, as the API speaks them). */
function named(
  kind: 'user' | 'group',
  alias: string,
  idColumn: string,
  more: Partial<FieldImpl> = {},
): FieldImpl {
  const table = kind === 'user' ? 'users' : 'groups';
  const name = kind === 'user' ? 'username' : 'key';
  return {
    kind: 'dimension',
    // Backquoted: `key` is a reserved word on MySQL (SQLite accepts backquotes too).
    expr: (s) => {
      s.join(alias, (q) => q.leftJoin(`${table} as ${alias}`, `${alias}.id`, idColumn));
      return sql(`${alias}.\`${name}\``);
    },
    labels: kind,
    ...more,
  };
}

/** The fields of the record a row belongs to (tasks, approvals, SLA clocks, ratings, transitions). */
const RECORD_OF_ROW: Record<string, FieldImpl> = {
  recordId: col('dimension', 'r.id'),
  type: col('dimension', 'r.type', { labels: 'type' }),
  priority: col('dimension', 'r.priority'),
  catalogItem: col('dimension', 'r.catalog_item', { labels: 'catalogItem' }),
  recordStatus: col('dimension', 'r.status', { labels: 'status' }),
  recordGroup: named('group', 'rg', 'r.group_id'),
  recordAssignee: named('user', 'ra', 'r.assignee_id'),
  recordCreatedAt: col('time', 'r.created_at'),
  recordResolvedAt: col('time', 'r.resolved_at'),
};

/** `left IN (done…) AND right NOT IN (done…)`: leaving a done status for another one. */
function leavesDone(s: QueryScope, left: Sql, right: Sql): Sql {
  if (!s.doneStatuses.length) return sql('1 = 0');
  const done = list(s.doneStatuses);
  return {
    text: `${left.text} IN (${done.text}) AND ${right.text} NOT IN (${done.text})`,
    values: [...left.values, ...done.values, ...right.values, ...done.values],
  };
}

/**
 * How many status changes of the record left a done status for another (a reopened incident),
 * from its history; a correlated count over record_history's (record_id, id) index.
 */
const reopensOfRecord: FieldImpl = {
  kind: 'number',
  expr: (s) => {
    const cond = leavesDone(
      s,
      jsonText(s.dialect, 'h.from_value', '$'),
      jsonText(s.dialect, 'h.to_value', '$'),
    );
    return {
      text: `(SELECT COUNT(*) FROM record_history h WHERE h.record_id = r.id AND h.kind = ? AND h.field = ? AND ${cond.text})`,
      values: ['field', 'status', ...cond.values],
    };
  },
};

/**
 * How many times the record's group or assignee changed from one value to another: the first
 * assignment (from none) is not a reassignment, taking it away or handing it on is. History
 * keeps these as `field` entries named `group` / `assignee` whose values are ids (JSON).
 */
const reassignmentsOfRecord: FieldImpl = {
  kind: 'number',
  expr: () =>
    sql(
      '(SELECT COUNT(*) FROM record_history h WHERE h.record_id = r.id AND h.kind = ? AND h.field IN (?, ?) ' +
        'AND h.from_value IS NOT NULL AND h.from_value <> ?)',
      'field',
      'group',
      'assignee',
      'null',
    ),
};

/**
 * How many times the record went to another group after its first (an escalation or a transfer:
 * the ITIL sense of "not resolved at first contact"); a hand-over between two people of the same
 * group is not one. From the same `group` field entries of the history.
 */
const transfersOfRecord: FieldImpl = {
  kind: 'number',
  expr: () =>
    sql(
      '(SELECT COUNT(*) FROM record_history h WHERE h.record_id = r.id AND h.kind = ? AND h.field = ? ' +
        'AND h.from_value IS NOT NULL AND h.from_value <> ?)',
      'field',
      'group',
      'null',
    ),
};

/** Joins the record a row belongs to as `r`, unless left out. */
const withRecord = (q: Knex.QueryBuilder, records: boolean, column: string) =>
  records ? q.join('records as r', 'r.id', column) : q;

const processOfTask: FieldImpl = {
  kind: 'dimension',
  expr: (s) => {
    s.join('pi', (q) => q.leftJoin('process_instances as pi', 'pi.id', 't.instance_id'));
    return sql('pi.process_key');
  },
  labels: 'process',
};

const records: DatasetImpl = {
  source: 'records',
  from: (db) => db.from('records as r'),
  fields: {
    id: col('dimension', 'r.id'),
    number: col('dimension', 'r.number'),
    title: col('dimension', 'r.title'),
    type: col('dimension', 'r.type', {
      labels: 'type',
      list: { kind: 'values', param: 'type', multi: false },
    }),
    status: col('dimension', 'r.status', {
      labels: 'status',
      list: { kind: 'values', param: 'status', multi: true },
    }),
    priority: col('dimension', 'r.priority', {
      list: { kind: 'values', param: 'priority', multi: true, none: true },
    }),
    group: named('group', 'rg', 'r.group_id', { list: { kind: 'person', param: 'group', none: true } }),
    assignee: named('user', 'ra', 'r.assignee_id', {
      list: { kind: 'person', param: 'assignee', none: true },
    }),
    requester: named('user', 'rq', 'r.requester_id', {
      list: { kind: 'person', param: 'requester', none: false },
    }),
    catalogItem: col('dimension', 'r.catalog_item', {
      labels: 'catalogItem',
      list: { kind: 'values', param: 'catalogItem', multi: true },
    }),
    createdAt: col('time', 'r.created_at', { list: { kind: 'range', param: 'createdAt' } }),
    updatedAt: col('time', 'r.updated_at', { list: { kind: 'range', param: 'updatedAt' } }),
    resolvedAt: col('time', 'r.resolved_at', { list: { kind: 'range', param: 'resolvedAt' } }),
    closedAt: col('time', 'r.closed_at', { list: { kind: 'range', param: 'closedAt' } }),
    open: flag(() => sql('r.closed_at IS NULL'), { list: { kind: 'flag', param: 'closed', invert: true } }),
    resolved: flag(() => sql('r.resolved_at IS NOT NULL'), {
      list: { kind: 'flag', param: 'resolved', invert: false },
    }),
    resolutionTime: duration(
      () => sql('r.created_at'),
      () => sql('r.resolved_at'),
      { list: { kind: 'resolutionTime' } },
    ),
    age: duration(() => sql('r.created_at'), now, { list: { kind: 'age' } }),
    reassignments: reassignmentsOfRecord,
    transfers: transfersOfRecord,
    reopens: reopensOfRecord,
  },
};

const tasks: DatasetImpl = {
  source: 'tasks',
  recordJoin: true,
  from: (db, _s, records = true) => withRecord(db.from('tasks as t'), records, 't.record_id'),
  fields: {
    id: col('dimension', 't.id'),
    process: processOfTask,
    step: col('dimension', 't.node_id', { labels: 'step' }),
    status: col('dimension', 't.status'),
    outcome: col('dimension', 't.outcome'),
    group: named('group', 'tg', 't.group_id'),
    assignee: named('user', 'tu', 't.assignee_id'),
    completedBy: col('dimension', 't.completed_by'),
    openedAt: col('time', 't.created_at'),
    closedAt: col('time', 't.completed_at'),
    dueAt: col('time', 't.due_at'),
    open: flag(() => sql('t.status = ?', 'open')),
    overdue: flag((s) => sql('t.due_at IS NOT NULL AND COALESCE(t.completed_at, ?) > t.due_at', s.now)),
    timeInStep: duration(() => sql('t.created_at'), coalesceNow('t.completed_at')),
    ...RECORD_OF_ROW,
  },
};

const approvals: DatasetImpl = {
  source: 'approvals',
  from: (db) =>
    db
      .from('task_approvers as ap')
      .join('tasks as t', 't.id', 'ap.task_id')
      .join('records as r', 'r.id', 't.record_id'),
  fields: {
    taskId: col('dimension', 't.id'),
    process: processOfTask,
    step: col('dimension', 't.node_id', { labels: 'step' }),
    approver: named('user', 'au', 'ap.user_id'),
    decision: col('dimension', 'ap.decision'),
    mode: col('dimension', 't.approval_mode'),
    askedAt: col('time', 't.created_at'),
    decidedAt: col('time', 'ap.decided_at'),
    pending: flag(() => sql('ap.decision IS NULL')),
    decisionTime: duration(() => sql('t.created_at'), coalesceNow('ap.decided_at')),
    ...RECORD_OF_ROW,
  },
};

const slaMetrics: DatasetImpl = {
  source: 'slaMetrics',
  recordJoin: true,
  from: (db, _s, records = true) => withRecord(db.from('sla_clocks as c'), records, 'c.record_id'),
  fields: {
    sla: col('dimension', 'c.sla_key', { labels: 'sla' }),
    metric: col('dimension', 'c.metric', { labels: 'metric' }),
    goal: col('dimension', 'c.goal'),
    calendar: col('dimension', 'c.calendar_key'),
    state: col('dimension', 'c.state'),
    cycle: col('number', 'c.cycle'),
    ola: flag(() => sql('c.task_id IS NOT NULL')),
    // Booleans are 0/1 on both databases (SQLite integers, MySQL TINYINT); NULL while running.
    // breached, else met (stopped in time), else pending (still counting, not yet late).
    outcome: {
      kind: 'dimension',
      expr: () =>
        sql(
          'CASE WHEN c.breached = ? THEN ? WHEN c.met = ? THEN ? ELSE ? END',
          1,
          'breached',
          1,
          'met',
          'pending',
        ),
    },
    met: flag(() => sql('c.met = ?', 1)),
    breached: flag(() => sql('c.breached = ?', 1)),
    elapsed: col('duration', 'c.elapsed_ms'),
    wallElapsed: duration(() => sql('c.started_at'), coalesceNow('c.stopped_at')),
    target: col('duration', 'c.target_ms'),
    startedAt: col('time', 'c.started_at'),
    stoppedAt: col('time', 'c.stopped_at'),
    breachedAt: col('time', 'c.breached_at'),
    group: named('group', 'rg', 'r.group_id'),
    assignee: named('user', 'ra', 'r.assignee_id'),
    ...RECORD_OF_ROW,
  },
};

const ratings: DatasetImpl = {
  source: 'ratings',
  recordJoin: true,
  from: (db, _s, records = true) => withRecord(db.from('record_ratings as rt'), records, 'rt.record_id'),
  fields: {
    attitude: col('number', 'rt.attitude'),
    speed: col('number', 'rt.speed'),
    quality: col('number', 'rt.quality'),
    // 3e0, a floating-point literal on both databases: MySQL divides by the exact 3.0 in DECIMAL
    // with four places (div_precision_increment), so 7 / 3.0 was 2.3333 and averages drifted.
    overall: col('number', '(rt.attitude + rt.speed + rt.quality) / 3e0'),
    rater: named('user', 'ru', 'rt.user_id'),
    ratedAt: col('time', 'rt.created_at'),
    group: named('group', 'rg', 'r.group_id'),
    assignee: named('user', 'ra', 'r.assignee_id'),
    ...RECORD_OF_ROW,
  },
};

/**
 * Status changes: the `created` entry (the first status) and every `status` field change of
 * record_history, each with the instant the record left that status (the next change, by LEAD —
 * a window function SQLite ≥ 3.25 and MariaDB ≥ 10.2 both have). The window runs over every
 * record's status history before the report's filters apply; a rollup would keep these intervals.
 */
const transitions: DatasetImpl = {
  source: 'transitions',
  from: (db, s) => {
    const to = jsonText(s.dialect, 'h.to_value', '$');
    const createdTo = jsonText(s.dialect, 'h.to_value', '$.status');
    const from = jsonText(s.dialect, 'h.from_value', '$');
    const inner =
      `SELECT h.id, h.record_id, h.at, h.actor, ` +
      `CASE WHEN h.kind = ? THEN NULL ELSE ${from.text} END AS from_status, ` +
      `CASE WHEN h.kind = ? THEN ${createdTo.text} ELSE ${to.text} END AS to_status, ` +
      `LEAD(h.at) OVER (PARTITION BY h.record_id ORDER BY h.at, h.id) AS next_at ` +
      `FROM record_history h WHERE h.kind = ? OR (h.kind = ? AND h.field = ?)`;
    const values = [
      'created',
      ...from.values,
      'created',
      ...createdTo.values,
      ...to.values,
      'created',
      'field',
      'status',
    ];
    return db
      .from(db.raw(`(${inner}) as tr`, values as Knex.RawBinding[]))
      .join('records as r', 'r.id', 'tr.record_id');
  },
  fields: {
    from: col('dimension', 'tr.from_status', { labels: 'status' }),
    status: col('dimension', 'tr.to_status', { labels: 'status' }),
    actor: col('dimension', 'tr.actor'),
    at: col('time', 'tr.at'),
    leftAt: col('time', 'tr.next_at'),
    current: flag(() => sql('tr.next_at IS NULL')),
    reopen: flag((s) => leavesDone(s, sql('tr.from_status'), sql('tr.to_status'))),
    timeInStatus: duration(() => sql('tr.at'), coalesceNow('tr.next_at')),
    group: named('group', 'rg', 'r.group_id'),
    assignee: named('user', 'ra', 'r.assignee_id'),
    ...RECORD_OF_ROW,
  },
};

/**
 * Rows of a table field (an array of objects in records.data, such as a release's `apps`): one
 * row per element, beside its record `r`. SQLite reads the array with json_each (the element in
 * `ti.value`); MariaDB numbers the elements with JSON_TABLE (`ti.i`, from 1) and reads a column
 * by path. The table's path is bound where the database allows it; JSON_TABLE's own row path is
 * the constant `$[*]` over the extracted array. Columns are read as text (see tableColumn).
 */
const formRows: DatasetImpl = {
  source: 'formRows',
  from: (db, s) => {
    const path = s.tablePath;
    if (!path) throw new Error('formRows needs a table');
    const q = db.from('records as r');
    return s.dialect === 'sqlite'
      ? q.joinRaw('CROSS JOIN json_each(r.data, ?) AS ti', [path])
      : q.joinRaw("CROSS JOIN JSON_TABLE(JSON_EXTRACT(r.data, ?), '$[*]' COLUMNS (i FOR ORDINALITY)) AS ti", [
          path,
        ]);
  },
  fields: {
    row: {
      kind: 'number',
      expr: (s) => (s.dialect === 'sqlite' ? sql('(ti.key + 1)') : sql('ti.i')),
    },
    ...RECORD_OF_ROW,
  },
};

export const DATASETS: Record<DatasetSource, DatasetImpl> = {
  records,
  tasks,
  approvals,
  slaMetrics,
  ratings,
  transitions,
  formRows,
};

/** The JSON path of a property of records.data, quoted (names are checked identifiers). */
export function jsonPathOf(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) throw new Error(`not a field name: ${name}`);
  return `$."${name}"`;
}

/** A column of a formRows row: the element's property as text (NULL when it has none). */
export function tableColumnSql(dialect: Dialect, tablePath: string, column: string): Sql {
  const prop = jsonPathOf(column).slice(1);
  if (dialect === 'sqlite') return sql('json_extract(ti.value, ?)', `$${prop}`);
  return sql('JSON_UNQUOTE(JSON_EXTRACT(r.data, CONCAT(?, ti.i - 1, ?)))', `${tablePath}[`, `]${prop}`);
}

/** The registry's field, or undefined; spec's list and this registry name the same fields. */
export function fieldImpl(source: DatasetSource, name: string): FieldImpl | undefined {
  const fields = DATASETS[source].fields;
  return Object.hasOwn(fields, name) ? fields[name] : undefined;
}

/** Fields spec lists that the registry lacks, and the other way round (a test keeps them equal). */
export function registryMismatches(): string[] {
  const out: string[] = [];
  for (const source of Object.keys(REPORT_DATASETS) as DatasetSource[]) {
    const spec = REPORT_DATASETS[source].fields;
    const impl = DATASETS[source].fields;
    for (const name of Object.keys(spec)) {
      if (!impl[name]) out.push(`${source}.${name}: no SQL`);
      else if (impl[name].kind !== spec[name]!.kind)
        out.push(`${source}.${name}: kind ${impl[name].kind} ≠ ${spec[name]!.kind}`);
      else if (!!impl[name].span !== !!spec[name]!.business) out.push(`${source}.${name}: business time`);
    }
    for (const name of Object.keys(impl)) if (!spec[name]) out.push(`${source}.${name}: not in spec`);
  }
  return out;
}
