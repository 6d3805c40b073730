import { Cron } from 'croner';
import { REPORT_ROLES } from '../../schemas/report.ts';
import { type Checker, list, record, str } from '../checker.ts';
import { child } from '../pointer.ts';
import { checkFieldValues } from './actions.ts';
import { paramValueProblem } from './report.ts';
import { checkNoSecrets } from './secrets.ts';
import { checkTimeZone, isValidTimeZone } from './time-zone.ts';

/**
 * Cron syntax and ranges are judged by croner (the library the runtime schedules with),
 * after our own field count: Opsloom accepts 5 fields, or 6 with seconds first, and no
 * nicknames, so every admin reads the same notation.
 */
export function checkSchedule(c: Checker, def: Record<string, unknown>): void {
  checkTimeZone(c, def.timeZone, '/timeZone');
  checkCron(c, def.cron, str(def.timeZone));
  const action = record(def.action);
  if (action.type === 'createRecord') {
    c.reference('form', action.form, '/action/form');
    checkFieldValues(c, action.values, '/action/values', str(action.form));
    c.template('/action/title', action.title);
    checkNoSecrets(c, '/action/title', action.title);
  } else if (action.type === 'runRule') {
    c.reference('rule', action.rule, '/action/rule');
  } else if (action.type === 'emailReport') {
    checkEmailReport(c, action);
  }
}

/**
 * A scheduled report: the report must be published, its params known to it and of the right
 * type, and at least one person, group or role must receive it (each one existing).
 */
function checkEmailReport(c: Checker, action: Record<string, unknown>): void {
  c.reference('report', action.report, '/action/report');
  const report = str(action.report);
  const declared = report ? c.refs.reportParams(report) : null;
  if (Array.isArray(declared)) {
    for (const [key, value] of Object.entries(record(action.params))) {
      const path = child('/action/params', key);
      const param = declared.find((p) => p.key === key);
      if (!param) {
        c.add('schedule.report.param', path, {
          report: report!,
          param: key,
          allowed: declared.map((p) => p.key).join(', ') || '–',
        });
        continue;
      }
      const reason = value === null ? undefined : paramValueProblem(param.type, value);
      if (reason)
        c.add('schedule.report.param.value', path, { report: report!, param: key, type: param.type, reason });
    }
  }
  const recipients = list(action.recipients);
  if (Array.isArray(action.recipients) && recipients.length === 0)
    c.add('schedule.report.recipients', '/action/recipients');
  recipients.forEach((raw, i) => {
    const r = record(raw);
    const valuePath = child('/action/recipients', i, 'value');
    if (typeof r.value !== 'string') return;
    const names = r.value
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    if (r.type === 'user') for (const name of names) c.user(name, valuePath);
    else if (r.type === 'group') for (const key of names) c.group(key, valuePath);
    else if (r.type === 'role' && !(REPORT_ROLES as readonly string[]).includes(r.value))
      c.add('schedule.report.role', valuePath, { role: r.value, allowed: REPORT_ROLES.join(', ') });
  });
  c.template('/action/subject', action.subject);
  checkNoSecrets(c, '/action/subject', action.subject);
}

function checkCron(c: Checker, cron: unknown, zone: string | undefined): void {
  if (typeof cron !== 'string' || cron === '') return;
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    c.add('schedule.cron', '/cron', {
      cron,
      detail: {
        'zh-CN': `应为 5 段（分 时 日 月 周）或 6 段（秒在最前），实际 ${fields.length} 段`,
        en: `expected 5 fields (minute hour day month weekday) or 6 (seconds first), got ${fields.length}`,
      },
    });
    return;
  }
  let job: Cron | undefined;
  try {
    job = new Cron(cron, { paused: true, timezone: zone && isValidTimeZone(zone) ? zone : undefined });
    if (job.nextRun() == null) c.add('schedule.cron.never', '/cron', { cron });
  } catch (error) {
    const detail = error instanceof Error ? error.message.replace(/^CronPattern:\s*/, '') : String(error);
    c.add('schedule.cron', '/cron', { cron, detail });
  } finally {
    job?.stop();
  }
}
