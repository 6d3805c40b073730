import type { ProcessDefinition, ProcessEdge, ProcessNode } from '@opsloom/spec';
import type { Knex } from 'knex';
import { fromJson } from '../db/json.ts';
import { currentVersion } from '../definitions/current.ts';
import { notFound } from '../http/errors.ts';
import { translateBoth } from '../i18n/translate.ts';

export interface Graph {
  key: string;
  version: number;
  def: ProcessDefinition;
  nodes: Map<string, ProcessNode>;
  outgoing: Map<string, ProcessEdge[]>;
  incoming: Map<string, ProcessEdge[]>;
  start: ProcessNode;
  /** Names of every callback the process can receive, for signing callback URLs. */
  callbackNames: string[];
}

// Published versions never change, so a compiled graph is cached by key@version.
const cache = new Map<string, Graph>();

export function compileGraph(def: ProcessDefinition, version: number): Graph {
  const nodes = new Map(def.nodes.map((n) => [n.id, n]));
  const outgoing = new Map<string, ProcessEdge[]>();
  const incoming = new Map<string, ProcessEdge[]>();
  for (const e of def.edges) {
    outgoing.set(e.source, [...(outgoing.get(e.source) ?? []), e]);
    incoming.set(e.target, [...(incoming.get(e.target) ?? []), e]);
  }
  const start = def.nodes.find((n) => n.type === 'start')!;
  const callbackNames = def.nodes.flatMap((n) => (n.type === 'callback' ? [n.callback.name] : []));
  return { key: def.key, version, def, nodes, outgoing, incoming, start, callbackNames };
}

export async function loadGraph(db: Knex, key: string, version?: number): Promise<Graph> {
  let v = version;
  if (v === undefined) {
    const current = await currentVersion(db, 'process', key);
    if (current === null) throw notFound(translateBoth('what.definition', { kind: 'process', key }));
    v = current;
  }
  const id = `${key}@${v}`;
  const hit = cache.get(id);
  if (hit) return hit;
  const row = await db('definition_versions').where({ kind: 'process', key, version: v }).first('body');
  if (!row) throw notFound(translateBoth('what.definition', { kind: 'process', key }));
  const graph = compileGraph(fromJson<ProcessDefinition>(row.body)!, v);
  cache.set(id, graph);
  return graph;
}

export function node(graph: Graph, id: string): ProcessNode {
  const n = graph.nodes.get(id);
  if (!n) throw new Error(`process ${graph.key}@${graph.version} has no node ${id}`);
  return n;
}

export const outgoingOf = (graph: Graph, id: string): ProcessEdge[] => graph.outgoing.get(id) ?? [];
