import dagre from '@dagrejs/dagre';
import type { ProcessDefinition } from '@opsloom/spec';
import { NODE_SIZE } from './nodeTypes.ts';

/** Left-to-right layered layout of the process graph (dagre); returns id → top-left position. */
export function autoLayout(def: ProcessDefinition): Map<string, { x: number; y: number }> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 40, ranksep: 80 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of def.nodes) g.setNode(n.id, { width: NODE_SIZE.width, height: NODE_SIZE.height });
  for (const e of def.edges) if (g.hasNode(e.source) && g.hasNode(e.target)) g.setEdge(e.source, e.target);
  dagre.layout(g);
  const out = new Map<string, { x: number; y: number }>();
  for (const n of def.nodes) {
    const p = g.node(n.id);
    if (p)
      out.set(n.id, { x: Math.round(p.x - NODE_SIZE.width / 2), y: Math.round(p.y - NODE_SIZE.height / 2) });
  }
  return out;
}
