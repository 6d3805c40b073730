import type { Knex } from 'knex';
import type { Actor } from '../context.ts';
import { latestPublished } from '../definitions/current.ts';
import { ApiError } from '../http/errors.ts';
import type { FieldProblem } from '../http/validate.ts';
import { type MessageKey, type MessageParams, translateBoth } from '../i18n/translate.ts';
import { loadForm } from './forms.ts';
import { fromRow, type RecordRow } from './store.ts';
import { type RecordView, viewRecords } from './view.ts';
import { scopeToVisible } from './visibility.ts';

/**
 * Record lists: GET /records and whoever else needs a page of records (benchmarks, reports).
 *
 * The query is the HTTP query string as an object:
 * - `type`; standard fields `status`, `priority`, `catalogItem` (comma lists), `requester`,
 *   `assignee`, `group` (username / group key, `none` for empty assignee or group);
 * - indexed form fields: `f.<field>=value`, `f.<field>.gte=…`, `f.<field>.lte=…` (needs `type`;
 *   numeric fields compare record_values.num_value numerically, the others str_value);
 * - `createdAt.gte/lte`, `updatedAt.gte/lte`, `resolvedAt.gte/lte`, `closedAt.gte/lte` (epoch ms or
 *   ISO 8601); `resolved`, `closed` (`true` / `false`: whether the record has been resolved / closed);
 * - `q`: every word must occur in the title or the description (see `textFilter`);
 * - `report` + `cell`: the records behind one figure of a report (its drill-down, for datasets
 *   that are not one row per record or conditions the filters above cannot say): the route turns
 *   them into a subquery of record ids (`opts.restrict`, runtime/src/reports/service.ts);
 * - `sort`: createdAt, updatedAt, number, priority, status or `f.<field>`, `-` for descending,
 *   default `-createdAt`;
 * - `limit` with `offset` or `cursor` (keyset on (sort value, id), stable under inserts).
 *
 * How the common case stays fast. A filter on an indexed field sorted by createdAt drives the
 * query from record_values' index (type, field, str_value|num_value, created_at, record_id):
 *
 *   SELECT r.* FROM record_values v JOIN records r ON r.id = v.record_id
 *   WHERE v.type = ? AND v.field = ? AND v.str_value = ?
 *   ORDER BY v.created_at DESC, v.record_id DESC LIMIT 51
 *
 * The equality prefix of the index leaves its rows already in (created_at, record_id) order, so
 * the database walks the index backwards and stops after 51 entries, fetching each record by
 * primary key; the keyset condition of a cursor narrows the same index range. Plans seen with
 * 1,000,000 records of one type (166,667 matching category=network):
 * - SQLite: `SEARCH v USING COVERING INDEX record_values_str (type=? AND field=? AND str_value=?)`,
 *   `SEARCH r USING INTEGER PRIMARY KEY (rowid=?)` — no temp B-tree for ORDER BY; ~1 ms.
 * - MariaDB 10.11: v `ref` on record_values_str (const,const,const), "Using where; Using index"
 *   (no filesort), then r `eq_ref` on PRIMARY; ~5–15 ms.
 * Further field filters become correlated EXISTS probes on record_values' primary key
 * (record_id, field). Without a field filter the query runs on records' (type, created_at) index.
 * For callers who do not see everything, scopeToVisible adds their visible set: on SQLite a
 * MULTI-INDEX OR over requester/watchers/tasks, on MariaDB a materialised UNION of their own
 * record ids (see visibility.ts); agents' groups stay a plain `group_id IN (…)` test, which the
 * index walk above meets early in a queue-sized group.
 *
 * `total` is a COUNT over the same conditions, stopped after TOTAL_CAP rows (it runs beside the
 * page query). Counting all 166,667 entries took 15–80 ms on SQLite and ~200 ms on MariaDB, a
 * whole type (1M rows) 250 ms / 1 s, against a few ms for the page itself, hence the cap: the
 * answer says `totalExact: false` (a client shows "1,000+").
 *
 * Full text: `LOWER(title|description) LIKE '%word%'` on both databases. We chose it over an
 * SQLite FTS5 trigram table because trigrams cannot match words shorter than three characters
 * (most Chinese words are two: 网络, 邮件), the table would exist on SQLite only, and it adds
 * write cost to every record change. A text search is combined with the other filters, so it
 * scans only the rows they leave; on a whole 1M-row type it is a scan.
 */
export interface ListQuery {
  type?: string;
  status?: string;
  priority?: string;
  /** Catalog items (`<catalog>/<item>`) the records were requested through. */
  catalogItem?: string;
  requester?: string;
  assignee?: string;
  group?: string;
  q?: string;
  sort?: string;
  limit?: number;
  offset?: number;
  cursor?: string;
  /** SLA state: running, paused, warning, breached, at-risk (warned or breached, not stopped), met. */
  sla?: 'running' | 'paused' | 'warning' | 'breached' | 'at-risk' | 'met';
  'createdAt.gte'?: string | number;
  'createdAt.lte'?: string | number;
  'updatedAt.gte'?: string | number;
  'updatedAt.lte'?: string | number;
  'resolvedAt.gte'?: string | number;
  'resolvedAt.lte'?: string | number;
  'closedAt.gte'?: string | number;
  'closedAt.lte'?: string | number;
  resolved?: 'true' | 'false';
  closed?: 'true' | 'false';
  /** A report and one of its figures (drill-down); see `ListOptions.restrict`. */
  report?: string;
  cell?: string;
  /** f.<field>, f.<field>.gte, f.<field>.lte */
  [field: `f.${string}`]: string | number | undefined;
}

export interface ListOptions {
  /** Only records whose id this subquery selects (a report figure's records). */
  restrict?: Knex.QueryBuilder;
}

/**
 * A listed record's SLA state, over its SLA metrics (not its tasks' OLAs); null without any.
 * - dueAt: the earliest due instant among running metrics (null when none runs);
 * - paused: a metric is paused and none runs;
 * - warned: a running or paused metric has passed a warning threshold;
 * - breached: the latest cycle of any metric (running, paused or stopped) breached its target.
 *   Like Jira's queues, a reopened record counts down its new resolution cycle instead of showing
 *   the old cycle's breach; the record's SLA tab lists every cycle.
 */
export interface SlaSummary {
  dueAt: number | null;
  paused: boolean;
  warned: boolean;
  breached: boolean;
}

export type ListItem = RecordView & { sla: SlaSummary | null };

export interface ListResult {
  items: ListItem[];
  /** How many records match, counted up to TOTAL_CAP (exactly for a drill-down). */
  total: number;
  /** False when more than TOTAL_CAP records match: `total` is then TOTAL_CAP ("1,000+"). */
  totalExact: boolean;
  nextCursor: string | null;
}

/** The most matches a list counts exactly (see `total` below). */
export const TOTAL_CAP = 1000;

const STANDARD_SORTS = {
  createdAt: { col: 'r.created_at', nullable: false, numeric: true },
  updatedAt: { col: 'r.updated_at', nullable: false, numeric: true },
  number: { col: 'r.number', nullable: false, numeric: false },
  priority: { col: 'r.priority', nullable: true, numeric: false },
  status: { col: 'r.status', nullable: false, numeric: false },
} as const;

export const FIELD_PARAM = /^f\.([A-Za-z_][A-Za-z0-9_]{0,63})(?:\.(gte|lte))?$/;

function badRequest(
  code: string,
  key: MessageKey,
  params: MessageParams,
  path: string,
  extra: Record<string, unknown> = {},
): ApiError {
  const message = translateBoth(key, params);
  const problems: FieldProblem[] = [{ path, message }];
  return new ApiError(400, code, key, params, { problems, ...extra });
}

function parseInstant(param: string, raw: string | number): number {
  const s = String(raw).trim();
  const n = /^\d{1,15}$/.test(s) ? Number(s) : Date.parse(s);
  if (!Number.isFinite(n))
    throw badRequest(
      'bad_filter_value',
      'error.bad_filter_value',
      { param, value: s, expected: translateBoth('expected.instant') },
      `/${param}`,
    );
  return n;
}

function parseNumber(param: string, raw: string | number): number {
  const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
  if (String(raw).trim() === '' || !Number.isFinite(n))
    throw badRequest(
      'bad_filter_value',
      'error.bad_filter_value',
      { param, value: String(raw), expected: translateBoth('expected.number') },
      `/${param}`,
    );
  return n;
}

const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** The indexed fields of a record type (latest published form) and which of them are numeric. */
async function indexedFields(db: Knex, type: string): Promise<Map<string, boolean>> {
  const version = await latestPublished(db, 'form', type);
  if (version === null)
    throw badRequest('unknown_record_type', 'error.unknown_record_type', { type }, '/type');
  const form = await loadForm(db, type, version);
  const props = (form.def.schema as { properties?: Record<string, { type?: unknown }> }).properties ?? {};
  return new Map(
    (form.def.indexed ?? []).map((f) => {
      const t = props[f]?.type;
      const types = Array.isArray(t) ? t : [t];
      return [f, types.includes('number') || types.includes('integer')];
    }),
  );
}

interface FieldFilter {
  param: string;
  field: string;
  op: 'eq' | 'gte' | 'lte';
  col: 'str_value' | 'num_value';
  value: string | number;
}

interface Cursor {
  sort: string;
  value: string | number | null;
  id: number;
}

const encodeCursor = (c: Cursor) =>
  Buffer.from(JSON.stringify([c.sort, c.value, c.id])).toString('base64url');

function decodeCursor(raw: string, sort: string): Cursor {
  const bad = () => badRequest('bad_cursor', 'error.bad_cursor', {}, '/cursor');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw bad();
  const [s, value, id] = parsed as [unknown, unknown, unknown];
  if (s !== sort || !Number.isSafeInteger(id)) throw bad();
  if (value !== null && typeof value !== 'string' && typeof value !== 'number') throw bad();
  return { sort, value, id: id as number };
}

/** Every word must occur in the title or the description (LIKE, case-insensitive for ASCII). */
function textFilter(q: Knex.QueryBuilder, text: string) {
  const words = text.split(/\s+/).filter(Boolean).slice(0, 10);
  for (const word of words) {
    const pattern = `%${word.toLowerCase().replace(/[!%_]/g, '!$&')}%`;
    q.where((w) =>
      w
        .whereRaw("LOWER(r.title) LIKE ? ESCAPE '!'", [pattern])
        .orWhereRaw("LOWER(r.description) LIKE ? ESCAPE '!'", [pattern])
        .orWhereRaw("LOWER(r.number) LIKE ? ESCAPE '!'", [pattern]),
    );
  }
}

async function idOf(db: Knex, table: 'users' | 'groups', column: string, value: string): Promise<number> {
  const row = await db(table).where(column, value).first('id');
  // An unknown name matches nothing (rather than an error that would tell who exists).
  return row ? Number(row.id) : -1;
}

export async function listRecords(
  db: Knex,
  actor: Actor,
  query: ListQuery,
  opts: ListOptions = {},
): Promise<ListResult> {
  const limit = Math.min(Math.max(Number(query.limit ?? 50), 1), 500);
  if (query.cursor !== undefined && query.offset !== undefined && Number(query.offset) > 0)
    throw badRequest('cursor_and_offset', 'error.cursor_and_offset', {}, '/cursor');

  // Parse and check every parameter before touching records.
  const type = query.type;
  const fieldParams = Object.keys(query).filter((k) => k.startsWith('f.'));
  const sortRaw = query.sort ?? '-createdAt';
  const desc = sortRaw.startsWith('-');
  const sortKey = desc ? sortRaw.slice(1) : sortRaw;
  const sortField = sortKey.startsWith('f.') ? sortKey.slice(2) : null;
  const allowedSorts = [...Object.keys(STANDARD_SORTS), 'slaDue', 'f.<field>'].join(', ');
  if (
    !(sortKey in STANDARD_SORTS) &&
    sortKey !== 'slaDue' &&
    !(sortField && /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(sortField))
  )
    throw badRequest('bad_sort', 'error.bad_sort', { sort: sortRaw, allowed: allowedSorts }, '/sort');

  let indexed = new Map<string, boolean>();
  if (type) indexed = await indexedFields(db, type);
  const needIndexed = (field: string, param: string) => {
    if (!type) throw badRequest('field_needs_type', 'error.field_needs_type', { field }, '/type');
    if (!indexed.has(field))
      throw badRequest(
        'field_not_indexed',
        'error.field_not_indexed',
        { field, type, indexed: [...indexed.keys()].join(', ') || '-' },
        `/${param}`,
        { field },
      );
    return indexed.get(field)!;
  };
  const filters: FieldFilter[] = [];
  for (const param of fieldParams) {
    const m = FIELD_PARAM.exec(param);
    const raw = query[param as `f.${string}`];
    if (raw === undefined) continue;
    if (!m)
      throw badRequest(
        'field_not_indexed',
        'error.field_not_indexed',
        { field: param, type: type ?? '-', indexed: [...indexed.keys()].join(', ') || '-' },
        `/${param}`,
      );
    const field = m[1]!;
    const numeric = needIndexed(field, param);
    filters.push({
      param,
      field,
      op: (m[2] as 'gte' | 'lte' | undefined) ?? 'eq',
      col: numeric ? 'num_value' : 'str_value',
      value: numeric ? parseNumber(param, raw) : String(raw),
    });
  }
  const sortNumericField = sortField ? needIndexed(sortField, 'sort') : false;
  const ranges: [string, string, '>=' | '<=', number][] = [];
  for (const [param, col] of [
    ['createdAt', 'r.created_at'],
    ['updatedAt', 'r.updated_at'],
    ['resolvedAt', 'r.resolved_at'],
    ['closedAt', 'r.closed_at'],
  ] as const) {
    for (const op of ['gte', 'lte'] as const) {
      const raw = query[`${param}.${op}`];
      if (raw !== undefined && raw !== '')
        ranges.push([`${param}.${op}`, col, op === 'gte' ? '>=' : '<=', parseInstant(`${param}.${op}`, raw)]);
    }
  }
  const cursor = query.cursor ? decodeCursor(query.cursor, sortRaw) : null;

  // Choose how the query is driven (see the comment at the top).
  const drive = sortKey === 'createdAt' ? filters.find((f) => f.op === 'eq') : undefined;
  const q = drive
    ? db('record_values as v')
        .join('records as r', 'r.id', 'v.record_id')
        .where({ 'v.type': type, 'v.field': drive.field })
        .where(`v.${drive.col}`, drive.value)
    : db('records as r');
  // Whether anything beyond the driving index must be checked (decides how `total` is counted).
  let touchesRecords = false;
  const onRecords = () => {
    touchesRecords = true;
    return q;
  };

  if (type && !drive) q.where('r.type', type);
  if (query.status) onRecords().whereIn('r.status', list(query.status));
  if (query.priority) {
    // `none` is the records without a priority, as a report's "(none)" bar drills to.
    const priorities = list(query.priority);
    const named = priorities.filter((p) => p !== 'none');
    onRecords().where((w) => {
      if (named.length) w.whereIn('r.priority', named);
      if (named.length < priorities.length) w.orWhereNull('r.priority');
    });
  }
  if (opts.restrict) onRecords().whereIn('r.id', opts.restrict);
  if (query.catalogItem) onRecords().whereIn('r.catalog_item', list(query.catalogItem));
  if (query.requester)
    onRecords().where('r.requester_id', await idOf(db, 'users', 'username', query.requester));
  if (query.assignee) {
    if (query.assignee === 'none') onRecords().whereNull('r.assignee_id');
    else onRecords().where('r.assignee_id', await idOf(db, 'users', 'username', query.assignee));
  }
  if (query.group) {
    if (query.group === 'none') onRecords().whereNull('r.group_id');
    else onRecords().where('r.group_id', await idOf(db, 'groups', 'key', query.group));
  }
  for (const [flag, col] of [
    ['resolved', 'r.resolved_at'],
    ['closed', 'r.closed_at'],
  ] as const) {
    if (query[flag] === 'true') onRecords().whereNotNull(col);
    if (query[flag] === 'false') onRecords().whereNull(col);
  }
  for (const [, col, op, value] of ranges) onRecords().where(col, op, value);
  for (const f of filters) {
    if (f === drive) continue;
    const sqlOp = f.op === 'eq' ? '=' : f.op === 'gte' ? '>=' : '<=';
    onRecords().whereExists(
      db('record_values as x')
        .whereRaw('x.record_id = r.id')
        .where('x.field', f.field)
        .where(`x.${f.col}`, sqlOp, f.value)
        .select(db.raw('1')),
    );
  }
  if (query.q?.trim()) textFilter(onRecords(), query.q.trim());
  if (query.sla) {
    // SLA state of the record's metrics (not OLAs): any counting, any on hold, any warned, any
    // breached, all met.
    const clocks = () =>
      db('sla_clocks as c').whereRaw('c.record_id = r.id').whereNull('c.task_id').select(db.raw('1'));
    if (query.sla === 'running' || query.sla === 'paused')
      onRecords().whereExists(clocks().where('c.state', query.sla));
    else if (query.sla === 'breached') onRecords().whereExists(clocks().where('c.breached', true));
    else if (query.sla === 'warning')
      onRecords().whereExists(
        clocks()
          .whereIn('c.state', ['running', 'paused'])
          .whereNot('c.warned', '[]')
          .where('c.breached', false),
      );
    else if (query.sla === 'at-risk')
      // What a "breaching" queue shows: clocks still counting (or on hold) that warned or breached.
      onRecords().whereExists(
        clocks()
          .whereIn('c.state', ['running', 'paused'])
          .where((w) => w.whereNot('c.warned', '[]').orWhere('c.breached', true)),
      );
    else if (query.sla === 'met')
      onRecords()
        .whereExists(clocks())
        .whereNotExists(clocks().where((w) => w.whereNot('c.state', 'stopped').orWhere('c.breached', true)));
  }
  const before = q.toSQL().sql;
  await scopeToVisible(db, actor, q, 'r');
  if (q.toSQL().sql !== before) touchesRecords = true;

  // total: the same conditions, without sort, cursor or page.
  const countQuery =
    drive && !touchesRecords
      ? db('record_values as v')
          .where({ 'v.type': type, 'v.field': drive.field })
          .where(`v.${drive.col}`, drive.value)
      : q.clone();
  // Counting is O(matches): past TOTAL_CAP the count stops and says so (totalExact: false),
  // so a broad filter over a million records does not cost more than the page itself. A
  // drill-down counts exactly: its list must show the figure it was opened from, which the
  // report has just counted over the same records at the same cost.
  const cap = opts.restrict ? Number.POSITIVE_INFINITY : TOTAL_CAP;
  const counting = countQuery.select(db.raw('1 as one'));
  if (Number.isFinite(cap)) counting.limit(cap + 1);
  const totalPromise = db.from(counting.as('t')).count({ n: '*' }).first();

  // Sort expression and the id that breaks ties.
  let sortCol: string;
  let nullable: boolean;
  let numeric: boolean;
  const idCol = drive ? 'v.record_id' : 'r.id';
  if (drive) {
    sortCol = 'v.created_at';
    nullable = false;
    numeric = true;
  } else if (sortKey === 'slaDue') {
    // The earliest due instant among the record's running SLA metrics; records without one last.
    // SQLite reads its partial index of running SLA clocks for this (025_sla_running_due). The
    // state is written into the text, not bound: for a bound value SQLite would use the index
    // only by preparing the statement again each time it is bound (as with LIMIT, db/connect.ts).
    q.leftJoin(
      db('sla_clocks')
        .whereRaw("`state` = 'running'")
        .whereNull('task_id')
        .groupBy('record_id')
        .select('record_id', db.raw('min(due_at) as due_at'))
        .as('sd'),
      'sd.record_id',
      'r.id',
    );
    sortCol = 'sd.due_at';
    nullable = true;
    numeric = true;
  } else if (sortField) {
    const col = sortNumericField ? 'num_value' : 'str_value';
    q.leftJoin('record_values as s', (j) => {
      j.on('s.record_id', 'r.id').andOn('s.field', db.raw('?', [sortField]));
    });
    sortCol = `s.${col}`;
    nullable = true;
    numeric = sortNumericField;
  } else {
    const s = STANDARD_SORTS[sortKey as keyof typeof STANDARD_SORTS];
    sortCol = s.col;
    nullable = s.nullable;
    numeric = s.numeric;
  }

  if (cursor) {
    // Rows after (value, id) in the list's order. NULLs sort first ascending and last descending
    // on both databases. The extra bound (col >= v / col <= v) lets the index range-scan.
    const { value, id } = cursor;
    const after = desc ? '<' : '>';
    if (value === null) {
      if (desc) q.whereNull(sortCol).where(idCol, '<', id);
      else
        q.where((w) => w.whereNotNull(sortCol).orWhere((w2) => w2.whereNull(sortCol).where(idCol, '>', id)));
    } else {
      q.where((w) => {
        w.where((w2) => {
          w2.where(sortCol, desc ? '<=' : '>=', value).andWhere((w3) =>
            w3.where(sortCol, after, value).orWhere((w4) => w4.where(sortCol, value).where(idCol, after, id)),
          );
        });
        if (desc && nullable) w.orWhereNull(sortCol);
      });
    }
  }
  q.orderBy([
    { column: sortCol, order: desc ? 'desc' : 'asc' },
    { column: idCol, order: desc ? 'desc' : 'asc' },
  ]);
  q.select('r.*', db.raw(`${sortCol} as sort_value`)).limit(limit + 1);
  if (!cursor && query.offset) q.offset(Number(query.offset));

  const [rows, totalRow] = await Promise.all([q, totalPromise]);
  const more = rows.length > limit;
  const page = (rows as (RecordRow & { sort_value: unknown })[]).slice(0, limit);
  const last = page[page.length - 1];
  let nextCursor: string | null = null;
  if (more && last) {
    const raw = last.sort_value;
    const value = raw === null || raw === undefined ? null : numeric ? Number(raw) : String(raw);
    nextCursor = encodeCursor({ sort: sortRaw, value, id: Number(last.id) });
  }
  const counted = Number((totalRow as { n: unknown } | undefined)?.n ?? 0);
  const [views, slas] = await Promise.all([
    viewRecords(db, page.map(fromRow)),
    slaSummaries(
      db,
      page.map((r) => Number(r.id)),
    ),
  ]);
  return {
    items: views.map((v) => ({ ...v, sla: slas.get(v.id) ?? null })),
    total: Math.min(counted, cap),
    totalExact: counted <= cap,
    nextCursor,
  };
}

/** The SLA summary of each listed record that has SLA clocks, in one query (see SlaSummary). */
async function slaSummaries(db: Knex, ids: number[]): Promise<Map<number, SlaSummary>> {
  const out = new Map<number, SlaSummary>();
  if (!ids.length) return out;
  const rows: {
    record_id: unknown;
    sla_key: string;
    metric: string;
    state: string;
    due_at: unknown;
    warned: string;
    breached: unknown;
  }[] = await db('sla_clocks')
    .whereIn('record_id', ids)
    .whereNull('task_id')
    .orderBy(['record_id', 'sla_key', 'metric', 'cycle'])
    .select('record_id', 'sla_key', 'metric', 'state', 'due_at', 'warned', 'breached');
  const running = new Set<number>();
  // Whether each metric's latest cycle breached, by record and metric (rows come in cycle order).
  const latestBreached = new Map<number, Map<string, boolean>>();
  for (const row of rows) {
    const id = Number(row.record_id);
    let s = out.get(id);
    if (!s) {
      s = { dueAt: null, paused: false, warned: false, breached: false };
      out.set(id, s);
    }
    const live = row.state === 'running' || row.state === 'paused';
    if (row.state === 'running') {
      running.add(id);
      const due = row.due_at === null ? null : Number(row.due_at);
      if (due !== null && (s.dueAt === null || due < s.dueAt)) s.dueAt = due;
    }
    if (row.state === 'paused') s.paused = true;
    if (live && row.warned !== '[]') s.warned = true;
    let metrics = latestBreached.get(id);
    if (!metrics) {
      metrics = new Map();
      latestBreached.set(id, metrics);
    }
    metrics.set(`${row.sla_key}/${row.metric}`, !!Number(row.breached));
  }
  for (const id of running) out.get(id)!.paused = false;
  for (const [id, metrics] of latestBreached) out.get(id)!.breached = [...metrics.values()].some(Boolean);
  return out;
}
