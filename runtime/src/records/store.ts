import type { Knex } from 'knex';
import { dialectOf } from '../db/connect.ts';
import { changeHeld, holdUpdate, insertNew, insertRows } from '../db/held-inserts.ts';
import { fromJson, toJson } from '../db/json.ts';
import { withRetries } from '../db/retry.ts';
import { execute, selectRows, transactionAfter } from '../db/sql.ts';
import { conflict, notFound } from '../http/errors.ts';
import { translateBoth } from '../i18n/translate.ts';
import type { LoadedForm } from './forms.ts';

export type Data = Record<string, unknown>;

export interface RecordRow {
  id: number;
  type: string;
  form_version: number;
  number: string;
  title: string;
  description: string | null;
  status: string;
  priority: string | null;
  requester_id: number;
  assignee_id: number | null;
  group_id: number | null;
  data: string;
  version: number;
  created_at: number;
  updated_at: number;
  resolved_at: number | null;
  closed_at: number | null;
  catalog_item: string | null;
}

/** A record as the server works with it: standard columns plus the form's field values. */
export interface Rec {
  id: number;
  type: string;
  formVersion: number;
  number: string;
  title: string;
  description: string | null;
  status: string;
  priority: string | null;
  requesterId: number;
  assigneeId: number | null;
  groupId: number | null;
  data: Data;
  version: number;
  createdAt: number;
  updatedAt: number;
  resolvedAt: number | null;
  closedAt: number | null;
  /** The catalog item it was requested through (`<catalog>/<item>`), if any. */
  catalogItem: string | null;
}

/**
 * A record's data as JSON, remembered for the object it was read from or written as: a process
 * step that changes only standard columns writes the record without serialising its data again.
 * Safe because a record's data object is never changed in place once read or written: every
 * change (a form edit, a callback's result, a derived priority) works on a new copy.
 */
const dataJson = new WeakMap<Data, string>();

function jsonOfData(data: Data): string {
  let json = dataJson.get(data);
  if (json === undefined) {
    json = JSON.stringify(data);
    dataJson.set(data, json);
  }
  return json;
}

export function fromRow(row: RecordRow): Rec {
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const data = fromJson<Data>(row.data) ?? {};
  if (typeof row.data === 'string') dataJson.set(data, row.data);
  return {
    id: Number(row.id),
    type: row.type,
    formVersion: row.form_version,
    number: row.number,
    title: row.title,
    description: row.description,
    status: row.status,
    priority: row.priority,
    requesterId: row.requester_id,
    assigneeId: row.assignee_id,
    groupId: row.group_id,
    data,
    version: row.version,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    resolvedAt: n(row.resolved_at),
    closedAt: n(row.closed_at),
    catalogItem: row.catalog_item ?? null,
  };
}

export const recordWhat = (key: string | number) => translateBoth('what.record', { key });

export async function loadRecord(db: Knex, id: number): Promise<Rec> {
  const [row] = await selectRows<RecordRow>(db, 'select * from `records` where `id` = ?', [id]);
  if (!row) throw notFound(recordWhat(id));
  return fromRow(row);
}

// MySQL: one autocommitted upsert creates the sequence row on first use and hands back the new
// value through LAST_INSERT_ID(expr), which the server returns as the statement's insert id. (An
// UPDATE that found no row followed by an INSERT deadlocked when two first records of a type were
// created at once: both held the gap lock the other's insert needed.)
const NEXT_NUMBER_MYSQL =
  'INSERT INTO record_sequences (type, next_value) VALUES (?, LAST_INSERT_ID(1)) ' +
  'ON DUPLICATE KEY UPDATE next_value = LAST_INSERT_ID(next_value + 1)';

const insertIdOf = (result: unknown) => Number((result as { insertId: number }).insertId);

const formatNumber = (prefix: string, value: number) => `${prefix}-${String(value).padStart(6, '0')}`;

/**
 * MySQL: runs `work` in a transaction, handing it the next number of a record type. Outside a
 * transaction the number's upsert goes to the server in front of the new transaction's BEGIN, in
 * the same round trip (`transactionAfter`), and still runs on its own, autocommitted, as
 * `allocateNumber`'s does; a deadlock of it fails that BEGIN, nothing has begun, and it is tried
 * again. Inside one (a schedule's create) the number is taken in it, then a nested transaction runs.
 */
export async function transactionWithNumber<T>(
  db: Knex,
  type: string,
  prefix: string,
  work: (trx: Knex.Transaction, number: string) => Promise<T>,
): Promise<T> {
  if (db.isTransaction)
    return db.transaction(async (trx) => work(trx, await allocateNumber(db, trx, type, prefix)));
  // Run again as a whole, with a new number, when the upsert or the transaction met a deadlock or
  // a cluster conflict (db/retry.ts); the number of a failed attempt is a gap, as a rollback's is.
  return withRetries(db, () =>
    transactionAfter(db, { sql: NEXT_NUMBER_MYSQL, bindings: [type] }, (trx, result) =>
      work(trx, formatNumber(prefix, insertIdOf(result))),
    ),
  );
}

/**
 * Next number of a record type. On MySQL it is taken in its own autocommitted statement so the
 * sequence row is not locked for the whole create (a rolled-back create leaves a gap, as in
 * Jira); SQLite has a single writer anyway, so there it joins the caller's transaction.
 */
export async function allocateNumber(db: Knex, trx: Knex, type: string, prefix: string): Promise<string> {
  let value: number;
  if (dialectOf(db) === 'mysql') {
    // Autocommitted: the connection sends it again after a deadlock (db/retry.ts).
    const [result] = await db.raw(NEXT_NUMBER_MYSQL, [type]);
    value = insertIdOf(result);
  } else {
    // An UPDATE and a read rather than one UPDATE … RETURNING: SQLite runs RETURNING through a
    // temporary table, and the one statement took seven times as long as these two.
    const bumped = await execute(
      trx,
      'update `record_sequences` set `next_value` = `next_value` + 1 where `type` = ?',
      [type],
    );
    const [row] = bumped
      ? await selectRows<{ next_value: number }>(
          trx,
          'select `next_value` from `record_sequences` where `type` = ?',
          [type],
        )
      : [];
    if (row) value = Number(row.next_value);
    else {
      await trx('record_sequences').insert({ type, next_value: 1 });
      value = 1;
    }
  }
  return formatNumber(prefix, value);
}

/** The standard columns a form's data feeds: title, description, priority. */
function standardFromData(form: LoadedForm, data: Data) {
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

/** Values of indexed fields as rows of record_values (strings and numbers indexed apart). */
function indexRows(form: LoadedForm, rec: { id: number; type: string; createdAt: number }, data: Data) {
  return (form.def.indexed ?? [])
    .filter((field) => data[field] !== undefined && data[field] !== null)
    .map((field) => {
      const v = data[field];
      return {
        record_id: rec.id,
        type: rec.type,
        field,
        str_value: typeof v === 'number' ? null : String(v).slice(0, 191),
        num_value: typeof v === 'number' ? v : null,
        created_at: rec.createdAt,
      };
    });
}

export async function writeHistory(
  trx: Knex,
  recordId: number,
  actor: string,
  entries: { kind: string; field?: string; from?: unknown; to?: unknown; detail?: unknown }[],
  at = Date.now(),
): Promise<void> {
  await insertRows(
    trx,
    'record_history',
    entries.map((e) => ({
      record_id: recordId,
      at,
      actor,
      kind: e.kind,
      field: e.field ?? null,
      from_value: e.from === undefined ? null : toJson(e.from),
      to_value: e.to === undefined ? null : toJson(e.to),
      detail: e.detail === undefined ? null : toJson(e.detail),
    })),
  );
}

export interface NewRecord {
  form: LoadedForm;
  number: string;
  data: Data;
  status: string;
  requesterId: number;
  groupId?: number | null;
  assigneeId?: number | null;
  catalogItem?: string | null;
}

export async function insertRecord(trx: Knex, actor: string, input: NewRecord): Promise<Rec> {
  const now = Date.now();
  const std = standardFromData(input.form, input.data);
  const id = await insertNew(trx, 'records', {
    type: input.form.key,
    form_version: input.form.version,
    number: input.number,
    title: std.title,
    description: std.description,
    status: input.status,
    priority: std.priority,
    requester_id: input.requesterId,
    assignee_id: input.assigneeId ?? null,
    group_id: input.groupId ?? null,
    data: jsonOfData(input.data),
    version: 1,
    created_at: now,
    updated_at: now,
    catalog_item: input.catalogItem ?? null,
  });
  const rec: Rec = {
    id,
    type: input.form.key,
    formVersion: input.form.version,
    number: input.number,
    ...std,
    status: input.status,
    requesterId: input.requesterId,
    assigneeId: input.assigneeId ?? null,
    groupId: input.groupId ?? null,
    data: input.data,
    version: 1,
    createdAt: now,
    updatedAt: now,
    resolvedAt: null,
    closedAt: null,
    catalogItem: input.catalogItem ?? null,
  };
  const values = indexRows(input.form, rec, input.data);
  await insertRows(trx, 'record_values', values);
  await writeHistory(
    trx,
    rec.id,
    actor,
    [{ kind: 'created', to: { number: rec.number, status: rec.status } }],
    now,
  );
  return rec;
}

export interface RecordPatch {
  data?: Data;
  status?: string;
  assigneeId?: number | null;
  groupId?: number | null;
  resolved?: boolean;
  closed?: boolean;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

// Conditional on the version read: optimistic concurrency (a stale writer changes no row).
const UPDATE_RECORD =
  'update `records` set `title` = ?, `description` = ?, `priority` = ?, `status` = ?, `assignee_id` = ?, ' +
  '`group_id` = ?, `data` = ?, `version` = ?, `updated_at` = ?, `resolved_at` = ?, `closed_at` = ? ' +
  'where `id` = ? and `version` = ?';

/**
 * Applies a change to a record: one history row per changed field, indexed values kept in
 * step, and the version bumped by a conditional UPDATE — if `expectedVersion` (or the version
 * the caller loaded) is no longer current, nothing changes and the caller gets 409.
 */
export async function updateRecord(
  trx: Knex,
  actor: string,
  form: LoadedForm,
  rec: Rec,
  patch: RecordPatch,
  expectedVersion = rec.version,
): Promise<Rec> {
  const now = Date.now();
  const data = patch.data ?? rec.data;
  const std = standardFromData(form, data);
  const history: { kind: string; field: string; from: unknown; to: unknown }[] = [];
  // A process step that sets only the status or the assignee hands back the same data object.
  const dataChanged = data !== rec.data;
  if (dataChanged) {
    for (const field of new Set([...Object.keys(rec.data), ...Object.keys(data)])) {
      if (!same(rec.data[field], data[field]))
        history.push({ kind: 'field', field, from: rec.data[field], to: data[field] });
    }
  }
  const next: Rec = { ...rec, ...std, data, version: expectedVersion + 1, updatedAt: now };
  for (const key of ['status', 'assigneeId', 'groupId'] as const) {
    if (patch[key] !== undefined && !same(patch[key], rec[key])) {
      history.push({
        kind: 'field',
        field: key === 'status' ? 'status' : key === 'assigneeId' ? 'assignee' : 'group',
        from: rec[key],
        to: patch[key],
      });
      (next as unknown as Record<string, unknown>)[key] = patch[key];
    }
  }
  if (patch.resolved === true && rec.resolvedAt === null) next.resolvedAt = now;
  if (patch.resolved === false) next.resolvedAt = null;
  if (patch.closed === true && rec.closedAt === null) next.closedAt = now;
  if (patch.closed === false) next.closedAt = null;
  const stale = () =>
    conflict('stale_version', 'error.stale_revision', {
      what: recordWhat(rec.number),
      read: expectedVersion,
      // The caller sent an older version than the record read here has; or the caller's was
      // current when read, and someone changed it since: at least once.
      current: expectedVersion === rec.version ? rec.version + 1 : rec.version,
    });
  // A change that changes nothing (an edit that sends the values the record has) writes nothing:
  // no new version for others to collide with, no history entry to say nothing happened. A stale
  // version is refused all the same.
  if (!history.length && next.resolvedAt === rec.resolvedAt && next.closedAt === rec.closedAt) {
    if (expectedVersion !== rec.version) throw stale();
    return rec;
  }
  const json = jsonOfData(data);
  const bindings = [
    next.title,
    next.description,
    next.priority,
    next.status,
    next.assigneeId,
    next.groupId,
    json,
    next.version,
    now,
    next.resolvedAt,
    next.closedAt,
    rec.id,
    expectedVersion,
  ];
  // A record this unit created is changed where it is held, or updated with the unit's other
  // held writes: no one else can have changed it. Any other is updated now, and a stale version
  // changes nothing.
  if (
    !changeHeld(trx, 'records', rec.id, {
      title: next.title,
      description: next.description,
      priority: next.priority,
      status: next.status,
      assignee_id: next.assigneeId,
      group_id: next.groupId,
      data: json,
      version: next.version,
      updated_at: now,
      resolved_at: next.resolvedAt,
      closed_at: next.closedAt,
    }) &&
    !holdUpdate(trx, 'records', rec.id, UPDATE_RECORD, bindings) &&
    (await execute(trx, UPDATE_RECORD, bindings)) !== 1
  )
    throw stale();
  const changedIndexed = dataChanged
    ? (form.def.indexed ?? []).filter((f) => !same(rec.data[f], data[f]))
    : [];
  if (changedIndexed.length) {
    await trx('record_values').where({ record_id: rec.id }).whereIn('field', changedIndexed).delete();
    const rows = indexRows(form, rec, data).filter((r) => changedIndexed.includes(r.field));
    await insertRows(trx, 'record_values', rows);
  }
  await writeHistory(trx, rec.id, actor, history, now);
  return next;
}
