import { renderTemplate } from '@opsloom/spec';
import type { Knex } from 'knex';
import { EVENT_JOB } from '../automation/events.ts';
import { runEventJob } from '../automation/rules.ts';
import type { Services } from '../context.ts';
import { fromJson } from '../db/json.ts';
import { runDelivery } from '../notify/deliver.ts';
import { DELIVER_JOB } from '../notify/outbox.ts';
import {
  answeredError,
  callFailure,
  localizedOf,
  type OutboundResponse,
  outboundClient,
} from '../outbound/client.ts';
import { writeHistory } from '../records/store.ts';
import { newNonce, openSecrets, type Revealed, secretsContext, shown } from '../secrets/references.ts';
import { callbackUrls } from './callbacks.ts';
import {
  type EngineHooks,
  errorEdgeOf,
  exprContext,
  leave,
  loadRun,
  lockInstance,
  patchRecord,
  type TokenRow,
  takeErrorEdge,
} from './engine.ts';
import { node } from './graph.ts';
import { claimDueJobs, completeJob, failJob, type JobRow } from './jobs.ts';
import { deliverNotification } from './notify.ts';
import { Pacing } from './pacing.ts';

const LOCK_MS = 60_000;

/** Renders every string inside a JSON value as a liquid template. */
async function renderDeep(value: unknown, ctx: Record<string, unknown>): Promise<unknown> {
  if (typeof value === 'string') return renderTemplate(value, ctx);
  if (Array.isArray(value)) return Promise.all(value.map((v) => renderDeep(v, ctx)));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await renderDeep(v, ctx);
    return out;
  }
  return value;
}

/**
 * Runs due jobs: timers, outbound HTTP calls of service tasks and notifications. Each job's
 * effect is applied in the same transaction that marks it done, conditional on this runtime
 * still holding its claim, so a job whose runtime died is taken over and applied exactly once.
 */
export class JobRunner {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  // Stopped until start(): a runtime started with `jobs: false` must not run jobs when woken.
  private stopped = true;
  private again = false;
  private readonly pacing: Pacing;
  private active: Promise<void> = Promise.resolve();

  constructor(
    private readonly services: Services,
    private readonly hooks: EngineHooks,
    pollMs: number,
  ) {
    this.pacing = new Pacing(pollMs);
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.active;
  }

  /** Look for work now (called after a transaction that may have enqueued a due job). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    // While it rests after a batch, its next pass is already set for the end of the rest.
    else if (this.pacing.wakeStartsPass(Date.now())) this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.active = this.tick();
    }, ms);
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    this.running = true;
    let busy = false;
    const started = Date.now();
    try {
      const jobs = await claimDueJobs(this.services.db, this.services.config.instanceId, 20, LOCK_MS);
      busy = jobs.length > 0;
      await Promise.all(jobs.map((job) => this.runJob(job)));
    } catch (err) {
      this.services.log.error({ err }, 'job runner pass failed');
    } finally {
      this.running = false;
      const next = this.pacing.afterPass({
        started,
        now: Date.now(),
        more: busy || this.again,
        requestsInFlight: !!this.services.traffic?.inFlight,
      });
      this.again = false;
      if (!this.stopped) this.schedule(next);
    }
  }

  async runJob(job: JobRow): Promise<void> {
    const owner = this.services.config.instanceId;
    try {
      if (job.type === 'http') await this.runHttp(job, owner);
      else if (job.type === 'timer') await this.runTimer(job, owner);
      else if (job.type === 'notify') await this.runNotify(job, owner);
      // Outbox messages handle their own failures (retry, dead letter, history entry).
      else if (job.type === DELIVER_JOB) await runDelivery(this.services, job, owner);
      else if (job.type === EVENT_JOB) await runEventJob(this.services, job, owner, this.hooks);
      else throw new Error(`unknown job type ${job.type}`);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const outcome = await failJob(this.services.db, job, owner, message);
      this.services.log.warn(
        { job: job.id, type: job.type, attempt: job.attempts, outcome, err: message },
        'job failed',
      );
      if (outcome === 'dead' && job.instance_id) {
        const status = (err as { status?: unknown }).status;
        await this.recordDead(job, message, localizedOf(err), typeof status === 'number' ? status : null);
      }
    }
  }

  /**
   * A job used up its attempts. The record's history says which call failed and why (staff see it
   * with a retry for admins); a service task with an error edge moves on along it, in the same
   * transaction, so the flow can react instead of waiting for a call that will not come back.
   */
  private async recordDead(
    job: JobRow,
    message: string,
    localized: Record<string, string> | undefined,
    status: number | null,
  ): Promise<void> {
    const payload =
      job.type === 'http' ? fromJson<{ nodeId: string; item: unknown; input?: unknown }>(job.payload) : null;
    await this.services.db.transaction(async (trx) => {
      await lockInstance(trx, job.instance_id!);
      const inst = await trx('process_instances').where({ id: job.instance_id }).first('record_id');
      if (!inst) return;
      const detail = {
        job: job.id,
        type: job.type,
        ...(payload ? { node: payload.nodeId } : {}),
        error: message,
        ...(localized ? { errorText: localized } : {}),
      };
      const token = payload
        ? ((await trx('process_tokens').where({ id: job.token_id }).first()) as TokenRow | undefined)
        : undefined;
      // Still waiting at the call (an earlier failure of a sibling call may have moved it on).
      if (payload && token?.status === 'waiting' && token.node_id === payload.nodeId) {
        const run = await loadRun(this.services, trx, 'system:jobs', job.instance_id!, this.hooks);
        const edge = errorEdgeOf(run.graph, payload.nodeId);
        if (edge) {
          await writeHistory(trx, inst.record_id, run.actor, [
            { kind: 'job_failed', detail: { ...detail, errorEdge: edge.id } },
          ]);
          // The task gave up on its calls: none of them (this one, siblings still to run) holds
          // the token any more, so a later visit of the same token waits only for its own.
          await trx('jobs')
            .where({ token_id: token.id, type: 'http' })
            .whereNot({ status: 'done' })
            .update({ token_id: null });
          await takeErrorEdge(run, token, edge, {
            item: payload.item,
            input: payload.input ?? undefined,
            result: { error: message, status },
          });
          return;
        }
      }
      await writeHistory(trx, inst.record_id, 'system:jobs', [{ kind: 'job_failed', detail }]);
    });
    this.services.wake();
  }

  /** A token's timer fell due: move it on, if it is still waiting there. */
  private async runTimer(job: JobRow, owner: string): Promise<void> {
    await this.services.db.transaction(async (trx) => {
      await lockInstance(trx, job.instance_id!);
      if (!(await completeJob(trx, job, owner))) return;
      const token = (await trx('process_tokens').where({ id: job.token_id }).first()) as TokenRow | undefined;
      if (token?.status !== 'waiting') return;
      const run = await loadRun(this.services, trx, 'system:timer', job.instance_id!, this.hooks);
      await writeHistory(trx, run.rec.id, run.actor, [{ kind: 'timer', detail: { node: token.node_id } }]);
      await leave(run, token, node(run.graph, token.node_id));
    });
  }

  /**
   * One outbound call of a service task. The call happens outside any transaction; its result
   * is applied in one. When the token's last call has succeeded, the token moves on.
   */
  private async runHttp(job: JobRow, owner: string): Promise<void> {
    const payload = fromJson<{ nodeId: string; item: unknown; input?: unknown }>(job.payload)!;
    const readRun = await loadRun(
      this.services,
      this.services.db,
      'system:http',
      job.instance_id!,
      this.hooks,
    );
    const n = node(readRun.graph, payload.nodeId);
    if (n.type !== 'serviceTask' || n.action.type !== 'http')
      throw new Error(`node ${payload.nodeId} is not an HTTP service task`);
    const action = n.action;
    // Secrets enter as placeholders and become values only in what is sent (secrets/references.ts).
    const nonce = newNonce();
    const ctx = {
      ...(await exprContext(readRun, { item: payload.item, input: payload.input ?? undefined })),
      callbacks: callbackUrls(this.services, readRun, payload.item),
      vars: this.services.config.vars,
      secrets: secretsContext([action.url, action.headers, action.body], nonce),
    };
    const url = await renderTemplate(action.url, ctx);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (const [k, v] of Object.entries(action.headers ?? {})) headers[k] = await renderTemplate(v, ctx);
    const body = action.body === undefined ? undefined : await renderDeep(action.body, ctx);
    // What history and errors show: the URL with {{ secrets.NAME }} where a value goes.
    const shownUrl = shown(url, nonce);
    const what = `${action.method} ${shownUrl}`;
    let secrets: Revealed | undefined;
    let res: OutboundResponse;
    try {
      secrets = await openSecrets(this.services, nonce, [url, headers, body]);
      res = await outboundClient(this.services.config).request({
        method: action.method,
        url: secrets.reveal(url),
        headers: secrets.revealDeep(headers) as Record<string, string>,
        body: body === undefined ? undefined : JSON.stringify(secrets.revealDeep(body)),
        timeoutMs: action.timeoutMs ?? 10_000,
      });
    } catch (err) {
      throw callFailure(what, err, (t) => secrets?.scrub(t) ?? t);
    }
    const text = res.text;
    // The answer's status goes with the failure: an error edge's expressions see it.
    if (!res.ok)
      throw Object.assign(
        callFailure(what, answeredError(res), (t) => secrets.scrub(t)),
        { status: res.status },
      );
    let result: unknown = text;
    try {
      result = text ? JSON.parse(text) : null;
    } catch {
      // a non-JSON answer is kept as text
    }
    // A peer that echoes what it was sent must not put a secret into the record.
    result = secrets.scrubDeep(result);
    await this.services.db.transaction(async (trx) => {
      await lockInstance(trx, job.instance_id!);
      if (!(await completeJob(trx, job, owner))) return;
      const run = await loadRun(this.services, trx, 'system:http', job.instance_id!, this.hooks);
      await writeHistory(trx, run.rec.id, run.actor, [
        { kind: 'http', detail: { node: n.id, method: action.method, url: shownUrl, status: res.status } },
      ]);
      if (action.resultField && !n.forEach)
        await patchRecord(run, { data: { ...run.rec.data, [action.resultField]: result } });
      const token = (await trx('process_tokens').where({ id: job.token_id }).first()) as TokenRow | undefined;
      // A call answered after its task gave up on it (its error edge, a retry) moves nothing.
      if (token?.status !== 'waiting' || token.node_id !== n.id) return;
      const others = await trx('jobs')
        .where({ token_id: token.id, type: 'http' })
        .whereNot({ id: job.id })
        .whereNot({ status: 'done' })
        .first('id');
      if (!others) await leave(run, token, n);
    });
  }

  private async runNotify(job: JobRow, owner: string): Promise<void> {
    await this.services.db.transaction(async (trx: Knex) => {
      if (!(await completeJob(trx, job, owner))) return;
      await deliverNotification(this.services, trx, fromJson(job.payload) ?? {}, this.hooks);
    });
  }
}
