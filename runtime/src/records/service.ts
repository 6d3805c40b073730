import { ANY_FORM } from '@opsloom/spec';
import type { Knex } from 'knex';
import { emitEvent, recordChanges } from '../automation/events.ts';
import { type Requester, requestThroughItem } from '../catalog/items.ts';
import type { Actor, Role, Services } from '../context.ts';
import { dialectOf } from '../db/connect.ts';
import { holdInserts } from '../db/held-inserts.ts';
import { fromJson } from '../db/json.ts';
import { currentOfKind } from '../definitions/current.ts';
import { type EngineHooks, type Run, startInstance } from '../engine/engine.ts';
import { loadGraph } from '../engine/graph.ts';
import { ApiError, notFound } from '../http/errors.ts';
import { translateBoth } from '../i18n/translate.ts';
import { groupIdOf, usernamesOf } from '../people/names.ts';
import { assertAssignable } from './assignable.ts';
import { assertMayCreateDirectly } from './direct-create.ts';
import { checkRecordData, derivePriority, fieldError, type LoadedForm, loadForm } from './forms.ts';
import {
  allocateNumber,
  type Data,
  insertRecord,
  loadRecord,
  type Rec,
  transactionWithNumber,
  updateRecord,
  writeHistory,
} from './store.ts';
import { assertCanSee, isStaff } from './visibility.ts';

/**
 * The process new records of a type run: the catalog item's, else the one published process for
 * the form, else the one published process for any form (the default lifecycle,
 * plugins/opsloom-lifecycle): every type has a lifecycle once one is installed.
 */
export async function defaultProcess(db: Knex, type: string): Promise<string | null> {
  const own: string[] = [];
  const anyForm: string[] = [];
  for (const p of await currentOfKind(db, 'process')) {
    // Compiled graphs are cached by key@version, so this loop sends no query per process.
    const graph = await loadGraph(db, p.key, p.version);
    if (graph.def.form === type) own.push(p.key);
    else if (graph.def.form === ANY_FORM) anyForm.push(p.key);
  }
  const matching = own.length ? own : anyForm;
  if (matching.length > 1) {
    throw new ApiError(400, 'process_required', 'error.process_required', {
      type,
      processes: matching.join(', '),
    });
  }
  return matching[0] ?? null;
}

/** The queue a new record of the form starts in: its handling group (`group`), when it exists. */
export async function handlingGroupOf(db: Knex, form: LoadedForm): Promise<number | null> {
  return form.def.group ? groupIdOf(db, form.def.group) : null;
}

export interface CreateInput {
  type: string;
  data: Data;
  process?: string;
  /** Staff may log a request for someone else (a phone call to the service desk). */
  requester?: string;
  /** The catalog item it is requested through (`<catalog>/<item>`): its process, defaults and fixed fields. */
  catalogItem?: string;
}

/** A checked new record (checkNewRecord): what createInTrx writes. */
interface NewRequest {
  form: LoadedForm;
  data: Data;
  requesterId: number;
  processKey: string | null;
  catalogItem?: string | null;
  /** The form's handling group (handlingGroupOf). */
  groupId: number | null;
}

/** Writes a checked new record and runs its process to the first wait, in `trx`. */
async function createInTrx(
  services: Services,
  trx: Knex,
  actorName: string,
  { form, data, requesterId, processKey, catalogItem, groupId }: NewRequest,
  preallocated?: string,
): Promise<Rec> {
  const number = preallocated ?? (await allocateNumber(services.db, trx, form.key, form.def.numberPrefix));
  // The create and its process's first steps write several history rows, clocks and jobs: one
  // insert per table for all of them.
  return holdInserts(trx, async () => {
    let rec = await insertRecord(trx, actorName, {
      form,
      number,
      data,
      status: 'new',
      requesterId,
      groupId,
      catalogItem,
    });
    if (processKey)
      rec = (await startInstance(services, trx, actorName, rec, form, processKey, engineHooks)).run.rec;
    // The record as created is the record its process's first steps left: an SLA that pauses while
    // a request awaits approval starts paused when the process goes straight to its approval.
    await emitEvent(
      trx,
      { type: 'record.created', recordId: rec.id, actor: actorName },
      { record: rec, created: true },
    );
    return rec;
  });
}

/**
 * A new record's data, checked before any transaction opens (invalid data costs no statement and,
 * on MySQL, no number): the derived priority filled in, then the schema and the rules. `sent` is
 * what a person sent, when a person creates it (see checkRecordData).
 */
function checkNewRecord(form: LoadedForm, data: Data, sent: Data | undefined): void {
  derivePriority(form.def, data);
  const problems = checkRecordData(form, data, 'new', { sent });
  if (problems.length) throw fieldError(problems);
}

/**
 * Creates a record and runs its process to the first wait, in one transaction. `automated`: a
 * schedule creates it with the values its admin designed, which may fill read-only fields.
 */
export async function createRecord(
  services: Services,
  actor: Actor,
  input: CreateInput,
  opts: { automated?: boolean } = {},
): Promise<Rec> {
  const form = await loadForm(services.db, input.type);
  // Whom it is for: the caller, or the person staff log it for (a phone call).
  let requester: Requester = actor;
  if (input.requester && input.requester !== actor.username) {
    if (!isStaff(actor))
      throw new ApiError(403, 'forbidden', 'error.forbidden_role', { roles: 'agent, manager, admin' });
    const row = await services
      .db('users')
      .where({ username: input.requester, active: true })
      .first('id', 'roles', 'locale');
    if (!row) throw notFound(translateBoth('what.user', { key: input.requester }));
    requester = { userId: row.id, roles: fromJson<Role[]>(row.roles) ?? [], locale: row.locale };
  }
  const requesterId = requester.userId;
  let processKey: string | null;
  let data: Data;
  if (input.catalogItem) {
    // The item must be published to the person it is for, and speaks their language.
    ({ process: processKey, data } = await requestThroughItem(
      services.db,
      requester,
      input.catalogItem,
      input,
    ));
  } else {
    if (!opts.automated) await assertMayCreateDirectly(services.db, actor, form);
    processKey = input.process ?? (await defaultProcess(services.db, input.type));
    data = { ...input.data };
  }
  checkNewRecord(form, data, opts.automated ? undefined : input.data);
  await assertAssignable(services.db, form, data);
  const groupId = await handlingGroupOf(services.db, form);
  const create = (trx: Knex, number?: string) =>
    createInTrx(
      services,
      trx,
      actor.username,
      { form, data, requesterId, processKey, catalogItem: input.catalogItem, groupId },
      number,
    );
  let rec: Rec;
  if (dialectOf(services.db) === 'mysql') {
    // On MySQL the number comes from its own autocommitted upsert, so the sequence row is not
    // locked for the length of the create; taken on the connection the create's transaction then
    // uses, a request never holds one pooled connection while waiting for a second (with as many
    // concurrent creates as pool connections, that wait never ends).
    rec = await transactionWithNumber(services.db, form.key, form.def.numberPrefix, create);
  } else rec = await services.db.transaction((trx) => create(trx));
  services.wake();
  return rec;
}

/**
 * What the engine calls for a service task's createRecord: a new record linked to the current one.
 * It is internal work unless the action says otherwise: requested by the person whose action
 * raised it (a problem an agent raises from an incident is the agent's, not the incident's
 * requester's, who would otherwise find it under "my requests" with a withdraw button), and hidden
 * from this record's requester unless `visibleToRequester` lets them follow it.
 */
export const engineHooks: EngineHooks = {
  async createLinkedRecord(run: Run, action, data: Data): Promise<Rec> {
    const form = await loadForm(run.trx, action.form);
    const processKey = await defaultProcess(run.trx, action.form);
    checkNewRecord(form, data, undefined);
    const requesterId =
      action.requester === 'requester' ? run.rec.requesterId : await actingUserId(run.trx, run.actor);
    // The number is taken on the run's own connection: a second pooled connection per linked
    // record would let a burst of such actions exhaust the MySQL pool while holding it.
    const created = await createInTrx({ ...run.services, db: run.trx }, run.trx, run.actor, {
      form,
      data,
      requesterId,
      processKey,
      groupId: await handlingGroupOf(run.trx, form),
    });
    const relation = action.link ?? 'related-to';
    await run.trx('record_links').insert({
      from_id: created.id,
      to_id: run.rec.id,
      to_ci: null,
      relation,
      created_by: run.actor,
      created_at: Date.now(),
    });
    await writeHistory(run.trx, run.rec.id, run.actor, [
      { kind: 'link', detail: { added: created.number, relation, incoming: true } },
    ]);
    await writeHistory(run.trx, created.id, run.actor, [
      { kind: 'link', detail: { added: run.rec.number, relation } },
    ]);
    if (action.visibleToRequester && requesterId !== run.rec.requesterId) {
      await run
        .trx('record_watchers')
        .insert({ record_id: created.id, user_id: run.rec.requesterId, created_at: Date.now() });
      const [name] = (await usernamesOf(run.trx, [run.rec.requesterId])).values();
      await writeHistory(run.trx, created.id, run.actor, [{ kind: 'watcher', detail: { added: name } }]);
    }
    return created;
  },
};

/**
 * Edits a record's fields outside a task action. Staff only; the current step's field access
 * still applies (an agent cannot change what the step locks), and the version read must be current.
 */
export async function editRecord(
  services: Services,
  actor: Actor,
  id: number,
  data: Data,
  version: number,
): Promise<Rec> {
  if (!isStaff(actor))
    throw new ApiError(403, 'forbidden', 'error.forbidden_role', { roles: 'agent, manager, admin' });
  const updated = await services.db.transaction(async (trx) => {
    const rec = await loadRecord(trx, id);
    await assertCanSee(trx, actor, rec);
    const form = await loadForm(trx, rec.type, rec.formVersion);
    const merged = { ...rec.data, ...data };
    const access = await currentFieldAccess(trx, rec.id);
    const problems = checkRecordData(form, merged, rec.status, {
      before: rec.data,
      access: access ?? undefined,
      sent: data,
    });
    if (problems.length) throw fieldError(problems);
    await assertAssignable(trx, form, merged, rec.data);
    derivePriority(form.def, merged);
    const next = await updateRecord(trx, actor.username, form, rec, { data: merged }, version);
    const changes = recordChanges(rec, next);
    if (Object.keys(changes).length)
      await emitEvent(trx, { type: 'record.updated', recordId: rec.id, actor: actor.username, changes });
    return next;
  });
  services.wake();
  return updated;
}

/** Field access of the step a record is at: the union of what its open tasks' nodes lock. */
export async function currentFieldAccess(trx: Knex, recordId: number) {
  const tasks = await trx('tasks as t')
    .join('process_instances as i', 'i.id', 't.instance_id')
    .where({ 't.record_id': recordId, 't.status': 'open' })
    .select('t.node_id', 'i.process_key', 'i.process_version');
  if (!tasks.length) return null;
  const readonly = new Set<string>();
  const hidden = new Set<string>();
  let editable: Set<string> | null = null;
  for (const t of tasks) {
    const graph = await loadGraph(trx, t.process_key, t.process_version);
    const n = graph.nodes.get(t.node_id);
    if (n?.type !== 'userTask' || !n.fieldAccess) continue;
    n.fieldAccess.readonly?.forEach((f) => {
      readonly.add(f);
    });
    n.fieldAccess.hidden?.forEach((f) => {
      hidden.add(f);
    });
    if (n.fieldAccess.editable) editable = new Set([...(editable ?? []), ...n.fieldAccess.editable]);
  }
  return { readonly: [...readonly], hidden: [...hidden], ...(editable ? { editable: [...editable] } : {}) };
}

/** The user a run acts as: the person taking the action, or the built-in system account for the engine's own moves. */
async function actingUserId(trx: Knex, actor: string): Promise<number> {
  const username = actor.includes(':') ? 'system' : actor;
  const row = await trx('users').where({ username }).first('id');
  if (!row) throw new Error(`no user ${username} to request a linked record`);
  return Number(row.id);
}
