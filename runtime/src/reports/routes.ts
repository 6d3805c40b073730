import { CONTENT_TYPES, csvStream, runReport, xlsxStream } from '@opsloom/reports';
import type { ReportDefinition } from '@opsloom/spec';
import { Type } from '@sinclair/typebox';
import { loadLookup } from '../definitions/lookup.ts';
import { assertValid, invalidDefinition } from '../definitions/store.ts';
import { defineRoute } from '../http/api.ts';
import { AnyObject, Key } from '../http/schemas.ts';
import { apiErrorOf, engineContext, exportFor, listReports, reportFor, runFor } from './service.ts';

const ParamKey = '^[A-Za-z][A-Za-z0-9_]{0,63}$';

const ReportParams = Type.Record(Type.String({ pattern: ParamKey }), Type.Unknown(), {
  description:
    'Parameter values by key. dateRange: a preset (today, yesterday, last7days, last30days, last90days, thisWeek, lastWeek, ' +
    'thisMonth, lastMonth, thisQuarter, lastQuarter, thisYear, lastYear), {from, to} or [from, to] (dates YYYY-MM-DD are whole ' +
    'days in the report zone, to included; epoch ms are exact, to excluded), or "from..to"; date: YYYY-MM-DD; group, user, ' +
    'service, priority, type, status, string: a text or a list; number; boolean. Absent: the default; no default: its filters are dropped.',
});

const DrillSchema = Type.Object({
  query: Type.Record(Type.String(), Type.String(), {
    description:
      'the records list query (GET /api/v1/records?…, the workspace list) that lists the records behind the figure: list ' +
      'filters where they can say it, else report=<key>&cell=<token>',
  }),
  count: Type.Optional(
    Type.Number({ description: 'the figure, for counts of records: the list total equals it' }),
  ),
});

const Param = Type.Object({
  key: Type.String(),
  type: Type.String(),
  label: Type.Optional(Type.Unknown()),
  default: Type.Optional(Type.Unknown()),
});

const RunResultSchema = Type.Object({
  report: Type.Object({
    key: Type.String(),
    version: Type.Union([Type.Integer(), Type.Null()]),
    name: Type.String(),
  }),
  asOf: Type.Integer({
    description: 'the instant it was computed at (today, ages and open durations are relative to it)',
  }),
  timeZone: Type.String({ description: 'the zone days, weeks, months and date ranges are in' }),
  range: Type.Union([Type.Object({ from: Type.Integer(), to: Type.Integer() }), Type.Null()], {
    description: 'the period of the time axis [from, to) in epoch ms, when the filters bound it',
  }),
  previousRange: Type.Union([Type.Object({ from: Type.Integer(), to: Type.Integer() }), Type.Null()], {
    description: 'the period compared with, for reports with compare',
  }),
  columns: Type.Array(
    Type.Object({
      key: Type.String(),
      role: Type.Union([Type.Literal('dimension'), Type.Literal('measure'), Type.Literal('previous')]),
      label: Type.String(),
      field: Type.Optional(Type.String()),
      kind: Type.Optional(Type.String()),
      granularity: Type.Optional(Type.String()),
      format: Type.Optional(Type.String()),
      unit: Type.Optional(Type.String()),
      of: Type.Optional(Type.String()),
    }),
  ),
  rows: Type.Array(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Null()])), {
    description:
      'one object per row by column key: time buckets as 2026-12-06 (hour: 2026-12-06 14:00, week: its Monday, month: 2026-12, ' +
      'quarter: 2026-Q4, year: 2026), other dimensions by key (group key, username, status key, bucket index), measures as ' +
      'numbers (durations in ms, ratios 0–1)',
  }),
  total: Type.Integer({ description: 'rows before the report’s limit' }),
  labels: Type.Record(Type.String(), Type.Record(Type.String(), Type.String()), {
    description: 'display names of dimension values in the caller’s language, by column key and value',
  }),
  drill: Type.Array(Type.Record(Type.String(), DrillSchema), {
    description: 'per row (same order as rows), per measure id: where the figure drills to',
  }),
  chart: Type.Record(Type.String(), Type.Unknown(), {
    description:
      'an ECharts option; each data item is {value, name?, drill}: a click handler reads params.data.drill.query',
  }),
});

export const reportRoutes = [
  defineRoute({
    method: 'get',
    path: '/reports',
    tag: 'reports',
    summary:
      'The published reports the caller may run: admins all, others those whose visibleTo names one of their roles (default managers and agents)',
    access: 'authenticated',
    response: Type.Object({
      items: Type.Array(
        Type.Object({
          key: Type.String(),
          version: Type.Integer(),
          name: Type.Unknown(),
          description: Type.Unknown(),
          tags: Type.Array(Type.String()),
          dataset: Type.String(),
          chart: Type.String(),
          params: Type.Array(Param),
        }),
      ),
    }),
    handler: ({ services, actor }) => listReports(services.db, actor),
  }),
  defineRoute({
    method: 'post',
    path: '/reports/:key/run',
    tag: 'reports',
    summary:
      'Run a report over the records the caller may see: columns, rows, an ECharts option, and the records list query behind every figure',
    description:
      'A parameter that does not fit its type, or one the report does not declare, is 400 naming it (details.param, ' +
      'details.problems[0].path /params/<key>). 404 for a report that is not published or that the caller may not run.',
    access: 'authenticated',
    params: Type.Object({ key: Key }),
    body: Type.Object({ params: Type.Optional(ReportParams) }, { additionalProperties: false }),
    response: RunResultSchema,
    async handler({ services, actor, params, body, locale }) {
      const report = await reportFor(services.db, actor, params.key);
      return runFor(services, { actor }, report, body.params ?? {}, locale);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/reports/preview',
    tag: 'reports',
    summary:
      "Run a report definition that is not published (the designer's live preview): checked as a publish checks it, run as a run over the records the caller may see",
    description:
      'The definition must be a valid report against what is published (422 invalid_definition listing every problem, ' +
      'as at publish). Parameters as in a run. The result names no version (report.version null); its drill-downs by ' +
      'report and cell resolve only once the report is published.',
    access: ['admin'],
    body: Type.Object(
      { definition: AnyObject, params: Type.Optional(ReportParams) },
      { additionalProperties: false },
    ),
    response: RunResultSchema,
    async handler({ services, actor, body, locale }) {
      const def = body.definition as Record<string, unknown>;
      // Any other kind would pass its own checks: a preview is of a report.
      if (def.kind !== 'report')
        throw invalidDefinition([
          {
            path: '/kind',
            code: 'preview.kind',
            message: {
              'zh-CN': '预览只能运行报表（kind 应为 report）',
              en: 'a preview runs a report (kind must be report)',
            },
          },
        ]);
      assertValid(def, await loadLookup(services.db, [def]));
      try {
        return await runReport(
          def as unknown as ReportDefinition,
          body.params ?? {},
          await engineContext(services, { actor }, locale),
          { version: null },
        );
      } catch (err) {
        throw apiErrorOf(err);
      }
    },
  }),
  defineRoute({
    method: 'get',
    path: '/reports/:key/export',
    tag: 'reports',
    summary:
      'Download a report as CSV (UTF-8 with BOM) or XLSX, streamed; its parameters are query parameters',
    description:
      'format=csv|xlsx; every other query parameter is a report parameter, as in a run (a dateRange as a preset or from..to, ' +
      'lists comma-separated).',
    access: 'authenticated',
    params: Type.Object({ key: Key }),
    query: Type.Object(
      { format: Type.Union([Type.Literal('csv'), Type.Literal('xlsx')]) },
      { additionalProperties: false, patternProperties: { [ParamKey]: Type.String({ maxLength: 500 }) } },
    ),
    // text/csv or the XLSX type, by format.
    produces: 'application/octet-stream',
    response: Type.String({ format: 'binary' }),
    async handler({ services, actor, params, query, locale, ctx }) {
      const report = await reportFor(services.db, actor, params.key);
      const { format, ...rest } = query as Record<string, string> & { format: 'csv' | 'xlsx' };
      const table = await exportFor(services, actor, report, rest, locale);
      const stamp = new Date().toISOString().slice(0, 10);
      ctx.attachment(`${table.name}-${stamp}.${format}`);
      ctx.type = CONTENT_TYPES[format];
      ctx.set('Cache-Control', 'private, no-store');
      ctx.body = (format === 'csv' ? csvStream : xlsxStream)({
        headers: table.headers,
        rows: table.rows,
        title: table.name,
      });
    },
  }),
];
