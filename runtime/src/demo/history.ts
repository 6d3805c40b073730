import { type CalendarDefinition, localize, renderTemplate, type ScheduleDefinition } from '@opsloom/spec';
import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import type { Services } from '../context.ts';
import { currentBodies } from '../definitions/current.ts';
import { HOUSEKEEPING } from '../schedules/scheduler.ts';
import { computeScheduleValues } from '../schedules/values.ts';
import { type BusinessCalendar, businessMsBetween, compileCalendar } from '../time/index.ts';
import {
  BOOTSTRAP_REQUESTER_DEPTS,
  DEMO_REQUESTERS,
  DEPT_MANAGER,
  type Department,
  ensureDemoRequesters,
} from './people.ts';
import { Random } from './random.ts';
import type { RecState, World } from './replay.ts';
import { ReplaySession } from './session.ts';
import {
  changeStory,
  type Env,
  incidentStory,
  inspectionStory,
  type Requester,
  type RequestPlan,
  releaseStory,
  requestStory,
  type Storm,
  type Story,
} from './stories.ts';

/**
 * The demo's history: about ninety days of tickets ending now, so a manager's dashboards, the
 * queues and the SLA views have something real to show on a first start (`pnpm start`).
 *
 * Tickets of every installed shipped type arrive in office-hour patterns of the installation's
 * zone (weekdays, holidays and make-up days of its working calendar): incidents mostly, service
 * requests through their catalog items, changes, releases, a daily inspection from its schedule,
 * problems raised from incidents (and two outage storms that one problem explains). Each one is
 * worked as people work (stories.ts) and replayed through an in-memory copy of the engine
 * (replay.ts), in time order across all tickets, with the SLA checker's passes, the rules that
 * change records, due timers and the daily housekeeping in between. The rows are then written
 * in bulk: a few multi-row inserts per table, in one transaction per batch of settled records.
 *
 * Ids: the records, instances, tokens and tasks take theirs from `reserveIds` (MySQL: whole id
 * blocks, never handed to a runtime; SQLite: after the tables' largest, counted on in memory —
 * nothing else may write these tables meanwhile, which holds at start-up before the server
 * listens). Record numbers continue `record_sequences`, which is moved past them.
 *
 * Deterministic: the same seed, `now` and database give the same tickets, times and people.
 */

export interface HistoryOptions {
  /** Tickets people raise (incidents, requests, changes, releases); problems and inspections come on top. */
  tickets?: number;
  /** Days of history, ending at `now`. */
  days?: number;
  seed?: number;
  /** The end of the history (default: now). */
  now?: number;
  /** Only these types (a benchmark loads incidents only). */
  types?: HistoryType[];
  /** Settled records kept in memory before a batch is written (bounds memory on big loads). */
  batchRecords?: number;
  /** Where progress lines go (large loads). */
  progress?: (line: string) => void;
}

export const HISTORY_TYPES = ['incident', 'service-request', 'change', 'release', 'inspection'] as const;
export type HistoryType = (typeof HISTORY_TYPES)[number];

export interface HistorySummary {
  records: number;
  open: number;
  byType: Record<string, number>;
  rows: Record<string, number>;
  ms: number;
  /** Where the time went: creating the demo requesters, replaying, writing (ms). */
  phases: { people: number; replay: number; write: number };
  /** Stories a step of which the replay refused (a bug in the stories: the tests expect none). */
  refused: string[];
}

export const DEFAULT_TICKETS = 3000;
export const DEFAULT_DAYS = 90;
export const DEFAULT_SEED = 20_261_207;

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** What the shipped flows route to: without these groups the history has nobody to work it. */
const NEEDED_GROUPS = ['service-desk', 'second-line', 'network', 'dc-ops', 'cab'];

// ---------------------------------------------------------------------------------- time pattern

/** "M H * * *" (the shipped schedules' and housekeeping's form): the daily local time, else null. */
function dailyAt(cron: string): { hour: number; minute: number } | null {
  const m = /^(\d{1,2}) (\d{1,2}) \* \* \*$/.exec(cron.trim());
  return m ? { minute: Number(m[1]), hour: Number(m[2]) } : null;
}

/** Every occurrence of a daily local time in [from, to). */
function dailyOccurrences(
  zone: string,
  at: { hour: number; minute: number },
  from: number,
  to: number,
): number[] {
  const out: number[] = [];
  let day = DateTime.fromMillis(from, { zone }).startOf('day');
  for (;;) {
    const t = day.set({ hour: at.hour, minute: at.minute }).toMillis();
    if (t >= to) return out;
    if (t >= from) out.push(t);
    day = day.plus({ days: 1 });
  }
}

/** Relative arrival rate per local hour of a working day: the morning and afternoon peaks. */
const HOURLY = [
  2, 1, 1, 1, 1, 2, 4, 10, 45, 150, 185, 160, 65, 120, 170, 160, 140, 100, 45, 25, 15, 10, 6, 3,
];

/** Arrival instants drawn from office-hour weights over [start, now): busy weekdays, quiet weekends and holidays. */
class Arrivals {
  private slots: number[] = [];
  private cumulative: number[] = [];
  private total = 0;

  constructor(zone: string, work: BusinessCalendar, start: number, now: number, quietDay: number) {
    let day = DateTime.fromMillis(start, { zone }).startOf('day');
    const days = Math.max(1, (now - start) / DAY);
    while (day.toMillis() < now) {
      const dayStart = day.toMillis();
      const dayEnd = day.plus({ days: 1 }).toMillis();
      const working = businessMsBetween(work, dayStart, dayEnd) > 0;
      // Mondays bring the weekend's backlog; the load grows a little over the period.
      const dayWeight =
        (working ? (day.weekday === 1 ? 1.15 : 1) : quietDay) *
        (1 + (0.15 * (dayStart - start)) / (days * DAY));
      for (let h = 0; h < 24; h++) {
        const t = day.set({ hour: h }).toMillis();
        if (t + HOUR <= start || t >= now) continue;
        this.slots.push(t);
        this.total += dayWeight * HOURLY[h]!;
        this.cumulative.push(this.total);
      }
      day = day.plus({ days: 1 });
    }
  }

  draw(rnd: Random, start: number, now: number): number {
    const r = rnd.next() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid]! <= r) lo = mid + 1;
      else hi = mid;
    }
    const t = this.slots[lo]! + Math.floor(rnd.next() * HOUR);
    return Math.min(now - 1, Math.max(start, t));
  }
}

/** The installation's working calendar for when people work: the China calendar if installed, else 5×8. */
function workingCalendar(world: World, zone: string): BusinessCalendar {
  for (const key of ['cal-cn-2026', 'cal-5x8']) {
    const v = world.calendarVersions.get(key);
    if (v !== undefined) return world.calendars.get(`${key}@${v}`)!;
  }
  const hours = [
    { from: '09:00', to: '12:00' },
    { from: '13:00', to: '18:00' },
  ];
  return compileCalendar({
    kind: 'calendar',
    key: 'demo-work',
    name: 'demo',
    timeZone: zone,
    week: { mon: hours, tue: hours, wed: hours, thu: hours, fri: hours },
  } as CalendarDefinition);
}

// ------------------------------------------------------------------------------------- the load

/**
 * Whether the demo history can be loaded here: an empty database — no records, and no history
 * loaded before (its housekeeping runs are written even when no shipped type is installed, and a
 * second start would write them again) — with the demo groups and one of the shipped types.
 */
async function readiness(db: Knex): Promise<string | null> {
  if (await db('records').first('id')) return 'the database already has records';
  if (await db('schedule_runs').where({ key: HOUSEKEEPING }).first('key'))
    return 'the demo history was loaded before';
  const types: readonly string[] = HISTORY_TYPES;
  if (!(await currentBodies(db, 'form')).some((f) => types.includes(f.key)))
    return 'none of the shipped record types is installed';
  const groups = (await db('groups').whereIn('key', NEEDED_GROUPS).select('key')).map(
    (g: { key: string }) => g.key,
  );
  const missing = NEEDED_GROUPS.filter((g) => !groups.includes(g));
  if (missing.length) return `the demo groups are missing (${missing.join(', ')})`;
  return null;
}

/**
 * Loads the demo history on an empty database: nothing (null) if it has records already, or the
 * demo groups the shipped flows route to are missing. `password` is the demo users' (the extra
 * requesters get it too).
 */
export async function loadDemoHistory(
  services: Services,
  password: string,
  opts: HistoryOptions = {},
): Promise<HistorySummary | null> {
  const started = performance.now();
  const { db, config } = services;
  const notReady = await readiness(db);
  if (notReady) {
    services.log.info({ reason: notReady }, 'demo history not loaded');
    return null;
  }
  await ensureDemoRequesters(services, password);
  const peopleDone = performance.now();
  const tickets = Math.max(0, Math.round(opts.tickets ?? DEFAULT_TICKETS));
  const days = opts.days ?? DEFAULT_DAYS;
  const now = opts.now ?? Date.now();
  const start = now - Math.round(days * DAY);
  const zone = config.housekeeping.timeZone;
  const rnd = new Random(opts.seed ?? DEFAULT_SEED);
  const session = await ReplaySession.open(services, { seed: opts.seed ?? DEFAULT_SEED });
  const { replay, world } = session;
  const installed = (type: HistoryType) =>
    (!opts.types || opts.types.includes(type)) && world.forms.has(type);

  // People.
  const members = (key: string) =>
    (world.members.get(world.groupIds.get(key) ?? -1) ?? [])
      .map((id) => world.people.get(id)!)
      .filter((p) => p.roles.includes('agent') || p.roles.includes('manager'));
  const staff = {
    desk: members('service-desk'),
    second: members('second-line'),
    network: members('network'),
    dc: members('dc-ops'),
    cab: members('cab'),
    managers: [...world.people.values()].filter((p) => p.active && p.roles.includes('manager')),
  };
  const deptOf = new Map<string, Department>([
    ...Object.entries(BOOTSTRAP_REQUESTER_DEPTS),
    ...DEMO_REQUESTERS.map((p) => [p.username, p.dept] as [string, Department]),
  ]);
  const requesters: Requester[] = [];
  for (const [username, dept] of deptOf) {
    const person = world.byName.get(username);
    if (!person?.active) continue;
    const weight =
      username === 'zhaolei' ? 1.6 : username === 'alice' ? 1.3 : person.roles.includes('manager') ? 0.5 : 1;
    requesters.push({ person, dept, weight });
  }
  const developers = requesters
    .filter((r) => r.dept === 'rd' && !r.person.roles.includes('manager'))
    .map((r) => r.person);
  const work = workingCalendar(world, zone);

  const queue = session.queue;
  const owners = new Map<Story, RecState[]>();
  let current: Story | null = null;
  const refused: string[] = [];
  const env: Env = {
    replay,
    at: start,
    now,
    work,
    zone,
    staff,
    requesters,
    developers,
    managerOf(dept, requester) {
      const m = DEPT_MANAGER[dept];
      const ok = (name: string) =>
        world.byName.get(name)?.roles.includes('manager') && name !== requester.username;
      if (ok(m)) return m;
      return ok('chenjing')
        ? 'chenjing'
        : (staff.managers.find((p) => p.username !== requester.username)?.username ?? 'chenjing');
    },
    spawn(story, at) {
      schedule(story, at);
    },
    own(rec) {
      if (current) owners.get(current)?.push(rec);
    },
  };
  const schedule = (story: Story, at: number) => {
    if (!owners.has(story)) owners.set(story, []);
    queue.push(at, async () => {
      env.at = at;
      current = story;
      try {
        const step = await story.next();
        if (step.done) finish(story);
        else schedule(story, Math.max(step.value, at));
      } catch (err) {
        // A step the replay refused: the ticket stays as the steps before left it.
        refused.push(err instanceof Error ? err.message : String(err));
        finish(story);
      } finally {
        current = null;
      }
    });
  };
  const finish = (story: Story) => {
    for (const rec of owners.get(story) ?? []) rec.storyDone = true;
    owners.delete(story);
  };

  // Who asks for what, and when.
  const pickRequester = (r: Random, pool = requesters) => r.weighted(pool.map((x) => [x, x.weight] as const));
  const arrivals = new Arrivals(zone, work, start, now, 0.14);
  const shares: [HistoryType, number][] = [
    ['incident', 0.62],
    ['service-request', 0.32],
    ['change', 0.045],
    ['release', 0.015],
  ];
  const enabled = shares.filter(([type]) => installed(type));
  const totalShare = enabled.reduce((s, [, w]) => s + w, 0);
  let n = 0;
  for (const [type, share] of enabled) {
    const count = Math.round((tickets * share) / totalShare);
    for (let i = 0; i < count; i++, n++) {
      const r = rnd.fork(n + 1);
      const at = arrivals.draw(r, start, now);
      if (type === 'incident') schedule(incidentStory(env, r, { at, requester: pickRequester(r) }), at);
      else if (type === 'service-request') {
        const item = r.weighted([
          ['password-reset', 34],
          ['access-request', 26],
          ['software-install', 28],
          ['onboarding', 12],
        ] as const) as RequestPlan['item'];
        const pool =
          item === 'onboarding' ? requesters.filter((x) => x.person.roles.includes('manager')) : requesters;
        if (!pool.length) continue;
        schedule(requestStory(env, r, { at, requester: pickRequester(r, pool), item }), at);
      } else if (type === 'change') {
        if (staff.network.length && staff.dc.length && staff.cab.length)
          schedule(changeStory(env, r, { at }), at);
      } else if (type === 'release' && developers.length) schedule(releaseStory(env, r, { at }), at);
    }
  }
  // Two outages that one problem explains: a burst of incidents about one service.
  if (installed('incident') && world.forms.has('problem') && tickets >= 200) {
    const outages: Omit<Storm, 'problem' | 'fixedAt'>[] = [
      { category: 'network', service: 'VPN', title: 'VPN 全部断开，无法远程办公' },
      { category: 'software', service: 'ERP', title: 'ERP 系统打不开，提示 502 错误' },
    ];
    outages.forEach((o, k) => {
      const r = rnd.fork(900_001 + k);
      const at = arrivals.draw(r, start + 10 * DAY, now - 20 * DAY > start + 10 * DAY ? now - 20 * DAY : now);
      const storm: Storm = { ...o, problem: null, fixedAt: null };
      const size = Math.max(4, Math.round(Math.min(20, tickets / 150)));
      for (let i = 0; i < size; i++) {
        const ri = r.fork(i + 1);
        const when = at + (i === 0 ? 0 : Math.floor(ri.logNormal(20, 0.8) * MIN));
        if (when >= now) continue;
        schedule(
          incidentStory(env, ri, { at: when, requester: pickRequester(ri), storm, leader: i === 0 }),
          when,
        );
      }
    });
  }
  // The daily inspection, from its schedule.
  if (installed('inspection')) {
    for (const s of await currentBodies<ScheduleDefinition>(db, 'schedule')) {
      const action = s.def.action;
      if (s.def.enabled === false || action.type !== 'createRecord' || action.form !== 'inspection') continue;
      const daily = dailyAt(s.def.cron);
      if (!daily) continue;
      let k = 0;
      for (const at of dailyOccurrences(s.def.timeZone ?? zone, daily, start, now)) {
        const context = { now: at, schedule: { key: s.def.key, scheduledFor: at } };
        const data = computeScheduleValues(action.values, context);
        const titleField = world.forms.get('inspection')?.def.titleField ?? 'title';
        if (action.title && data[titleField] === undefined)
          data[titleField] = await renderTemplate(localize(action.title, 'zh-CN'), context);
        schedule(inspectionStory(env, rnd.fork(700_000 + k++), { at, schedule: s.def.key, data }), at);
      }
    }
  }

  // Housekeeping, daily: auto-close and auto-rate; then what has settled may be written out.
  const batch = Math.max(1000, opts.batchRecords ?? 20_000);
  let settled: RecState[] = [];
  const housekeeping = dailyAt(config.housekeeping.cron);
  if (housekeeping)
    for (const at of dailyOccurrences(config.housekeeping.timeZone, housekeeping, start, now))
      queue.push(at, async () => {
        replay.housekeeping(at, config.housekeeping);
        // Settled: nothing can change it any more, so it leaves the replay to be written.
        const done = [...replay.records.values()].filter((rec) => replay.settled(rec));
        session.retire(done);
        settled.push(...done);
        if (settled.length >= batch) {
          const out = settled;
          settled = [];
          await session.write(out);
          opts.progress?.(`  … ${(session.counts.records ?? 0).toLocaleString('en')} records written`);
        }
      });

  await session.runUntil(now);

  // Everything else as it stands now: settled or open.
  const rest = [...settled, ...replay.records.values()];
  const open = rest.filter((r) => r.closedAt === null).length;
  const byType: Record<string, number> = {};
  await session.write(rest);
  const written = (await db('records').select('type').count({ n: '*' }).groupBy('type')) as {
    type: string;
    n: number;
  }[];
  for (const w of written) byType[w.type] = Number(w.n);
  const ms = Math.round(performance.now() - started);
  const counts = session.counts;
  const phases = {
    people: Math.round(peopleDone - started),
    replay: Math.round(performance.now() - peopleDone - session.writeMs),
    write: Math.round(session.writeMs),
  };
  const summary: HistorySummary = {
    records: counts.records ?? 0,
    open,
    byType,
    rows: counts,
    ms,
    phases,
    refused,
  };
  services.log.info(
    {
      records: summary.records,
      open,
      byType,
      ms,
      phases,
      rows: counts,
      refused: refused.length,
      seed: opts.seed ?? DEFAULT_SEED,
    },
    'demo history loaded',
  );
  if (refused.length) services.log.warn({ refused: refused.slice(0, 20) }, 'demo history: steps refused');
  return summary;
}
