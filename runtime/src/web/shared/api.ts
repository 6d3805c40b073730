// The API client is web-forms' (its widgets look values up through it); the response types of
// the runtime's API the web apps read are here.
import { api } from '@opsloom/web-forms/http';

export {
  api,
  get,
  HttpError,
  type Problem,
  patch,
  post,
  put,
  setApiLocale,
  setCsrf,
} from '@opsloom/web-forms/http';

export interface User {
  username: string;
  displayName: string;
  roles: string[];
  locale: string;
  groups?: string[];
}

// The server's own response types: type-only imports, erased from the bundle, so the web apps
// and the API cannot drift apart.
import type { RecordView } from '../../records/view.ts';
import type { MetricView } from '../../sla/clocks.ts';

export type { MetricView, RecordView };

/** A record's SLA state in list answers (GET /records); null when it has no SLA clocks. */
export interface SlaSummary {
  /** Earliest due instant among running metrics; null when none runs. */
  dueAt: number | null;
  /** A metric is paused and none runs. */
  paused: boolean;
  /** A running or paused metric passed a warning threshold. */
  warned: boolean;
  /** The latest cycle of some metric breached its target. */
  breached: boolean;
}

/** An item of GET /records. */
export interface RecordListItem extends RecordView {
  sla: SlaSummary | null;
}

export interface TaskAction {
  key: string;
  label: unknown;
  style: string;
  input: unknown;
}

export interface OpenTask {
  id: number;
  node: string;
  name: unknown;
  /** What the step asks of those who act on it (I18nText), or null. */
  instructions: unknown;
  assignee: string | null;
  group: string | null;
  approvalMode: string | null;
  approvers: { username: string; decision: string | null }[];
  dueAt: number | null;
  version: number;
  actions: TaskAction[];
  fieldAccess: {
    editable?: string[];
    readonly?: string[];
    hidden?: string[];
    required?: string[];
  } | null;
  can: {
    act: boolean;
    claim: boolean;
    transfer: boolean;
    addApprover: boolean;
    return: boolean;
    urge: boolean;
  };
  returnTargets: string[];
}

export type { HistoryEntry } from '../../records/history.ts';

export interface Comment {
  id: number;
  author: string;
  body: string;
  visibility: 'public' | 'internal';
  createdAt: number;
}

import type { Attachment } from '@opsloom/web-forms/lookups';

export type { MyTask } from '../../requests/my-tasks.ts';
export type { Attachment };

/** Uploads one file to a record (multipart, field "file"). */
export function uploadAttachment(recordId: number, file: File): Promise<Attachment> {
  const form = new FormData();
  form.append('file', file, file.name);
  return api<Attachment>('POST', `/records/${recordId}/attachments`, form);
}
