import type { Definition, DefinitionKind, Problem } from '@opsloom/spec';
import { validateDefinition } from '@opsloom/spec';
import { type Draft, produce, setAutoFreeze } from 'immer';
import { create } from 'zustand';
import type { Detail } from '../api.ts';

/**
 * The one store of a designer: the definition being edited is the state; every component
 * renders from it and changes it only through `update` (an immer recipe), which also keeps
 * undo/redo snapshots. Structural sharing keeps unchanged nodes/fields the same objects, so
 * memoized components skip them.
 */

setAutoFreeze(false);

const HISTORY_LIMIT = 200;
/** Edits with the same coalesce key within this window form one undo step (typing, dragging). */
const COALESCE_MS = 1200;

export interface Selection {
  nodeId?: string;
  edgeId?: string;
  field?: string;
  /** Catalog editor: "category:<id>" or "item:<id>". */
  catalog?: string;
  /** Report designer: a zone item, "dimensions:0", "measures:1" or "filters:2". */
  reportItem?: string;
  /** Dashboard designer: a widget id. */
  widget?: string;
}

export interface EditorState {
  kind: DefinitionKind | null;
  key: string | null;
  /** Not yet stored on the server (POST on first save). */
  isNew: boolean;
  revision: number;
  status: Detail['status'] | null;
  latestVersion: number;
  hasDraft: boolean;
  def: Definition | null;
  /** JSON of what the server has, to tell whether there are unsaved changes. */
  savedJson: string;
  past: Definition[];
  future: Definition[];
  lastCoalesce: { key: string; at: number } | null;
  /** Problems found in the browser by spec's validator (shape and graph). */
  problems: Problem[];
  /** Problems the server answered (422 on save/publish, or validate). */
  serverProblems: Problem[];
  selection: Selection;
  mode: 'visual' | 'json';

  load(detail: Detail): void;
  startNew(def: Definition): void;
  update(recipe: (draft: Draft<Definition>) => void, coalesce?: string): void;
  /** Sets the definition as given (one undo step, or merged into the last with the same coalesce key). */
  replace(def: Definition, coalesce?: string): void;
  undo(): void;
  redo(): void;
  select(selection: Selection): void;
  setMode(mode: 'visual' | 'json'): void;
  setServerProblems(problems: Problem[]): void;
  markSaved(detail: Detail): void;
}

export const useEditor = create<EditorState>((set, get) => ({
  kind: null,
  key: null,
  isNew: false,
  revision: 0,
  status: null,
  latestVersion: 0,
  hasDraft: false,
  def: null,
  savedJson: '',
  past: [],
  future: [],
  lastCoalesce: null,
  problems: [],
  serverProblems: [],
  selection: {},
  mode: 'visual',

  load(detail) {
    const def = (detail.definition ?? detail.published) as Definition;
    set({
      kind: detail.kind,
      key: detail.key,
      isNew: false,
      revision: detail.revision,
      status: detail.status,
      latestVersion: detail.latestVersion,
      hasDraft: detail.hasDraft,
      def,
      savedJson: JSON.stringify(def),
      past: [],
      future: [],
      lastCoalesce: null,
      serverProblems: [],
      selection: {},
      problems: validateDefinition(def).problems,
    });
  },
  startNew(def) {
    set({
      kind: def.kind,
      key: def.key,
      isNew: true,
      revision: 0,
      status: null,
      latestVersion: 0,
      hasDraft: true,
      def,
      savedJson: '',
      past: [],
      future: [],
      lastCoalesce: null,
      serverProblems: [],
      selection: {},
      problems: validateDefinition(def).problems,
    });
  },
  update(recipe, coalesce) {
    const def = get().def;
    if (!def) return;
    const next = produce(def, recipe);
    if (next !== def) get().replace(next, coalesce);
  },
  replace(next, coalesce) {
    const { def, past, lastCoalesce } = get();
    if (!def || next === def) return;
    const now = Date.now();
    const merge =
      coalesce !== undefined &&
      lastCoalesce !== null &&
      lastCoalesce.key === coalesce &&
      now - lastCoalesce.at < COALESCE_MS;
    set({
      def: next,
      past: merge ? past : [...past.slice(-HISTORY_LIMIT + 1), def],
      future: [],
      lastCoalesce: coalesce === undefined ? null : { key: coalesce, at: now },
    });
  },
  undo() {
    const { def, past, future } = get();
    const prev = past[past.length - 1];
    if (!def || !prev) return;
    set({ def: prev, past: past.slice(0, -1), future: [def, ...future], lastCoalesce: null });
  },
  redo() {
    const { def, past, future } = get();
    const next = future[0];
    if (!def || !next) return;
    set({ def: next, past: [...past, def], future: future.slice(1), lastCoalesce: null });
  },
  select(selection) {
    set({ selection });
  },
  setMode(mode) {
    set({ mode });
  },
  setServerProblems(serverProblems) {
    set({ serverProblems });
  },
  markSaved(detail) {
    const def = get().def;
    set({
      isNew: false,
      revision: detail.revision,
      status: detail.status,
      latestVersion: detail.latestVersion,
      hasDraft: detail.hasDraft,
      savedJson: JSON.stringify(def),
    });
  },
}));

/** Re-validate in the browser shortly after the definition stops changing. */
let timer: ReturnType<typeof setTimeout> | undefined;
useEditor.subscribe((state, prev) => {
  if (state.def === prev.def || !state.def) return;
  clearTimeout(timer);
  timer = setTimeout(() => {
    const { def, problems } = useEditor.getState();
    if (!def) return;
    const found = validateDefinition(def).problems;
    // The same problems as before (the usual case while typing) leave the state, and whatever
    // shows the problems, as it is.
    if (JSON.stringify(found) !== JSON.stringify(problems)) useEditor.setState({ problems: found });
  }, 250);
});

/** Problems of both origins, server ones first (they include references). */
export function allProblems(state: EditorState): Problem[] {
  return [...state.serverProblems, ...state.problems];
}
