import { type I18nText, type Locale, localize, REPORT_DATASETS, type ReportDefinition } from '@opsloom/spec';
import type { Knex } from 'knex';
import { buildChart, type ChartInput } from './chart.ts';
import { DATASETS, jsonPathOf, type LabelKind, type QueryScope, tableColumnSql } from './datasets.ts';
import { type Drill, encodeCell, listQuery } from './drill.ts';
import { ReportError } from './errors.ts';
import { previousRange, type ResolvedParams, resolveParams, serializeParam } from './params.ts';
import {
  boundsOf,
  type Condition,
  countsRecords,
  dimCondition,
  inAggregateQuery,
  isPercentile,
  OTHERS,
  type Plan,
  type PlanDim,
  type PlanMeasure,
  planReport,
  resolveField,
  type Variant,
} from './plan.ts';
import { type Dialect, floorDiv, join, list, raw, type Sql, sql } from './sql.ts';
import { bucketKeys, bucketOf, calendarBoundaries, DAY_MS, HOUR_MS, segments } from './time.ts';

/**
 * Running a report: plan (pure) → SQL (knex, every value bound) → rows → chart (pure).
 *
 * Per row set (variant) the engine sends
 * - one aggregate query: `SELECT d0, d1, COUNT(*), SUM(CASE WHEN … THEN 1 ELSE 0 END), AVG(…)
 *   FROM (SELECT <dimension expressions> AS d0 …, <measure inputs> AS m0 … FROM <dataset> WHERE
 *   <filters> AND <visibility>) x GROUP BY d0, d1`;
 * - per percentile: the same inner query numbered with ROW_NUMBER() and COUNT(*) OVER the
 *   dimensions, keeping the first value at or past p % of each group (nearest rank; window
 *   functions are in SQLite ≥ 3.25 and MariaDB ≥ 10.2, so one text serves both);
 * - for business-time measures: the rows' start and end instants (at most `maxDetailRows`), whose
 *   business time the runtime's calendar code measures in memory;
 * - before those, when needed: MIN/MAX of a time dimension's field (to know which offsets of the
 *   zone the buckets cross) and the top N values of a top-N dimension.
 * Rows of every variant are merged by their dimension keys; ratios, empty days, sort and limit,
 * labels, drill-down and the chart are worked out here.
 */

export interface EngineContext {
  db: Knex;
  dialect: Dialect;
  now: number;
  /** The default zone of reports that name none (the runtime's OPSLOOM_TIME_ZONE). */
  timeZone: string;
  locale: Locale;
  /** Narrows a query whose records are aliased `alias` to those the viewer may see. */
  scope(q: Knex.QueryBuilder, alias: string): Promise<void>;
  /** Business time between two instants on a calendar (the runtime compiles the calendar). */
  businessTime?(calendar: string): Promise<(from: number, to: number) => number>;
  /** Names of dimension values (group names, people, record types, statuses, steps…). */
  labels?(kind: LabelKind, values: string[]): Promise<Map<string, I18nText>>;
  /** A form's indexed fields, true for numeric ones; null when the form is not published. */
  formFields?(form: string): Promise<Map<string, boolean> | null>;
  /** Statuses of the done category (reopen = leaving one of them for another). */
  doneStatuses?: readonly string[];
  /** Most rows a business-time measure reads (default 200,000). */
  maxDetailRows?: number;
  /**
   * A query's rows one at a time (a streamed export); default knex's `query.stream()`. The
   * runtime gives SQLite a cursor on a connection of its own (runtime/src/db/read-stream.ts).
   */
  stream?(query: Knex.QueryBuilder): AsyncIterable<Record<string, unknown>>;
}

export interface Column {
  key: string;
  role: 'dimension' | 'measure' | 'previous';
  label: string;
  field?: string;
  kind?: string;
  granularity?: string;
  format?: 'number' | 'percent' | 'duration';
  unit?: string;
  /** For `previous` columns: the measure they compare with. */
  of?: string;
}

export type RowValue = string | number | null;
export type Row = Record<string, RowValue>;

export interface RunResult {
  report: { key: string; version: number | null; name: string };
  /** The instant the report was computed at: "today", ages and open durations are relative to it. */
  asOf: number;
  timeZone: string;
  /** The period of the time axis, when filters bound it. */
  range: { from: number; to: number } | null;
  previousRange: { from: number; to: number } | null;
  columns: Column[];
  rows: Row[];
  /** Rows before `limit`. */
  total: number;
  /** Display names of dimension values in the caller's language, by column and key. */
  labels: Record<string, Record<string, string>>;
  /** Per row, per visible measure: the records list query behind the figure. */
  drill: Record<string, Drill>[];
  chart: Record<string, unknown>;
}

export interface RunOptions {
  version?: number | null;
  /** Resolved parameters (a drill-down's); otherwise `params` are resolved. */
  resolved?: ResolvedParams;
}

const DEFAULT_MAX_DETAIL = 200_000;

type Key = RowValue;

interface VariantRows {
  /** by JSON of the dimension keys */
  values: Map<string, { keys: Key[]; measures: Map<string, number | null> }>;
}

/** Runs a report for a viewer (ctx.scope) with raw parameters. */
export async function runReport(
  def: ReportDefinition,
  params: Record<string, unknown>,
  ctx: EngineContext,
  opts: RunOptions = {},
): Promise<RunResult> {
  const zone = def.timeZone ?? ctx.timeZone;
  const resolved = opts.resolved ?? resolveParams(def, params, { now: ctx.now, timeZone: zone });
  const formFields = await formFieldsOf(def, ctx);
  const plan = planReport(def, resolved, { now: ctx.now, timeZone: ctx.timeZone, formFields });
  const runner = new Runner(ctx, plan);
  const merged = await runner.rows();

  let previous: Map<string, Map<string, number | null>> | null = null;
  let prevRange: { from: number; to: number } | null = null;
  if (def.compare) {
    const p = resolved.get(def.compare.param);
    if (p && (p.type === 'dateRange' || p.type === 'date')) {
      const before = previousRange(p.range, zone);
      prevRange = { from: before.from, to: before.to };
      const shifted = new Map(resolved);
      shifted.set(def.compare.param, { type: p.type, range: before });
      const prevPlan = planReport(def, shifted, { now: ctx.now, timeZone: ctx.timeZone, formFields });
      previous = alignPrevious(plan, prevPlan, await new Runner(ctx, prevPlan).rows());
    }
  }
  return shape(def, plan, resolved, merged, previous, prevRange, ctx, opts.version ?? null);
}

async function formFieldsOf(
  def: ReportDefinition,
  ctx: EngineContext,
): Promise<Map<string, boolean> | undefined> {
  if (def.dataset.source !== 'records' || !def.dataset.form || !ctx.formFields) return undefined;
  return (await ctx.formFields(def.dataset.form)) ?? undefined;
}

/** One query builder per inner query; joins added by fields once per alias. */
function scopeFor(ctx: EngineContext, plan: Plan): { scope: QueryScope; attach(q: Knex.QueryBuilder): void } {
  let target: Knex.QueryBuilder | null = null;
  const joins = new Set<string>();
  const formAliases = new Map<string, string>();
  const pending: ((q: Knex.QueryBuilder) => void)[] = [];
  const withQuery = (fn: (q: Knex.QueryBuilder) => void) => (target ? fn(target) : pending.push(fn));
  const tablePath = plan.table ? jsonPathOf(plan.table) : undefined;
  const scope: QueryScope = {
    dialect: ctx.dialect,
    now: plan.now,
    doneStatuses: ctx.doneStatuses ?? [],
    tablePath,
    tableColumn(name) {
      if (!tablePath) throw new Error('a table column outside formRows');
      return tableColumnSql(ctx.dialect, tablePath, name);
    },
    join(alias, add) {
      if (joins.has(alias)) return;
      joins.add(alias);
      withQuery(add);
    },
    formField(name) {
      let alias = formAliases.get(name);
      if (!alias) {
        alias = `fv${formAliases.size}`;
        formAliases.set(name, alias);
        const a = alias;
        withQuery((q) =>
          q.leftJoin(`record_values as ${a}`, (j) => {
            j.on(`${a}.record_id`, '=', 'r.id').andOn(`${a}.field`, '=', ctx.db.raw('?', [name]));
          }),
        );
      }
      const numeric = plan.fields.get(name)?.kind === 'number';
      return sql(`${alias}.${numeric ? 'num_value' : 'str_value'}`);
    },
  };
  return {
    scope,
    attach(q) {
      target = q;
      for (const fn of pending.splice(0)) fn(q);
    },
  };
}

/**
 * `text` with `$` replaced by the expression (its values where it stands) and each `?` by the
 * next of `values`.
 */
function tpl(text: string, e: Sql, ...values: unknown[]): Sql {
  let out = '';
  const bound: unknown[] = [];
  let next = 0;
  for (const ch of text) {
    if (ch === '$') {
      out += `(${e.text})`;
      bound.push(...e.values);
    } else if (ch === '?') {
      out += '?';
      bound.push(values[next++]);
    } else out += ch;
  }
  if (next !== values.length) throw new Error(`tpl: ${next} placeholders, ${values.length} values`);
  return { text: out, values: bound };
}

/** A condition on an expression, as SQL. */
export function conditionSql(c: Condition, e: Sql): Sql {
  const v = c.values;
  switch (c.op) {
    case 'isNull':
      return v[0] === false ? tpl('$ IS NOT NULL', e) : tpl('$ IS NULL', e);
    case 'range': {
      const parts: Sql[] = [];
      if (c.range?.from !== undefined) parts.push(tpl('$ >= ?', e, c.range.from));
      if (c.range?.to !== undefined) parts.push(tpl('$ < ?', e, c.range.to));
      return parts.length ? join(parts, ' AND ') : sql('1 = 1');
    }
    case 'eq':
    case 'in': {
      const nonNull = v.filter((x) => x !== null && x !== undefined);
      const parts: Sql[] = [];
      if (nonNull.length === 1) parts.push(tpl('$ = ?', e, nonNull[0]));
      else if (nonNull.length > 1) parts.push(tpl(`$ IN (${list(nonNull).text})`, e, ...nonNull));
      if (nonNull.length < v.length) parts.push(tpl('$ IS NULL', e));
      if (!parts.length) return sql('1 = 0');
      const both = join(parts, ' OR ');
      return { text: `(${both.text})`, values: both.values };
    }
    case 'ne': {
      const nonNull = v.filter((x) => x !== null && x !== undefined);
      if (!nonNull.length) return tpl('$ IS NOT NULL', e);
      // "not X" keeps the rows without a value, as a person reading the filter expects.
      return tpl(`($ IS NULL OR $ NOT IN (${list(nonNull).text}))`, e, ...nonNull);
    }
    case 'gt':
      return tpl('$ > ?', e, v[0]);
    case 'gte':
      return tpl('$ >= ?', e, v[0]);
    case 'lt':
      return tpl('$ < ?', e, v[0]);
    case 'lte':
      return tpl('$ <= ?', e, v[0]);
    case 'between':
      return tpl('$ >= ? AND $ <= ?', e, v[0], v[1]);
    case 'contains': {
      const pattern = `%${String(v[0] ?? '')
        .toLowerCase()
        .replace(/[!%_]/g, '!$&')}%`;
      return tpl("LOWER($) LIKE ? ESCAPE '!'", e, pattern);
    }
  }
}

type Span = { from: number; to: number };

/**
 * A query builder handed out of an async function. Knex builders are thenables: returned from an
 * async function (or awaited), they run. Wrapped, they stay queries.
 */
export interface Built {
  query: Knex.QueryBuilder;
}

class Runner {
  private topValues = new Map<number, Key[]>();
  private topsResolved = false;

  constructor(
    private readonly ctx: EngineContext,
    private readonly plan: Plan,
  ) {}

  /** The field of dimension i in a variant: the time dimension reads the variant's time field. */
  dimField(v: Variant, i: number): string {
    const d = this.plan.dims[i]!;
    return i === this.plan.timeDim && v.timeField ? v.timeField : d.field;
  }

  private fieldSql(scope: QueryScope, name: string): Sql {
    const impl =
      this.plan.fields.get(name) ??
      resolveField(this.plan.source, name, {
        now: this.plan.now,
        timeZone: this.plan.zone,
        form: this.plan.form,
      });
    return impl.expr(scope);
  }

  /**
   * A filter as SQL. A flag compared with one value is its own condition (true) or that
   * condition's negation (false, where an unknown counts as false, as the flag's CASE has it),
   * so the database can read an index on the column instead of computing the flag on every row.
   */
  private filterSql(scope: QueryScope, c: Condition): Sql {
    const impl = this.plan.fields.get(c.field);
    const v = c.values.length === 1 ? c.values[0] : undefined;
    if (impl?.test && (c.op === 'eq' || c.op === 'in') && (v === 1 || v === 0)) {
      const t = impl.test(scope);
      return v === 1
        ? { text: `(${t.text})`, values: t.values }
        : { text: `NOT COALESCE((${t.text}), 0)`, values: t.values };
    }
    return conditionSql(c, this.fieldSql(scope, c.field));
  }

  /** The inner query: the dataset's rows under the conditions and the viewer's visibility. */
  private async inner(
    conditions: Condition[],
    select: (scope: QueryScope) => Sql[] | Promise<Sql[]>,
    records = true,
  ): Promise<Built> {
    const { db } = this.ctx;
    const { scope, attach } = scopeFor(this.ctx, this.plan);
    const dataset = DATASETS[this.plan.source];
    const q = dataset.from(db, scope, records);
    attach(q);
    if (this.plan.form) q.where('r.type', this.plan.form);
    for (const c of conditions) q.whereRaw(...rawArgs(this.filterSql(scope, c)));
    const cols = await select(scope);
    q.select(cols.length ? cols.map((c) => raw(db, c)) : [db.raw('1 AS one')]);
    await this.ctx.scope(q, 'r');
    // Rows of tasks, clocks and ratings each belong to a record: when neither a field, a form
    // nor the viewer's visibility reads the record, the query goes without the join, a look-up of
    // the record per row (30 days of ratings at 1,000,000 incidents on SQLite: 55 → 20 ms).
    if (records && dataset.recordJoin && !readsRecord(q.toSQL().sql))
      return this.inner(conditions, select, false);
    return { query: q };
  }

  /** The [from, to) a time field's values span under a variant's conditions. */
  private async timeSpan(v: Variant, field: string, conditions: Condition[]): Promise<Span> {
    const bounded = boundsOf(conditions, field);
    if (bounded) return bounded;
    const { query: q } = await this.inner(conditions, (s) => {
      const e = this.fieldSql(s, field);
      return [
        { text: `MIN(${e.text}) AS lo`, values: e.values },
        { text: `MAX(${e.text}) AS hi`, values: e.values },
      ];
    });
    void v;
    const row = (await q.first()) as { lo: unknown; hi: unknown } | undefined;
    const lo = row?.lo === null || row?.lo === undefined ? this.plan.now : Number(row.lo);
    const hi = row?.hi === null || row?.hi === undefined ? this.plan.now : Number(row.hi);
    return { from: lo, to: hi + 1 };
  }

  /** The SQL of dimension i's key in a variant. */
  private dimSql(v: Variant, i: number, scope: QueryScope, span: Span | undefined): Sql {
    const d = this.plan.dims[i]!;
    const e = this.fieldSql(scope, this.dimField(v, i));
    if (d.granularity) return timeKeySql(this.ctx.dialect, d.granularity, this.plan.zone, e, span!);
    if (d.buckets) {
      const parts = d.buckets.map((b, k) => ({
        text: `WHEN (${e.text}) < ? THEN ${k}`,
        values: [...e.values, b],
      }));
      return {
        text: `CASE WHEN (${e.text}) IS NULL THEN NULL ${parts.map((p) => p.text).join(' ')} ELSE ${d.buckets.length} END`,
        values: [...e.values, ...parts.flatMap((p) => p.values)],
      };
    }
    const top = this.topValues.get(i);
    if (top && d.others) {
      const nonNull = top.filter((x) => x !== null);
      const l = list(nonNull);
      const keep = nonNull.length ? `(${e.text}) IN (${l.text})` : '1 = 0';
      const keepValues = nonNull.length ? [...e.values, ...l.values] : [];
      const nullBranch = top.includes(null) ? `WHEN (${e.text}) IS NULL THEN NULL ` : '';
      return {
        text: `CASE ${nullBranch}WHEN ${keep} THEN (${e.text}) ELSE ? END`,
        values: [...(top.includes(null) ? e.values : []), ...keepValues, ...e.values, OTHERS],
      };
    }
    return e;
  }

  private dimSelects(v: Variant, scope: QueryScope, spans: Map<number, Span>): Sql[] {
    return this.plan.dims.map((_, i) => {
      const e = this.dimSql(v, i, scope, spans.get(i));
      return { text: `${e.text} AS d${i}`, values: e.values };
    });
  }

  /** Conditions that keep only the top-N values of dimensions without "others". */
  private topConditions(v: Variant): Condition[] {
    const out: Condition[] = [];
    this.plan.dims.forEach((d, i) => {
      const top = this.topValues.get(i);
      if (top && !d.others) out.push({ field: this.dimField(v, i), op: 'in', values: top });
    });
    return out;
  }

  /** The top N values of each top-N dimension, by the sort measure (else the first measure SQL counts). */
  private async resolveTops(): Promise<void> {
    if (this.topsResolved) return;
    this.topsResolved = true;
    const sortId = this.plan.sort.find((s) => this.plan.measures.some((m) => m.id === s.by))?.by;
    const sorted = this.plan.measures.find((m) => m.id === sortId);
    const rank = sorted && inAggregateQuery(sorted) ? sorted : this.plan.measures.find(inAggregateQuery);
    const v = this.plan.variants.find((x) => rank && x.measures.includes(rank)) ?? this.plan.variants[0]!;
    for (const [i, d] of this.plan.dims.entries()) {
      if (!d.top) continue;
      const { query: q } = await this.inner(v.conditions, (s) => {
        const e = this.fieldSql(s, this.dimField(v, i));
        return [{ text: `${e.text} AS v`, values: e.values }, ...(rank ? this.measureInputs(s, [rank]) : [])];
      });
      const agg = rank ? this.measureAggregates([rank])[0]! : 'COUNT(*)';
      const rows = (await this.ctx.db
        .from(q.as('x'))
        .select(this.ctx.db.raw(`x.v AS v, ${agg} AS m`))
        .groupByRaw('x.v')
        .orderByRaw('m DESC, v ASC')
        .limit(d.top)) as { v: unknown }[];
      this.topValues.set(
        i,
        rows.map((r) => keyOf(d, r.v)),
      );
    }
  }

  /** Inner columns for the aggregate query's measures. */
  private measureInputs(scope: QueryScope, measures: PlanMeasure[]): Sql[] {
    return measures.flatMap((m) => {
      const alias = `m_${idx(this.plan, m)}`;
      if (m.agg === 'count' && !m.where.length) return [];
      const cond = this.whereSql(scope, m);
      if (m.agg === 'count')
        return [{ text: `CASE WHEN ${cond.text} THEN 1 ELSE 0 END AS ${alias}`, values: cond.values }];
      const e = this.fieldSql(scope, m.field!);
      return m.where.length
        ? [
            {
              text: `CASE WHEN ${cond.text} THEN (${e.text}) END AS ${alias}`,
              values: [...cond.values, ...e.values],
            },
          ]
        : [{ text: `${e.text} AS ${alias}`, values: e.values }];
    });
  }

  private measureAggregates(measures: PlanMeasure[]): string[] {
    return measures.map((m) => {
      const alias = `x.m_${idx(this.plan, m)}`;
      switch (m.agg) {
        case 'count':
          return m.where.length ? `SUM(${alias})` : 'COUNT(*)';
        case 'countDistinct':
          return `COUNT(DISTINCT ${alias})`;
        default:
          return `${m.agg.toUpperCase()}(${alias})`;
      }
    });
  }

  private whereSql(scope: QueryScope, m: PlanMeasure): Sql {
    if (!m.where.length) return sql('1 = 1');
    return join(
      m.where.map((c) => {
        const s = conditionSql(c, this.fieldSql(scope, c.field));
        return { text: `(${s.text})`, values: s.values };
      }),
      ' AND ',
    );
  }

  /** Every variant's figures, merged by dimension keys. */
  async rows(): Promise<Map<string, { keys: Key[]; measures: Map<string, number | null> }>> {
    await this.resolveTops();
    const merged = new Map<string, { keys: Key[]; measures: Map<string, number | null> }>();
    for (const v of this.plan.variants) {
      for (const [k, row] of (await this.variantRows(v)).values) {
        const into = merged.get(k) ?? { keys: row.keys, measures: new Map() };
        for (const [id, value] of row.measures) into.measures.set(id, value);
        merged.set(k, into);
      }
    }
    return merged;
  }

  private async spansOf(v: Variant, conditions: Condition[]): Promise<Map<number, Span>> {
    const spans = new Map<number, Span>();
    for (const [i, d] of this.plan.dims.entries())
      if (d.granularity) spans.set(i, await this.timeSpan(v, this.dimField(v, i), conditions));
    return spans;
  }

  /**
   * The aggregate query of a variant: `d0…` and `a0…` (its SQL-computed measures in order).
   * Without spans (an export), it also orders and limits as the report says, in SQL.
   */
  async aggregateQuery(v: Variant, known?: Map<number, Span>): Promise<Built> {
    const { db } = this.ctx;
    await this.resolveTops();
    const conditions = [...v.conditions, ...this.topConditions(v)];
    const spans = known ?? (await this.spansOf(v, conditions));
    const aggregated = v.measures.filter(inAggregateQuery);
    const dimCols = this.plan.dims.map((_, i) => `x.d${i}`);
    const { query: inner } = await this.inner(conditions, (s) => [
      ...this.dimSelects(v, s, spans),
      ...this.measureInputs(s, aggregated),
    ]);
    const aggs = this.measureAggregates(aggregated);
    const outer = db
      .from(inner.as('x'))
      .select(db.raw([...dimCols, ...aggs.map((a, j) => `${a} AS a${j}`)].join(', ')));
    if (dimCols.length) outer.groupByRaw(dimCols.join(', '));
    if (!known) {
      const order = [...this.plan.sort, ...this.plan.dims.map((d) => ({ by: d.field, desc: false }))]
        .map((s) => {
          const di = this.plan.dims.findIndex((d) => d.field === s.by);
          const mi = aggregated.findIndex((m) => m.id === s.by);
          const col = di >= 0 ? `d${di}` : mi >= 0 ? `a${mi}` : null;
          return col ? `${col} ${s.desc ? 'DESC' : 'ASC'}` : null;
        })
        .filter(Boolean);
      if (order.length) outer.orderByRaw(order.join(', '));
      if (this.plan.limit !== undefined) outer.limit(this.plan.limit);
    }
    return { query: outer };
  }

  private async variantRows(v: Variant): Promise<VariantRows> {
    const { db } = this.ctx;
    const conditions = [...v.conditions, ...this.topConditions(v)];
    const spans = await this.spansOf(v, conditions);
    const dimCols = this.plan.dims.map((_, i) => `x.d${i}`);
    const values: VariantRows['values'] = new Map();
    const at = (r: Record<string, unknown>) => {
      const keys = this.plan.dims.map((d, i) => keyOf(d, r[`d${i}`]));
      const k = JSON.stringify(keys);
      let row = values.get(k);
      if (!row) {
        row = { keys, measures: new Map() };
        values.set(k, row);
      }
      return row;
    };

    // One aggregate query for the measures SQL computes.
    const aggregated = v.measures.filter(inAggregateQuery);
    if (aggregated.length) {
      const { query: outer } = await this.aggregateQuery(v, spans);
      for (const r of (await outer) as Record<string, unknown>[]) {
        const row = at(r);
        for (const [j, m] of aggregated.entries()) row.measures.set(m.id, toNumber(r[`a${j}`]));
      }
    }

    // Percentiles in wall-clock time: nearest rank through window functions.
    for (const m of v.measures.filter((x) => isPercentile(x) && !x.business)) {
      const { query: inner } = await this.inner(conditions, (s) => {
        const e = this.fieldSql(s, m.field!);
        const cond = this.whereSql(s, m);
        return [
          ...this.dimSelects(v, s, spans),
          {
            text: `CASE WHEN ${cond.text} THEN (${e.text}) END AS pv`,
            values: [...cond.values, ...e.values],
          },
        ];
      });
      const partition = dimCols.length ? `PARTITION BY ${dimCols.join(', ')}` : '';
      const numbered = db
        .from(inner.as('x'))
        .whereNotNull('x.pv')
        .select(
          db.raw(
            [
              ...dimCols.map((c, i) => `${c} AS d${i}`),
              'x.pv AS pv',
              `ROW_NUMBER() OVER (${partition} ORDER BY x.pv) AS rn`,
              `COUNT(*) OVER (${partition}) AS cnt`,
            ].join(', '),
          ),
        );
      const wcols = this.plan.dims.map((_, i) => `w.d${i}`);
      const outer = db
        .from(numbered.as('w'))
        .whereRaw('w.rn * 100 >= w.cnt * ?', [m.agg === 'p50' ? 50 : 90])
        .select(db.raw([...wcols.map((c, i) => `${c} AS d${i}`), 'MIN(w.pv) AS p'].join(', ')));
      if (wcols.length) outer.groupByRaw(wcols.join(', '));
      for (const r of (await outer) as Record<string, unknown>[]) at(r).measures.set(m.id, toNumber(r.p));
    }

    // Business time: start and end instants per row, measured on the calendar in memory.
    const business = v.measures.filter((m) => m.business && m.agg !== 'count');
    if (business.length) {
      if (!this.ctx.businessTime)
        throw new ReportError('bad_field', {
          'zh-CN': '此运行环境不能计算工作时间',
          en: 'business time is not available here',
        });
      const { query: inner } = await this.inner(conditions, (s) => {
        const cols = this.dimSelects(v, s, spans);
        business.forEach((m, j) => {
          const [start, end] = this.plan.fields.get(m.field!)!.span!(s);
          const cond = this.whereSql(s, m);
          cols.push({
            text: `CASE WHEN ${cond.text} THEN (${start.text}) END AS s${j}`,
            values: [...cond.values, ...start.values],
          });
          cols.push({
            text: `CASE WHEN ${cond.text} THEN (${end.text}) END AS e${j}`,
            values: [...cond.values, ...end.values],
          });
        });
        return cols;
      });
      const max = this.ctx.maxDetailRows ?? DEFAULT_MAX_DETAIL;
      const rows = (await inner.limit(max + 1)) as Record<string, unknown>[];
      if (rows.length > max)
        throw new ReportError('too_many_rows', {
          'zh-CN': `按工作时间计算需要逐行读取，此报表超过 ${max} 行；请缩小时间范围或筛选条件`,
          en: `business time is measured row by row and this report would read more than ${max} rows; narrow its period or filters`,
        });
      const measureFns = await Promise.all(business.map((m) => this.ctx.businessTime!(m.business!)));
      const collected = new Map<string, { r: Record<string, unknown>; values: number[][] }>();
      for (const r of rows) {
        const k = JSON.stringify(this.plan.dims.map((d, i) => keyOf(d, r[`d${i}`])));
        let c = collected.get(k);
        if (!c) {
          c = { r, values: business.map(() => []) };
          collected.set(k, c);
        }
        business.forEach((_, j) => {
          const s = r[`s${j}`];
          const e = r[`e${j}`];
          if (s === null || s === undefined || e === null || e === undefined) return;
          c!.values[j]!.push(measureFns[j]!(Number(s), Number(e)));
        });
      }
      for (const c of collected.values()) {
        const row = at(c.r);
        for (const [j, m] of business.entries()) row.measures.set(m.id, aggregate(m.agg, c.values[j]!));
      }
    }
    return { values };
  }

  /** The record ids behind one figure (drill-down), as a subquery. */
  async recordIds(keys: Key[], measure: PlanMeasure, variant: Variant): Promise<Built> {
    await this.resolveTops();
    const conditions = cellConditions(this.plan, variant, keys, measure, this.topValues, (i) =>
      this.dimField(variant, i),
    );
    const { query } = await this.inner([...conditions, ...this.topConditions(variant)], () => [
      sql('r.id AS id'),
    ]);
    return { query: query.distinct() };
  }
}

/** Whether SQL reads the record alias `r` anywhere but in the join that brings it in. */
export function readsRecord(text: string): boolean {
  const rest = text.replace(/inner join `records` as `r` on `r`\.`id` = `\w+`\.`record_id`/i, '');
  return /(^|[^\w`])(`r`|r)\./.test(rest);
}

/**
 * A dimension key as the SQL computed it, in one representation on both databases: mysql2 hands
 * FLOOR(), CASE results and BIGINTs over as strings, SQLite as numbers; numeric dimensions (time
 * buckets, buckets, number fields) are numbers either way ("others" stays the marker).
 */
function keyOf(d: PlanDim, v: unknown): Key {
  const k = normalizeKey(v);
  if (k === null || k === OTHERS) return k;
  return d.granularity || d.buckets || d.impl.kind === 'number' ? Number(k) : k;
}

/** The dimension key, as the SQL computed it, in one representation on both databases. */
function normalizeKey(v: unknown): Key {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' || typeof v === 'string') return v;
  return String(v);
}

function toNumber(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

const idx = (plan: Plan, m: PlanMeasure) => plan.measures.indexOf(m);

function rawArgs(s: Sql): [string, Knex.RawBinding[]] {
  return [s.text, s.values as Knex.RawBinding[]];
}

/** An aggregate of values computed in memory (business time). */
export function aggregate(agg: string, values: number[]): number | null {
  if (agg === 'count') return values.length;
  if (!values.length) return agg === 'sum' ? null : null;
  switch (agg) {
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
    case 'countDistinct':
      return new Set(values).size;
    case 'p50':
    case 'p90': {
      const sorted = [...values].sort((a, b) => a - b);
      const p = agg === 'p50' ? 50 : 90;
      // Nearest rank: the first value at or past p % of the sorted values, as the SQL computes it.
      const rank = Math.ceil((sorted.length * p) / 100);
      return sorted[Math.max(rank, 1) - 1]!;
    }
    default:
      return null;
  }
}

/**
 * The SQL key of a time bucket. Within each segment of constant UTC offset the local time is
 * instant + offset, so the key is computed with the segment's offset, picked by a CASE on the
 * instant (one branch per daylight-saving change in the span; none in Asia/Shanghai).
 */
export function timeKeySql(
  dialect: Dialect,
  grain: string,
  zone: string,
  e: Sql,
  span: { from: number; to: number },
): Sql {
  const nullGuard = (inner: Sql): Sql => ({
    text: `CASE WHEN (${e.text}) IS NULL THEN NULL ELSE ${inner.text} END`,
    values: [...e.values, ...inner.values],
  });
  if (grain === 'month' || grain === 'quarter' || grain === 'year') {
    const bounds = calendarBoundaries(grain, zone, span.from, span.to);
    if (bounds.length <= 1) return nullGuard(sql('?', bounds[0] ?? span.from));
    const branches = bounds
      .slice(1)
      .map((b, i) => ({ text: `WHEN (${e.text}) < ? THEN ?`, values: [...e.values, b, bounds[i]] }));
    return nullGuard({
      text: `CASE ${branches.map((b) => b.text).join(' ')} ELSE ? END`,
      values: [...branches.flatMap((b) => b.values), bounds[bounds.length - 1]],
    });
  }
  const unit = grain === 'hour' ? HOUR_MS : DAY_MS;
  const keyWith = (offset: number): Sql => {
    const local: Sql = { text: `(${e.text}) + ?`, values: [...e.values, offset] };
    const k = floorDiv(dialect, local, unit);
    return grain === 'week' ? floorDiv(dialect, { text: `${k.text} + 3`, values: k.values }, 7) : k;
  };
  const segs = segments(zone, span.from, Math.max(span.to, span.from + 1));
  if (segs.length === 1) return nullGuard(keyWith(segs[0]!.offset));
  const branches = segs.slice(0, -1).map((s) => {
    const k = keyWith(s.offset);
    return { text: `WHEN (${e.text}) < ? THEN ${k.text}`, values: [...e.values, s.end, ...k.values] };
  });
  const last = keyWith(segs[segs.length - 1]!.offset);
  return nullGuard({
    text: `CASE ${branches.map((b) => b.text).join(' ')} ELSE ${last.text} END`,
    values: [...branches.flatMap((b) => b.values), ...last.values],
  });
}

/**
 * The conditions that select the rows behind one figure: the variant's filters, the measure's
 * own condition (and, for anything but a count, that its field has a value), and each dimension
 * key as a condition (a time bucket as its [from, to), a bucket as its bounds, "others" as not
 * the top values).
 */
export function cellConditions(
  plan: Plan,
  variant: Variant,
  keys: Key[],
  measure: PlanMeasure,
  topValues: Map<number, Key[]>,
  dimField: (i: number) => string,
): Condition[] {
  const out: Condition[] = [...variant.conditions, ...measure.where];
  if (measure.agg !== 'count' && measure.field)
    out.push({ field: measure.field, op: 'isNull', values: [false] });
  for (const [i, d] of plan.dims.entries()) {
    const key = keys[i] ?? null;
    const field = dimField(i);
    if (key === OTHERS) {
      const top = topValues.get(i) ?? [];
      out.push({ field, op: 'ne', values: top.filter((x) => x !== null) });
      if (top.includes(null)) out.push({ field, op: 'isNull', values: [false] });
      continue;
    }
    const c = dimCondition({ ...d, field }, key, (k) => {
      const b = bucketOf(d.granularity!, plan.zone, k);
      return { from: b.from, to: b.to };
    });
    if (c) out.push(c);
  }
  return out;
}

/** Previous-period figures by current row key: time buckets by position, other keys as they are. */
function alignPrevious(
  plan: Plan,
  prevPlan: Plan,
  prev: Map<string, { keys: Key[]; measures: Map<string, number | null> }>,
): Map<string, Map<string, number | null>> {
  const out = new Map<string, Map<string, number | null>>();
  const t = plan.timeDim;
  const currentBuckets =
    t !== undefined && plan.range
      ? bucketKeys(plan.dims[t]!.granularity!, plan.zone, plan.range.from, plan.range.to)
      : [];
  const prevBuckets =
    t !== undefined && prevPlan.range
      ? bucketKeys(plan.dims[t]!.granularity!, plan.zone, prevPlan.range.from, prevPlan.range.to)
      : [];
  for (const row of prev.values()) {
    const keys = [...row.keys];
    if (t !== undefined) {
      const pos = prevBuckets.indexOf(Number(keys[t]));
      if (pos < 0 || pos >= currentBuckets.length) continue;
      keys[t] = currentBuckets[pos]!;
    }
    out.set(JSON.stringify(keys), row.measures);
  }
  return out;
}

const NONE: I18nText = { 'zh-CN': '（空）', en: '(none)' };
const OTHERS_LABEL: I18nText = { 'zh-CN': '其他', en: 'Others' };
const YES_NO = { 1: { 'zh-CN': '是', en: 'Yes' }, 0: { 'zh-CN': '否', en: 'No' } } as const;

function formatDuration(ms: number): string {
  const units: [number, string][] = [
    [DAY_MS, 'd'],
    [HOUR_MS, 'h'],
    [60_000, 'min'],
    [1000, 's'],
  ];
  for (const [size, name] of units) if (ms >= size && ms % size === 0) return `${ms / size} ${name}`;
  return `${ms} ms`;
}

/** Generated names of buckets: < 1 d, 1 d – 3 d, …, ≥ 7 d. */
export function bucketNames(d: PlanDim): I18nText[] {
  const b = d.buckets!;
  const show = (v: number) => (d.impl.kind === 'duration' ? formatDuration(v) : String(v));
  return [
    `< ${show(b[0]!)}`,
    ...b.slice(1).map((v, i) => `${show(b[i]!)} – ${show(v)}`),
    `≥ ${show(b[b.length - 1]!)}`,
  ];
}

async function shape(
  def: ReportDefinition,
  plan: Plan,
  resolved: ResolvedParams,
  merged: Map<string, { keys: Key[]; measures: Map<string, number | null> }>,
  previous: Map<string, Map<string, number | null>> | null,
  prevRange: { from: number; to: number } | null,
  ctx: EngineContext,
  version: number | null,
): Promise<RunResult> {
  const locale = ctx.locale;
  const t = plan.timeDim;

  // Days (weeks…) without records are rows of zero when the period is known and time is the only dimension.
  if (t !== undefined && plan.range && plan.dims.length === 1) {
    for (const k of bucketKeys(plan.dims[t]!.granularity!, plan.zone, plan.range.from, plan.range.to)) {
      const id = JSON.stringify([k]);
      if (!merged.has(id)) merged.set(id, { keys: [k], measures: new Map() });
    }
  }
  // So are buckets (< 1 d, 1–3 d, …) of a report grouped by buckets alone.
  const only = plan.dims.length === 1 ? plan.dims[0] : undefined;
  if (only?.buckets)
    for (let k = 0; k <= only.buckets.length; k++) {
      const id = JSON.stringify([k]);
      if (!merged.has(id)) merged.set(id, { keys: [k], measures: new Map() });
    }
  if (!plan.dims.length && !merged.size) merged.set('[]', { keys: [], measures: new Map() });

  const measureValue = (m: PlanMeasure, values: Map<string, number | null>): number | null => {
    if (m.agg === 'ratio') {
      const of = values.get(m.of!) ?? (isCount(plan, m.of!) ? 0 : null);
      const over = values.get(m.over!) ?? (isCount(plan, m.over!) ? 0 : null);
      return of === null || over === null || over === 0 ? null : of / over;
    }
    const v = values.get(m.id);
    if (v === undefined || v === null) return m.agg === 'count' || m.agg === 'countDistinct' ? 0 : null;
    return v;
  };

  let entries = [...merged.values()].map((row) => ({
    keys: row.keys,
    values: new Map(plan.measures.map((m) => [m.id, measureValue(m, row.measures)])),
    previous: previous?.get(JSON.stringify(row.keys)) ?? null,
  }));

  // Order: the definition's sort, else the dimensions in order; empty and "others" last.
  const sortBy = [...(def.sort ?? []), ...plan.dims.map((d) => ({ by: d.field, desc: false }))];
  const compareKeys = (a: Key, b: Key) => {
    if (a === b) return 0;
    if (a === OTHERS) return 1;
    if (b === OTHERS) return -1;
    if (a === null) return 1;
    if (b === null) return -1;
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    return String(a) < String(b) ? -1 : 1;
  };
  entries.sort((x, y) => {
    // A top-N "others" row comes after the rows it is not, whatever the sort.
    const xo = x.keys.includes(OTHERS);
    const yo = y.keys.includes(OTHERS);
    if (xo !== yo) return xo ? 1 : -1;
    for (const s of sortBy) {
      const di = plan.dims.findIndex((d) => d.field === s.by);
      let c: number;
      if (di >= 0) {
        const a = x.keys[di] ?? null;
        const b = y.keys[di] ?? null;
        // "others" and empty stay last whichever way the rest is sorted.
        if (a === OTHERS || b === OTHERS || a === null || b === null) c = compareKeys(a, b);
        else c = compareKeys(a, b) * (s.desc ? -1 : 1);
      } else {
        const a = x.values.get(s.by) ?? null;
        const b = y.values.get(s.by) ?? null;
        c = a === b ? 0 : a === null ? 1 : b === null ? -1 : (a - b) * (s.desc ? -1 : 1);
      }
      if (c !== 0) return c;
    }
    return 0;
  });
  const total = entries.length;
  if (def.limit !== undefined) entries = entries.slice(0, def.limit);

  // Labels of dimension values.
  const labels: Record<string, Record<string, string>> = {};
  for (const [i, d] of plan.dims.entries()) {
    const map: Record<string, string> = {};
    const keys = [...new Set(entries.map((e) => e.keys[i] ?? null))];
    let looked = new Map<string, I18nText>();
    if (!d.granularity && !d.buckets && d.impl.labels && d.impl.labels !== 'boolean' && ctx.labels) {
      const wanted = keys.filter((k): k is string | number => k !== null && k !== OTHERS).map(String);
      if (wanted.length) looked = await ctx.labels(d.impl.labels, wanted);
    }
    const names = d.buckets ? (d.bucketLabels ?? bucketNames(d)) : null;
    for (const k of keys) {
      const id = String(k);
      if (k === null) map[id] = localize(NONE, locale);
      else if (k === OTHERS) map[id] = localize(OTHERS_LABEL, locale);
      else if (d.granularity) map[id] = bucketOf(d.granularity, plan.zone, Number(k)).label;
      else if (names) map[id] = localize(names[Number(k)] ?? id, locale);
      else if (d.impl.labels === 'boolean') map[id] = localize(YES_NO[Number(k) ? 1 : 0], locale);
      else if (d.valueLabels && Object.hasOwn(d.valueLabels, id))
        map[id] = localize(d.valueLabels[id]!, locale);
      else map[id] = looked.has(id) ? localize(looked.get(id)!, locale) : id;
    }
    labels[d.key] = map;
  }

  const visible = plan.measures.filter((m) => !m.hidden);
  const columns: Column[] = [
    ...plan.dims.map((d) => ({
      key: d.key,
      role: 'dimension' as const,
      field: d.field,
      kind: d.buckets ? 'bucket' : d.impl.kind,
      label: localize(d.label ?? datasetLabel(plan, d.field), locale),
      ...(d.granularity ? { granularity: d.granularity } : {}),
    })),
    ...visible.map((m) => ({
      key: m.id,
      role: 'measure' as const,
      label: localize(m.label ?? defaultMeasureLabel(plan, m), locale),
      format: m.format,
      ...(m.format === 'duration' ? { unit: 'ms' } : {}),
    })),
    ...(previous
      ? visible.map((m) => ({
          key: `${m.id}.previous`,
          role: 'previous' as const,
          of: m.id,
          label: `${localize(m.label ?? defaultMeasureLabel(plan, m), locale)}${locale === 'zh-CN' ? '（上期）' : ' (previous)'}`,
          format: m.format,
        }))
      : []),
  ];

  // Row values: time buckets by their label (2026-12-06), others by key; measures as numbers.
  const rows: Row[] = entries.map((e) => {
    const row: Row = {};
    plan.dims.forEach((d, i) => {
      const k = e.keys[i] ?? null;
      row[d.key] = d.granularity && k !== null ? bucketOf(d.granularity, plan.zone, Number(k)).label : k;
    });
    for (const m of visible) row[m.id] = e.values.get(m.id) ?? null;
    if (previous)
      for (const m of visible) {
        const p = e.previous;
        row[`${m.id}.previous`] = p ? measureValueOf(plan, m, p) : m.agg === 'count' ? 0 : null;
      }
    return row;
  });

  // Drill-down of every figure.
  const serialized: Record<string, unknown> = {};
  for (const [k, v] of resolved) serialized[k] = serializeParam(v);
  const drill: Record<string, Drill>[] = entries.map((e) => {
    const out: Record<string, Drill> = {};
    for (const m of visible) {
      const base = m.agg === 'ratio' ? plan.measures.find((x) => x.id === m.over)! : m;
      const variant = plan.variants.find((v) => v.measures.includes(base))!;
      const conditions = cellConditions(plan, variant, e.keys, base, new Map(), (i) =>
        i === plan.timeDim && variant.timeField ? variant.timeField : plan.dims[i]!.field,
      );
      const hasOthers = e.keys.includes(OTHERS);
      const query =
        (!hasOthers && listQuery(plan, conditions)) ||
        ({
          report: plan.key,
          cell: encodeCell({
            r: plan.key,
            v: version ?? 0,
            p: serialized,
            k: e.keys,
            m: base.id,
            n: plan.now,
          }),
        } as Record<string, string>);
      const count = m.agg !== 'ratio' && countsRecords(plan, base) ? (e.values.get(m.id) ?? 0) : undefined;
      out[m.id] = count === undefined ? { query } : { query, count };
    }
    return out;
  });

  const chartInput: ChartInput = { def, plan, columns, rows, labels, drill, locale };
  if (t !== undefined && plan.range) {
    chartInput.axis = bucketKeys(plan.dims[t]!.granularity!, plan.zone, plan.range.from, plan.range.to).map(
      (k) => bucketOf(plan.dims[t]!.granularity!, plan.zone, k).label,
    );
  }
  return {
    report: { key: def.key, version, name: localize(def.name, locale) },
    asOf: plan.now,
    timeZone: plan.zone,
    range: plan.range ?? null,
    previousRange: prevRange,
    columns,
    rows,
    total,
    labels,
    drill,
    chart: buildChart(chartInput),
  };
}

function measureValueOf(plan: Plan, m: PlanMeasure, values: Map<string, number | null>): number | null {
  if (m.agg === 'ratio') {
    const of = values.get(m.of!) ?? (isCount(plan, m.of!) ? 0 : null);
    const over = values.get(m.over!) ?? (isCount(plan, m.over!) ? 0 : null);
    return of === null || over === null || over === 0 ? null : of / over;
  }
  const v = values.get(m.id);
  return v === undefined || v === null ? (m.agg === 'count' ? 0 : null) : v;
}

const isCount = (plan: Plan, id: string) => {
  const m = plan.measures.find((x) => x.id === id);
  return m?.agg === 'count' || m?.agg === 'countDistinct';
};

function datasetLabel(plan: Plan, field: string): I18nText {
  return DATASET_FIELD_LABELS(plan.source, field) ?? field;
}

function DATASET_FIELD_LABELS(source: string, field: string): I18nText | undefined {
  const fields = (REPORT_DATASETS as Record<string, { fields: Record<string, { label: I18nText }> }>)[source]
    ?.fields;
  return fields && Object.hasOwn(fields, field) ? fields[field]!.label : undefined;
}

const AGG_NAMES: Record<string, I18nText> = {
  count: { 'zh-CN': '数量', en: 'Count' },
  countDistinct: { 'zh-CN': '去重数', en: 'Distinct' },
  sum: { 'zh-CN': '合计', en: 'Sum' },
  avg: { 'zh-CN': '平均', en: 'Average' },
  min: { 'zh-CN': '最小', en: 'Min' },
  max: { 'zh-CN': '最大', en: 'Max' },
  p50: { 'zh-CN': '中位数', en: 'Median' },
  p90: { 'zh-CN': 'P90', en: 'P90' },
  ratio: { 'zh-CN': '比率', en: 'Ratio' },
};

function defaultMeasureLabel(plan: Plan, m: PlanMeasure): I18nText {
  const agg = AGG_NAMES[m.agg]!;
  if (!m.field) return agg;
  const f = DATASET_FIELD_LABELS(plan.source, m.field) ?? m.field;
  const text = (l: Locale) =>
    `${localize(agg, l)}${l === 'zh-CN' ? '' : ' '}${typeof f === 'string' ? f : localize(f, l)}`;
  return { 'zh-CN': text('zh-CN'), en: text('en') };
}

/**
 * The record ids one figure counted, as a subquery for the records list (`r.id IN (…)`): the
 * same plan, the cell's keys as conditions, the viewer's visibility. See drill.ts.
 */
export async function drillRecordIds(
  def: ReportDefinition,
  cell: { p: Record<string, unknown>; k: Key[]; m: string; n: number },
  ctx: EngineContext,
): Promise<Built> {
  const zone = def.timeZone ?? ctx.timeZone;
  const resolved = resolveParams(def, cell.p, { now: cell.n, timeZone: zone });
  const formFields = await formFieldsOf(def, ctx);
  const plan = planReport(def, resolved, { now: cell.n, timeZone: ctx.timeZone, formFields });
  const measure = plan.measures.find((m) => m.id === cell.m && m.agg !== 'ratio');
  const variant = measure && plan.variants.find((v) => v.measures.includes(measure));
  if (!measure || !variant || cell.k.length !== plan.dims.length)
    throw new ReportError('bad_cell', {
      'zh-CN': '下钻参数 cell 与报表不符',
      en: 'the drill-down cell does not fit the report',
    });
  return new Runner({ ...ctx, now: cell.n }, plan).recordIds(cell.k, measure, variant);
}

export type { Key as DimensionKey };

export type ExportCell = string | number | null;

export interface ExportResult {
  name: string;
  headers: string[];
  rows: AsyncIterable<ExportCell[]>;
}

const EXPORT_UNITS = { ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * A report's rows for a file: dimension labels, measures in the unit they are shown in (durations
 * in their `unit`, ratios in percent). A report whose figures one aggregate query gives (one row
 * set, counts, sums, averages, minimums, maximums and ratios of them, no comparison) is streamed
 * from the database cursor in SQL order, so a million rows never sit in memory; the names of its
 * dimension values are looked up a batch at a time beside the cursor. Any other report is run as
 * `runReport` does.
 */
/** Rows a streamed export holds while it looks up the names of their dimension values. */
const EXPORT_BATCH = 500;

export async function exportReport(
  def: ReportDefinition,
  params: Record<string, unknown>,
  ctx: EngineContext,
  opts: RunOptions = {},
): Promise<ExportResult> {
  const zone = def.timeZone ?? ctx.timeZone;
  const resolved = opts.resolved ?? resolveParams(def, params, { now: ctx.now, timeZone: zone });
  const formFields = await formFieldsOf(def, ctx);
  const plan = planReport(def, resolved, { now: ctx.now, timeZone: ctx.timeZone, formFields });
  const locale = ctx.locale;
  const visible = plan.measures.filter((m) => !m.hidden);
  const unitName = (m: PlanMeasure) =>
    m.format === 'duration' ? ` (${m.unit})` : m.format === 'percent' ? ' (%)' : '';
  const headers = [
    ...plan.dims.map((d) => localize(d.label ?? datasetLabel(plan, d.field), locale)),
    ...visible.map((m) => `${localize(m.label ?? defaultMeasureLabel(plan, m), locale)}${unitName(m)}`),
  ];
  const figure = (m: PlanMeasure, v: number | null): ExportCell => {
    if (v === null) return null;
    if (m.format === 'duration') return Math.round((v / EXPORT_UNITS[m.unit]) * 10_000) / 10_000;
    if (m.format === 'percent') return Math.round(v * 1_000_000) / 10_000;
    return v;
  };
  // A run fills the rows a database query cannot give (empty days of a bounded period, empty
  // buckets, the one row of a dimensionless report): an export of such a report is as small as
  // its period and goes through the run, so the file shows the table the screen shows.
  const filled =
    plan.dims.length === 0 ||
    (plan.dims.length === 1 &&
      (plan.dims[0]!.buckets !== undefined || (plan.timeDim !== undefined && !!plan.range)));
  const streamable =
    !filled &&
    plan.variants.length === 1 &&
    !def.compare &&
    plan.dims.every((d) => !d.top) &&
    plan.measures.every((m) => inAggregateQuery(m) || m.agg === 'ratio') &&
    (def.sort ?? []).every(
      (s) =>
        plan.dims.some((d) => d.field === s.by) ||
        plan.measures.some((m) => m.id === s.by && inAggregateQuery(m)),
    );
  if (!streamable) {
    const result = await runReport(def, params, ctx, { ...opts, resolved });
    const dims = result.columns.filter((c) => c.role === 'dimension');
    return {
      name: result.report.name,
      headers,
      rows: (async function* () {
        for (const row of result.rows)
          yield [
            ...dims.map((c) =>
              c.granularity
                ? (row[c.key] ?? null)
                : (result.labels[c.key]?.[String(row[c.key])] ?? row[c.key] ?? null),
            ),
            ...visible.map((m) => figure(m, (row[m.id] as number | null) ?? null)),
          ];
      })(),
    };
  }
  const runner = new Runner(ctx, plan);
  const { query } = await runner.aggregateQuery(plan.variants[0]!);
  const stream = ctx.stream ? ctx.stream(query) : (query.stream() as AsyncIterable<Record<string, unknown>>);
  const names = plan.dims.map((d) => (d.buckets ? (d.bucketLabels ?? bucketNames(d)) : null));
  const aggregated = plan.variants[0]!.measures.filter(inAggregateQuery);
  return {
    name: localize(def.name, locale),
    headers,
    rows: (async function* () {
      // Names of people, groups, statuses… as the screen shows them: looked up a batch of rows at
      // a time (the names met so far are kept: as many as the dimension has values, not rows).
      const looked = plan.dims.map(() => new Map<string, string>());
      const named = (d: PlanDim) =>
        !d.granularity && !d.buckets && d.impl.labels && d.impl.labels !== 'boolean' && ctx.labels;
      const shape = (r: Record<string, unknown>): ExportCell[] => {
        const values = new Map<string, number | null>();
        for (const [j, m] of aggregated.entries()) values.set(m.id, toNumber(r[`a${j}`]));
        return [
          ...plan.dims.map((d, i) => {
            const k = keyOf(d, r[`d${i}`]);
            if (k === null) return localize(NONE, locale);
            if (d.granularity) return bucketOf(d.granularity, plan.zone, Number(k)).label;
            if (names[i]) return localize(names[i]![Number(k)] ?? String(k), locale);
            if (d.impl.labels === 'boolean') return localize(YES_NO[Number(k) ? 1 : 0], locale);
            if (d.valueLabels && Object.hasOwn(d.valueLabels, String(k)))
              return localize(d.valueLabels[String(k)]!, locale);
            return looked[i]!.get(String(k)) ?? k;
          }),
          ...visible.map((m) => figure(m, measureValueOf(plan, m, values))),
        ];
      };
      const name = async (batch: Record<string, unknown>[]) => {
        for (const [i, d] of plan.dims.entries()) {
          if (!named(d)) continue;
          const wanted = new Set<string>();
          for (const r of batch) {
            const k = keyOf(d, r[`d${i}`]);
            if (k !== null && !looked[i]!.has(String(k))) wanted.add(String(k));
          }
          if (!wanted.size) continue;
          const found = await ctx.labels!(d.impl.labels as LabelKind, [...wanted]);
          for (const k of wanted) looked[i]!.set(k, found.has(k) ? localize(found.get(k)!, locale) : k);
        }
      };
      let batch: Record<string, unknown>[] = [];
      for await (const r of stream) {
        batch.push(r);
        if (batch.length < EXPORT_BATCH) continue;
        await name(batch);
        for (const row of batch) yield shape(row);
        batch = [];
      }
      await name(batch);
      for (const row of batch) yield shape(row);
    })(),
  };
}
