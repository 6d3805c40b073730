import { get, type OpenTask, type RecordListItem, type RecordView, type User } from '../shared/api.ts';

/**
 * The saved filters of the workspace. Each loads open records (closed=false) through GET /records,
 * whose items carry their SLA summary, a page at a time with the list's cursor; the count shown is
 * the server's total (counted up to 1,000: "1000+" beyond). "breaching" is the records whose SLA
 * metric, still counting or on hold, passed a warning threshold or its target (`sla=at-risk`),
 * earliest due first. "unassigned" merges the unassigned records of each of
 * the agent's groups.
 */
export const QUEUES = ['mine', 'unassigned', 'open', 'breaching'] as const;
export type QueueKey = (typeof QUEUES)[number];

const PAGE_SIZE = 100;

interface Source {
  query: string;
  sort: string;
  /** Where its next page starts; null before the first page. */
  cursor: string | null;
}

export interface Queue {
  items: RecordListItem[];
  /** Matching records by the server's count; `exact` false means at least this many. */
  total: number;
  exact: boolean;
  /** The sources with more to load (empty when the list is complete). */
  more: Source[];
}

interface ListPage {
  items: RecordListItem[];
  total: number;
  totalExact: boolean;
  nextCursor: string | null;
}

/** What the agent narrowed every queue to: words of the title or description, a type, priorities. */
export interface QueueFilter {
  q?: string;
  type?: string;
  priority?: string[];
}

/** The filter as query parameters, ANDed to each queue's own. */
function filterQuery(filter: QueueFilter): string {
  const params = new URLSearchParams();
  if (filter.q?.trim()) params.set('q', filter.q.trim());
  if (filter.type) params.set('type', filter.type);
  if (filter.priority?.length) params.set('priority', filter.priority.join(','));
  const text = params.toString();
  return text ? `&${text}` : '';
}

function sourcesOf(key: QueueKey, user: User, filter: QueueFilter): Source[] {
  const extra = filterQuery(filter);
  const source = (query: string, sort = '-updatedAt'): Source => ({
    query: query + extra,
    sort,
    cursor: null,
  });
  if (key === 'mine') return [source(`assignee=${encodeURIComponent(user.username)}`)];
  if (key === 'unassigned')
    return (user.groups ?? []).map((g) => source(`group=${encodeURIComponent(g)}&assignee=none`));
  if (key === 'breaching') return [source('sla=at-risk', 'slaDue')];
  return [source('')];
}

/** The next page of each source, added to what is loaded (a record listed twice is shown once). */
async function extend(queue: Queue, sources: Source[], first: boolean): Promise<Queue> {
  const pages = await Promise.all(
    sources.map((s) =>
      get<ListPage>(
        `/records?${s.query}&closed=false&sort=${s.sort}&limit=${PAGE_SIZE}${s.cursor ? `&cursor=${encodeURIComponent(s.cursor)}` : ''}`,
      ),
    ),
  );
  const seen = new Set(queue.items.map((r) => r.id));
  const items = [...queue.items];
  for (const page of pages) for (const r of page.items) if (!seen.has(r.id) && seen.add(r.id)) items.push(r);
  // The groups of "unassigned" are listed side by side: keep the newest change first overall.
  if (sources.length > 1 || queue.more.length > 1) items.sort((a, b) => b.updatedAt - a.updatedAt);
  return {
    items,
    // Totals are counted with the first page; the groups of "unassigned" hold different records.
    total: first ? pages.reduce((n, p) => n + p.total, 0) : queue.total,
    exact: first ? pages.every((p) => p.totalExact) : queue.exact,
    more: sources.flatMap((s, i) => (pages[i]!.nextCursor ? [{ ...s, cursor: pages[i]!.nextCursor }] : [])),
  };
}

export const loadQueue = (key: QueueKey, user: User, filter: QueueFilter = {}): Promise<Queue> =>
  extend({ items: [], total: 0, exact: true, more: [] }, sourcesOf(key, user, filter), true);

export const loadMore = (queue: Queue): Promise<Queue> => extend(queue, queue.more, false);

/** Earliest due time of each record's open tasks (node dueIn), loaded a few records at a time. */
export async function loadDue(records: RecordView[]): Promise<Map<number, { dueAt: number; since: number }>> {
  const out = new Map<number, { dueAt: number; since: number }>();
  const queue = [...records];
  async function worker() {
    for (let rec = queue.shift(); rec; rec = queue.shift()) {
      const { items } = await get<{ items: OpenTask[] }>(`/records/${rec.id}/tasks`);
      for (const task of items) {
        if (task.dueAt === null) continue;
        const prev = out.get(rec.id);
        // The task's start is not in the answer; the record's last change approximates it.
        if (!prev || task.dueAt < prev.dueAt) out.set(rec.id, { dueAt: task.dueAt, since: rec.updatedAt });
      }
    }
  }
  await Promise.all([worker(), worker(), worker(), worker()]);
  return out;
}
