import { expect } from 'vitest';
import type { ApiClient } from '../support/client.ts';
import type { DbName } from '../support/databases.ts';
import { publishCatalogItems, throughItem } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

/** Env of notification suites: fast polling, quick retries, few attempts before the dead letter. */
export const NOTIFY_ENV = {
  OPSLOOM_JOB_POLL_MS: '50',
  OPSLOOM_NOTIFY_RETRY_MS: '200',
  OPSLOOM_NOTIFY_MAX_ATTEMPTS: '3',
  OPSLOOM_PUBLIC_URL: 'https://itsm.example.com',
};

const label = (en: string, zh = en) => ({ en, 'zh-CN': zh });

/** A ticket form with a priority enum and a one-step process (queue: desk). */
export const TICKET_FORM = {
  kind: 'form',
  key: 'ticket',
  name: label('Ticket', '工单'),
  numberPrefix: 'TCK',
  schema: {
    type: 'object',
    required: ['title'],
    properties: {
      title: { type: 'string', maxLength: 200 },
      priority: { type: 'string', enum: ['P1', 'P2', 'P3', 'P4'] },
      category: { type: 'string' },
      owner: { type: 'string' },
      counter: { type: 'number' },
      note: { type: 'string' },
    },
  },
  titleField: 'title',
};

export const TICKET_FLOW = {
  kind: 'process',
  key: 'ticket-flow',
  name: label('Ticket flow', '工单流程'),
  form: 'ticket',
  nodes: [
    { id: 'start', type: 'start', position: { x: 0, y: 0 } },
    {
      id: 'work',
      type: 'userTask',
      name: label('Work on it', '处理'),
      position: { x: 200, y: 0 },
      status: 'in-progress',
      assignee: { type: 'group', value: 'desk' },
      distribution: 'claim',
    },
    { id: 'done', type: 'end', position: { x: 400, y: 0 }, outcome: 'resolved' },
  ],
  edges: [
    { id: 'e1', source: 'start', target: 'work' },
    { id: 'e2', source: 'work', target: 'done', action: { key: 'resolve', label: label('Resolve', '解决') } },
  ],
};

export async function publish(srv: TestServer, def: Record<string, unknown>): Promise<void> {
  const created = await srv.admin.post('/definitions', def);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const published = await srv.admin.post(`/definitions/${def.kind}/${def.key}/publish`);
  expect(published.status, JSON.stringify(published.body)).toBe(201);
}

/** Replaces a rule (new version) or publishes it the first time. */
export async function publishRule(srv: TestServer, def: Record<string, unknown>): Promise<void> {
  const existing = await srv.admin.get(`/definitions/rule/${def.key}`);
  if (existing.status === 404) return publish(srv, def);
  const saved = await srv.admin.put(`/definitions/rule/${def.key}/draft`, {
    definition: def,
    revision: existing.body.revision,
  });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  const published = await srv.admin.post(`/definitions/rule/${def.key}/publish`);
  expect(published.status, JSON.stringify(published.body)).toBe(201);
}

export async function retire(srv: TestServer, key: string): Promise<void> {
  const res = await srv.admin.post(`/definitions/rule/${key}/retire`);
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
}

export interface People {
  /** zh-CN requester (role user) */
  wang: ApiClient;
  /** en agent in group desk */
  bob: ApiClient;
}

/**
 * A server with the ticket form and flow (offered to everybody as a fixture catalog item), group
 * `desk`, and two people in two languages.
 */
export async function startNotifyServer(dbName: DbName): Promise<{ srv: TestServer; people: People }> {
  const srv = await startTestServer(dbName, { env: NOTIFY_ENV });
  const users = [
    { username: 'wang', displayName: '王小明', email: 'wang@example.com', locale: 'zh-CN', roles: ['user'] },
    { username: 'bob', displayName: 'Bob Jones', email: 'bob@example.com', locale: 'en', roles: ['agent'] },
    { username: 'nomail', displayName: 'No Mail', locale: 'en', roles: ['agent'] },
  ];
  for (const u of users) {
    const res = await srv.admin.post('/users', { ...u, password: `${u.username}-test-password` });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  const g = await srv.admin.post('/groups', {
    key: 'desk',
    name: label('Desk', '服务台'),
    type: 'support',
    members: ['bob', 'nomail'],
  });
  expect(g.status, JSON.stringify(g.body)).toBe(201);
  await publish(srv, TICKET_FORM);
  await publish(srv, TICKET_FLOW);
  await publishCatalogItems(srv.admin, [{ form: 'ticket', process: 'ticket-flow' }]);
  const login = async (u: string) => srv.client().login(u, `${u}-test-password`);
  return { srv, people: { wang: await login('wang'), bob: await login('bob') } };
}

/** A ticket raised through its catalog item, as a requester raises it. */
export async function createTicket(
  client: ApiClient,
  data: Record<string, unknown>,
): Promise<{ id: number; number: string; version: number }> {
  const res = await client.post(
    '/records',
    throughItem('ticket', 'ticket-flow', { title: 'Printer on fire', ...data }),
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** `waitFor` for checks that answer null/undefined/false until ready: the value, never null. */
export async function until<T>(
  check: () => Promise<T | null | undefined | false>,
  what: string,
  timeoutMs?: number,
): Promise<T> {
  return (await waitFor(check, what, timeoutMs)) as T;
}
