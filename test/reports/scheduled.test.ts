import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReceivedMail, SMTP_PASSWORD, SMTP_USER, type SmtpPeer, startSmtp } from '../notify/peers.ts';
import { until } from '../notify/setup.ts';
import type { ApiClient } from '../support/client.ts';
import { createTestDatabase, type TestDatabase, testDatabases } from '../support/databases.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { at, DAY, HOUR, Seeder } from './seed.ts';

/**
 * Scheduled reports (schedule action emailReport): each recipient gets the report run as
 * themselves, in their language, as an HTML table with the engine's XLSX attached, through the
 * outbox, once per occurrence. A real SMTP server receives the mail; the attachment is read back
 * with exceljs and compared with the recipient's own run of the report through the API.
 */

const PLUGIN = path.resolve(import.meta.dirname, '../../plugins/itil-reports');
const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(PLUGIN, file), 'utf8'));

const ENV = {
  OPSLOOM_JOB_POLL_MS: '50',
  OPSLOOM_NOTIFY_RETRY_MS: '200',
  OPSLOOM_NOTIFY_MAX_ATTEMPTS: '12',
  OPSLOOM_PUBLIC_URL: 'https://itsm.example.com',
};

const label = (en: string, zh: string) => ({ en, 'zh-CN': zh });

/** Records per group in the week of 2–8 November 2026, its name with markup that must be escaped. */
const BY_GROUP = {
  kind: 'report',
  key: 'by-group',
  name: label('Tickets <b>by</b> group & more', '按组统计 <b>工单</b> & 更多'),
  dataset: { source: 'records' },
  filters: [{ field: 'createdAt', op: 'between', param: 'period' }],
  dimensions: [{ field: 'group' }],
  measures: [{ id: 'n', agg: 'count', label: label('Tickets', '工单数') }],
  sort: [{ by: 'group' }],
  chart: { type: 'bar' },
  params: [{ key: 'period', type: 'dateRange', default: 'last7days' }],
};

const WEEK = { from: '2026-11-02', to: '2026-11-08' };
const MONDAY_9 = at('2026-11-09T09:00+08:00');

const schedule = (over: Record<string, unknown> = {}) => ({
  kind: 'schedule',
  key: 'desk-weekly',
  name: label('Desk weekly', '服务台周报'),
  cron: '0 9 * * 1',
  timeZone: 'Asia/Shanghai',
  catchUp: 'skip',
  action: {
    type: 'emailReport',
    report: 'by-group',
    params: { period: WEEK },
    recipients: [
      { type: 'group', value: 'leads' },
      { type: 'user', value: 'amy,ren,nomail' },
    ],
  },
  ...over,
});

/** A run of by-group as the sheet's cells: groups by their names in the run's language. */
const byGroup = (run: { rows: any[]; labels: Record<string, Record<string, string>> }) =>
  run.rows.map((r) => [run.labels.group?.[r.group] ?? r.group, r.n]);

/** The sheet's rows (header first) as plain values. */
async function sheetRows(mail: ReceivedMail): Promise<unknown[][]> {
  const att = mail.parsed.attachments.find((a) => a.filename?.endsWith('.xlsx'));
  if (!att) throw new Error(`no xlsx in ${mail.parsed.subject}`);
  expect(att.contentType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(att.content as unknown as ArrayBuffer);
  const sheet = wb.worksheets[0]!;
  const rows: unknown[][] = [];
  sheet.eachRow((row) => {
    rows.push((row.values as unknown[]).slice(1));
  });
  return rows;
}

describe.each(testDatabases())('scheduled reports on %s', (dbName) => {
  let db: TestDatabase;
  let srv: TestServer;
  let smtp: SmtpPeer;
  const clients: Record<string, ApiClient> = {};

  const boot = () => startTestServer(dbName, { database: db, env: ENV });

  async function publish(def: Record<string, any>) {
    const existing = await srv.admin.get(`/definitions/${def.kind}/${def.key}`);
    if (existing.status === 200) {
      const saved = await srv.admin.put(`/definitions/${def.kind}/${def.key}/draft`, {
        revision: existing.body.revision,
        definition: def,
      });
      expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    } else {
      const created = await srv.admin.post('/definitions', def);
      expect(created.status, JSON.stringify(created.body)).toBe(201);
    }
    const res = await srv.admin.post(`/definitions/${def.kind}/${def.key}/publish`);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }

  /** The problems a definition is refused with, at draft save or at publish. */
  async function refusal(def: Record<string, any>): Promise<{ code: string; path: string; message: any }[]> {
    const created = await srv.admin.post('/definitions', def);
    if (created.status !== 201) {
      expect(created.status, JSON.stringify(created.body)).toBe(422);
      return created.body.error.details.problems;
    }
    const res = await srv.admin.post(`/definitions/${def.kind}/${def.key}/publish`);
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    await srv.admin.request('DELETE', `/definitions/${def.kind}/${def.key}`);
    return res.body.error.details.problems;
  }

  const LOCALES: Record<string, string> = { lin: 'zh-CN', mark: 'en', amy: 'en', ren: 'zh-CN' };
  async function loginAll() {
    for (const [username, locale] of Object.entries(LOCALES)) {
      clients[username] = await srv.client().login(username, `${username}-test-password`);
      clients[username]!.locale = locale;
    }
  }

  const mailsTo = (address: string) => smtp.mails.filter((m) => m.envelopeTo.includes(address));

  beforeAll(async () => {
    db = await createTestDatabase(dbName);
    smtp = await startSmtp();
    srv = await boot();
    const smtpSaved = await srv.admin.put('/settings/smtp', {
      host: '127.0.0.1',
      port: smtp.port,
      startTls: 'required',
      tlsRejectUnauthorized: false,
      username: SMTP_USER,
      password: SMTP_PASSWORD,
      from: 'Opsloom <noreply@example.com>',
    });
    expect(smtpSaved.status, JSON.stringify(smtpSaved.body)).toBe(200);
    const people = [
      {
        username: 'lin',
        displayName: '林经理',
        email: 'lin@example.com',
        locale: 'zh-CN',
        roles: ['manager'],
      },
      {
        username: 'mark',
        displayName: 'Mark Lead',
        email: 'mark@example.com',
        locale: 'en',
        roles: ['manager'],
      },
      { username: 'amy', displayName: 'Amy Agent', email: 'amy@example.com', locale: 'en', roles: ['agent'] },
      { username: 'ren', displayName: '任用户', email: 'ren@example.com', locale: 'zh-CN', roles: ['user'] },
      { username: 'nomail', displayName: 'No Mail', locale: 'en', roles: ['agent'] },
    ];
    for (const u of people) {
      const res = await srv.admin.post('/users', { ...u, password: `${u.username}-test-password` });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    for (const g of [
      { key: 'desk', name: label('Desk', '服务台'), type: 'support', members: ['amy', 'nomail'] },
      { key: 'net', name: label('Network', '网络组'), type: 'support', members: [] },
      { key: 'leads', name: label('Leads', '经理'), type: 'org', members: ['lin', 'mark'] },
    ]) {
      const res = await srv.admin.post('/groups', g);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    await loginAll();
    // desk: 3 in the week (one resolved), one the week before; net: 2 in the week.
    const s = new Seeder(srv.services.db, 'SCH');
    const rec = (group: string, createdAt: number, resolvedAt: number | null = null) =>
      s.record({ status: resolvedAt ? 'resolved' : 'new', group, requester: 'admin', createdAt, resolvedAt });
    await rec('desk', at('2026-11-02T10:00+08:00'), at('2026-11-02T15:00+08:00'));
    await rec('desk', at('2026-11-04T11:00+08:00'));
    await rec('desk', at('2026-11-08T23:00+08:00'));
    await rec('desk', at('2026-10-30T10:00+08:00'));
    await rec('net', at('2026-11-03T09:00+08:00'));
    await rec('net', at('2026-11-06T16:30+08:00'), at('2026-11-07T10:00+08:00'));
    await publish(BY_GROUP);
    await publish(schedule());
  });
  afterAll(async () => {
    await srv?.close();
    await smtp?.close();
    await db?.drop();
  });

  it('sends each recipient their own view, in their language, as an escaped HTML table and the XLSX', async () => {
    const result = await srv.scheduler.runOccurrence(schedule() as any, MONDAY_9, 'scheduled');
    expect(result.status, JSON.stringify(result)).toBe('done');
    const detail = result.detail as { sent: string[]; skipped: { user: string; reason: string }[] };
    expect([...detail.sent].sort()).toEqual(['amy', 'lin', 'mark']);
    expect(detail.skipped).toEqual(
      expect.arrayContaining([
        { user: 'ren', reason: 'may-not-run' },
        { user: 'nomail', reason: 'no-email' },
      ]),
    );
    // The occurrence's record keeps who was skipped.
    const run = await srv.services
      .db('schedule_runs')
      .where({ key: 'desk-weekly', scheduled_for: MONDAY_9 })
      .first();
    expect(run.status).toBe('done');
    expect(JSON.stringify(run.detail)).toContain('may-not-run');

    await until(async () => smtp.mails.length >= 3, 'three mails');

    // lin (manager, zh-CN): every group, Chinese, escaped.
    const [lin] = mailsTo('lin@example.com');
    expect(lin!.parsed.subject).toBe('按组统计 <b>工单</b> & 更多 · 2026-11-02 – 2026-11-08');
    const linHtml = String(lin!.parsed.html);
    expect(linHtml).toContain('lang="zh-CN"');
    expect(linHtml).toContain('统计周期');
    expect(linHtml).toContain('按组统计 &lt;b&gt;工单&lt;/b&gt; &amp; 更多');
    expect(linHtml).not.toContain('<b>工单</b>');
    expect(linHtml).toContain('此报表只包含您有权查看的记录');
    expect(lin!.parsed.text).toContain('统计周期：2026-11-02 – 2026-11-08');
    expect(lin!.parsed.headers.get('x-opsloom-schedule')).toBe('desk-weekly');
    const linRun = (await clients.lin!.post('/reports/by-group/run', { params: { period: WEEK } })).body;
    const linRows = await sheetRows(lin!);
    expect(linRows[0]).toEqual(['处理组', '工单数']);
    expect(linRows.slice(1)).toEqual(byGroup(linRun));
    expect(linRows.slice(1)).toEqual([
      ['服务台', 3],
      ['网络组', 2],
    ]);
    for (const [group, n] of linRows.slice(1))
      expect(linHtml).toMatch(new RegExp(`>${group}</td>[^\\n]*>${n}</td>`));

    // mark (manager, en): the same figures in English.
    const [mark] = mailsTo('mark@example.com');
    expect(mark!.parsed.subject).toBe('Tickets <b>by</b> group & more · 2026-11-02 – 2026-11-08');
    const markHtml = String(mark!.parsed.html);
    expect(markHtml).toContain('lang="en"');
    expect(markHtml).toContain('Period: 2026-11-02 – 2026-11-08');
    expect(markHtml).toContain('Tickets &lt;b&gt;by&lt;/b&gt; group &amp; more');
    expect(markHtml).not.toMatch(/[\u4e00-\u9fff]/);
    const markRows = await sheetRows(mark!);
    expect(markRows[0]).toEqual(['Group', 'Tickets']);
    const markRun = (await clients.mark!.post('/reports/by-group/run', { params: { period: WEEK } })).body;
    expect(markRows.slice(1)).toEqual(byGroup(markRun));
    expect(markRows.slice(1)).toEqual([
      ['Desk', 3],
      ['Network', 2],
    ]);

    // amy (agent in desk): only her group's records, as her own run shows them.
    const [amy] = mailsTo('amy@example.com');
    const amyRun = (await clients.amy!.post('/reports/by-group/run', { params: { period: WEEK } })).body;
    const amyRows = await sheetRows(amy!);
    expect(amyRows.slice(1)).toEqual(byGroup(amyRun));
    expect(amyRows.slice(1)).toEqual([['Desk', 3]]);
    expect(String(amy!.parsed.html)).toContain('>Desk</td>');
    expect(String(amy!.parsed.html)).not.toContain('Network');

    // ren may not run the report; nomail has no address: neither gets anything.
    expect(mailsTo('ren@example.com')).toEqual([]);
    expect((await clients.ren!.post('/reports/by-group/run', { params: { period: WEEK } })).status).toBe(404);

    // Delivered messages leave no files behind.
    await until(
      async () =>
        Number((await srv.services.db('outbox_attachments').count({ n: '*' }))[0]!.n) === 0 ? true : null,
      'attachments cleaned up',
    );
    // The outbox lists them, about no record.
    const outbox = (await srv.admin.get('/notifications/outbox?status=done')).body.items;
    expect(outbox.filter((m: any) => m.source === 'schedule:desk-weekly')).toHaveLength(3);
    expect(outbox.find((m: any) => m.source === 'schedule:desk-weekly').recordId).toBeNull();
  });

  it('runs an occurrence once, even when it is triggered twice at the same time or again later', async () => {
    const when = MONDAY_9 + 7 * DAY;
    const before = smtp.mails.length;
    const results = await Promise.all([
      srv.scheduler.runOccurrence(schedule() as any, when, 'scheduled'),
      srv.scheduler.runOccurrence(schedule() as any, when, 'catch-up'),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['done', 'duplicate']);
    expect((await srv.scheduler.runOccurrence(schedule() as any, when, 'scheduled')).status).toBe(
      'duplicate',
    );
    const jobs = await srv.services
      .db('jobs')
      .where({ type: 'deliver' })
      .where('payload', 'like', '%"schedule:desk-weekly"%');
    expect(jobs).toHaveLength(6);
    await until(async () => smtp.mails.length >= before + 3, 'three more mails');
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.mails.length).toBe(before + 3);
    const runs = await srv.services.db('schedule_runs').where({ key: 'desk-weekly', scheduled_for: when });
    expect(runs).toHaveLength(1);
  });

  it('keeps a queued report and its file across a restart while the mail server is down', async () => {
    const when = MONDAY_9 + 14 * DAY;
    const before = mailsTo('mark@example.com').length;
    await smtp.close();
    expect((await srv.scheduler.runOccurrence(schedule() as any, when, 'scheduled')).status).toBe('done');
    await until(async () => {
      const failed = await srv.services
        .db('jobs')
        .where({ type: 'deliver', status: 'pending' })
        .where('attempts', '>', 0)
        .where('payload', 'like', '%"schedule:desk-weekly"%');
      return failed.length === 3 ? true : null;
    }, 'three failed attempts');
    expect(Number((await srv.services.db('outbox_attachments').count({ n: '*' }))[0]!.n)).toBe(3);
    await srv.close();
    await smtp.listen();
    srv = await boot();
    await loginAll();
    await until(async () => mailsTo('mark@example.com').length > before, 'the mail after the restart');
    const rows = await sheetRows(mailsTo('mark@example.com').at(-1)!);
    expect(rows.slice(1)).toEqual([
      ['Desk', 3],
      ['Network', 2],
    ]);
  });

  it('refuses bad scheduled reports at publish, naming the field in both languages', async () => {
    const bad = (key: string, action: Record<string, unknown>) =>
      schedule({ key, action: { ...schedule().action, ...action } });
    const cases: [Record<string, unknown>, string, string][] = [
      [bad('bad-report', { report: 'no-such-report' }), 'ref.report', '/action/report'],
      [
        bad('bad-param', { params: { periode: 'lastWeek' } }),
        'schedule.report.param',
        '/action/params/periode',
      ],
      [
        bad('bad-value', { params: { period: 'previousWeek' } }),
        'schedule.report.param.value',
        '/action/params/period',
      ],
      [bad('no-one', { recipients: [] }), 'schedule.report.recipients', '/action/recipients'],
      [
        bad('bad-group', { recipients: [{ type: 'group', value: 'nobody' }] }),
        'ref.group',
        '/action/recipients/0/value',
      ],
      [
        bad('bad-role', { recipients: [{ type: 'role', value: 'boss' }] }),
        'schedule.report.role',
        '/action/recipients/0/value',
      ],
      [
        bad('bad-type', { recipients: [{ type: 'address', value: 'x@example.com' }] }),
        'schema.enum',
        '/action/recipients/0/type',
      ],
    ];
    for (const [def, code, at] of cases) {
      const problems = await refusal(def);
      const p = problems.find((x) => x.code === code);
      expect(p, `${code} in ${JSON.stringify(problems)}`).toBeDefined();
      expect(p!.path).toBe(at);
      expect(p!.message['zh-CN']).toMatch(/[\u4e00-\u9fff]/);
      expect(p!.message.en).not.toMatch(/[\u4e00-\u9fff]/);
    }
    // Nothing was published.
    const list = await srv.services
      .db('definitions')
      .where({ kind: 'schedule' })
      .whereNot('key', 'desk-weekly');
    expect(list.filter((d: { latest_version: number }) => Number(d.latest_version) > 0)).toEqual([]);
  });

  it("ships the service desk's weekly and daily reports in itil-reports, sent to the managers", async () => {
    for (const file of ['reports/created-vs-resolved.json', 'reports/backlog-by-group.json'])
      await publish(readJson(file));
    const weekly = readJson('schedules/service-desk-weekly.json');
    const daily = readJson('schedules/service-desk-daily.json');
    await publish(weekly);
    await publish(daily);
    expect(weekly.cron).toBe('0 9 * * 1');

    const before = mailsTo('lin@example.com').length;
    const result = await srv.scheduler.runOccurrence(weekly, MONDAY_9, 'scheduled');
    expect(result.status, JSON.stringify(result)).toBe('done');
    expect([...(result.detail as { sent: string[] }).sent].sort()).toEqual(['lin', 'mark']);
    await until(async () => mailsTo('lin@example.com').length > before, 'the weekly report');
    const mail = mailsTo('lin@example.com').at(-1)!;
    expect(mail.parsed.subject).toBe('服务台周报：每日新建与解决（2026-11-02 – 2026-11-08）');
    // lastWeek counted back from the occurrence (Monday 9 November): 2–8 November, day by day.
    const linRun = (await clients.lin!.post('/reports/created-vs-resolved/run', { params: { period: WEEK } }))
      .body;
    const rows = await sheetRows(mail);
    expect(rows[0]).toEqual(['日期', '新建', '解决']);
    expect(rows.slice(1)).toEqual(linRun.rows.map((r: any) => [r.createdAt, r.created, r.resolved]));
    expect(rows.slice(1, 3)).toEqual([
      ['2026-11-02', 1, 1],
      ['2026-11-03', 1, 0],
    ]);
    const markMail = mailsTo('mark@example.com').at(-1)!;
    expect(markMail.parsed.subject).toBe(
      'Service desk weekly: Created vs resolved per day (2026-11-02 – 2026-11-08)',
    );

    const now = Math.round(Date.now() / 1000) * 1000 - HOUR;
    const dailyResult = await srv.scheduler.runOccurrence(daily, now, 'scheduled');
    expect(dailyResult.status, JSON.stringify(dailyResult)).toBe('done');
    await until(
      async () => mailsTo('mark@example.com').some((m) => m.parsed.subject?.startsWith('Service desk daily')),
      'the daily report',
    );
    const dailyMail = mailsTo('mark@example.com').find((m) =>
      m.parsed.subject?.startsWith('Service desk daily'),
    )!;
    const backlog = (await clients.mark!.post('/reports/backlog-by-group/run', {})).body;
    // A top-N report is exported from a full run, its groups by name (in the reader's language).
    const names = backlog.labels.group ?? {};
    const dailyRows = await sheetRows(dailyMail);
    expect(dailyRows.slice(1)).toEqual(backlog.rows.map((r: any) => [names[r.group] ?? r.group, r.open]));
    // Not closed yet: all six records (the resolved ones too).
    expect(dailyRows.slice(1)).toEqual([
      ['Desk', 4],
      ['Network', 2],
    ]);
  });
});
