import type { CalendarDefinition, SlaDefinition } from '@opsloom/spec';
import type { Knex } from 'knex';
import { fromJson } from '../db/json.ts';
import { currentOfKind, latestPublished } from '../definitions/current.ts';
import { type BusinessCalendar, compileCalendar } from '../time/index.ts';

// Published versions never change: SLA definitions and compiled calendars are cached by key@version.
const slaCache = new Map<string, SlaDefinition>();
const calendarCache = new Map<string, BusinessCalendar>();

async function versionBody<T>(db: Knex, kind: string, key: string, version: number): Promise<T | null> {
  const row = await db('definition_versions').where({ kind, key, version }).first('body');
  return row ? fromJson<T>(row.body) : null;
}

export async function slaVersion(db: Knex, key: string, version: number): Promise<SlaDefinition | null> {
  const id = `${key}@${version}`;
  if (!slaCache.has(id)) {
    const def = await versionBody<SlaDefinition>(db, 'sla', key, version);
    if (!def) return null;
    slaCache.set(id, def);
  }
  return slaCache.get(id)!;
}

/** The SLAs new clocks start on: the latest published, non-retired version of each. */
export async function currentSlas(db: Knex): Promise<{ def: SlaDefinition; version: number }[]> {
  const out = [];
  for (const s of await currentOfKind(db, 'sla')) {
    const def = await slaVersion(db, s.key, s.version);
    if (def) out.push({ def, version: s.version });
  }
  return out;
}

/** A calendar keeps counting after it is retired: SLAs that name it still need it. */
export const currentCalendarVersion = (db: Knex, key: string): Promise<number | null> =>
  latestPublished(db, 'calendar', key);

/** The calendar of per-step deadlines (OLA `dueIn`): every hour of every day. */
export const WALL_CLOCK = '';
const ALL_DAY = [{ from: '00:00', to: '00:00' }];
const wallClock = compileCalendar({
  kind: 'calendar',
  key: 'wall-clock',
  name: 'wall clock',
  timeZone: 'UTC',
  week: { mon: ALL_DAY, tue: ALL_DAY, wed: ALL_DAY, thu: ALL_DAY, fri: ALL_DAY, sat: ALL_DAY, sun: ALL_DAY },
} as CalendarDefinition);

export async function calendarAt(db: Knex, key: string, version: number): Promise<BusinessCalendar> {
  if (key === WALL_CLOCK) return wallClock;
  const id = `${key}@${version}`;
  let cal = calendarCache.get(id);
  if (!cal) {
    const def = await versionBody<CalendarDefinition>(db, 'calendar', key, version);
    if (!def) throw new Error(`calendar ${id} is not published`);
    cal = compileCalendar(def);
    calendarCache.set(id, cal);
  }
  return cal;
}
