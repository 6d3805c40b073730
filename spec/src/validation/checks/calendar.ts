import { type I18nText, type LocalizedMessage, localize } from '../../i18n.ts';
import { WEEKDAYS } from '../../schemas/calendar.ts';
import { type Checker, list, record, str } from '../checker.ts';
import { child } from '../pointer.ts';
import { checkTimeZone } from './time-zone.ts';

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

function minutes(time: unknown): number | undefined {
  const m = typeof time === 'string' ? TIME.exec(time) : null;
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

export function checkCalendar(c: Checker, def: Record<string, unknown>): void {
  checkTimeZone(c, def.timeZone, '/timeZone');
  const week = record(def.week);
  for (const day of WEEKDAYS) checkIntervals(c, week[day], child('/week', day));
  checkIntervals(c, def.workdayHours, '/workdayHours');

  const hasHours = WEEKDAYS.some((d) => list(week[d]).length > 0);
  if (!hasHours && list(def.workdays).length === 0) c.add('calendar.week.empty', '/week');

  const holidays: { from: string; to: string; name: LocalizedMessage }[] = [];
  list(def.holidays).forEach((raw, i) => {
    const h = record(raw);
    const date = str(h.date);
    if (!date) return;
    const to = str(h.to) ?? date;
    // ISO dates compare correctly as strings.
    if (to < date) c.add('calendar.holiday.range', child('/holidays', i, 'to'), { date, to });
    const name = h.name === undefined ? { 'zh-CN': date, en: date } : bilingual(h.name);
    holidays.push({ from: date, to, name });
  });
  list(def.workdays).forEach((raw, i) => {
    const date = str(record(raw).date);
    const clash = date && holidays.find((h) => h.from <= date && date <= h.to);
    if (clash)
      c.add('calendar.workday.holiday', child('/workdays', i, 'date'), { date, holiday: clash.name });
  });
}

/** `to <= from` runs past midnight, so such an interval ends at to + 24h. */
function checkIntervals(c: Checker, value: unknown, path: string): void {
  const spans = list(value)
    .map((raw, index) => {
      const r = record(raw);
      const from = minutes(r.from);
      const to = minutes(r.to);
      if (from === undefined || to === undefined) return undefined;
      return { index, from, to: to <= from ? to + 1440 : to, text: `${r.from}–${r.to}` };
    })
    .filter((s) => s !== undefined)
    .sort((a, b) => a.from - b.from);
  for (let i = 1; i < spans.length; i++) {
    const prev = spans[i - 1];
    const cur = spans[i];
    if (prev && cur && cur.from < prev.to) {
      c.add(
        'calendar.interval.overlap',
        child(path, cur.index),
        { interval: cur.text, other: prev.text },
        path,
      );
    }
  }
}

function bilingual(text: unknown): LocalizedMessage {
  const t = text as I18nText;
  return { 'zh-CN': localize(t, 'zh-CN'), en: localize(t, 'en') };
}
