import type { I18nText } from '@opsloom/spec';
import type { Knex } from 'knex';
import { fromJson } from '../db/json.ts';
import { loadGraph } from './graph.ts';

export interface RecordFailure {
  job: number;
  type: string;
  /** The service task whose call it was (HTTP calls), and its name. */
  node: string | null;
  nodeName: I18nText | null;
  /** Why, in both languages when the failure said it in both; else as stored. */
  error: { 'zh-CN': string; en: string };
  attempts: number;
  failedAt: number | null;
  /** The flow still waits for this call: a retry that succeeds moves it on. */
  waiting: boolean;
  /** The error edge the flow took instead, if it took one. */
  errorEdge: string | null;
}

/**
 * The jobs of a record's processes that failed for good (dead), newest first, with the reason the
 * record's history keeps for each (`job_failed`, in both languages). Staff see them on the record
 * page; requesters never do.
 */
export async function recordFailures(db: Knex, recordId: number): Promise<RecordFailure[]> {
  const instances = await db('process_instances')
    .where({ record_id: recordId })
    .select('id', 'process_key', 'process_version');
  if (!instances.length) return [];
  const jobs = await db('jobs')
    .where({ status: 'dead' })
    .whereIn(
      'instance_id',
      instances.map((i: { id: number }) => i.id),
    )
    .orderBy('id', 'desc')
    .select('id', 'type', 'payload', 'instance_id', 'token_id', 'attempts', 'last_error', 'finished_at');
  if (!jobs.length) return [];
  const entries = await db('record_history')
    .where({ record_id: recordId, kind: 'job_failed' })
    .orderBy('id', 'asc')
    .select('detail');
  const why = new Map<number, { errorText?: { 'zh-CN': string; en: string }; errorEdge?: string }>();
  for (const e of entries) {
    const d = fromJson<{ job?: number; errorText?: { 'zh-CN': string; en: string }; errorEdge?: string }>(
      e.detail,
    );
    if (d?.job !== undefined) why.set(Number(d.job), d);
  }
  const out: RecordFailure[] = [];
  for (const j of jobs) {
    const inst = instances.find((i: { id: number }) => Number(i.id) === Number(j.instance_id));
    const nodeId = j.type === 'http' ? (fromJson<{ nodeId?: string }>(j.payload)?.nodeId ?? null) : null;
    let nodeName: I18nText | null = null;
    if (inst && nodeId) {
      const graph = await loadGraph(db, inst.process_key, Number(inst.process_version));
      const n = graph.nodes.get(nodeId);
      nodeName = n && 'name' in n && n.name ? n.name : null;
    }
    const seen = why.get(Number(j.id));
    const stored = String(j.last_error ?? '');
    out.push({
      job: Number(j.id),
      type: j.type,
      node: nodeId,
      nodeName,
      error: seen?.errorText ?? { 'zh-CN': stored, en: stored },
      attempts: Number(j.attempts),
      failedAt: j.finished_at === null ? null : Number(j.finished_at),
      waiting: j.token_id !== null,
      errorEdge: seen?.errorEdge ?? null,
    });
  }
  return out;
}
