import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { reportIncident } from './helpers.ts';

/** GET /records: filters, indexed fields, full text, sort, offset and cursor pages, visibility. */
describe.each(testDatabases())('record lists on %s', (dbName) => {
  let srv: TestServer;
  let zhaolei: ApiClient;
  let alice: ApiClient;
  let zhangwei: ApiClient;
  let wangfang: ApiClient;
  let chenjing: ApiClient;
  const created: { id: number; number: string; createdAt: number; title: string }[] = [];
  const numbers = (res: { body: { items: { number: string }[] } }) => res.body.items.map((r) => r.number);
  const n = (i: number) => created[i]!.number;

  beforeAll(async () => {
    srv = await startTestServer(dbName, { pluginsDir: SHIPPED_PLUGINS, demo: true });
    const as = (u: string) => new ApiClient(srv.url).login(u, DEMO_PASSWORD);
    [zhaolei, alice, zhangwei, wangfang, chenjing] = await Promise.all([
      as('zhaolei'),
      as('alice'),
      as('zhangwei'),
      as('wangfang'),
      as('chenjing'),
    ]);
    // One at a time, so creation order is number order.
    for (const [client, input] of [
      [
        zhaolei,
        {
          title: 'VPN 无法连接',
          description: '从家里连不上公司 VPN',
          category: 'network',
          impact: 1,
          urgency: 2,
        },
      ],
      [
        zhaolei,
        {
          title: '邮件发送失败',
          description: 'Outlook 报错 50%',
          category: 'software',
          impact: 2,
          urgency: 2,
        },
      ],
      [
        zhaolei,
        { title: '打印机卡纸', description: '三楼打印机', category: 'hardware', impact: 3, urgency: 3 },
      ],
      [
        zhaolei,
        {
          title: 'Network switch down',
          description: 'core switch in DC',
          category: 'network',
          impact: 1,
          urgency: 1,
        },
      ],
      [
        zhaolei,
        { title: '无线网络很慢', description: 'wifi slow_ish', category: 'network', impact: 2, urgency: 3 },
      ],
      [
        alice,
        { title: 'Account locked', description: 'cannot log in', category: 'account', impact: 2, urgency: 1 },
      ],
    ] as const) {
      created.push(await reportIncident(client, input));
    }
  });
  afterAll(() => srv?.close());

  it('lists the newest first with the total, and filters on standard fields', async () => {
    const all = await srv.admin.get('/records?type=incident');
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(6);
    expect(all.body.totalExact).toBe(true);
    expect(numbers(all)).toEqual([n(5), n(4), n(3), n(2), n(1), n(0)]);
    expect(all.body.nextCursor).toBeNull();
    expect(all.body.items[0]).toMatchObject({ requester: 'alice', group: 'service-desk', status: 'triage' });

    expect(numbers(await srv.admin.get('/records?type=incident&requester=alice'))).toEqual([n(5)]);
    expect((await srv.admin.get('/records?type=incident&requester=nobody')).body.total).toBe(0);
    expect((await srv.admin.get('/records?assignee=none')).body.total).toBe(6);
    expect((await srv.admin.get('/records?assignee=zhangwei')).body.total).toBe(0);
    expect((await srv.admin.get('/records?group=service-desk')).body.total).toBe(6);
    expect((await srv.admin.get('/records?group=second-line')).body.total).toBe(0);
    expect((await srv.admin.get('/records?status=triage,new')).body.total).toBe(6);
    expect((await srv.admin.get('/records?status=closed')).body.total).toBe(0);
    expect(numbers(await srv.admin.get('/records?type=incident&priority=P1,P2'))).toEqual([n(5), n(3), n(0)]);

    const since = await srv.admin.get(`/records?createdAt.gte=${created[3]!.createdAt}`);
    expect(numbers(since)).toEqual(expect.arrayContaining([n(5), n(4), n(3)]));
    expect(numbers(since)).not.toContain(n(0));
    const iso = new Date(created[2]!.createdAt).toISOString();
    expect(numbers(await srv.admin.get(`/records?createdAt.lte=${encodeURIComponent(iso)}`))).toContain(n(0));
    const future = Date.now() + 3_600_000;
    expect((await srv.admin.get(`/records?updatedAt.gte=${future}`)).body.total).toBe(0);
    const bad = await srv.admin.get('/records?createdAt.gte=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.problems[0].path).toBe('/createdAt.gte');
  });

  it('filters on indexed form fields: strings exactly, numbers numerically and by range', async () => {
    const network = await srv.admin.get('/records?type=incident&f.category=network');
    expect(network.status).toBe(200);
    expect(numbers(network)).toEqual([n(4), n(3), n(0)]);
    expect(network.body.total).toBe(3);
    expect(numbers(await srv.admin.get('/records?type=incident&f.impact=1'))).toEqual([n(3), n(0)]);
    expect(numbers(await srv.admin.get('/records?type=incident&f.impact=1.0'))).toEqual([n(3), n(0)]);
    expect((await srv.admin.get('/records?type=incident&f.impact.gte=2')).body.total).toBe(4);
    expect(numbers(await srv.admin.get('/records?type=incident&f.impact.gte=2&f.urgency.lte=1'))).toEqual([
      n(5),
    ]);
    // Two field filters together, and with a standard one.
    expect(numbers(await srv.admin.get('/records?type=incident&f.category=network&f.impact=2'))).toEqual([
      n(4),
    ]);
    expect(numbers(await srv.admin.get('/records?type=incident&f.category=network&requester=alice'))).toEqual(
      [],
    );
    expect(numbers(await srv.admin.get('/records?type=incident&f.priority=P4'))).toEqual([n(4), n(2)]);
  });

  it('refuses filters on fields that are not indexed, bad numbers, unknown types and sorts', async () => {
    const notIndexed = await srv.admin.get('/records?type=incident&f.description=VPN');
    expect(notIndexed.status).toBe(400);
    expect(notIndexed.body.error.code).toBe('field_not_indexed');
    expect(notIndexed.body.error.message).toContain('description');
    expect(notIndexed.body.error.message).toContain('not an indexed field');
    expect(notIndexed.body.error.details.problems[0].path).toBe('/f.description');
    srv.admin.locale = 'zh-CN';
    const zh = await srv.admin.get('/records?type=incident&f.description=VPN');
    srv.admin.locale = 'en';
    expect(zh.body.error.message).toContain('不是“incident”的索引字段');

    const noType = await srv.admin.get('/records?f.category=network');
    expect(noType.status).toBe(400);
    expect(noType.body.error.details.problems[0].path).toBe('/type');
    const notNumber = await srv.admin.get('/records?type=incident&f.impact=high');
    expect(notNumber.status).toBe(400);
    expect(notNumber.body.error.details.problems[0].path).toBe('/f.impact');
    const unknownType = await srv.admin.get('/records?type=no-such-type');
    expect(unknownType.status).toBe(400);
    expect(unknownType.body.error.details.problems[0].path).toBe('/type');
    for (const sort of ['title', '-data', 'f.description', '--createdAt']) {
      const res = await srv.admin.get(`/records?type=incident&sort=${sort}`);
      expect(res.status, sort).toBe(400);
      expect(res.body.error.details.problems[0].path).toBe('/sort');
    }
    const unknownParam = await srv.admin.get('/records?colour=red');
    expect(unknownParam.status).toBe(400);
    expect(unknownParam.body.error.details.problems[0].path).toBe('/colour');
    expect((await srv.admin.get('/records?limit=0')).status).toBe(400);
    expect((await srv.admin.get('/records?limit=501')).status).toBe(400);
  });

  it('searches title and description for every word, Chinese included, case-insensitively', async () => {
    expect(numbers(await srv.admin.get(`/records?q=${encodeURIComponent('网络')}`))).toEqual([n(4)]);
    expect(numbers(await srv.admin.get(`/records?q=${encodeURIComponent('打印机 三楼')}`))).toEqual([n(2)]);
    expect(numbers(await srv.admin.get(`/records?q=${encodeURIComponent('打印机 二楼')}`))).toEqual([]);
    expect(numbers(await srv.admin.get('/records?q=vpn'))).toEqual([n(0)]);
    expect(numbers(await srv.admin.get('/records?q=NETWORK'))).toEqual([n(3)]);
    // LIKE wildcards in the search are plain characters.
    expect(numbers(await srv.admin.get(`/records?q=${encodeURIComponent('50%')}`))).toEqual([n(1)]);
    expect(numbers(await srv.admin.get(`/records?q=${encodeURIComponent('_')}`))).toEqual([n(4)]);
    expect(numbers(await srv.admin.get(`/records?q=${encodeURIComponent('%')}`))).toEqual([n(1)]);
    // Combined with an indexed field.
    expect(
      numbers(
        await srv.admin.get(`/records?type=incident&f.category=network&q=${encodeURIComponent('连不上')}`),
      ),
    ).toEqual([n(0)]);
  });

  it('sorts by standard and indexed fields in both directions', async () => {
    expect(numbers(await srv.admin.get('/records?sort=createdAt'))).toEqual(created.map((c) => c.number));
    expect(numbers(await srv.admin.get('/records?sort=-number'))).toEqual([
      n(5),
      n(4),
      n(3),
      n(2),
      n(1),
      n(0),
    ]);
    expect(numbers(await srv.admin.get('/records?type=incident&sort=priority'))).toEqual([
      n(3),
      n(0),
      n(5),
      n(1),
      n(2),
      n(4),
    ]);
    expect(numbers(await srv.admin.get('/records?type=incident&sort=-f.urgency'))).toEqual([
      n(4),
      n(2),
      n(1),
      n(0),
      n(5),
      n(3),
    ]);
    expect(numbers(await srv.admin.get('/records?type=incident&sort=f.category&f.impact=2'))).toEqual([
      n(5),
      n(4),
      n(1),
    ]);
    expect((await srv.admin.get('/records?sort=status')).body.total).toBe(6);
    expect((await srv.admin.get('/records?sort=-updatedAt')).body.items).toHaveLength(6);
  });

  it('pages by offset, and by cursor stably while records are added', async () => {
    const page2 = await srv.admin.get('/records?type=incident&limit=2&offset=2');
    expect(numbers(page2)).toEqual([n(3), n(2)]);
    expect(page2.body.total).toBe(6);

    for (const query of ['type=incident', 'type=incident&sort=priority', 'type=incident&sort=-f.impact']) {
      const full = numbers(await srv.admin.get(`/records?${query}`));
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: any = await srv.admin.get(
          `/records?${query}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        expect(res.status).toBe(200);
        if (pages === 0) expect(res.body.total).toBe(full.length);
        seen.push(...numbers(res));
        cursor = res.body.nextCursor;
        // A record created while paging is newer than every cursor: it never shifts later pages.
        if (pages++ === 0 && query === 'type=incident')
          created.push(await reportIncident(zhaolei, { title: 'created while paging', category: 'network' }));
      } while (cursor);
      expect(seen).toEqual(full);
    }

    // Filter on an indexed field with a cursor, page by page on the index.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await srv.admin.get(
        `/records?type=incident&f.category=network&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(res.body.total).toBe(4);
      seen.push(...numbers(res));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([n(6), n(4), n(3), n(0)]);

    const first = await srv.admin.get('/records?limit=2');
    const both = await srv.admin.get(`/records?limit=2&offset=2&cursor=${first.body.nextCursor}`);
    expect(both.status).toBe(400);
    expect(both.body.error.details.problems[0].path).toBe('/cursor');
    const otherSort = await srv.admin.get(`/records?limit=2&sort=number&cursor=${first.body.nextCursor}`);
    expect(otherSort.status).toBe(400);
    expect(otherSort.body.error.code).toBe('bad_cursor');
    expect((await srv.admin.get('/records?cursor=not-a-cursor')).status).toBe(400);
  });

  it('shows each caller only what they may see', async () => {
    const total = async (c: ApiClient, q = '') => (await c.get(`/records?type=incident${q}`)).body.total;
    expect(await total(zhaolei)).toBe(6);
    expect(numbers(await alice.get('/records'))).toEqual([n(5)]);
    expect(await total(alice, '&f.category=network')).toBe(0);
    expect(await total(alice, '&f.category=account')).toBe(1);
    expect(await total(zhangwei)).toBe(7); // service-desk agent: the group's queue
    expect(await total(wangfang)).toBe(0); // second-line agent: not their group
    expect(await total(chenjing)).toBe(7); // manager: everything
    expect(await total(wangfang, '&f.category=network')).toBe(0);
  });
});
