import type { LocalizedMessage } from '../i18n.ts';
import { describePath } from './labels.ts';
import { formatMessage, type MessageParams, type ProblemCode } from './messages.ts';
import { segmentsOf } from './pointer.ts';

export interface Problem {
  /** JSON Pointer into the definition, e.g. "/nodes/3/assignee/type"; "" for the root. */
  path: string;
  /** Stable rule code from PROBLEM_CODES, e.g. "process.start.count". */
  code: string;
  message: LocalizedMessage;
  nodeId?: string;
  edgeId?: string;
}

export interface ValidationResult {
  ok: boolean;
  problems: Problem[];
}

/** Collects problems for one definition; fills `{at}` and the node/edge ids from the path. */
export class ProblemList {
  readonly items: Problem[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly definition: unknown) {}

  add(code: ProblemCode, path: string, params: MessageParams = {}, atPath: string = path): void {
    const message = formatMessage(code, { at: describePath(this.definition, atPath), ...params });
    const dedupeKey = `${code}\u0000${path}\u0000${message.en}`;
    if (this.seen.has(dedupeKey)) return;
    this.seen.add(dedupeKey);
    const problem: Problem = { path, code, message };
    Object.assign(problem, this.idsOf(path));
    this.items.push(problem);
  }

  private idsOf(path: string): { nodeId?: string; edgeId?: string } {
    const [collection, index] = segmentsOf(path);
    if ((collection !== 'nodes' && collection !== 'edges') || index === undefined || !/^\d+$/.test(index))
      return {};
    const list = (this.definition as Record<string, unknown> | null)?.[collection];
    if ((this.definition as { kind?: unknown } | null)?.kind !== 'process' || !Array.isArray(list)) return {};
    const id = (list[Number(index)] as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'string') return {};
    return collection === 'nodes' ? { nodeId: id } : { edgeId: id };
  }
}
