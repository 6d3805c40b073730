import type { RunResult } from '@opsloom/reports';
import type { I18nText, ReportDefinition } from '@opsloom/spec';
import { Type } from '@sinclair/typebox';
import type { Knex } from 'knex';
import type { Actor, Services } from '../context.ts';
import { currentBodies, currentVersion } from '../definitions/current.ts';
import { defineRoute } from '../http/api.ts';
import { ApiError } from '../http/errors.ts';
import { AnyObject, Key } from '../http/schemas.ts';
import { type Locale, translate } from '../i18n/translate.ts';
import { mayRun, runFor } from '../reports/service.ts';
import { type Dashboard, openDashboard, sharedKeys } from './dashboards.ts';
import { shareViewer } from './shares.ts';
import { widgetParams } from './widget-params.ts';

/**
 * The big screen's API (大屏): a wall screen in an operations room shows a dashboard all day, with
 * no one there to log in or click.
 *
 * - `GET /bigscreen/{key}`: the dashboard and every widget's result in one answer, run here
 *   through the report engine with the dashboard's default filters, so the screen makes one call
 *   per refresh whatever its number of widgets.
 * - `GET /bigscreen/{key}/stamp`: a change stamp the screen polls every second; when it changes,
 *   the screen asks for the results again. It is the largest id of `records` and of
 *   `record_history` (every create, transition, edit, comment and task writes a history row) and
 *   the dashboard's version: primary-key look-ups (the end of each table's index), so a poll costs
 *   the same at a million records as at ten, on any runtime.
 *
 * Who may call them: a staff session that may open the dashboard, or `?token=` a share link an
 * admin issued (shares.ts): the token opens its dashboard and the ones its playlist rotates
 * through, on these two routes only — every other route resolves its caller through
 * `resolveActor`, which knows sessions and API tokens and nothing else. A revoked or expired
 * share is refused at the screen's next poll (401 `bad_share`), and the screen stops.
 *
 * Why a poll and not server-sent events: runtimes are stateless behind a load balancer without
 * sticky sessions, and the ticket that must show within 2 s is usually created on another
 * runtime than the one holding a screen's event stream; with no broker between runtimes, each
 * would have to poll the database to learn about it anyway. A poll of a primary-key stamp goes to
 * whichever runtime the balancer picks, holds no connection open through proxies, and costs a
 * screen one small request a second (see docs/ARCHITECTURE.md, "Dashboards and the big screen").
 */

export interface BigScreenWidget {
  id: string;
  report: string;
  /** The report's chart type (number widgets are drawn as big figures, tables as tables). */
  chart: string | null;
  title: I18nText | null;
  x: number;
  y: number;
  w: number;
  h: number;
  result: RunResult | null;
  error: { code: string; message: string } | null;
}

export interface BigScreenView {
  key: string;
  name: I18nText;
  title: I18nText;
  theme: 'dark' | 'light';
  columns: number;
  refreshSeconds: number | null;
  /** The dashboards the screen rotates through (this one first), and how long each shows. */
  playlist: { dashboards: string[]; seconds: number } | null;
  widgets: BigScreenWidget[];
  stamp: string;
  asOf: number;
}

/** How many widgets run at once: the pool has more than one connection on MySQL; SQLite has one. */
const PARALLEL = 4;

/**
 * Who is looking, and at what: the share's issuer for a token (the dashboard must be one the
 * share opens), else the session's person (a dashboard they may open); nobody is a 401.
 */
async function viewerOf(
  db: Knex,
  actor: Actor | null,
  token: string | undefined,
  key: string,
): Promise<{ actor: Actor; def: Dashboard; shared: boolean }> {
  if (token !== undefined) return { ...(await shareViewer(db, token, key)), shared: true };
  if (!actor) throw new ApiError(401, 'unauthenticated', 'error.unauthenticated');
  if (!actor.roles.some((r) => r === 'admin' || r === 'manager' || r === 'agent'))
    throw new ApiError(403, 'forbidden', 'error.forbidden_role', { roles: 'admin, manager, agent' });
  return { actor, def: await openDashboard(db, actor, key), shared: false };
}

/** The change stamp: see the module comment. */
export async function changeStamp(db: Knex, key: string): Promise<string> {
  const [records, history, version] = await Promise.all([
    db('records').max({ id: 'id' }).first(),
    db('record_history').max({ id: 'id' }).first(),
    currentVersion(db, 'dashboard', key),
  ]);
  return `${Number(records?.id ?? 0)}.${Number(history?.id ?? 0)}.${version ?? 0}`;
}

async function mapLimited<T, U>(items: T[], limit: number, fn: (item: T) => Promise<U>): Promise<U[]> {
  const out: U[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Every widget of a dashboard run for `actor`, with the dashboard's default filters. */
export async function runDashboard(
  services: Pick<Services, 'db' | 'config'>,
  actor: Actor,
  key: string,
  def: Dashboard,
  locale: Locale,
): Promise<BigScreenView> {
  const { db } = services;
  const stamp = await changeStamp(db, key);
  const reports = new Map(
    (await currentBodies<ReportDefinition>(db, 'report')).map((r) => [
      r.key,
      { def: r.def, version: r.version },
    ]),
  );
  const widgets = await mapLimited(def.widgets, PARALLEL, async (w): Promise<BigScreenWidget> => {
    const report = reports.get(w.report);
    const base = {
      id: w.id,
      report: w.report,
      chart: report?.def.chart.type ?? null,
      title: (w.title as I18nText | undefined) ?? null,
      x: w.x,
      y: w.y,
      w: w.w,
      h: w.h,
    };
    if (!report || !mayRun(report.def, actor)) {
      const what = locale === 'zh-CN' ? `报表 ${w.report}` : `report ${w.report}`;
      return {
        ...base,
        result: null,
        error: { code: 'not_found', message: translate(locale, 'error.not_found', { what }) },
      };
    }
    const params = widgetParams(
      w,
      def.filters,
      {},
      (report.def.params ?? []).map((p) => p.key),
    );
    try {
      return { ...base, result: await runFor(services, { actor }, report, params, locale), error: null };
    } catch (err) {
      // One widget that cannot run leaves the others on the screen.
      if (err instanceof ApiError)
        return {
          ...base,
          result: null,
          error: { code: err.code, message: translate(locale, err.messageKey, err.params) },
        };
      throw err;
    }
  });
  const big = def.bigScreen;
  const playlist = big?.playlist ? { dashboards: sharedKeys(key, def), seconds: big.playlist.seconds } : null;
  return {
    key,
    name: def.name as I18nText,
    title: (big?.title ?? def.name) as I18nText,
    theme: big?.theme ?? 'dark',
    columns: def.columns ?? 24,
    refreshSeconds: def.refreshSeconds ?? null,
    playlist,
    widgets,
    stamp,
    asOf: Date.now(),
  };
}

const TokenQuery = Type.Object(
  {
    token: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'a share token (POST /dashboards/{key}/share); without it, the caller’s session',
      }),
    ),
  },
  { additionalProperties: false },
);

export const bigScreenRoutes = [
  defineRoute({
    method: 'get',
    path: '/bigscreen/:key',
    tag: 'dashboards',
    summary:
      'A wall screen’s dashboard with every widget’s result (run with the default filters), for a staff session or ?token= a share link',
    description:
      'The only routes a share token opens (with /stamp): its dashboard and the dashboards of its playlist. A token that is ' +
      'revoked, expired, or names another dashboard is 401 bad_share. A widget whose report cannot run carries `error` ' +
      'instead of `result`.',
    access: 'public',
    params: Type.Object({ key: Key }),
    query: TokenQuery,
    response: AnyObject,
    async handler({ services, actor, params, query, locale }) {
      const viewer = await viewerOf(services.db, actor, query.token, params.key);
      return runDashboard(services, viewer.actor, params.key, viewer.def, locale);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/bigscreen/:key/stamp',
    tag: 'dashboards',
    summary:
      'What a wall screen polls: a stamp that changes when a record is created or changed or the dashboard is published again',
    access: 'public',
    params: Type.Object({ key: Key }),
    query: TokenQuery,
    response: Type.Object({ stamp: Type.String() }),
    async handler({ services, actor, params, query }) {
      await viewerOf(services.db, actor, query.token, params.key);
      return { stamp: await changeStamp(services.db, params.key) };
    },
  }),
];
