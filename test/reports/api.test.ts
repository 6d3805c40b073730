import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { expectDrillTotals, type RunBody, run } from './helpers.ts';

/**
 * The reports and dashboards API as checks outside this repository call it, over the demo's
 * ninety days of history: every shipped report runs with its defaults, exports as CSV and XLSX,
 * refuses bad parameters by name, and no parameter reaches the SQL as text.
 */

interface ReportItem {
  key: string;
  params: { key: string; type: string }[];
}

/** Values an attacker would try, per parameter: SQL, JSON paths, types that are not the param's. */
const HOSTILE: unknown[] = [
  "' OR '1'='1",
  '1); DROP TABLE records; --',
  "P1' UNION SELECT password_hash FROM users --",
  '$.x") OR 1=1 --',
  '\u0000',
  ["x' OR 1=1 --", "') OR ('1'='1"],
  { from: "2026-01-01' OR '1'='1", to: '2026-12-31' },
  { from: '2026-01-01', to: '2026-12-31); DELETE FROM records; --' },
  "2026-01-01..2026-12-31' OR 1=1 --",
  { $gt: '' },
  1e20,
  true,
];

describe.each(testDatabases())('reports and dashboards API on %s', (dbName) => {
  let srv: TestServer;
  let manager: ApiClient;
  let agent: ApiClient;
  let requester: ApiClient;
  let reports: ReportItem[];
  let recordCount: number;

  beforeAll(async () => {
    srv = await startTestServer(dbName, {
      pluginsDir: SHIPPED_PLUGINS,
      demo: true,
      demoRecords: true,
      jobs: false,
    });
    const as = (u: string) => new ApiClient(srv.url).login(u, DEMO_PASSWORD);
    [manager, agent, requester] = (await Promise.all(['chenjing', 'zhangwei', 'zhaolei'].map(as))) as [
      ApiClient,
      ApiClient,
      ApiClient,
    ];
    const list = await manager.get('/reports');
    expect(list.status).toBe(200);
    reports = list.body.items;
    recordCount = (await srv.admin.get('/records?limit=1')).body.total;
  }, 120_000);
  afterAll(() => srv?.close());

  it('every shipped report runs with its default parameters, and its figures drill to their records', async () => {
    expect(reports.length).toBeGreaterThanOrEqual(8);
    for (const r of reports) {
      const res = await manager.post(`/reports/${r.key}/run`, { params: {} });
      expect(res.status, `${r.key}: ${JSON.stringify(res.body)}`).toBe(200);
      const body = res.body as RunBody;
      expect(Array.isArray(body.columns), r.key).toBe(true);
      expect(Array.isArray(body.rows), r.key).toBe(true);
      expect(typeof body.total, r.key).toBe('number');
      expect(body.chart, r.key).toBeTypeOf('object');
    }
    // The demo's history gives the headline reports something to show, and each figure's list agrees.
    // csat-by-dimension counts over a thousand ratings: a drill-down list counts exactly.
    for (const key of [
      'open-backlog-by-priority',
      'backlog-by-group',
      'backlog-ageing',
      'csat-by-dimension',
    ]) {
      const body = await run(manager, key);
      expect(body.rows.length, key).toBeGreaterThanOrEqual(1);
      expect(await expectDrillTotals(manager, body), key).toBeGreaterThanOrEqual(1);
    }
  }, 120_000);

  it('exports CSV (UTF-8 with BOM) and XLSX with the run’s rows; a bad format or param is a 400 naming it', async () => {
    const body = await run(manager, 'backlog-by-group');
    const csv = await fetch(`${srv.url}/api/v1/reports/backlog-by-group/export?format=csv`, {
      headers: { cookie: manager.cookie!, 'accept-language': 'zh-CN' },
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect(csv.headers.get('content-disposition')).toMatch(/attachment/);
    const bytes = new Uint8Array(await csv.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes.slice(3)).trim().split(/\r\n/);
    expect(lines[0]).toBe('处理组,未关闭');
    expect(lines.length - 1).toBe(body.rows.length);

    const xlsx = await fetch(`${srv.url}/api/v1/reports/backlog-by-group/export?format=xlsx`, {
      headers: { cookie: manager.cookie! },
    });
    expect(xlsx.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await xlsx.arrayBuffer());
    const sheet = book.worksheets[0]!;
    const counts: number[] = [];
    sheet.eachRow((row, n) => {
      if (n > 1) counts.push(Number(row.getCell(2).value));
    });
    expect(counts).toEqual(body.rows.map((r) => Number(r.open)));

    const badFormat = await manager.get('/reports/backlog-by-group/export?format=pdf');
    expect(badFormat.status).toBe(400);
    expect(JSON.stringify(badFormat.body)).toMatch(/format/);
    const badParam = await manager.post('/reports/created-vs-resolved/run', {
      params: { period: 'fortnight' },
    });
    expect(badParam.status).toBe(400);
    expect(JSON.stringify(badParam.body)).toMatch(/period/);
    const unknownParam = await manager.post('/reports/backlog-by-group/run', { params: { colour: 'red' } });
    expect(unknownParam.status).toBe(400);
    expect(JSON.stringify(unknownParam.body)).toMatch(/colour/);
    expect((await manager.post('/reports/no-such-report/run', { params: {} })).status).toBe(404);
  });

  it('every shipped report exports as many CSV lines as its run has rows (streamed or not)', async () => {
    for (const r of reports) {
      const body = await run(manager, r.key);
      const csv = await fetch(`${srv.url}/api/v1/reports/${r.key}/export?format=csv`, {
        headers: { cookie: manager.cookie! },
      });
      expect(csv.status, r.key).toBe(200);
      const lines = (await csv.text())
        .replace(/^\uFEFF/, '')
        .trim()
        .split(/\r\n/);
      expect(lines.length - 1, r.key).toBe(body.rows.length);
      // The first column names what the screen names (people, groups, statuses), not their keys.
      const dim = body.columns.find((c) => c.role === 'dimension');
      if (!dim) continue;
      const shown = body.rows.map(
        (row) => body.labels[dim.key]?.[String(row[dim.key])] ?? String(row[dim.key]),
      );
      const cells = lines.slice(1).map((l) => l.split(',')[0]!.replace(/^"|"$/g, ''));
      expect(cells.sort(), r.key).toEqual(shown.sort());
    }
  }, 60_000);

  it('no parameter reaches the SQL as text: hostile values are refused by name or matched as values', async () => {
    let probes = 0;
    for (const r of reports) {
      for (const p of r.params) {
        for (const value of HOSTILE) {
          const res = await manager.post(`/reports/${r.key}/run`, { params: { [p.key]: value } });
          probes++;
          const where = `${r.key}.${p.key} = ${JSON.stringify(value)}`;
          expect([200, 400], `${where}: ${res.status} ${JSON.stringify(res.body)}`).toContain(res.status);
          if (res.status === 400) expect(JSON.stringify(res.body), where).toContain(p.key);
          else {
            // Matched as a value: a hostile group, priority, service or type matches no record
            // (fixed buckets such as ageing's still come back, with nothing in them).
            const b = res.body as RunBody;
            const measures = b.columns.filter((c) => c.role === 'measure').map((c) => c.key);
            if (['group', 'priority', 'service', 'type'].includes(p.type))
              for (const row of b.rows)
                for (const m of measures) expect(row[m] ?? 0, `${where}: ${m}`).toBe(0);
          }
        }
      }
    }
    expect(probes).toBeGreaterThan(50);
    // The export takes its params from the query string: the same refusals.
    const q = new URLSearchParams({ format: 'csv', period: "' OR 1=1 --" });
    expect((await manager.get(`/reports/created-vs-resolved/export?${q}`)).status).toBe(400);
    // A drill token is checked, not trusted: a tampered one is a 400, not a query.
    const tampered = await manager.get(
      `/records?report=backlog-by-group&cell=${encodeURIComponent("x' OR 1=1 --")}`,
    );
    expect(tampered.status).toBe(400);
    // Nothing was written or dropped.
    expect((await srv.admin.get('/records?limit=1')).body.total).toBe(recordCount);
  }, 120_000);

  it('an agent’s figures count only their groups’ records and their own work; requesters run none of these', async () => {
    const all = await run(manager, 'open-now');
    const mine = await run(agent, 'open-now');
    const figure = (b: RunBody) => Number(b.rows[0]?.[b.columns.find((c) => c.role === 'measure')!.key] ?? 0);
    expect(figure(mine)).toBeGreaterThan(0);
    expect(figure(mine)).toBeLessThan(figure(all));
    // The agent's figure is what the records list shows the agent (the same visibility).
    expect(await expectDrillTotals(agent, mine)).toBe(1);
    const agentOpen = (await agent.get('/records?closed=false&limit=1')).body.total;
    expect(figure(mine)).toBe(agentOpen);

    const forRequester = (await requester.get('/reports')).body.items as ReportItem[];
    expect(forRequester.map((r) => r.key)).not.toContain('open-now');
    // Not theirs to run: refused as if it did not exist.
    expect([403, 404]).toContain((await requester.post('/reports/open-now/run', { params: {} })).status);
  });

  it('dashboards: a manager’s list marks their landing; an agent opens it without landing; requesters none', async () => {
    const mine = await manager.get('/dashboards');
    expect(mine.status).toBe(200);
    const desk = (mine.body.items as { key: string; landing: boolean }[]).find(
      (d) => d.key === 'service-desk',
    );
    expect(desk?.landing).toBe(true);
    const dash = await manager.get('/dashboards/service-desk');
    expect(dash.status).toBe(200);
    expect(dash.body.widgets.length).toBeGreaterThanOrEqual(8);
    for (const w of dash.body.widgets as { report: string }[])
      expect(
        reports.map((r) => r.key),
        w.report,
      ).toContain(w.report);

    const forAgent = (await agent.get('/dashboards')).body.items as { key: string; landing: boolean }[];
    expect(forAgent.find((d) => d.key === 'service-desk')?.landing).toBe(false);
    const forRequester = await requester.get('/dashboards');
    expect(forRequester.status === 403 || forRequester.body.items.length === 0).toBe(true);
    expect((await requester.get('/dashboards/service-desk')).status).toBeGreaterThanOrEqual(403);
    expect((await manager.get('/dashboards/no-such-dashboard')).status).toBe(404);
  });
});
