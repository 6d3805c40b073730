import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearReportCache } from '../../runtime/src/reports/cache.ts';
import { ApiClient } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// The report result cache (runtime/src/reports/cache.ts): a result is served again only to a
// viewer who sees the same records, and never after a write.

const incident = (title: string) => ({
  type: 'incident',
  catalogItem: 'incident-catalog/report-incident',
  data: { title, description: '缓存测试', category: 'network', impact: 2, urgency: 2 },
});

const openNow = async (client: ApiClient): Promise<number> => {
  const res = await client.post('/reports/open-now/run', { params: {} });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.rows[0].open as number;
};

for (const dbName of testDatabases()) {
  describe(`report result cache on ${dbName}`, () => {
    let server: TestServer;
    let manager: ApiClient;
    let deskAgent: ApiClient;
    let otherAgent: ApiClient;
    let requester: ApiClient;

    beforeAll(async () => {
      server = await startTestServer(dbName, { demo: true, pluginsDir: SHIPPED_PLUGINS, jobs: false });
      const login = (u: string) => new ApiClient(server.url).login(u, DEMO_PASSWORD);
      manager = await login('chenjing');
      deskAgent = await login('zhangwei');
      otherAgent = await login('liuyang');
      requester = await login('zhaolei');
      clearReportCache();
    });
    afterAll(async () => {
      await server?.close();
    });

    it('serves no viewer what another viewer sees, and nothing written before a change', async () => {
      // Incidents go to the service-desk queue: zhangwei's group, not liuyang's.
      for (const t of ['一', '二'])
        expect((await requester.post('/records', incident(`打印机 ${t}`))).status).toBe(201);
      expect(await openNow(manager)).toBe(2);
      // Cached for managers; agents see their groups' and their own work only.
      expect(await openNow(otherAgent)).toBe(0);
      expect(await openNow(deskAgent)).toBe(2);
      expect(await openNow(manager)).toBe(2);
      expect(await openNow(otherAgent)).toBe(0);

      // A create moves the change stamp: every cached result is computed again.
      expect((await requester.post('/records', incident('打印机 三'))).status).toBe(201);
      expect(await openNow(manager)).toBe(3);
      expect(await openNow(deskAgent)).toBe(3);
      expect(await openNow(otherAgent)).toBe(0);

      // Each answer is what the same report gives with the cache emptied.
      clearReportCache();
      expect(await openNow(manager)).toBe(3);
      expect(await openNow(otherAgent)).toBe(0);
    });
  });
}
