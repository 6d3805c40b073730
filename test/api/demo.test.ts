import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoRecords } from '../../runtime/src/bootstrap.ts';
import { ApiClient } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** The demo requests `serve --demo` raises on an empty database, as its requesters would. */
describe.each(testDatabases())('demo requests on %s', (dbName) => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer(dbName, { pluginsDir: SHIPPED_PLUGINS, demo: true });
  });
  afterAll(() => srv?.close());

  it('are raised once, through the service catalog, each in its flow', async () => {
    const printed: string[] = [];
    await ensureDemoRecords(srv.services, (line) => printed.push(line));
    expect(printed).toEqual(['  Demo requests created: 5']);
    const items = (await srv.admin.get('/records?sort=number')).body.items as {
      type: string;
      requester: string;
      status: string;
      title: string;
      catalogItem: { ref: string; name: unknown } | null;
    }[];
    expect(items.map((r) => [r.type, r.requester, r.catalogItem?.ref])).toEqual([
      ['incident', 'zhaolei', 'incident-catalog/report-incident'],
      ['incident', 'alice', 'incident-catalog/report-incident'],
      ['incident', 'zhaolei', 'incident-catalog/report-incident'],
      ['service-request', 'alice', 'service-catalog/password-reset'],
      ['service-request', 'zhaolei', 'service-catalog/software-install'],
    ]);
    expect(items[3]!.catalogItem!.name).toEqual({ 'zh-CN': '密码重置', en: 'Password reset' });
    // The item's title, in its requester's language.
    expect(items[3]).toMatchObject({ title: 'Password reset', data: { requestType: 'password-reset' } });
    expect(items.map((r) => r.status)).toEqual([
      'triage',
      'triage',
      'triage',
      'fulfilling',
      'awaiting-approval',
    ]);
    // The manager asked to approve the software request sees what service it is for.
    const manager = await new ApiClient(srv.url).login('chenjing', DEMO_PASSWORD);
    const waiting = (await manager.get('/tasks?mine=true')).body.items;
    expect(waiting.map((x: { number: string; catalogItem: unknown }) => [x.number, x.catalogItem])).toEqual([
      [
        'REQ-000002',
        {
          ref: 'service-catalog/software-install',
          name: expect.objectContaining({ 'zh-CN': expect.any(String), en: expect.any(String) }),
        },
      ],
    ]);
    // A database that has records gets no more.
    await ensureDemoRecords(srv.services, (line) => printed.push(line));
    expect(printed).toHaveLength(1);
  });
});
