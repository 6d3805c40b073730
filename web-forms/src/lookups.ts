import { get } from './http.ts';

// Names behind the values form fields store (a username, a group key, a record number, a file
// name), looked up for display. Usernames, group keys and record numbers never change, so one
// answer per page load is kept; a failed look-up is forgotten and asked again next time.

function cached<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let found = cache.get(key);
  if (!found) {
    found = load();
    cache.set(key, found);
    found.catch(() => cache.delete(key));
  }
  return found;
}

/** A file attached to a record (GET /records/:id/attachments). */
export interface Attachment {
  id: number;
  filename: string;
  size: number;
  contentType: string;
  uploadedBy: string;
  createdAt: number;
  url: string;
}

/** What a field value needs of a record (GET /records answers more). */
export interface RecordRef {
  id: number;
  number: string;
  title: string;
}

export interface GroupOption {
  key: string;
  name: unknown;
}
let groupsOnce: Promise<GroupOption[]> | null = null;
/** Groups change rarely: read once per page load (a failed read is asked again next time). */
export function loadGroups(): Promise<GroupOption[]> {
  groupsOnce ??= get<{ items: GroupOption[] }>('/groups').then(
    (r) => r.items,
    (err) => {
      groupsOnce = null;
      throw err;
    },
  );
  return groupsOnce;
}

const people = new Map<string, Promise<string | null>>();
/** A person's display name (GET /people is open to everybody logged in); null if nobody active has it. */
export function personName(username: string): Promise<string | null> {
  return cached(people, username, async () => {
    const { items } = await get<{ items: { username: string; displayName: string }[] }>(
      `/people?q=${encodeURIComponent(username)}`,
    );
    return items.find((u) => u.username === username)?.displayName ?? null;
  });
}

const records = new Map<string, Promise<{ id: number; title: string } | null>>();
/** The record with this number, if the person may see it (the list answers only those). */
export function recordByNumber(number: string): Promise<{ id: number; title: string } | null> {
  return cached(records, number, async () => {
    const { items } = await get<{ items: RecordRef[] }>(`/records?limit=5&q=${encodeURIComponent(number)}`);
    const found = items.find((r) => r.number === number);
    return found ? { id: found.id, title: found.title } : null;
  });
}

const files = new Map<string, Promise<Attachment[]>>();
/** A record's attachments as of `version` (the page bumps it after an upload). */
export function recordAttachments(recordId: number, version: number): Promise<Attachment[]> {
  return cached(files, `${recordId}@${version}`, async () => {
    const { items } = await get<{ items: Attachment[] }>(`/records/${recordId}/attachments`);
    return items;
  });
}
