import { Buffer } from 'node:buffer';
import { ReportError } from './errors.ts';
import { type Condition, isFormField, type Plan } from './plan.ts';

/**
 * Drill-down: every figure a report shows carries the query of the records list
 * (`GET /api/v1/records?…`, the workspace's list) that lists exactly the records it counted.
 *
 * - A records report whose conditions the list's own filters can say (type, status, priority,
 *   group, assignee, requester, catalog item, created/updated/resolved/closed ranges, open,
 *   resolved, indexed form fields, ages as creation ranges) gets those filters: the list shows
 *   them as filters a person can read and change.
 * - Anything else (tasks, SLA clocks, ratings, status changes; a top-N "others" slice; a
 *   condition the list cannot say) gets `report=<key>&cell=<token>`: the token names the report
 *   version, the parameters as resolved (absolute instants, so "today" means the same day
 *   tomorrow), the row's dimension keys, the measure and the instant the report ran; the server
 *   builds the same conditions again, with every value bound, and lists the records behind them.
 */

export interface Drill {
  /** The records list's query string, as an object. */
  query: Record<string, string>;
  /** The figure it explains, for counts of records. */
  count?: number;
}

/** The records list's filters for these conditions, or null when one of them has no list filter. */
export function listQuery(plan: Plan, conditions: Condition[]): Record<string, string> | null {
  if (plan.source !== 'records') return null;
  const q: Record<string, string> = {};
  if (plan.form) q.type = plan.form;
  const ranges = new Map<string, { from: number; to: number }>();
  const narrow = (param: string, from: number | undefined, to: number | undefined) => {
    const r = ranges.get(param) ?? { from: Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY };
    if (from !== undefined) r.from = Math.max(r.from, from);
    if (to !== undefined) r.to = Math.min(r.to, to);
    ranges.set(param, r);
  };
  const set = (param: string, value: string) => {
    if (q[param] !== undefined && q[param] !== value) return false;
    q[param] = value;
    return true;
  };

  for (const c of conditions) {
    if (isFormField(plan.source, c.field)) {
      if (!formFieldFilter(q, c)) return null;
      continue;
    }
    const mapping = plan.fields.get(c.field)?.list;
    if (!mapping) return null;
    switch (mapping.kind) {
      case 'values': {
        if (c.op === 'isNull' && c.values[0] === true && mapping.none) {
          if (!set(mapping.param, 'none')) return null;
          break;
        }
        if (c.op !== 'eq' && c.op !== 'in') return null;
        const values = c.values.map((v) => (v === null ? (mapping.none ? 'none' : null) : String(v)));
        if (values.some((v) => v === null || v.includes(','))) return null;
        if (values.length > 1 && !mapping.multi) return null;
        if (!set(mapping.param, values.join(','))) return null;
        break;
      }
      case 'person': {
        if (c.op === 'isNull' && c.values[0] === true && mapping.none) {
          if (!set(mapping.param, 'none')) return null;
          break;
        }
        if (c.op !== 'eq' || c.values.length !== 1) return null;
        const v = c.values[0];
        if (v === null ? !mapping.none : typeof v !== 'string') return null;
        if (!set(mapping.param, typeof v === 'string' ? v : 'none')) return null;
        break;
      }
      case 'range': {
        if (c.op === 'range') narrow(mapping.param, c.range?.from, c.range?.to);
        else if (c.op === 'isNull' && c.values[0] === false && mapping.param === 'resolvedAt') {
          if (!set('resolved', 'true')) return null;
        } else if (c.op === 'isNull' && c.values[0] === false && mapping.param === 'closedAt') {
          if (!set('closed', 'true')) return null;
        } else if (c.op === 'isNull' && c.values[0] === true && mapping.param === 'resolvedAt') {
          if (!set('resolved', 'false')) return null;
        } else if (c.op === 'isNull' && c.values[0] === true && mapping.param === 'closedAt') {
          if (!set('closed', 'false')) return null;
        } else return null;
        break;
      }
      case 'flag': {
        if (c.op !== 'eq' || c.values.length !== 1) return null;
        const on = Number(c.values[0]) === 1;
        if (!set(mapping.param, String(mapping.invert ? !on : on))) return null;
        break;
      }
      case 'age': {
        // age = now - createdAt, so from ≤ age < to ⇔ now - to < createdAt ≤ now - from.
        if (c.op !== 'range') return null;
        const { from, to } = c.range ?? {};
        narrow(
          'createdAt',
          to === undefined ? undefined : plan.now - to + 1,
          from === undefined ? undefined : plan.now - from + 1,
        );
        break;
      }
      case 'resolutionTime': {
        if (c.op === 'isNull' && c.values[0] === false) {
          if (!set('resolved', 'true')) return null;
        } else return null;
        break;
      }
    }
  }
  for (const [param, r] of ranges) {
    // The list's ranges are inclusive at both ends; instants are whole milliseconds.
    if (r.from > r.to - 1) {
      // Nothing can match: an empty range the list can still say.
      q[`${param}.gte`] = '1';
      q[`${param}.lte`] = '0';
      continue;
    }
    if (Number.isFinite(r.from)) q[`${param}.gte`] = String(r.from);
    if (Number.isFinite(r.to)) q[`${param}.lte`] = String(r.to - 1);
  }
  return q;
}

/** An indexed form field: `f.<field>` for equality, `.gte` / `.lte` for bounds. */
function formFieldFilter(q: Record<string, string>, c: Condition): boolean {
  const key = `f.${c.field}`;
  if (c.op === 'eq' && c.values.length === 1 && c.values[0] !== null) {
    if (q[key] !== undefined) return false;
    q[key] = String(c.values[0]);
    return true;
  }
  if ((c.op === 'gte' || c.op === 'lte') && typeof c.values[0] === 'number') {
    q[`${key}.${c.op}`] = String(c.values[0]);
    return true;
  }
  if (c.op === 'range' && c.range) {
    // [from, to) on a number: the list's bounds are inclusive, so only an exclusive end of an
    // integer field could be said exactly — leave ranges to the generic drill.
    return false;
  }
  return false;
}

/** What a cell token carries (see the module comment). */
export interface Cell {
  /** report key and version */
  r: string;
  v: number;
  /** parameters as resolved (serializeParam) */
  p: Record<string, unknown>;
  /** the row's dimension keys, as the SQL computed them */
  k: (string | number | null)[];
  /** the measure */
  m: string;
  /** the instant the report ran */
  n: number;
}

export function encodeCell(cell: Cell): string {
  return Buffer.from(JSON.stringify(cell)).toString('base64url');
}

const badCell = () =>
  new ReportError('bad_cell', {
    'zh-CN': '下钻参数 cell 无效（已被修改，或不属于此报表）',
    en: 'the drill-down cell is not valid (it was altered, or belongs to another report)',
  });

export function decodeCell(token: string, report: string): Cell {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw badCell();
  }
  const c = parsed as Partial<Cell> | null;
  const scalar = (x: unknown) =>
    x === null || typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x));
  if (
    !c ||
    typeof c !== 'object' ||
    c.r !== report ||
    !Number.isSafeInteger(c.v) ||
    !c.p ||
    typeof c.p !== 'object' ||
    Array.isArray(c.p) ||
    !Array.isArray(c.k) ||
    c.k.length > 3 ||
    !c.k.every(scalar) ||
    typeof c.m !== 'string' ||
    !Number.isSafeInteger(c.n)
  )
    throw badCell();
  return c as Cell;
}
