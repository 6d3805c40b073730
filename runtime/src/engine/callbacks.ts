import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { ProcessNode } from '@opsloom/spec';
import type { Services } from '../context.ts';
import { isUniqueViolation } from '../db/connect.ts';
import { fromJson, toJson } from '../db/json.ts';
import { canonicalJson } from '../definitions/canonical.ts';
import { ApiError, conflict } from '../http/errors.ts';
import { writeHistory } from '../records/store.ts';
import {
  computeValues,
  type EngineHooks,
  leave,
  loadRun,
  lockInstance,
  patchRecord,
  type Run,
  setTokenStatus,
  type TokenRow,
} from './engine.ts';
import { loadGraph, node } from './graph.ts';

/**
 * Callback URLs carry an HMAC of (callback name, item) keyed by the instance's own random
 * secret: unguessable, verifiable without a lookup table, and useless for any other instance.
 */
export function signCallback(secret: string, name: string, item: string): string {
  return createHmac('sha256', secret).update(`${name}\n${item}`).digest('base64url');
}

export function callbackUrl(
  publicUrl: string,
  instanceId: number,
  secret: string,
  name: string,
  item = '',
): string {
  const q = new URLSearchParams();
  if (item) q.set('item', item);
  q.set('sig', signCallback(secret, name, item));
  return `${publicUrl}/api/v1/callbacks/${instanceId}/${encodeURIComponent(name)}?${q}`;
}

/** Callback URLs of every callback the process can receive, for the given item, by name. */
export function callbackUrls(services: Services, run: Run, item: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of run.graph.def.nodes) {
    const specs = n.type === 'callback' ? [n.callback] : n.type === 'userTask' ? (n.callbacks ?? []) : [];
    for (const cb of specs) {
      const key =
        item && typeof item === 'object' && cb.itemKey
          ? String((item as Record<string, unknown>)[cb.itemKey] ?? '')
          : item === null || item === undefined || typeof item === 'object'
            ? ''
            : String(item);
      out[cb.name] = callbackUrl(
        services.config.publicUrl,
        run.instance.id,
        run.instance.secret,
        cb.name,
        key,
      );
    }
  }
  return out;
}

type CallbackSpec = {
  name: string;
  itemKey?: string;
  resultField?: string;
  set?: Record<string, string>;
  list?: string;
  setItem?: Record<string, string>;
};

/** Applies a callback's result to the record: `set` fields, `setItem` on the list item it names, or `resultField`. */
async function applyResult(run: Run, cb: CallbackSpec, item: string, result: unknown): Promise<void> {
  const data = { ...run.rec.data };
  let itemValue: unknown = item || null;
  if (cb.list) {
    const list = Array.isArray(data[cb.list]) ? [...(data[cb.list] as unknown[])] : [];
    const index = list.findIndex(
      (x) =>
        String(x && typeof x === 'object' && cb.itemKey ? (x as Record<string, unknown>)[cb.itemKey] : x) ===
        item,
    );
    if (index >= 0) {
      itemValue = list[index];
      if (cb.setItem) {
        const values = await computeValues(
          run,
          cb.setItem,
          { item: itemValue, result },
          `callback ${cb.name}`,
        );
        list[index] = { ...(itemValue as Record<string, unknown>), ...values };
        data[cb.list] = list;
      }
    }
  }
  if (cb.resultField) data[cb.resultField] = result;
  await patchRecord(run, { data });
  if (cb.set) {
    const values = await computeValues(run, cb.set, { item: itemValue, result }, `callback ${cb.name}`);
    await patchRecord(run, { data: { ...run.rec.data, ...values } });
  }
}

/**
 * The wait a callback without an `id` answers: the newest token of its callback node for that
 * item, else the newest task listening to it. A body without an id is deduplicated within that
 * wait only, so the same result in a later round of a loop (a redeploy that succeeds like the
 * first deploy did) is a new callback, not a repeat. A system that reports to the same single
 * wait several times in a loop should send an `id`.
 */
async function waitAnswered(
  services: Services,
  instanceId: number,
  instance: { process_key: string; process_version: number },
  name: string,
  item: string,
): Promise<string> {
  const graph = await loadGraph(services.db, instance.process_key, Number(instance.process_version));
  const waits = graph.def.nodes
    .filter((n) => n.type === 'callback' && n.callback.name === name)
    .map((n) => n.id);
  if (waits.length) {
    const token = await services
      .db('process_tokens')
      .where({ instance_id: instanceId })
      .whereIn('node_id', waits)
      .andWhere((q) => (item ? q.where('item', item) : q.whereNull('item')))
      .orderBy('id', 'desc')
      .first('id');
    if (token) return `token:${token.id}`;
  }
  const listeners = graph.def.nodes
    .filter((n) => n.type === 'userTask' && (n.callbacks ?? []).some((cb) => cb.name === name))
    .map((n) => n.id);
  if (listeners.length) {
    const task = await services
      .db('tasks')
      .where({ instance_id: instanceId })
      .whereIn('node_id', listeners)
      .orderBy('id', 'desc')
      .first('id');
    if (task) return `task:${task.id}`;
  }
  return '';
}

export interface CallbackBody {
  id?: string;
  result?: unknown;
}

/**
 * An external system reports back. Verified by signature (401 otherwise, nothing changes);
 * idempotent by the body's `id` (or its content): a repeat answers like the first time.
 */
export async function receiveCallback(
  services: Services,
  instanceId: number,
  name: string,
  item: string,
  sig: string,
  body: CallbackBody,
  hooks: EngineHooks,
): Promise<{ accepted: boolean; duplicate: boolean; record: string }> {
  const instance = await services
    .db('process_instances')
    .where({ id: instanceId })
    .first('secret', 'record_id', 'process_key', 'process_version');
  const expected = instance ? Buffer.from(signCallback(instance.secret, name, item)) : Buffer.from('x');
  const given = Buffer.from(sig);
  if (!instance || expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new ApiError(401, 'bad_signature', 'error.bad_signature');
  }
  const receipt =
    body.id ??
    createHash('sha256')
      .update(
        canonicalJson({
          name,
          item,
          result: body.result ?? null,
          wait: await waitAnswered(services, instanceId, instance, name, item),
        }),
      )
      .digest('hex');
  const previous = await services
    .db('callback_receipts')
    .where({ instance_id: instanceId, receipt })
    .first('response');
  if (previous)
    return { ...fromJson<{ accepted: boolean; record: string }>(previous.response)!, duplicate: true };
  try {
    return await services.db.transaction(async (trx) => {
      await lockInstance(trx, instanceId);
      await trx('callback_receipts').insert({
        instance_id: instanceId,
        receipt,
        received_at: Date.now(),
        response: null,
      });
      const run = await loadRun(services, trx, `system:callback:${name}`, instanceId, hooks);
      const callbackNodes = run.graph.def.nodes
        .filter((n) => n.type === 'callback' && n.callback.name === name)
        .map((n) => n.id);
      const waiting = (await trx('process_tokens')
        .where({ instance_id: instanceId, status: 'waiting' })
        .whereIn('node_id', callbackNodes.length ? callbackNodes : ['-'])
        .andWhere((q) => (item ? q.where('item', item) : q.whereNull('item')))
        .first()) as TokenRow | undefined;
      if (waiting) {
        const n = node(run.graph, waiting.node_id) as Extract<ProcessNode, { type: 'callback' }>;
        await writeHistory(trx, run.rec.id, run.actor, [
          { kind: 'callback', detail: { name, item, result: body.result ?? null } },
        ]);
        await applyResult(run, n.callback as CallbackSpec, item, body.result ?? null);
        await setTokenStatus(trx, waiting.id, 'done');
        if (waiting.item !== null) {
          // One item of a multi-instance wait: the node moves on when its last item reported.
          const parentId = Number(waiting.fork);
          const left = await trx('process_tokens')
            .where({ instance_id: instanceId, node_id: n.id, fork: String(parentId), status: 'waiting' })
            .first('id');
          if (!left) {
            const parent = (await trx('process_tokens').where({ id: parentId }).first()) as TokenRow;
            await leave(run, parent, n);
          }
        } else {
          await leave(run, waiting, n);
        }
      } else {
        // A callback a waiting user task listens to (e.g. a merge request approved while the
        // release is still open): the task stays open, the record changes.
        const tasks = await trx('tasks').where({ instance_id: instanceId, status: 'open' }).select('node_id');
        const listener = tasks
          .map((t: { node_id: string }) => node(run.graph, t.node_id))
          .flatMap((n: ProcessNode) => (n.type === 'userTask' ? (n.callbacks ?? []) : []))
          .find((cb: CallbackSpec) => cb.name === name);
        if (!listener)
          throw conflict('not_waiting', 'error.callback_not_waiting', {
            name,
            item: item || '-',
            record: run.rec.number,
          });
        await writeHistory(trx, run.rec.id, run.actor, [
          { kind: 'callback', detail: { name, item, result: body.result ?? null } },
        ]);
        await applyResult(run, listener as CallbackSpec, item, body.result ?? null);
      }
      const response = { accepted: true, record: run.rec.number };
      await trx('callback_receipts')
        .where({ instance_id: instanceId, receipt })
        .update({ response: toJson(response) });
      return { ...response, duplicate: false };
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      // The same callback arrived twice at once; the other request applied it.
      const row = await services
        .db('callback_receipts')
        .where({ instance_id: instanceId, receipt })
        .first('response');
      return {
        ...(fromJson<{ accepted: boolean; record: string }>(row?.response) ?? { accepted: true, record: '' }),
        duplicate: true,
      };
    }
    throw err;
  }
}
