import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { reportIncident } from './helpers.ts';

/**
 * Record numbers under concurrent creates. On MySQL each number comes from an autocommitted
 * upsert sent in front of the create's BEGIN (records/store.ts transactionWithNumber); on SQLite
 * from the create's own transaction.
 */
describe.each(testDatabases())('record numbers on %s', (dbName) => {
  let srv: TestServer;
  let zhaolei: ApiClient;
  beforeAll(async () => {
    srv = await startTestServer(dbName, { pluginsDir: SHIPPED_PLUGINS, demo: true });
    zhaolei = await new ApiClient(srv.url).login('zhaolei', DEMO_PASSWORD);
  });
  afterAll(() => srv?.stop());

  it('are distinct and consecutive when many creates run at once', async () => {
    const created = await Promise.all(
      Array.from({ length: 40 }, (_, i) => reportIncident(zhaolei, { title: `并发创建 ${i}` })),
    );
    const values = created.map((r) => Number(r.number.replace(/^INC-/, ''))).sort((a, b) => a - b);
    expect(new Set(values).size).toBe(40);
    expect(values.at(-1)! - values[0]!).toBe(39);
    // Each number names the record it was given to.
    for (const r of created) {
      const res = await zhaolei.get(`/records/${r.id}`);
      expect(res.body).toMatchObject({ number: r.number, title: r.title });
    }
  });
});
