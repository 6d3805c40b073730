import fs from 'node:fs';
import { type CalendarDefinition, validateDefinition } from '@opsloom/spec';

/**
 * Calendars for the business-time tests and benchmark: the shipped ones, read from the plugin so
 * a change there shows up here, and small hand-made ones. Every one must pass the validator, so
 * the tests only ever exercise definitions the runtime could actually be given.
 */

export function shippedCalendar(key: 'cal-5x8' | 'cal-7x24' | 'cal-cn-2026'): CalendarDefinition {
  const url = new URL(`../../../plugins/itil-calendars/calendars/${key}.json`, import.meta.url);
  return valid(JSON.parse(fs.readFileSync(url, 'utf8')));
}

export function calendar(
  timeZone: string,
  rest: Partial<Omit<CalendarDefinition, 'kind' | 'key' | 'name' | 'timeZone'>>,
): CalendarDefinition {
  return valid({ kind: 'calendar', key: 'cal-test', name: 'test', timeZone, week: {}, ...rest });
}

export function valid(def: unknown): CalendarDefinition {
  const result = validateDefinition(def);
  if (!result.ok) throw new Error(`invalid calendar: ${JSON.stringify(result.problems)}`);
  return def as CalendarDefinition;
}
