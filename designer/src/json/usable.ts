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
  return null;
}
