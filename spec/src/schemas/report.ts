import { type Static, Type } from '@sinclair/typebox';
import { Duration, envelope, FreeObject, I18nText, Id, Key, Obj, StringEnum } from './common.ts';

/**
 * A report reads like a Metabase question: a dataset (source), filters, dimensions (breakouts),
 * measures (aggregations), sort and limit, and a chart. `@opsloom/reports` turns it into
 * parameterised SQL; the fields each dataset offers are listed in `report-datasets.ts`.
 */
export const DATASET_SOURCES = [
  'records',
  'tasks',
  'approvals',
  'slaMetrics',
  'ratings',
  'transitions',
  'formRows',
] as const;
export const FILTER_OPS = [
  'eq',
  'ne',
  'in',
  'gt',
  'gte',
  'lt',
  'lte',
  'between',
  'contains',
  'isNull',
] as const;
export const GRANULARITIES = ['hour', 'day', 'week', 'month', 'quarter', 'year'] as const;
/** p50/p90 are nearest-rank percentiles; ratio divides measure `of` by measure `over`. */
export const AGGREGATES = [
  'count',
  'sum',
  'avg',
  'min',
  'max',
  'countDistinct',
  'p50',
  'p90',
  'ratio',
] as const;
export const CHART_TYPES = [
  'table',
  'bar',
  'line',
  'pie',
  'number',
  'gauge',
  'funnel',
  'area',
  'heatmap',
] as const;
/**
 * What a parameter holds. `service` is a catalog item (`<catalog>/<item>`), `type` a record type
 * (form key); `user` a username, `group` a group key. A dashboard filter of the same type sets it.
 */
export const PARAM_TYPES = [
  'string',
  'number',
  'boolean',
  'date',
  'dateRange',
  'user',
  'group',
  'service',
  'priority',
  'type',
  'status',
] as const;
/**
 * Named date ranges, in the report's time zone. "lastNdays" are the N local days ending today
 * (today included); weeks start on Monday; "this…" periods end where they end (the rest of this
 * month is part of "this month", it just has no records yet).
 */
export const DATE_RANGE_PRESETS = [
  'today',
  'yesterday',
  'last7days',
  'last30days',
  'last90days',
  'thisWeek',
  'lastWeek',
  'thisMonth',
  'lastMonth',
  'thisQuarter',
  'lastQuarter',
  'thisYear',
  'lastYear',
] as const;
export const REPORT_ROLES = ['admin', 'manager', 'agent', 'user'] as const;
export const DURATION_UNITS = ['ms', 's', 'min', 'h', 'd'] as const;
export const MEASURE_FORMATS = ['number', 'percent', 'duration'] as const;

const Field = Type.String({ minLength: 1, maxLength: 64 });

const Filter = Obj({
  field: Field,
  op: StringEnum(FILTER_OPS),
  value: Type.Optional(Type.Unknown()),
  /** The value comes from this parameter; a parameter without a value drops the filter. */
  param: Type.Optional(Type.String({ minLength: 1 })),
});

export const ReportDefinition = Obj({
  ...envelope('report'),
  dataset: Obj({
    source: StringEnum(DATASET_SOURCES),
    /** Only records of this type (form key); on `records` it also makes its indexed fields usable. */
    form: Type.Optional(Key),
    /**
     * `formRows` only: the form's table field (an array of objects, such as a release's `apps`)
     * whose rows the report reads, one row per element; its columns are fields by name.
     */
    table: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' })),
  }),
  /**
   * Who besides admins may run it (default: managers and agents). Whoever runs it sees only the
   * records they may see; `user` lets requesters run it over their own requests.
   */
  visibleTo: Type.Optional(Obj({ roles: Type.Array(StringEnum(REPORT_ROLES), { minItems: 1 }) })),
  /** IANA zone for days, weeks, months and date ranges; default the runtime's OPSLOOM_TIME_ZONE. */
  timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  filters: Type.Optional(Type.Array(Filter)),
  dimensions: Type.Optional(
    Type.Array(
      Obj({
        field: Field,
        /** Needed on time fields: the bucket (hour … year) in the report's time zone. */
        granularity: Type.Optional(StringEnum(GRANULARITIES)),
        label: Type.Optional(I18nText),
        /**
         * Bucket boundaries of a number or duration field, ascending (durations as ISO 8601 such as
         * P1D, numbers as numbers): [P1D, P3D, P7D] gives < 1 d, 1–3 d, 3–7 d, ≥ 7 d.
         */
        buckets: Type.Optional(
          Type.Array(Type.Union([Type.Number(), Duration]), { minItems: 1, maxItems: 50 }),
        ),
        /** One label per bucket (boundaries + 1); generated when absent. */
        bucketLabels: Type.Optional(Type.Array(I18nText)),
        /**
         * Names of the values of a category dimension (a form field's enum values, say), by value;
         * values not named here keep the name the runtime knows, else the value itself.
         */
        valueLabels: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 191 }), I18nText)),
        /** Keep the N values with the largest first measure (or the sort measure) … */
        top: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
        /** … and put the rest in one "others" row (default true). */
        others: Type.Optional(Type.Boolean()),
      }),
      { maxItems: 3 },
    ),
  ),
  measures: Type.Array(
    Obj({
      id: Id,
      agg: StringEnum(AGGREGATES),
      field: Type.Optional(Field),
      label: Type.Optional(I18nText),
      /** Only rows matching these count towards this measure (a conditional aggregate). */
      where: Type.Optional(Type.Array(Filter)),
      /**
       * The time field this measure's rows are dated by, in place of the time dimension's field
       * and of the filters on it: "resolved" per day beside "created" per day.
       */
      dateField: Type.Optional(Field),
      /** Durations in wall-clock time (default) or business time on `calendar`. */
      time: Type.Optional(StringEnum(['wall', 'business'])),
      calendar: Type.Optional(Key),
      /** ratio: measure `of` divided by measure `over` (SLA compliance = met / decided). */
      of: Type.Optional(Id),
      over: Type.Optional(Id),
      /** Computed for ratios and drill-down but not shown as a column or series. */
      hidden: Type.Optional(Type.Boolean()),
      format: Type.Optional(StringEnum(MEASURE_FORMATS)),
      /** How the chart shows a duration (rows always carry milliseconds); default h. */
      unit: Type.Optional(StringEnum(DURATION_UNITS)),
    }),
    { minItems: 1, maxItems: 20 },
  ),
  /** Row order: a dimension field or a measure id; default the dimensions in order. */
  sort: Type.Optional(
    Type.Array(
      Obj({ by: Type.String({ minLength: 1, maxLength: 64 }), desc: Type.Optional(Type.Boolean()) }),
      {
        maxItems: 5,
      },
    ),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  /** Also run the previous period of this dateRange parameter (same length, just before it). */
  compare: Type.Optional(Obj({ param: Type.String({ minLength: 1, maxLength: 64 }) })),
  chart: Obj({ type: StringEnum(CHART_TYPES), options: Type.Optional(FreeObject) }),
  params: Type.Optional(
    Type.Array(
      Obj({
        key: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' }),
        type: StringEnum(PARAM_TYPES),
        label: Type.Optional(I18nText),
        default: Type.Optional(Type.Unknown()),
      }),
    ),
  ),
});

export type ReportDefinition = Static<typeof ReportDefinition>;
export type ReportFilter = Static<typeof Filter>;
export type ReportDimension = NonNullable<ReportDefinition['dimensions']>[number];
export type ReportMeasure = ReportDefinition['measures'][number];
export type ReportParam = NonNullable<ReportDefinition['params']>[number];
export type DatasetSource = (typeof DATASET_SOURCES)[number];
export type ParamType = (typeof PARAM_TYPES)[number];
export type Granularity = (typeof GRANULARITIES)[number];
export type DateRangePreset = (typeof DATE_RANGE_PRESETS)[number];
