import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_INCIDENT } from '../records/helpers.ts';
import { ApiClient } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { formDef } from '../support/fixtures.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// More concurrent creates than the MySQL pool has connections (10), each with its own client.
const CREATES = 40;

const incident = (i: number, valid = true) => ({
  type: 'incident',
  catalogItem: REPORT_INCIDENT,
  data: {
    title: `并发创建 ${i}`,
    description: '突发流量',
    category: valid ? 'network' : 'no-such-category',
    impact: 2,
    urgency: 2,
  },
});

/**
 * A burst of creates, some invalid, right after an admin changed a definition (so which versions
 * are current must be read again): every valid create commits whole with its own number, every
 * invalid one is refused and leaves nothing, and nobody waits forever for a connection.
 */
describe.each(testDatabases())('a burst of creates on %s', (dbName) => {
  let srv: TestServer;
  let clients: ApiClient[];
  beforeAll(async () => {
    srv = await startTestServer(dbName, { pluginsDir: SHIPPED_PLUGINS, demo: true });
    clients = await Promise.all(
      Array.from({ length: 4 }, () => new ApiClient(srv.url).login('zhaolei', DEMO_PASSWORD)),
    );
  });
  afterAll(() => srv?.close());

  it(`${CREATES} at once after a definition change: valid ones whole, invalid ones nowhere`, async () => {
    const form = (await srv.admin.get('/definitions/form/incident')).body;
    const draft = form.draft ?? form.published;
    const saved = await srv.admin.put('/definitions/form/incident/draft', {
      definition: { ...draft, description: { 'zh-CN': '突发测试', en: 'burst test' } },
      revision: form.revision,
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);

    // Admins keep writing definitions during the burst, so the current versions are read again
    // while creates hold their transactions.
    const [replies] = await Promise.all([
      Promise.all(
        Array.from({ length: CREATES }, (_, i) =>
          clients[i % clients.length]!.post('/records', incident(i, i % 5 !== 4)),
        ),
      ),
      Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          srv.admin.post('/definitions', { ...formDef(), key: `burst-${i}` }).then((r) => {
            expect(r.status, JSON.stringify(r.body)).toBe(201);
          }),
        ),
      ),
    ]);
    const created = replies.filter((r) => r.status === 201);
    const refused = replies.filter((r) => r.status === 400);
    expect(
      replies.filter((r) => r.status !== 201 && r.status !== 400).map((r) => [r.status, r.body]),
    ).toEqual([]);
    expect(created).toHaveLength((CREATES * 4) / 5);
    expect(refused).toHaveLength(CREATES / 5);
    for (const r of refused) expect(r.body.error.details.problems[0].path).toBe('/category');

    const db = srv.services.db;
    const numbers = created.map((r) => r.body.number as string);
    expect(new Set(numbers).size).toBe(numbers.length);
    const ids = created.map((r) => r.body.id as number);
    expect(Number((await db('records').count({ n: '*' }))[0]!.n)).toBe(ids.length);
    // Each created record is whole: its process waits at triage with one open task and history.
    const waiting = await db('process_tokens as k')
      .join('process_instances as i', 'i.id', 'k.instance_id')
      .whereIn('i.record_id', ids)
      .where('k.status', 'waiting')
      .count({ n: '*' });
    expect(Number(waiting[0]!.n)).toBe(ids.length);
    const open = await db('tasks').whereIn('record_id', ids).where({ status: 'open' }).count({ n: '*' });
    expect(Number(open[0]!.n)).toBe(ids.length);
    const createdRows = await db('record_history').whereIn('record_id', ids).where({ kind: 'created' });
    expect(createdRows).toHaveLength(ids.length);
  });
});
