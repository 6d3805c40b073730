import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { seedFixture } from './fixture.ts';

/**
 * POST /reports/preview: the designer's live preview runs a report that is not published. It is
 * checked exactly as a publish checks it (the same problems as /definitions/validate, references
 * included) and runs as a run does (same rows as the published report's run), for admins only.
 */
describe.each(testDatabases())('report preview (%s)', (dbName) => {
  let srv: TestServer;
  let admin: ApiClient;
  let published: Record<string, unknown>;

  beforeAll(async () => {
    srv = await startTestServer(dbName, { pluginsDir: SHIPPED_PLUGINS, demo: true, jobs: false });
    await seedFixture(srv);
    admin = srv.admin;
    const res = await admin.get('/definitions/report/open-backlog-by-priority');
    expect(res.status).toBe(200);
    published = res.body.published;
  }, 240_000);
  afterAll(() => srv?.close());

  const strip = (body: Record<string, unknown>) => ({
    columns: body.columns,
    rows: body.rows,
    total: body.total,
    labels: body.labels,
    range: body.range,
    chart: JSON.parse(JSON.stringify(body.chart, (k, v) => (k === 'drill' ? undefined : v))),
  });

  it('answers what a run of the same definition answers, with no version', async () => {
    const run = await admin.post('/reports/open-backlog-by-priority/run', { params: {} });
    expect(run.status).toBe(200);
    const preview = await admin.post('/reports/preview', { definition: published, params: {} });
    expect(preview.status).toBe(200);
    expect(preview.body.report).toMatchObject({ key: 'open-backlog-by-priority', version: null });
    expect(strip(preview.body)).toEqual(strip(run.body));
    expect(preview.body.rows.length).toBeGreaterThan(0);
  });

  it('runs a draft nobody published, with its parameters', async () => {
    const draft = {
      kind: 'report',
      key: 'never-published',
      name: { 'zh-CN': '草稿', en: 'Draft' },
      dataset: { source: 'records' },
      filters: [{ field: 'createdAt', op: 'between', param: 'period' }],
      dimensions: [{ field: 'priority' }],
      measures: [{ id: 'n', agg: 'count' }],
      chart: { type: 'bar', options: { stack: true } },
      params: [{ key: 'period', type: 'dateRange', default: 'thisYear' }],
    };
    const all = await admin.post('/reports/preview', {
      definition: draft,
      params: { period: { from: '2026-10-01', to: '2026-12-31' } },
    });
    expect(all.status).toBe(200);
    const total = all.body.rows.reduce((s: number, r: { n: number }) => s + r.n, 0);
    expect(total).toBeGreaterThan(0);
    const none = await admin.post('/reports/preview', {
      definition: draft,
      params: { period: { from: '2001-01-01', to: '2001-01-02' } },
    });
    expect(none.status).toBe(200);
    expect(none.body.rows).toEqual([]);
    // Still not a definition: the preview stored nothing.
    expect((await admin.get('/definitions/report/never-published')).status).toBe(404);
  });

  it('refuses what a publish refuses, with the same problems, references included', async () => {
    const bad = {
      ...published,
      key: 'bad-preview',
      dataset: { source: 'records', form: 'no-such-form' },
      dimensions: [{ field: 'createdAt' }],
    };
    const preview = await admin.post('/reports/preview', { definition: bad });
    expect(preview.status).toBe(422);
    expect(preview.body.error.code).toBe('invalid_definition');
    const validate = await admin.post('/definitions/validate', bad);
    expect(validate.body.ok).toBe(false);
    expect(preview.body.error.details.problems).toEqual(validate.body.problems);
    const paths = preview.body.error.details.problems.map((p: { path: string }) => p.path);
    expect(paths).toContain('/dataset/form');
    expect(paths).toContain('/dimensions/0/granularity');
  });

  it('refuses another kind, a parameter the report does not declare, and callers who are not admins', async () => {
    const form = await admin.get('/definitions/form/incident');
    const other = await admin.post('/reports/preview', { definition: form.body.published });
    expect(other.status).toBe(422);
    expect(other.body.error.details.problems[0].path).toBe('/kind');

    const param = await admin.post('/reports/preview', { definition: published, params: { nope: 1 } });
    expect(param.status).toBe(400);
    expect(param.body.error.details.param).toBe('nope');

    const unknownBody = await admin.post('/reports/preview', { definition: published, extra: 1 });
    expect(unknownBody.status).toBe(400);

    const manager = await srv.userClient('preview-manager', ['manager']);
    expect((await manager.post('/reports/preview', { definition: published })).status).toBe(403);
    expect((await manager.post('/reports/open-backlog-by-priority/run', {})).status).toBe(200);
  });
});
