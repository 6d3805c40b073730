import type { DefinitionKind } from '@opsloom/spec';
import type { MessageKey } from '../i18n.ts';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Whether parsed JSON has the skeleton the visual designer of its kind draws from. Anything
 * else the schema validator reports; this only guards the canvas from crashing.
 */
export function usableByDesigner(value: unknown, kind: DefinitionKind): MessageKey | null {
  if (!isObject(value)) return 'json.notObject';
  if (value.kind !== kind) return 'json.kindChanged';
  if (kind === 'process') {
    if (!Array.isArray(value.nodes) || !Array.isArray(value.edges)) return 'json.needsNodesEdges';
    const ok =
      value.nodes.every((n) => isObject(n) && typeof n.id === 'string' && isObject(n.position)) &&
      value.edges.every((e) => isObject(e) && typeof e.id === 'string');
    if (!ok) return 'json.needsNodesEdges';
  }
  if (kind === 'form') {
    if (!isObject(value.schema) || !isObject(value.schema.properties)) return 'json.needsProperties';
    if (!Object.values(value.schema.properties).every(isObject)) return 'json.needsProperties';
  }
  if (kind === 'catalog') {
    if (!Array.isArray(value.categories) || !Array.isArray(value.items)) return 'json.needsCatalog';
    if (![...value.categories, ...value.items].every(isObject)) return 'json.needsCatalog';
  }
  if (kind === 'report') {
    if (!isObject(value.dataset) || !Array.isArray(value.measures) || !isObject(value.chart))
      return 'json.needsReport';
    for (const zone of ['measures', 'dimensions', 'filters', 'params'] as const) {
      const list = value[zone];
      if (list !== undefined && !(Array.isArray(list) && list.every(isObject))) return 'json.needsReport';
    }
  }
  if (kind === 'dashboard') {
    if (!Array.isArray(value.widgets) || !value.widgets.every((w) => isObject(w) && typeof w.id === 'string'))
      return 'json.needsWidgets';
    if (value.filters !== undefined && !(Array.isArray(value.filters) && value.filters.every(isObject)))
      return 'json.needsWidgets';
  }
  return null;
}
