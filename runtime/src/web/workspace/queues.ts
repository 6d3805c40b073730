import { get, type OpenTask, type RecordListItem, type RecordView, type User } from '../shared/api.ts';

/**
 * The saved filters of the workspace. Each loads open records (closed=false) through GET /records,
 * whose items carry their SLA summary. "breaching" is the records with a running SLA metric,
 * earliest due first.
 */
export const QUEUES = ['mine', 'unassigned', 'open', 'breaching'] as const;
export type QueueKey = (typeof QUEUES)[number];

async function list(query: string, sort = '-updatedAt'): Promise<RecordListItem[]> {
  const r = await get<{ items: RecordListItem[] }>(`/records?${query}&closed=false&sort=${sort}&limit=200`);
  return r.items;
}

export async function loadQueue(key: QueueKey, user: User): Promise<RecordListItem[]> {
  if (key === 'mine') return list(`assignee=${encodeURIComponent(user.username)}`);
  if (key === 'unassigned') {
    const groups = user.groups ?? [];
    const lists = await Promise.all(groups.map((g) => list(`group=${encodeURIComponent(g)}&assignee=none`)));
    const seen = new Set<number>();
    return lists.flat().filter((r) => !seen.has(r.id) && seen.add(r.id));
  }
  if (key === 'breaching')
    // sla=running also matches paused clocks (and sorts them first, due NULL): keep the running ones.
    return (await list('sla=running', 'slaDue')).filter((r) => r.sla?.dueAt != null);
  return list('');
}

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
