import type { ProcessDefinition } from '@opsloom/spec';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk.bundled.js';
import type { Size } from './measure.ts';

/**
 * Auto-layout of a process graph: ELK's layered algorithm, left to right, edges routed
 * orthogonally. Every node goes in with its box and an in-port on its left and an out-port on its
 * right (where React Flow's handles are), every labelled edge with its label's box, so ELK leaves
 * room for the labels between the layers and routes back edges around the nodes.
 */

export interface Point {
  x: number;
  y: number;
}

/** An edge as ELK routed it, with where its two nodes were then: valid while they stay there. */
export interface EdgeRoute {
  points: Point[];
  /** Top-left corner of the label's box. */
  label?: Point;
  source: Point;
  target: Point;
}

export interface Layout {
  /** Node id → top-left position. */
  positions: Map<string, Point>;
  /** Edge id → its route. */
  routes: Map<string, EdgeRoute>;
}

type Engine = { layout(graph: ElkNode): Promise<ElkNode> };
let engine: Promise<Engine> | undefined;

/** ELK is a megabyte and a half of script: loaded with the first layout, not with the designer. */
function elk(): Promise<Engine> {
  engine ??= import('elkjs/lib/elk.bundled.js')
    .then(({ default: ELK }) => new ELK())
    .catch((e) => {
      engine = undefined;
      throw e;
    });
  return engine;
}

/** Spacing that leaves a label room beside the line it names and clear of the nodes. */
const OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.spacing.nodeNode': '48',
  'elk.layered.spacing.nodeNodeBetweenLayers': '56',
  'elk.spacing.edgeNode': '24',
  'elk.layered.spacing.edgeNodeBetweenLayers': '24',
  'elk.spacing.edgeEdge': '16',
  'elk.layered.spacing.edgeEdgeBetweenLayers': '16',
  'elk.spacing.edgeLabel': '6',
  'elk.spacing.labelNode': '12',
  'elk.spacing.componentComponent': '60',
  'elk.edgeLabels.inline': 'false',
  // Keep the author's order where it does not cost crossings: a re-layout moves little.
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  // Back edges are those a walk from the start finds going back (a rework, a redeploy), so the
  // flow reads from its start on the left to its ends on the right.
  'elk.layered.cycleBreaking.strategy': 'DEPTH_FIRST',
  'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
  'elk.layered.crossingMinimization.semiInteractive': 'false',
  'elk.padding': '[top=24,left=24,bottom=24,right=24]',
};

const round = (p: Point): Point => ({ x: Math.round(p.x), y: Math.round(p.y) });

export async function autoLayout(
  def: ProcessDefinition,
  sizeOf: (nodeId: string) => Size,
  labelOf: (edgeId: string) => Size | undefined,
): Promise<Layout> {
  const ids = new Set(def.nodes.map((n) => n.id));
  const sizes = new Map(def.nodes.map((n) => [n.id, sizeOf(n.id)]));
  const children: ElkNode[] = def.nodes.map((n) => {
    const { width, height } = sizes.get(n.id)!;
    return {
      id: n.id,
      width,
      height,
      layoutOptions: { 'elk.portConstraints': 'FIXED_POS' },
      ports: [
        {
          id: `${n.id}::in`,
          x: 0,
          y: height / 2,
          width: 0,
          height: 0,
          layoutOptions: { 'elk.port.side': 'WEST' },
        },
        {
          id: `${n.id}::out`,
          x: width,
          y: height / 2,
          width: 0,
          height: 0,
          layoutOptions: { 'elk.port.side': 'EAST' },
        },
      ],
    };
  });
  const edges: ElkExtendedEdge[] = def.edges
    .filter((e) => ids.has(e.source) && ids.has(e.target))
    .map((e) => {
      const label = labelOf(e.id);
      return {
        id: e.id,
        sources: [`${e.source}::out`],
        targets: [`${e.target}::in`],
        labels: label
          ? [
              {
                id: `${e.id}::label`,
                text: e.id,
                ...label,
                layoutOptions: { 'elk.edgeLabels.placement': 'CENTER' },
              },
            ]
          : [],
      };
    });
  const result = await (await elk()).layout({ id: 'root', layoutOptions: OPTIONS, children, edges });
  const positions = new Map<string, Point>();
  for (const c of result.children ?? []) positions.set(c.id, round({ x: c.x ?? 0, y: c.y ?? 0 }));
  const routes = new Map<string, EdgeRoute>();
  const byId = new Map(def.edges.map((e) => [e.id, e]));
  for (const e of (result.edges ?? []) as ElkExtendedEdge[]) {
    const edge = byId.get(e.id);
    const section = e.sections?.[0];
    if (!edge || !section || (e.sections?.length ?? 0) > 1) continue;
    const source = positions.get(edge.source);
    const target = positions.get(edge.target);
    if (!source || !target) continue;
    const label = e.labels?.[0];
    routes.set(e.id, {
      points: [section.startPoint, ...(section.bendPoints ?? []), section.endPoint].map(round),
      label: label && label.x !== undefined ? round({ x: label.x, y: label.y ?? 0 }) : undefined,
      source,
      target,
    });
  }
  return { positions, routes };
}
