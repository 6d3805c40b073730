import type { ConditionForm, NodeType, ProcessDefinition, ProcessEdge, ProcessNode } from '@opsloom/spec';
import type { Draft } from 'immer';
import { useRef } from 'react';
import type { FieldInfo } from '../../lookups.ts';
import { useEditor } from '../../store/editor.ts';

/** How the process panels read and change the definition in the editor's store. */

export const proc = (d: unknown) => d as ProcessDefinition;
export type AnyNode = Record<string, unknown> & ProcessNode;
/** The node of one type, as its panel edits it. */
export type NodeOf<T extends NodeType> = AnyNode & Extract<ProcessNode, { type: T }>;

/** What every node panel is given: its node, and the form the process runs on. */
export interface NodePanelProps<T extends NodeType = NodeType> {
  node: NodeOf<T>;
  fields: FieldInfo[];
  statuses: { key: string; name: unknown }[];
  form: ConditionForm | undefined;
}

export function updateNode(id: string, recipe: (n: Draft<AnyNode>) => void, coalesce?: string) {
  useEditor.getState().update((d) => {
    const n = proc(d).nodes.find((x) => x.id === id);
    if (n) recipe(n as Draft<AnyNode>);
  }, coalesce && `node:${id}:${coalesce}`);
}

/** `updateNode` for a panel that knows its node's type. */
export function nodeUpdater<T extends NodeType>(id: string) {
  return (recipe: (n: Draft<NodeOf<T>>) => void, coalesce?: string) =>
    updateNode(id, (n) => recipe(n as Draft<NodeOf<T>>), coalesce);
}

export function updateEdge(id: string, recipe: (e: Draft<ProcessEdge>) => void, coalesce?: string) {
  useEditor.getState().update((d) => {
    const e = proc(d).edges.find((x) => x.id === id);
    if (e) recipe(e as Draft<ProcessEdge>);
  }, coalesce && `edge:${id}:${coalesce}`);
}

/** Sets `obj[key]`, deleting it when the value is empty. */
export function put<T extends object>(obj: T, key: string, value: unknown) {
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0))
    delete (obj as Record<string, unknown>)[key];
  else (obj as Record<string, unknown>)[key] = value;
}

/**
 * One editor change that `put`s `value` at `key` of the node (`'node'`) or of the node's own object
 * named after its type (a timer node's `timer`, a callback node's `callback`), the latter only while
 * the node has that type. `coalesce` merges successive changes into one undo step, as typing does.
 */
export function putNodeValue(
  id: string,
  where: 'node' | 'timer' | 'callback',
  key: string,
  value: unknown,
  coalesce?: string,
) {
  updateNode(
    id,
    (n) => {
      if (where === 'node') put(n, key, value);
      else if (n.type === where) put((n as unknown as Record<typeof where, object>)[where], key, value);
    },
    coalesce,
  );
}

export function deleteNode(id: string) {
  useEditor.getState().update((d) => {
    const p = proc(d);
    p.nodes = p.nodes.filter((n) => n.id !== id);
    p.edges = p.edges.filter((e) => e.source !== id && e.target !== id);
  });
  useEditor.getState().select({});
}

export function deleteEdge(id: string) {
  useEditor.getState().update((d) => {
    proc(d).edges = proc(d).edges.filter((e) => e.id !== id);
  });
  useEditor.getState().select({});
}

/** Same node but for its position (immer keeps unchanged properties the same objects). */
function movedOnly(a: ProcessNode, b: ProcessNode): boolean {
  if (a.id !== b.id) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => k === 'position' || ra[k] === rb[k]);
}

/**
 * The selected node, ignoring moves: dragging it changes its position on every pointer move,
 * and the panel (a row per form field) has nothing to show for that.
 */
export function useSelectedNode(): ProcessNode | undefined {
  const last = useRef<ProcessNode | undefined>(undefined);
  return useEditor((s) => {
    const node = proc(s.def).nodes.find((n) => n.id === s.selection.nodeId);
    const prev = last.current;
    if (node && prev && node !== prev && movedOnly(node, prev)) return prev;
    last.current = node;
    return node;
  });
}
