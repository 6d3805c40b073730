import { type Checker, list, record } from '../checker.ts';
import { nodeLabel } from '../labels.ts';
import { child } from '../pointer.ts';

interface GraphNode {
  id: string;
  type: string;
  index: number;
  raw: Record<string, unknown>;
}

interface GraphEdge {
  id: string;
  source: string;
  target: string;
  index: number;
  raw: Record<string, unknown>;
}

/**
 * Structural checks of the flow: one start, reachable nodes, no dead ends, well-formed
 * gateways, buttons on user-task exits, and parallel splits that meet at one join. Edges
 * pointing at missing nodes are reported once and then ignored by the other checks.
 */
export function checkProcessGraph(c: Checker, def: Record<string, unknown>): void {
  const nodes = new Map<string, GraphNode>();
  list(def.nodes).forEach((raw, index) => {
    const r = record(raw);
    if (typeof r.id !== 'string' || typeof r.type !== 'string') return;
    if (nodes.has(r.id)) {
      c.add('process.node.duplicateId', child('/nodes', index, 'id'), { id: r.id });
      return;
    }
    nodes.set(r.id, { id: r.id, type: r.type, index, raw: r });
  });

  const edges: GraphEdge[] = [];
  const edgeIds = new Set<string>();
  let broken = nodes.size !== list(def.nodes).length;
  list(def.edges).forEach((raw, index) => {
    const r = record(raw);
    if (typeof r.id !== 'string' || typeof r.source !== 'string' || typeof r.target !== 'string') return;
    if (edgeIds.has(r.id)) c.add('process.edge.duplicateId', child('/edges', index, 'id'), { id: r.id });
    edgeIds.add(r.id);
    let dangling = false;
    for (const end of ['source', 'target'] as const) {
      const id = r[end] as string;
      if (!nodes.has(id)) {
        dangling = true;
        broken = true;
        c.add('process.edge.dangling', child('/edges', index, end), {
          edge: r.id,
          node: id,
          end: end === 'source' ? { 'zh-CN': '起点', en: 'source' } : { 'zh-CN': '终点', en: 'target' },
        });
      }
    }
    if (!dangling) edges.push({ id: r.id, source: r.source, target: r.target, index, raw: r });
  });

  const outgoing = new Map<string, GraphEdge[]>();
  const incoming = new Map<string, GraphEdge[]>();
  for (const n of nodes.keys()) {
    outgoing.set(n, []);
    incoming.set(n, []);
  }
  for (const e of edges) {
    outgoing.get(e.source)?.push(e);
    incoming.get(e.target)?.push(e);
  }
  const out = (id: string) => outgoing.get(id) ?? [];
  const into = (id: string) => incoming.get(id) ?? [];
  const nodePath = (n: GraphNode) => child('/nodes', n.index);
  const edgePath = (e: GraphEdge) => child('/edges', e.index);

  checkDuplicateEdges(c, edges);

  const starts = [...nodes.values()].filter((n) => n.type === 'start');
  if (starts.length !== 1) {
    const extra = starts.length > 1 ? starts.map((s) => s.id).join(', ') : '';
    c.add('process.start.count', starts.length > 1 ? nodePath(starts[1] as GraphNode) : '/nodes', {
      count: starts.length,
      nodes: extra ? { 'zh-CN': `（${extra}）`, en: ` (${extra})` } : '',
    });
  }

  for (const n of nodes.values()) {
    const label = nodeLabel(n.raw);
    if (n.type === 'start') {
      for (const e of into(n.id)) c.add('process.start.incoming', edgePath(e), { edge: e.id, node: label });
    }
    if (n.type === 'end') {
      for (const e of out(n.id)) c.add('process.end.outgoing', edgePath(e), { edge: e.id, node: label });
    }
    if (n.type === 'exclusiveGateway') checkGateway(c, n, out(n.id), nodePath(n), edgePath);
    if (n.type === 'userTask') checkTaskActions(c, n, out(n.id), edgePath);
    checkErrorEdges(c, n, out(n.id), nodePath(n), edgePath);
    if (n.type === 'parallelSplit' && out(n.id).length < 2) {
      c.add('process.parallel.split', nodePath(n), { node: label, count: out(n.id).length });
    }
    if (n.type === 'parallelJoin' && into(n.id).length < 2) {
      c.add('process.parallel.join', nodePath(n), { node: label, count: into(n.id).length });
    }
  }

  // Reachability: forward from the start node(s), backward from every end node. Skipped
  // while edges dangle or ids clash: every node would look cut off and bury the real cause.
  if (broken) return;
  const reached = walk(
    starts.map((s) => s.id),
    (id) => out(id).map((e) => e.target),
  );
  const ends = [...nodes.values()].filter((n) => n.type === 'end').map((n) => n.id);
  const canFinish = walk(ends, (id) => into(id).map((e) => e.source));
  for (const n of nodes.values()) {
    if (starts.length > 0 && !reached.has(n.id)) {
      c.add('process.node.unreachable', nodePath(n), { node: nodeLabel(n.raw) });
    } else if (!canFinish.has(n.id)) {
      c.add('process.node.deadEnd', nodePath(n), { node: nodeLabel(n.raw) });
    }
  }

  for (const n of nodes.values()) {
    if (n.type === 'parallelSplit' && out(n.id).length >= 2)
      checkSplitConverges(c, n, nodes, out, nodePath(n));
  }
}

function walk(from: string[], next: (id: string) => string[]): Set<string> {
  const seen = new Set(from);
  const queue = [...from];
  while (queue.length > 0) {
    const id = queue.shift() as string;
    for (const n of next(id)) {
      if (!seen.has(n)) {
        seen.add(n);
        queue.push(n);
      }
    }
  }
  return seen;
}

function checkDuplicateEdges(c: Checker, edges: GraphEdge[]): void {
  const seen = new Map<string, GraphEdge>();
  for (const e of edges) {
    const actionKey = record(e.raw.action).key;
    const key = JSON.stringify([e.source, e.target, typeof actionKey === 'string' ? actionKey : null]);
    const first = seen.get(key);
    if (first) c.add('process.edge.duplicate', child('/edges', e.index), { edge: e.id, other: first.id });
    else seen.set(key, e);
  }
}

function checkGateway(
  c: Checker,
  n: GraphNode,
  outs: GraphEdge[],
  path: string,
  edgePath: (e: GraphEdge) => string,
): void {
  const label = nodeLabel(n.raw);
  if (outs.length < 2) c.add('process.gateway.outgoing', path, { node: label, count: outs.length });
  const defaults = outs.filter((e) => e.raw.default === true);
  for (const e of outs) {
    if (e.raw.default !== true && (typeof e.raw.condition !== 'string' || e.raw.condition === '')) {
      c.add('process.gateway.condition', edgePath(e), { node: label, edge: e.id });
    }
  }
  if (defaults.length > 1) {
    c.add('process.gateway.defaults', child(edgePath(defaults[1] as GraphEdge), 'default'), {
      node: label,
      edges: defaults.map((e) => e.id).join(', '),
    });
  }
}

/**
 * Error edges (`error: true`) leave an HTTP service task when its call fails for good: one at
 * most per task, beside the ordinary edge its successful calls take. Nothing else has a call
 * that can fail later (a task's other actions fail in the transaction that runs them).
 */
function checkErrorEdges(
  c: Checker,
  n: GraphNode,
  outs: GraphEdge[],
  path: string,
  edgePath: (e: GraphEdge) => string,
): void {
  const errors = outs.filter((e) => e.raw.error === true);
  if (!errors.length) return;
  const label = nodeLabel(n.raw);
  const calls = n.type === 'serviceTask' && record(n.raw.action).type === 'http';
  if (!calls) {
    for (const e of errors)
      c.add('process.errorEdge.source', child(edgePath(e), 'error'), { node: label, edge: e.id });
    return;
  }
  if (errors.length > 1)
    c.add('process.errorEdge.count', child(edgePath(errors[1] as GraphEdge), 'error'), {
      node: label,
      edges: errors.map((e) => e.id).join(', '),
    });
  if (errors.length === outs.length) c.add('process.errorEdge.alone', path, { node: label });
}

function checkTaskActions(
  c: Checker,
  n: GraphNode,
  outs: GraphEdge[],
  edgePath: (e: GraphEdge) => string,
): void {
  if (outs.length < 2) return;
  const label = nodeLabel(n.raw);
  const keys = new Set<string>();
  for (const e of outs) {
    const key = record(e.raw.action).key;
    if (typeof key !== 'string') {
      c.add('process.userTask.action', edgePath(e), { node: label, edge: e.id });
      continue;
    }
    if (keys.has(key))
      c.add('process.userTask.actionKey', child(edgePath(e), 'action', 'key'), {
        node: label,
        key,
        edge: e.id,
      });
    keys.add(key);
  }
}

/**
 * Follows every branch of a split until it reaches a join at the same nesting depth
 * (a nested split adds one level, its join removes it). All branches must stop at the
 * same join and none may reach an end first, or the join would wait forever.
 */
function checkSplitConverges(
  c: Checker,
  split: GraphNode,
  nodes: Map<string, GraphNode>,
  out: (id: string) => GraphEdge[],
  path: string,
): void {
  const joins = new Set<string>();
  const endsReached = new Set<string>();
  const seen = new Set<string>();
  const stack: [string, number][] = out(split.id).map((e) => [e.target, 0]);
  while (stack.length > 0) {
    const [id, depth] = stack.pop() as [string, number];
    const key = `${id}@${depth}`;
    if (seen.has(key) || id === split.id) continue;
    seen.add(key);
    const node = nodes.get(id);
    if (!node) continue;
    if (node.type === 'end') {
      endsReached.add(id);
      continue;
    }
    let nextDepth = depth;
    if (node.type === 'parallelJoin') {
      if (depth === 0) {
        joins.add(id);
        continue;
      }
      nextDepth = depth - 1;
    } else if (node.type === 'parallelSplit') {
      // Bounded by the number of nodes so a loop through splits cannot run away.
      if (depth > nodes.size) continue;
      nextDepth = depth + 1;
    }
    for (const e of out(id)) stack.push([e.target, nextDepth]);
  }
  let reason: { 'zh-CN': string; en: string } | undefined;
  if (endsReached.size > 0) {
    const list = [...endsReached].join(', ');
    reason = {
      'zh-CN': `有分支未经汇聚就到达了结束节点 ${list}`,
      en: `a branch reaches end node ${list} without a join`,
    };
  } else if (joins.size === 0) {
    reason = { 'zh-CN': '分支没有到达任何并行汇聚节点', en: 'no branch reaches a parallel join' };
  } else if (joins.size > 1) {
    const list = [...joins].join(', ');
    reason = {
      'zh-CN': `分支分别汇聚到了不同的节点 ${list}`,
      en: `branches meet at different joins: ${list}`,
    };
  }
  if (reason) c.add('process.parallel.unmatched', path, { node: nodeLabel(split.raw), reason });
}
