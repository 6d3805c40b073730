import type { I18nText, RuleDefinition } from '@opsloom/spec';
import type { Knex } from 'knex';
import type { Actor } from '../context.ts';
import { fromJson } from '../db/json.ts';
import { currentBodies, publishedBodies } from '../definitions/current.ts';
import { type Graph, loadGraph } from '../engine/graph.ts';
import { loadRecord } from './store.ts';
import { assertCanSee, isStaff } from './visibility.ts';

export interface HistoryEntry {
  id: number;
  at: number;
  /** Username, or `system:<what>` for work the runtime did on its own. */
  actor: string;
  /** field | created | transition | comment | attachment | link | watcher | task | callback | … */
  kind: string;
  field: string | null;
  from: unknown;
  to: unknown;
  detail: unknown;
  /** Names of the steps, action and process the entry's detail names by id, as the process says them. */
  names?: StepNames;
}

interface StepNames {
  node?: I18nText;
  to?: I18nText;
  action?: I18nText;
  process?: I18nText;
  /** The automation rule that did it (a `rule` entry's `detail.rule`, or a `rule:<key>` actor). */
  rule?: I18nText;
}

interface HistoryRow {
  id: number;
  at: number;
  actor: string;
  kind: string;
  field: string | null;
  from_value: string | null;
  to_value: string | null;
  detail: string | null;
}

const PERSON_FIELDS = new Set(['assignee', 'requester']);

/**
 * What a requester's timeline shows: what happened to their request, not the team's own
 * bookkeeping (OLAs, rules, jobs, outbound calls, notifications to agents).
 */
const REQUESTER_KINDS = new Set([
  'created',
  'field',
  'transition',
  'task',
  'process',
  'comment',
  'attachment',
  'link',
  'watcher',
  'rating',
]);

/**
 * The names behind the ids history details carry (`node`, `to`, `action`, `started`/`ended`), from
 * the processes the record ran. Compiled graphs are cached, so this reads one small row per
 * instance.
 */
async function nameSteps(db: Knex, recordId: number, entries: HistoryEntry[]): Promise<void> {
  const instances: { process_key: string; process_version: number }[] = await db('process_instances')
    .where({ record_id: recordId })
    .orderBy('id')
    .select('process_key', 'process_version');
  const graphs: Graph[] = [];
  for (const i of instances) graphs.push(await loadGraph(db, i.process_key, Number(i.process_version)));
  if (!graphs.length) return;
  const graphOf = (nodeId: string) => graphs.find((g) => g.nodes.has(nodeId));
  for (const e of entries) {
    const d = e.detail as Record<string, unknown> | null;
    if (!d || typeof d !== 'object') continue;
    const names: StepNames = {};
    // A process's notify node says which node sent it only in its source (`node:<id>`).
    const node = typeof d.node === 'string' ? d.node : sourceKey(d.source, 'node');
    const ran = typeof d.started === 'string' ? d.started : typeof d.ended === 'string' ? d.ended : null;
    if (ran) {
      const g = graphs.find((x) => `${x.key}@${x.version}` === ran);
      if (g) names.process = g.def.name;
    }
    if (node) {
      const g = graphOf(node);
      const n = g?.nodes.get(node);
      if (n && 'name' in n && n.name) names.node = n.name;
      const edge =
        typeof d.action === 'string'
          ? g?.outgoing.get(node)?.find((x) => x.action?.key === d.action)
          : undefined;
      if (edge?.action) names.action = edge.action.label;
      const to = typeof d.to === 'string' ? g?.nodes.get(d.to) : undefined;
      if (to && 'name' in to && to.name) names.to = to.name;
    }
    if (Object.keys(names).length) e.names = names;
  }
}

/** `<key>` of a `<prefix>:<key>` source or actor, else null. */
function sourceKey(source: unknown, prefix: string): string | null {
  return typeof source === 'string' && source.startsWith(`${prefix}:`)
    ? source.slice(prefix.length + 1)
    : null;
}

/** The rule's key an entry is about or was written by. */
const ruleOf = (e: HistoryEntry): string | null => {
  const d = e.detail as Record<string, unknown> | null;
  if (d && typeof d.rule === 'string') return d.rule;
  return sourceKey(d?.source, 'rule') ?? sourceKey(e.actor, 'rule');
};

/**
 * The names of the rules that acted on the record, as their current version says them (a rule
 * renamed since reads by its new name, as it is now listed); a retired one by its last version.
 */
async function nameRules(db: Knex, entries: HistoryEntry[]): Promise<void> {
  const keys = new Set<string>();
  for (const e of entries) {
    const key = ruleOf(e);
    if (key) keys.add(key);
  }
  if (!keys.size) return;
  const names = new Map<string, I18nText>();
  for (const { key, def } of await currentBodies<RuleDefinition>(db, 'rule'))
    if (keys.has(key)) names.set(key, def.name);
  const retired = [...keys].filter((key) => !names.has(key));
  for (const { key, def } of await publishedBodies<RuleDefinition>(db, 'rule', retired))
    names.set(key, def.name);
  for (const e of entries) {
    const key = ruleOf(e);
    const name = key ? names.get(key) : undefined;
    if (name) e.names = { ...e.names, rule: name };
  }
}

/**
 * A record's whole history, oldest first, read along the (record_id, id) index. People and groups
 * stored as ids (assignee, requester, group changes) are shown by username and group key;
 * requesters do not see the entries of internal comments.
 */
export async function recordHistory(db: Knex, actor: Actor, recordId: number): Promise<HistoryEntry[]> {
  const rec = await loadRecord(db, recordId);
  await assertCanSee(db, actor, rec);
  const rows: HistoryRow[] = await db('record_history')
    .where({ record_id: rec.id })
    .orderBy('id', 'asc')
    .select('id', 'at', 'actor', 'kind', 'field', 'from_value', 'to_value', 'detail');
  const staff = isStaff(actor);
  const entries = rows
    .map((r) => ({
      id: Number(r.id),
      at: Number(r.at),
      actor: r.actor,
      kind: r.kind,
      field: r.field,
      from: fromJson(r.from_value),
      to: fromJson(r.to_value),
      detail: fromJson(r.detail),
    }))
    .filter(
      (e) =>
        staff ||
        (REQUESTER_KINDS.has(e.kind) &&
          (e.detail as { visibility?: string } | null)?.visibility !== 'internal'),
    );
  await nameSteps(db, rec.id, entries);
  await nameRules(db, entries);

  const userIds = new Set<number>();
  const groupIds = new Set<number>();
  for (const e of entries) {
    if (e.kind !== 'field' || !e.field) continue;
    const bucket = PERSON_FIELDS.has(e.field) ? userIds : e.field === 'group' ? groupIds : null;
    if (!bucket) continue;
    for (const v of [e.from, e.to]) if (typeof v === 'number') bucket.add(v);
  }
  const users = new Map<number, string>(
    userIds.size
      ? (
          await db('users')
            .whereIn('id', [...userIds])
            .select('id', 'username')
        ).map((u: { id: number; username: string }) => [Number(u.id), u.username])
      : [],
  );
  const groups = new Map<number, string>(
    groupIds.size
      ? (
          await db('groups')
            .whereIn('id', [...groupIds])
            .select('id', 'key')
        ).map((g: { id: number; key: string }) => [Number(g.id), g.key])
      : [],
  );
  for (const e of entries) {
    if (e.kind !== 'field' || !e.field) continue;
    const names = PERSON_FIELDS.has(e.field) ? users : e.field === 'group' ? groups : null;
    if (!names) continue;
    if (typeof e.from === 'number') e.from = names.get(e.from) ?? e.from;
    if (typeof e.to === 'number') e.to = names.get(e.to) ?? e.to;
  }
  return entries;
}
