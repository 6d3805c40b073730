import type { LocalizedMessage } from '../../i18n.ts';
import { PORTAL_ROLES } from '../../schemas/catalog.ts';
import { type Checker, list, record, str } from '../checker.ts';
import { child } from '../pointer.ts';
import { jsonSchemaErrors } from '../shape.ts';

const SCALAR_TYPES = new Set(['string', 'number', 'integer', 'boolean']);
const RULES: LocalizedMessage = { 'zh-CN': '字段规则（rules）', en: 'field rules (rules)' };
const STATUSES: LocalizedMessage = { 'zh-CN': '状态（statuses）', en: 'statuses' };

export function checkForm(c: Checker, def: Record<string, unknown>): void {
  const key = str(def.key) ?? '';
  const schema = def.schema;
  for (const e of jsonSchemaErrors(schema)) c.add('form.schema.invalid', '/schema', e);

  schemaPatterns(schema, '/schema', (path, pattern) => c.pattern(path, pattern));

  const properties = record(record(schema).properties);
  const fields = Object.keys(properties);
  if (record(schema).type !== 'object' || fields.length === 0) c.add('form.schema.root', '/schema');

  /** The form's own field references resolve against its schema, not the lookup. */
  const field = (name: unknown, path: string) => {
    if (typeof name === 'string' && fields.length > 0 && !fields.includes(name)) {
      c.add('ref.field', path, { form: key, field: name });
      return false;
    }
    return typeof name === 'string';
  };

  for (const [name, prop] of Object.entries(properties)) checkAssignable(c, name, record(prop));

  field(def.titleField, '/titleField');
  field(def.descriptionField, '/descriptionField');

  list(def.indexed).forEach((name, i) => {
    if (!field(name, child('/indexed', i)) || fields.length === 0) return;
    const type = record(properties[name as string]).type;
    if (typeof type !== 'string' || !SCALAR_TYPES.has(type)) {
      c.add('form.indexed.type', child('/indexed', i), {
        field: name as string,
        type: JSON.stringify(type ?? 'any'),
      });
    }
  });

  c.uniqueIds(def.rules, '/rules', RULES);
  list(def.rules).forEach((rule, i) => {
    const r = record(rule);
    c.expression(child('/rules', i, 'when'), r.when);
    list(r.fields).forEach((f, j) => {
      field(f, child('/rules', i, 'fields', j));
    });
  });

  checkPriorityMatrix(c, def.priorityMatrix, properties, field);

  c.uniqueIds(def.statuses, '/statuses', STATUSES, 'key');
  c.group(def.group, '/group');

  // Record numbers are unique across types: two types with one prefix would both make INC-000001.
  if (typeof def.numberPrefix === 'string') {
    const others = (c.refs.formsNumberedWith(def.numberPrefix) ?? []).filter((k) => k !== key);
    if (others.length)
      c.add('form.numberPrefix.taken', '/numberPrefix', { prefix: def.numberPrefix, form: others[0]! });
  }
}

function checkPriorityMatrix(
  c: Checker,
  value: unknown,
  properties: Record<string, unknown>,
  field: (name: unknown, path: string) => boolean,
): void {
  if (value === undefined) return;
  const pm = record(value);
  const impactOk = field(pm.impactField, '/priorityMatrix/impactField');
  const urgencyOk = field(pm.urgencyField, '/priorityMatrix/urgencyField');
  const priorityField = str(pm.priorityField) ?? 'priority';
  const priorityOk = field(priorityField, '/priorityMatrix/priorityField');
  /** Matrix keys and cells must be options of the fields when the fields are enums. */
  const options = (name: unknown, ok: boolean): string[] | undefined => {
    if (!ok || typeof name !== 'string') return undefined;
    const e = record(properties[name]).enum;
    return Array.isArray(e) ? e.map(String) : undefined;
  };
  const impacts = options(pm.impactField, impactOk);
  const urgencies = options(pm.urgencyField, urgencyOk);
  const priorities = options(priorityField, priorityOk);
  const bad = (path: string, v: string, f: unknown, allowed: string[]) =>
    c.add('form.priorityMatrix.value', path, { value: v, field: String(f), allowed: allowed.join(', ') });
  for (const [impact, row] of Object.entries(record(pm.matrix))) {
    const rowPath = child('/priorityMatrix/matrix', impact);
    if (impacts && !impacts.includes(impact)) bad(rowPath, impact, pm.impactField, impacts);
    for (const [urgency, priority] of Object.entries(record(row))) {
      const cellPath = child(rowPath, urgency);
      if (urgencies && !urgencies.includes(urgency)) bad(cellPath, urgency, pm.urgencyField, urgencies);
      if (priorities && typeof priority === 'string' && !priorities.includes(priority)) {
        bad(cellPath, priority, priorityField, priorities);
      }
    }
  }
}

/**
 * Every regular expression in a JSON Schema: `pattern` values and `patternProperties` keys, at any
 * depth (sub-schemas of properties, items, combinators and definitions alike).
 */
function schemaPatterns(node: unknown, path: string, visit: (path: string, pattern: string) => void): void {
  if (Array.isArray(node)) {
    node.forEach((n, i) => {
      schemaPatterns(n, child(path, i), visit);
    });
    return;
  }
  if (!node || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    const at = child(path, key);
    if (key === 'pattern' && typeof value === 'string') visit(at, value);
    else if (key === 'patternProperties' && value && typeof value === 'object') {
      for (const [pattern, sub] of Object.entries(value)) {
        visit(child(at, pattern), pattern);
        schemaPatterns(sub, child(at, pattern), visit);
      }
    } else if (key !== 'enum' && key !== 'const' && key !== 'default' && key !== 'examples')
      schemaPatterns(value, at, visit);
  }
}

/**
 * `x-assignable: { roles?, groups? }` on a person field: whom the field may name, when a step is
 * assigned from it (an approving manager). Known roles and groups, at least one of them, on a field
 * holding usernames.
 */
function checkAssignable(c: Checker, name: string, prop: Record<string, unknown>): void {
  if (!('x-assignable' in prop)) return;
  const path = child('/schema/properties', name, 'x-assignable');
  const a = prop['x-assignable'];
  const roles = record(a).roles;
  const groups = record(a).groups;
  const holdsNames =
    prop.type === 'string' || (prop.type === 'array' && record(prop.items).type === 'string');
  const listOfStrings = (v: unknown) =>
    v === undefined || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
  if (
    !a ||
    typeof a !== 'object' ||
    Array.isArray(a) ||
    Object.keys(a).some((k) => k !== 'roles' && k !== 'groups') ||
    !listOfStrings(roles) ||
    !listOfStrings(groups) ||
    list(roles).length + list(groups).length === 0 ||
    !holdsNames
  ) {
    c.add('form.assignable', path, { field: name });
    return;
  }
  list(roles).forEach((r, i) => {
    if (!(PORTAL_ROLES as readonly unknown[]).includes(r))
      c.add('form.assignable', child(path, 'roles', i), { field: name });
  });
  list(groups).forEach((g, i) => {
    c.group(g, child(path, 'groups', i));
  });
}
