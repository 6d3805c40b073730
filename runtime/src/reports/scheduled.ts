import type { Readable } from 'node:stream';
import {
  CONTENT_TYPES,
  type Column,
  type ExportCell,
  ReportError,
  type Row,
  type RunResult,
  resolveParams,
  runReport,
  xlsxStream,
} from '@opsloom/reports';
import {
  type Locale,
  localize,
  type ReportDefinition,
  type ReportRecipient,
  renderTemplate,
  type ScheduleDefinition,
} from '@opsloom/spec';
import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import type { Actor, Role, Services } from '../context.ts';
import { fromJson } from '../db/json.ts';
import { currentVersion } from '../definitions/current.ts';
import { translate } from '../i18n/translate.ts';
import { attachmentBytes, type EmailMessage, MAX_ATTACHMENT_BYTES, queueEmail } from '../notify/outbox.ts';
import { userIdsWithRole } from '../people/users.ts';
import { seesEverything } from '../records/visibility.ts';
import { engineContext, mayRun } from './service.ts';

/**
 * Scheduled reports (日报 / 周报 / 月报): the schedule action `emailReport` e-mails a report to
 * people, groups and roles, each copy run AS ITS RECIPIENT — the records they may see, the report
 * only if they may run it — in their language (`users.locale`), as an HTML table with the report
 * engine's own XLSX export attached.
 *
 * An occurrence is prepared first (reads only: recipients, one report run per distinct view) and
 * then queued: the scheduler claims the occurrence (its `schedule_runs` row) and writes every
 * e-mail with its file into the outbox in ONE transaction (`queuePrepared`), so the messages exist
 * exactly when the occurrence was claimed, and only the runtime that won the claim sends any. A
 * runtime that loses the claim has done the reading for nothing. Sending is the outbox's (retries,
 * SMTP settings, dead letters); no report runs inside a transaction.
 *
 * Who sees what: admins and managers see every record, so one run per language serves them all;
 * anyone else gets a run of their own. Recipients who may not run the report (its `visibleTo`),
 * have no e-mail address or are inactive are skipped; the skipped ones are logged and kept in the
 * occurrence's detail.
 */

export type EmailReportAction = Extract<ScheduleDefinition['action'], { type: 'emailReport' }>;

/** Most rows the HTML table shows; the attachment has them all. */
export const HTML_MAX_ROWS = 500;
/** Most rows one copy carries (the XLSX holds them all, the HTML the first HTML_MAX_ROWS). */
const MAX_ROWS = 100_000;

export interface Skipped {
  user: string;
  reason: 'may-not-run' | 'no-email';
}

export interface PreparedReport {
  schedule: string;
  report: { key: string; version: number };
  messages: EmailMessage[];
  skipped: Skipped[];
  /** Copies that went without their file because it was over MAX_ATTACHMENT_BYTES. */
  withoutFile: string[];
}

interface Person {
  actor: Actor;
  email: string | null;
}

interface View {
  name: string;
  headers: string[];
  rows: ExportCell[][];
  xlsx: Buffer;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
/** Every text that goes into the HTML goes through here: names, labels and values come from people. */
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const namesOf = (value: string) =>
  value
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** The people the recipients name: active users, each once, never the `system` account. */
async function recipientsOf(db: Knex, recipients: ReportRecipient[]): Promise<Person[]> {
  const ids = new Set<number>();
  for (const r of recipients) {
    if (r.type === 'user') {
      const names = namesOf(r.value);
      if (names.length)
        for (const u of await db('users').whereIn('username', names).select('id')) ids.add(Number(u.id));
    } else if (r.type === 'group') {
      const keys = namesOf(r.value);
      if (keys.length)
        for (const m of await db('group_members as m')
          .join('groups as g', 'g.id', 'm.group_id')
          .whereIn('g.key', keys)
          .select('m.user_id'))
          ids.add(Number(m.user_id));
    } else if (r.type === 'role') {
      for (const id of await userIdsWithRole(db, r.value)) ids.add(Number(id));
    }
  }
  if (!ids.size) return [];
  const rows = await db('users')
    .whereIn('id', [...ids])
    .where({ active: true })
    .whereNot('username', 'system')
    .orderBy('id')
    .select('id', 'username', 'display_name', 'email', 'locale', 'roles');
  return rows.map((u: Record<string, unknown>) => ({
    actor: {
      userId: Number(u.id),
      username: String(u.username),
      displayName: String(u.display_name),
      roles: fromJson<Role[]>(u.roles) ?? [],
      locale: u.locale === 'en' ? 'en' : 'zh-CN',
      via: 'token',
    },
    email: typeof u.email === 'string' && u.email !== '' ? u.email : null,
  }));
}

async function buffer(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return Buffer.concat(chunks);
}

/** A report's refusal (a parameter that no longer fits, say) as an error naming the schedule. */
function failure(schedule: string, report: string, err: unknown): Error {
  if (err instanceof ReportError)
    return new Error(`schedule ${schedule}: report ${report} cannot run: ${err.localized.en}`);
  return err instanceof Error ? err : new Error(String(err));
}

const UNIT_MS = { ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * The cells of a run, as the engine's own export writes a run's rows: dimension values by their
 * names in the reader's language (time buckets as 2026-11-02), figures in the unit they are shown
 * in (durations in the measure's unit, ratios in percent), with the unit in the header.
 *
 * Why from a run and not from `exportReport`: for a report one aggregate query answers, the
 * export streams rows from the database cursor, and on MySQL that stream yields no rows (the
 * runtime's statement-retry wrapper in db/connect.ts always passes mysql2 a callback, which turns
 * its row events off) — and it writes group keys instead of names. A run is bounded by the
 * report's own limit and is what the recipient would see opening the report.
 */
function tableOf(def: ReportDefinition, run: RunResult): Omit<View, 'xlsx'> {
  const dims = run.columns.filter((c) => c.role === 'dimension');
  const measures = run.columns.filter((c) => c.role === 'measure');
  const unitOf = (key: string) => def.measures.find((m) => m.id === key)?.unit ?? 'h';
  const headers = [
    ...dims.map((c) => c.label),
    ...measures.map(
      (c) =>
        `${c.label}${c.format === 'duration' ? ` (${unitOf(c.key)})` : c.format === 'percent' ? ' (%)' : ''}`,
    ),
  ];
  const figure = (c: Column, v: Row[string] | undefined): ExportCell => {
    if (v === null || v === undefined) return null;
    if (typeof v !== 'number') return v;
    if (c.format === 'duration') return Math.round((v / UNIT_MS[unitOf(c.key)]) * 10_000) / 10_000;
    if (c.format === 'percent') return Math.round(v * 1_000_000) / 10_000;
    return v;
  };
  const rows = run.rows.slice(0, MAX_ROWS).map((row) => [
    ...dims.map((c) => {
      const v = row[c.key] ?? null;
      return c.granularity || v === null ? v : (run.labels[c.key]?.[String(v)] ?? v);
    }),
    ...measures.map((c) => figure(c, row[c.key])),
  ]);
  return { name: run.report.name, headers, rows };
}

/** The period the report covers, from its first date-range parameter, as local dates in its zone. */
function periodOf(
  def: ReportDefinition,
  params: Record<string, unknown>,
  now: number,
  zone: string,
): { from: string; to: string; label: string } | null {
  const resolved = resolveParams(def, params, { now, timeZone: zone });
  for (const p of def.params ?? []) {
    const v = resolved.get(p.key);
    if (!v || (v.type !== 'dateRange' && v.type !== 'date')) continue;
    const from = DateTime.fromMillis(v.range.from, { zone }).toISODate()!;
    const to = DateTime.fromMillis(v.range.to - 1, { zone }).toISODate()!;
    return { from, to, label: from === to ? from : `${from} – ${to}` };
  }
  return null;
}

const safeFileName = (s: string) =>
  s
    .replace(/[\\/:*?"<>|\r\n\t]+/g, '-')
    .trim()
    .slice(0, 120) || 'report';

function htmlOf(input: {
  locale: Locale;
  view: View;
  period: string | null;
  asOf: string;
  file: string | null;
  tooLarge: string | null;
  footer: string;
}): string {
  const { locale, view } = input;
  const colon = locale === 'en' ? ': ' : '：';
  const cell = (v: ExportCell) =>
    v === null
      ? '<td style="border:1px solid #d9d9d9;padding:4px 8px;color:#999">–</td>'
      : typeof v === 'number'
        ? `<td style="border:1px solid #d9d9d9;padding:4px 8px;text-align:right">${escapeHtml(String(v))}</td>`
        : `<td style="border:1px solid #d9d9d9;padding:4px 8px">${escapeHtml(v)}</td>`;
  const shown = view.rows.slice(0, HTML_MAX_ROWS);
  const lines = [
    '<!doctype html>',
    `<html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(view.name)}</title></head>`,
    "<body style=\"font-family:-apple-system,'Segoe UI','PingFang SC','Microsoft YaHei',sans-serif;font-size:14px;color:#222\">",
    `<h2 style="margin:0 0 8px">${escapeHtml(view.name)}</h2>`,
    `<p style="margin:0 0 12px;color:#555">${
      input.period
        ? `${escapeHtml(translate(locale, 'scheduledReport.period'))}${colon}${escapeHtml(input.period)} · `
        : ''
    }${escapeHtml(translate(locale, 'scheduledReport.asOf'))}${colon}${escapeHtml(input.asOf)}</p>`,
  ];
  if (!view.rows.length) lines.push(`<p>${escapeHtml(translate(locale, 'scheduledReport.empty'))}</p>`);
  else {
    lines.push(
      '<table style="border-collapse:collapse;border:1px solid #d9d9d9">',
      `<thead><tr>${view.headers
        .map(
          (h) =>
            `<th style="border:1px solid #d9d9d9;padding:4px 8px;background:#fafafa;text-align:left">${escapeHtml(h)}</th>`,
        )
        .join('')}</tr></thead>`,
      '<tbody>',
      ...shown.map((r) => `<tr>${r.map(cell).join('')}</tr>`),
      '</tbody></table>',
    );
    if (view.rows.length > shown.length)
      lines.push(
        `<p>${escapeHtml(translate(locale, 'scheduledReport.truncated', { shown: shown.length, total: view.rows.length }))}</p>`,
      );
  }
  if (input.file)
    lines.push(`<p>${escapeHtml(translate(locale, 'scheduledReport.attached', { file: input.file }))}</p>`);
  if (input.tooLarge) lines.push(`<p style="color:#cf1322">${escapeHtml(input.tooLarge)}</p>`);
  lines.push(
    `<p style="margin-top:16px;color:#888;font-size:12px">${escapeHtml(input.footer)}</p>`,
    '</body></html>',
  );
  return lines.join('\n');
}

function textOf(input: {
  locale: Locale;
  view: View;
  period: string | null;
  asOf: string;
  file: string | null;
  tooLarge: string | null;
  footer: string;
}): string {
  const { locale, view } = input;
  const colon = locale === 'en' ? ': ' : '：';
  const out = [view.name];
  if (input.period) out.push(`${translate(locale, 'scheduledReport.period')}${colon}${input.period}`);
  out.push(`${translate(locale, 'scheduledReport.asOf')}${colon}${input.asOf}`, '');
  if (!view.rows.length) out.push(translate(locale, 'scheduledReport.empty'));
  else {
    out.push(view.headers.join(' | '));
    for (const r of view.rows.slice(0, HTML_MAX_ROWS))
      out.push(r.map((v) => (v === null ? '–' : String(v))).join(' | '));
    if (view.rows.length > HTML_MAX_ROWS)
      out.push(
        translate(locale, 'scheduledReport.truncated', { shown: HTML_MAX_ROWS, total: view.rows.length }),
      );
  }
  out.push('');
  if (input.file) out.push(translate(locale, 'scheduledReport.attached', { file: input.file }));
  if (input.tooLarge) out.push(input.tooLarge);
  out.push(input.footer);
  return out.join('\n');
}

/**
 * Reads everything one occurrence sends: the report as each recipient may see it, rendered in
 * their language. Writes nothing; `queuePrepared` writes the messages in the claim's transaction.
 * `scheduledFor` is the report's "now", so a caught-up run still reports the period it was for.
 */
export async function prepareScheduledReport(
  services: Pick<Services, 'db' | 'config' | 'log'>,
  schedule: Pick<ScheduleDefinition, 'key' | 'name'> & { action: EmailReportAction },
  scheduledFor: number,
): Promise<PreparedReport> {
  const { db, config } = services;
  const action = schedule.action;
  const version = await currentVersion(db, 'report', action.report);
  if (version === null) throw new Error(`schedule ${schedule.key}: report ${action.report} is not published`);
  const row = await db('definition_versions')
    .where({ kind: 'report', key: action.report, version })
    .first('body');
  const def = row ? fromJson<ReportDefinition>(row.body) : null;
  if (!def) throw new Error(`schedule ${schedule.key}: report ${action.report} is not published`);
  const params = action.params ?? {};
  const zone = def.timeZone ?? config.housekeeping.timeZone;
  let period: ReturnType<typeof periodOf>;
  try {
    period = periodOf(def, params, scheduledFor, zone);
  } catch (err) {
    throw failure(schedule.key, action.report, err);
  }

  const views = new Map<string, Promise<View>>();
  const viewFor = (actor: Actor): Promise<View> => {
    // Admins and managers see every record: one run per language serves all of them.
    const id = `${seesEverything(actor) ? 'all' : `user:${actor.userId}`}|${actor.locale}`;
    let view = views.get(id);
    if (!view) {
      view = (async () => {
        try {
          const ctx = await engineContext(services, { actor }, actor.locale, scheduledFor);
          const table = tableOf(def, await runReport(def, params, ctx, { version }));
          const xlsx = await buffer(
            xlsxStream({ headers: table.headers, rows: table.rows, title: table.name }),
          );
          return { ...table, xlsx };
        } catch (err) {
          throw failure(schedule.key, action.report, err);
        }
      })();
      views.set(id, view);
    }
    return view;
  };

  const prepared: PreparedReport = {
    schedule: schedule.key,
    report: { key: action.report, version },
    messages: [],
    skipped: [],
    withoutFile: [],
  };
  const sentTo = new Set<string>();
  for (const person of await recipientsOf(db, action.recipients)) {
    const { actor } = person;
    if (!mayRun(def, actor)) {
      prepared.skipped.push({ user: actor.username, reason: 'may-not-run' });
      continue;
    }
    if (!person.email) {
      prepared.skipped.push({ user: actor.username, reason: 'no-email' });
      continue;
    }
    if (sentTo.has(person.email.toLowerCase())) continue;
    sentTo.add(person.email.toLowerCase());
    // One at a time: on SQLite a report's stream holds the one connection while it is read.
    const view = await viewFor(actor);
    const locale = actor.locale;
    const staff = actor.roles.some((r) => r !== 'user');
    const link = `${config.publicUrl}/${staff ? 'workspace' : 'portal'}`;
    const asOf = DateTime.fromMillis(scheduledFor, { zone }).toFormat('yyyy-MM-dd HH:mm');
    const scheduleName = localize(schedule.name, locale);
    const fileName = `${safeFileName(view.name)}${period ? `-${period.from}` : ''}.xlsx`;
    const fits =
      attachmentBytes([{ filename: fileName, contentType: '', content: view.xlsx }]) <= MAX_ATTACHMENT_BYTES;
    if (!fits) prepared.withoutFile.push(actor.username);
    const parts = {
      locale,
      view,
      period: period?.label ?? null,
      asOf,
      file: fits ? fileName : null,
      tooLarge: fits
        ? null
        : translate(locale, 'scheduledReport.tooLarge', {
            size: (view.xlsx.length / 1024 / 1024).toFixed(1),
            limit: MAX_ATTACHMENT_BYTES / 1024 / 1024,
          }),
      footer: translate(locale, 'scheduledReport.footer', { schedule: scheduleName, link }),
    };
    const subject = action.subject
      ? (
          await renderTemplate(
            localize(action.subject, locale),
            {
              report: { key: action.report, name: view.name },
              period,
              date: DateTime.fromMillis(scheduledFor, { zone }).toISODate(),
              schedule: { key: schedule.key, name: scheduleName, scheduledFor },
              recipient: { username: actor.username, displayName: actor.displayName, locale },
            },
            { locale },
          )
        ).trim()
      : period
        ? `${view.name} · ${period.label}`
        : view.name;
    prepared.messages.push({
      to: person.email,
      username: actor.username,
      subject: subject.slice(0, 300) || view.name,
      text: textOf(parts),
      html: htmlOf(parts),
      locale,
      source: `schedule:${schedule.key}`,
      recordId: null,
      schedule: schedule.key,
      attachments: fits ? [{ filename: fileName, contentType: CONTENT_TYPES.xlsx, content: view.xlsx }] : [],
    });
  }
  if (prepared.skipped.length)
    services.log.info(
      { schedule: schedule.key, report: action.report, skipped: prepared.skipped },
      'scheduled report: recipients skipped',
    );
  return prepared;
}

/** Writes the prepared messages into the outbox, in the transaction that claimed the occurrence. */
export async function queuePrepared(
  trx: Knex,
  services: Pick<Services, 'config'>,
  prepared: PreparedReport,
): Promise<Record<string, unknown>> {
  for (const m of prepared.messages) await queueEmail(trx, services.config, m);
  return {
    report: prepared.report.key,
    version: prepared.report.version,
    sent: prepared.messages.map((m) => m.username),
    skipped: prepared.skipped,
    ...(prepared.withoutFile.length ? { withoutFile: prepared.withoutFile } : {}),
  };
}
