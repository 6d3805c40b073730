import { Cron } from 'croner';
import { type Checker, record, str } from '../checker.ts';
import { checkFieldValues } from './actions.ts';
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
  }
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
