import {
  type Built,
  decodeCell,
  drillRecordIds,
  type EngineContext,
  type ExportResult,
  exportReport,
  type LabelKind,
  ReportError,
  type RunResult,
  runReport,
} from '@opsloom/reports';
import {
  type FormDefinition,
  type I18nText,
  type ProcessDefinition,
  type ReportDefinition,
  type SlaDefinition,
  SYSTEM_STATUSES,
  statusesOf,
} from '@opsloom/spec';
import type { Knex } from 'knex';
import { catalogItemNames } from '../catalog/items.ts';
import type { Actor, Role, Services } from '../context.ts';
import { dialectOf } from '../db/connect.ts';
import { fromJson } from '../db/json.ts';
import { streamRows } from '../db/read-stream.ts';
import { currentBodies, currentVersion, latestPublished } from '../definitions/current.ts';
import { ApiError, notFound } from '../http/errors.ts';
import type { FieldProblem } from '../http/validate.ts';
import type { Locale } from '../i18n/translate.ts';
import { loadForm } from '../records/forms.ts';
import { scopeToVisible } from '../records/visibility.ts';
import { calendarAt, currentCalendarVersion } from '../sla/definitions.ts';
import { businessMsBetween } from '../time/index.ts';
import { cachedRun, versionBody } from './cache.ts';

/**
 * Reports in the runtime: which published reports a person may run, and the engine's context for
 * them — the viewer's visibility on the records join, business time on published calendars, names
 * of groups, people, types, statuses, catalog items, steps and SLAs, and a form's indexed fields.
 *
 * Who may run what: admins every report; others the reports whose `visibleTo.roles` names one of
 * their roles (default: managers and agents). Whatever a person runs shows only the records they
 * may see (records/visibility.ts): managers and admins all, agents their groups' records and
 * their own work, requesters what they raised or watch. Results are cached per visibility scope
 * and change stamp (cache.ts), so no result reaches a viewer who sees other records, nor outlives
 * a write.
 */

export const DEFAULT_REPORT_ROLES: readonly Role[] = ['admin', 'manager', 'agent'];

export function mayRun(def: ReportDefinition, actor: Pick<Actor, 'roles'>): boolean {
  if (actor.roles.includes('admin')) return true;
  const roles = (def.visibleTo?.roles ?? DEFAULT_REPORT_ROLES) as readonly string[];
  return actor.roles.some((r) => roles.includes(r));
}

export interface ReportSummary {
  key: string;
  version: number;
  name: I18nText;
  description: I18nText | null;
  tags: string[];
  dataset: string;
  chart: string;
  params: NonNullable<ReportDefinition['params']>;
}

export async function listReports(db: Knex, actor: Actor): Promise<{ items: ReportSummary[] }> {
  const items = (await currentBodies<ReportDefinition>(db, 'report'))
    .filter(({ def }) => mayRun(def, actor))
    .map(({ key, version, def }) => ({
      key,
      version,
      name: def.name,
      description: def.description ?? null,
      tags: def.tags ?? [],
      dataset: def.dataset.source,
      chart: def.chart.type,
      params: def.params ?? [],
    }));
  return { items };
}

const what = (key: string) => ({ 'zh-CN': `报表 ${key}`, en: `report ${key}` });

/** A published report the actor may run (a report they may not run is a 404, as a hidden record is). */
export async function reportFor(
  db: Knex,
  actor: Actor,
  key: string,
  version?: number,
): Promise<{ def: ReportDefinition; version: number }> {
  const v = version ?? (await currentVersion(db, 'report', key));
  if (v === null) throw notFound(what(key));
  const body = await versionBody(db, key, v);
  const def = body ? fromJson<ReportDefinition>(body) : null;
  if (!def || !mayRun(def, actor)) throw notFound(what(key));
  return { def, version: v };
}

/** The engine's refusals as API errors: 400 for parameters and cells, 422 for what the report asks. */
export function apiErrorOf(err: unknown): unknown {
  if (!(err instanceof ReportError)) return err;
  const path = err.param ? `/params/${err.param}` : err.code === 'bad_cell' ? '/cell' : '/';
  const problems: FieldProblem[] = [{ path, message: err.localized }];
  const status = err.code === 'bad_param' || err.code === 'bad_cell' ? 400 : 422;
  const key = status === 400 ? 'error.report_input' : 'error.report_cannot_run';
  return new ApiError(
    status,
    err.code,
    key,
    { detail: err.localized },
    { problems, ...(err.param ? { param: err.param } : {}) },
  );
}

async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw apiErrorOf(err);
  }
}

/**
 * The engine's context for one viewer. `scope` defaults to the actor's visibility; a caller that
 * runs reports for something other than a person (a wall-screen link) passes its own.
 */
export async function engineContext(
  services: Pick<Services, 'db' | 'config'>,
  viewer: { actor?: Actor; scope?: EngineContext['scope'] },
  locale: Locale,
  now = Date.now(),
): Promise<EngineContext> {
  const { db } = services;
  const scope =
    viewer.scope ??
    ((q: Knex.QueryBuilder, alias: string) => {
      if (!viewer.actor) throw new Error('a report runs for a person or with a scope');
      return scopeToVisible(db, viewer.actor, q, alias);
    });
  return {
    db,
    dialect: dialectOf(db),
    now,
    timeZone: services.config.housekeeping.timeZone,
    locale,
    scope,
    businessTime: async (calendar) => {
      const version = await currentCalendarVersion(db, calendar);
      if (version === null)
        throw new ReportError('bad_field', {
          'zh-CN': `工作日历 ${calendar} 未发布`,
          en: `calendar ${calendar} is not published`,
        });
      const cal = await calendarAt(db, calendar, version);
      return (from, to) => businessMsBetween(cal, from, to);
    },
    labels: (kind, values) => labelsOf(db, kind, values),
    stream: (query) => streamRows(db, query),
    formFields: (form) => indexedFields(db, form),
    doneStatuses: await doneStatuses(db),
  };
}

/** Statuses of the done category across current forms, and the system's (withdrawn). */
export async function doneStatuses(db: Knex): Promise<string[]> {
  const done = new Set(SYSTEM_STATUSES.filter((s) => s.category === 'done').map((s) => s.key));
  for (const { def } of await currentBodies<FormDefinition>(db, 'form'))
    for (const s of statusesOf(def)) if (s.category === 'done') done.add(s.key);
  return [...done].sort();
}

async function indexedFields(db: Knex, form: string): Promise<Map<string, boolean> | null> {
  const version = await latestPublished(db, 'form', form);
  if (version === null) return null;
  const loaded = await loadForm(db, form, version);
  const props = (loaded.def.schema as { properties?: Record<string, { type?: unknown }> }).properties ?? {};
  return new Map(
    (loaded.def.indexed ?? []).map((f) => {
      const t = props[f]?.type;
      const types = Array.isArray(t) ? t : [t];
      return [f, types.includes('number') || types.includes('integer')];
    }),
  );
}

/** Names of dimension values, from the people tables and the current definitions. */
async function labelsOf(db: Knex, kind: LabelKind, values: string[]): Promise<Map<string, I18nText>> {
  const out = new Map<string, I18nText>();
  const wanted = new Set(values);
  switch (kind) {
    case 'group':
      for (const r of (await db('groups').whereIn('key', values).select('key', 'name')) as {
        key: string;
        name: string;
      }[])
        out.set(r.key, fromJson<I18nText>(r.name) ?? r.key);
      break;
    case 'user':
      for (const r of (await db('users').whereIn('username', values).select('username', 'display_name')) as {
        username: string;
        display_name: string;
      }[])
        out.set(r.username, r.display_name);
      break;
    case 'type':
      for (const { key, def } of await currentBodies<FormDefinition>(db, 'form'))
        if (wanted.has(key)) out.set(key, def.name);
      break;
    case 'status':
      for (const s of SYSTEM_STATUSES) if (wanted.has(s.key)) out.set(s.key, s.name);
      for (const { def } of await currentBodies<FormDefinition>(db, 'form'))
        for (const s of def.statuses ?? []) if (wanted.has(s.key) && !out.has(s.key)) out.set(s.key, s.name);
      break;
    case 'catalogItem':
      for (const [ref, name] of await catalogItemNames(db, values)) if (wanted.has(ref)) out.set(ref, name);
      break;
    case 'process':
      for (const { key, def } of await currentBodies<ProcessDefinition>(db, 'process'))
        if (wanted.has(key)) out.set(key, def.name);
      break;
    case 'step':
      for (const { def } of await currentBodies<ProcessDefinition>(db, 'process'))
        for (const n of def.nodes) {
          const name = (n as { name?: I18nText }).name;
          if (wanted.has(n.id) && name && !out.has(n.id)) out.set(n.id, name);
        }
      break;
    case 'sla':
      for (const { key, def } of await currentBodies<SlaDefinition>(db, 'sla'))
        if (wanted.has(key)) out.set(key, def.name);
      break;
    case 'metric':
      for (const { def } of await currentBodies<SlaDefinition>(db, 'sla'))
        for (const m of def.metrics) if (wanted.has(m.id) && !out.has(m.id)) out.set(m.id, m.name);
      break;
  }
  return out;
}

export async function runFor(
  services: Pick<Services, 'db' | 'config'>,
  viewer: { actor?: Actor; scope?: EngineContext['scope'] },
  report: { def: ReportDefinition; version: number },
  params: Record<string, unknown>,
  locale: Locale,
): Promise<RunResult> {
  const run = () =>
    guarded(async () =>
      runReport(report.def, params, await engineContext(services, viewer, locale), {
        version: report.version,
      }),
    );
  // Results are cached per viewer scope and change stamp (cache.ts); a caller's own scope is not.
  if (!viewer.actor || viewer.scope) return run();
  const what = {
    key: report.def.key,
    version: report.version,
    params,
    locale,
    zone: services.config.housekeeping.timeZone,
  };
  return cachedRun(services.db, viewer.actor, what, run);
}

export async function exportFor(
  services: Pick<Services, 'db' | 'config'>,
  actor: Actor,
  report: { def: ReportDefinition; version: number },
  params: Record<string, unknown>,
  locale: Locale,
): Promise<ExportResult> {
  return guarded(async () =>
    exportReport(report.def, params, await engineContext(services, { actor }, locale), {
      version: report.version,
    }),
  );
}

/**
 * `GET /records?report=<key>&cell=<token>`: the ids of the records one figure counted, as a
 * subquery the list narrows itself with. The report version the token names is used, so a figure
 * drills to the records it counted even after the report was published again.
 */
export async function drillRestriction(
  services: Pick<Services, 'db' | 'config'>,
  actor: Actor,
  key: string,
  token: string | undefined,
  locale: Locale,
): Promise<Built> {
  return guarded(async () => {
    if (!token)
      throw new ReportError('bad_cell', {
        'zh-CN': '按报表下钻需要同时提供 cell',
        en: 'a drill-down by report needs its cell too',
      });
    const cell = decodeCell(token, key);
    const report = await reportFor(services.db, actor, key, cell.v || undefined);
    return drillRecordIds(report.def, cell, await engineContext(services, { actor }, locale, cell.n));
  });
}
