import type { Problem } from '@opsloom/spec';

/** The form field a problem is about, read from its JSON Pointer (/schema/properties/<field>/…). */
export function fieldOf(problem: Problem): string | undefined {
  const m = /^\/schema\/properties\/([^/]+)/.exec(problem.path);
  if (m) return m[1]!.replace(/~1/g, '/').replace(/~0/g, '~');
  const r = /^\/(indexed|rules\/\d+\/fields)\/\d+$/.exec(problem.path);
  return r ? undefined : undefined;
}

/** Problems grouped by node, edge and field id, for highlighting. */
export function problemIndex(problems: Problem[]): {
  nodes: Set<string>;
  edges: Set<string>;
  fields: Map<string, Problem[]>;
} {
  const nodes = new Set<string>();
  const edges = new Set<string>();
  const fields = new Map<string, Problem[]>();
  for (const p of problems) {
    if (p.nodeId) nodes.add(p.nodeId);
    if (p.edgeId) edges.add(p.edgeId);
    const f = fieldOf(p);
    if (f) fields.set(f, [...(fields.get(f) ?? []), p]);
  }
  return { nodes, edges, fields };
}

/** The report zone item a problem is about ("measures:1"), read from its path (/measures/1/agg …). */
export function reportItemOf(problem: Pick<Problem, 'path'>): string | undefined {
  const m = /^\/(dimensions|measures|filters)\/(\d+)(?:\/|$)/.exec(problem.path);
  return m ? `${m[1]}:${m[2]}` : undefined;
}

/** The id of the dashboard widget a problem is about (/widgets/<i>/…), looked up in the definition. */
export function widgetOf(problem: Pick<Problem, 'path'>, def: unknown): string | undefined {
  const m = /^\/widgets\/(\d+)(?:\/|$)/.exec(problem.path);
  if (!m) return undefined;
  const widgets = (def as { widgets?: { id?: unknown }[] } | null)?.widgets;
  const id = Array.isArray(widgets) ? widgets[Number(m[1])]?.id : undefined;
  return typeof id === 'string' ? id : undefined;
}
