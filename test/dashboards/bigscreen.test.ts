import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, isCodedRefusal } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { publishDefinitions } from '../support/fixtures.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** Reports and dashboards of this suite's own, over the shipped incident form. */
const REPORTS = [
  {
    kind: 'report',
    key: 't-by-priority',
    name: { 'zh-CN': '按优先级', en: 'By priority' },
    dataset: { source: 'records', form: 'incident' },
    filters: [
      { field: 'createdAt', op: 'between', param: 'range' },
      { field: 'group', op: 'eq', param: 'group' },
    ],
    dimensions: [{ field: 'priority' }],
    measures: [{ id: 'n', agg: 'count' }],
    chart: { type: 'bar' },
    params: [
      { key: 'range', type: 'dateRange', default: 'last30days' },
      { key: 'group', type: 'group' },
    ],
  },
  {
    kind: 'report',
    key: 't-created',
    name: { 'zh-CN': '新建工单', en: 'Created' },
    dataset: { source: 'records', form: 'incident' },
    filters: [{ field: 'createdAt', op: 'between', param: 'range' }],
    measures: [{ id: 'n', agg: 'count' }],
    chart: { type: 'number' },
    params: [{ key: 'range', type: 'dateRange', default: 'last7days' }],
  },
];

const widget = (id: string, report: string, x: number, extra: Record<string, unknown> = {}) => ({
  id,
  report,
  x,
  y: 0,
  w: 12,
  h: 6,
  ...extra,
});

const DASHBOARDS = [
  {
    kind: 'dashboard',
    key: 't-second',
    name: { 'zh-CN': '第二屏', en: 'Second screen' },
    widgets: [widget('created', 't-created', 0)],
  },
  {
    kind: 'dashboard',
    key: 't-other',
    name: { 'zh-CN': '别的看板', en: 'Another dashboard' },
    widgets: [widget('created', 't-created', 0)],
  },
  {
    kind: 'dashboard',
    key: 't-hidden',
    name: { 'zh-CN': '仅管理员', en: 'Admins only' },
    visibleTo: { roles: ['admin'] },
    widgets: [widget('created', 't-created', 0)],
  },
  {
    kind: 'dashboard',
    key: 't-wall',
    name: { 'zh-CN': '服务台', en: 'Service desk' },
    refreshSeconds: 30,
    filters: [{ param: 'range', type: 'dateRange', default: 'today' }],
    bigScreen: {
      title: { 'zh-CN': '服务台大屏', en: 'Service desk wall' },
      theme: 'dark',
      playlist: { dashboards: ['t-second'], seconds: 20 },
    },
    widgets: [
      widget('priority', 't-by-priority', 0),
      widget('today', 't-created', 12),
      // Its own period wins over the dashboard's filter.
      widget('week', 't-created', 0, { y: 6, params: { range: 'last7days' } }),
      widget('missing', 't-nothing-here', 12, { y: 6 }),
    ],
  },
];

const incident = (title: string) => ({
  type: 'incident',
  data: { title, description: '-', category: 'network', impact: 2, urgency: 2 },
});

/** The count a number widget shows. */
const figure = (w: { result: { rows: Record<string, number>[] } | null }) => w.result?.rows[0]?.n ?? 0;

describe.each(testDatabases())('the big screen API and share links on %s', (dbName) => {
  let srv: TestServer;
  let chenjing: ApiClient; // manager
  let zhangwei: ApiClient; // agent
  let zhaolei: ApiClient; // requester
  let anonymous: ApiClient;

  beforeAll(async () => {
    srv = await startTestServer(dbName, { pluginsDir: SHIPPED_PLUGINS, demo: true });
    const as = (u: string) => new ApiClient(srv.url).login(u, DEMO_PASSWORD);
    [chenjing, zhangwei, zhaolei] = await Promise.all([as('chenjing'), as('zhangwei'), as('zhaolei')]);
    anonymous = srv.client();
    // Two reports, one dashboard whose widget names a report that does not exist (published first,
    // then the report is left out) — a widget that cannot run must not take the others with it.
    await publishDefinitions(srv.admin, [...REPORTS, { ...REPORTS[1]!, key: 't-nothing-here' }]);
    await publishDefinitions(srv.admin, DASHBOARDS);
    const retired = await srv.admin.post('/definitions/report/t-nothing-here/retire');
    expect(retired.status, JSON.stringify(retired.body)).toBeLessThan(300);
    for (const title of ['VPN 连不上', '邮件发不出']) {
      const res = await srv.admin.post('/records', incident(title));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
  }, 120_000);
  afterAll(async () => {
    await srv?.close();
  });

  async function share(key = 't-wall', body: Record<string, unknown> = { name: '值班室' }) {
    const res = await srv.admin.post(`/dashboards/${key}/share`, body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: number; token: string; url: string };
  }

  it('answers a staff session the dashboard and every widget’s result, as the report API runs them', async () => {
    const res = await chenjing.get('/bigscreen/t-wall');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const view = res.body;
    expect(view).toMatchObject({
      key: 't-wall',
      title: { 'zh-CN': '服务台大屏', en: 'Service desk wall' },
      theme: 'dark',
      columns: 24,
      refreshSeconds: 30,
      playlist: { dashboards: ['t-wall', 't-second'], seconds: 20 },
    });
    expect(view.stamp).toMatch(/^\d+\.\d+\.\d+$/);
    const byId = Object.fromEntries(view.widgets.map((w: { id: string }) => [w.id, w]));
    // The dashboard filter's default (today) where the widget says nothing; its own period otherwise.
    const today = await chenjing.post('/reports/t-created/run', { params: { range: 'today' } });
    const week = await chenjing.post('/reports/t-created/run', { params: { range: 'last7days' } });
    const priority = await chenjing.post('/reports/t-by-priority/run', { params: { range: 'today' } });
    expect(figure(byId.today)).toBe(today.body.rows[0].n);
    expect(figure(byId.today)).toBeGreaterThanOrEqual(2);
    expect(figure(byId.week)).toBe(week.body.rows[0].n);
    expect(byId.priority.result.rows).toEqual(priority.body.rows);
    expect(byId.priority.result.chart.series[0].data[0].drill.query).toBeTruthy();
    expect(byId.missing.result).toBeNull();
    expect(byId.missing.error.code).toBe('not_found');
  });

  it('opens only for people who may open the dashboard; nobody without a session or a share', async () => {
    expect((await zhangwei.get('/bigscreen/t-wall')).status).toBe(200);
    expect((await zhangwei.get('/bigscreen/t-hidden')).status).toBe(404);
    expect((await srv.admin.get('/bigscreen/t-hidden')).status).toBe(200);
    const requester = await zhaolei.get('/bigscreen/t-wall');
    expect(requester.status).toBe(403);
    expect(isCodedRefusal(requester)).toBe(true);
    for (const path of ['/bigscreen/t-wall', '/bigscreen/t-wall/stamp']) {
      const res = await anonymous.get(path);
      expect(res.status, path).toBe(401);
      expect(res.body.error.code).toBe('unauthenticated');
    }
    expect((await chenjing.get('/bigscreen/no-such-board')).status).toBe(404);
  });

  it('a share opens its dashboard and its playlist, and nothing else', async () => {
    const { token, url } = await share();
    expect(url).toContain(`/bigscreen/t-wall?token=${token}`);
    const wall = await anonymous.get(`/bigscreen/t-wall?token=${token}`);
    expect(wall.status, JSON.stringify(wall.body)).toBe(200);
    expect(wall.body.widgets).toHaveLength(4);
    expect((await anonymous.get(`/bigscreen/t-wall/stamp?token=${token}`)).status).toBe(200);
    const second = await anonymous.get(`/bigscreen/t-second?token=${token}`);
    expect(second.status).toBe(200);
    expect(second.body.widgets[0].id).toBe('created');
    for (const key of ['t-other', 't-hidden']) {
      const res = await anonymous.get(`/bigscreen/${key}?token=${token}`);
      expect(res.status, key).toBe(401);
      expect(res.body.error.code).toBe('bad_share');
      expect((await anonymous.get(`/bigscreen/${key}/stamp?token=${token}`)).status, key).toBe(401);
    }
    // A token of the playlist's dashboard does not open the wall it is part of.
    const secondOnly = await share('t-second');
    expect((await anonymous.get(`/bigscreen/t-wall?token=${secondOnly.token}`)).status).toBe(401);
    // A guessed or altered token is the same refusal.
    for (const bad of [`${token}x`, 'ols_nothing', token.replace(/^ols_/, '')]) {
      const res = await anonymous.get(`/bigscreen/t-wall?token=${encodeURIComponent(bad)}`);
      expect(res.status, bad).toBe(401);
      expect(res.body.error.code).toBe('bad_share');
    }
    // A token wins over the session of whoever opens the link: a requester's browser shows the wall.
    expect((await zhaolei.get(`/bigscreen/t-wall?token=${token}`)).status).toBe(200);
  });

  it('no other API answers a share token, as a bearer token or as ?token=', async () => {
    const { token } = await share();
    const doc = (await anonymous.get('/openapi.json')).body as {
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    let tried = 0;
    for (const [documented, ops] of Object.entries(doc.paths)) {
      const template = documented.replace(/^\/api\/v1/, '');
      if (template.startsWith('/bigscreen/')) continue;
      for (const [method, op] of Object.entries(ops)) {
        // Public routes answer anyone the same, token or not.
        if (Array.isArray(op.security) && op.security.length === 0) continue;
        const path = template.replace(/\{(\w+)\}/g, (_, name: string) =>
          /id$/i.test(name) ? '1' : name === 'kind' ? 'dashboard' : 't-wall',
        );
        const sep = path.includes('?') ? '&' : '?';
        const bearer = await anonymous.request(method.toUpperCase(), path, undefined, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(bearer.status, `${method} ${path} with the share as a bearer token`).toBe(401);
        const query = await anonymous.request(method.toUpperCase(), `${path}${sep}token=${token}`);
        expect(query.status, `${method} ${path}?token=`).toBe(401);
        tried++;
      }
    }
    expect(tried).toBeGreaterThan(50);
  }, 120_000);

  it('the stamp changes when a record is created, and the counters follow', async () => {
    const { token } = await share();
    const before = (await anonymous.get(`/bigscreen/t-wall?token=${token}`)).body;
    const stamp = (await anonymous.get(`/bigscreen/t-wall/stamp?token=${token}`)).body.stamp;
    expect(stamp).toBe(before.stamp);
    expect((await anonymous.get(`/bigscreen/t-wall/stamp?token=${token}`)).body.stamp).toBe(stamp);
    const created = await srv.admin.post('/records', incident('机房空调告警'));
    expect(created.status).toBe(201);
    const next = (await anonymous.get(`/bigscreen/t-wall/stamp?token=${token}`)).body.stamp;
    expect(next).not.toBe(stamp);
    const after = (await anonymous.get(`/bigscreen/t-wall?token=${token}`)).body;
    const today = (v: { widgets: { id: string }[] }) =>
      figure(v.widgets.find((w) => w.id === 'today') as never);
    expect(today(after)).toBe(today(before) + 1);
    expect(after.stamp).toBe(next);
    // A change to an existing record (a comment writes its history) moves the stamp too.
    const commented = await srv.admin.post(`/records/${created.body.id}/comments`, {
      body: '已派人查看',
      visibility: 'internal',
    });
    expect(commented.status, JSON.stringify(commented.body)).toBe(201);
    expect((await anonymous.get(`/bigscreen/t-wall/stamp?token=${token}`)).body.stamp).not.toBe(next);
  });

  it('a revoked share stops at the next poll; an expired one too', async () => {
    const { id, token } = await share();
    expect((await anonymous.get(`/bigscreen/t-wall/stamp?token=${token}`)).status).toBe(200);
    expect((await srv.admin.delete(`/dashboards/shares/${id}`)).status).toBe(204);
    for (const path of [`/bigscreen/t-wall/stamp?token=${token}`, `/bigscreen/t-wall?token=${token}`]) {
      const res = await anonymous.get(path);
      expect(res.status, path).toBe(401);
      expect(res.body.error.code).toBe('bad_share');
    }
    const later = await share('t-wall', { name: '大厅', expiresInDays: 1 });
    expect((await anonymous.get(`/bigscreen/t-wall/stamp?token=${later.token}`)).status).toBe(200);
    await srv.services
      .db('dashboard_shares')
      .where({ id: later.id })
      .update({ expires_at: Date.now() - 1 });
    expect((await anonymous.get(`/bigscreen/t-wall/stamp?token=${later.token}`)).status).toBe(401);
    // The share listing says which are revoked.
    const shares = (await srv.admin.get('/dashboards/t-wall/shares')).body.items as {
      id: number;
      revokedAt: number | null;
    }[];
    expect(shares.find((s) => s.id === id)?.revokedAt).toBeGreaterThan(0);
  });

  it('only admins share, list and revoke; a share stops when its admin no longer is one', async () => {
    for (const client of [chenjing, zhangwei, zhaolei]) {
      const res = await client.post('/dashboards/t-wall/share', { name: '值班室' });
      expect(res.status).toBe(403);
      expect((await client.get('/dashboards/t-wall/shares')).status).toBe(403);
    }
    // An admin of their own, so demoting them touches nobody else's shares.
    const ops = await srv.userClient('ops-admin', ['admin']);
    const res = await ops.post('/dashboards/t-wall/share', { name: 'NOC' });
    expect(res.status).toBe(201);
    const { id, token } = res.body as { id: number; token: string };
    expect((await chenjing.delete(`/dashboards/shares/${id}`)).status).toBe(403);
    expect((await anonymous.get(`/bigscreen/t-wall/stamp?token=${token}`)).status).toBe(200);
    const demoted = await srv.admin.patch('/users/ops-admin', { roles: ['agent'] });
    expect(demoted.status, JSON.stringify(demoted.body)).toBe(200);
    expect((await anonymous.get(`/bigscreen/t-wall/stamp?token=${token}`)).status).toBe(401);
  });
});
