import { EXPRESSION_COST_LIMIT } from './expression.ts';

/**
 * What an expression will cost, known before it runs: a publish-time check that refuses
 * expressions which would always run out of budget, or whose cost grows faster than the data they
 * read. The runtime budget (`EXPRESSION_COST_LIMIT`) is what protects the server; this check tells
 * the admin in the designer instead of a requester at run time.
 *
 * Cost is estimated as `factor × n^degree`, where n is the size of a list the expression reads
 * from data (a record's table field, say: unknown until it runs). A list literal has its own
 * length; `map` and `filter` yield at most as many elements as they read. A comprehension (`all`,
 * `exists`, `exists_one`, `map`, `filter`) costs its list's size times its body.
 */

/** A comprehension inside a comprehension over data is quadratic; a third level is refused. */
export const MAX_DATA_NESTING = 2;

const MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

interface Estimate {
  /** The cost when every list read from data has one element. */
  factor: number;
  /** How many nested comprehensions iterate over lists from data. */
  degree: number;
}

interface Node {
  op: string;
  args: unknown;
}

const isNode = (value: unknown): value is Node =>
  value !== null && typeof value === 'object' && typeof (value as Node).op === 'string';

/** Every sub-expression directly under a node, whatever shape its arguments have. */
function children(node: Node): Node[] {
  const out: Node[] = [];
  const visit = (value: unknown) => {
    if (isNode(value)) out.push(value);
    else if (Array.isArray(value)) value.forEach(visit);
  };
  visit(node.args);
  return out;
}

const plus = (a: Estimate, b: Estimate): Estimate =>
  a.degree === b.degree ? { factor: a.factor + b.factor, degree: a.degree } : a.degree > b.degree ? a : b;

const times = (a: Estimate, b: Estimate): Estimate => ({
  factor: a.factor * b.factor,
  degree: a.degree + b.degree,
});

/** How many elements a comprehension's list has. */
function sizeOf(node: Node): Estimate {
  if (node.op === 'list') return { factor: Array.isArray(node.args) ? node.args.length : 0, degree: 0 };
  if (node.op === 'rcall' && Array.isArray(node.args)) {
    const [name, receiver] = node.args as [unknown, unknown];
    if ((name === 'map' || name === 'filter') && isNode(receiver)) return sizeOf(receiver);
  }
  return { factor: 1, degree: 1 };
}

function estimate(node: Node): Estimate {
  if (node.op === 'rcall' && Array.isArray(node.args)) {
    const [name, receiver, args] = node.args as [unknown, unknown, unknown];
    if (typeof name === 'string' && MACROS.has(name) && isNode(receiver) && Array.isArray(args)) {
      const body = args.slice(1).filter(isNode).map(estimate).reduce(plus, { factor: 1, degree: 0 });
      return plus(plus({ factor: 1, degree: 0 }, estimate(receiver)), times(sizeOf(receiver), body));
    }
  }
  return children(node).map(estimate).reduce(plus, { factor: 1, degree: 0 });
}

export type CostProblem =
  | { kind: 'over'; estimate: number; limit: number }
  | { kind: 'unbounded'; nesting: number; limit: number };

/** Null when the expression's cost is within bounds as far as can be known before it runs. */
export function staticCostProblem(ast: unknown): CostProblem | null {
  if (!isNode(ast)) return null;
  const { factor, degree } = estimate(ast);
  if (degree > MAX_DATA_NESTING) return { kind: 'unbounded', nesting: degree, limit: MAX_DATA_NESTING };
  if (factor > EXPRESSION_COST_LIMIT)
    return { kind: 'over', estimate: Math.round(factor), limit: EXPRESSION_COST_LIMIT };
  return null;
}

/** The string literals passed to `matches`, whose patterns can be checked before they run. */
export function literalPatterns(ast: unknown): string[] {
  const out: string[] = [];
  const visit = (node: Node) => {
    if (
      (node.op === 'rcall' || node.op === 'call') &&
      Array.isArray(node.args) &&
      node.args[0] === 'matches'
    ) {
      const args = node.args[node.op === 'rcall' ? 2 : 1];
      const pattern = Array.isArray(args) ? args[args.length - 1] : undefined;
      if (isNode(pattern) && pattern.op === 'value' && typeof pattern.args === 'string')
        out.push(pattern.args);
    }
    children(node).forEach(visit);
  };
  if (isNode(ast)) visit(ast);
  return out;
}
