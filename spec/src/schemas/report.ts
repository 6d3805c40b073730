import { type Static, Type } from '@sinclair/typebox';
import { envelope, FreeObject, I18nText, Id, Key, Obj, StringEnum } from './common.ts';

export const DATASET_SOURCES = ['records', 'tasks', 'slaMetrics', 'ratings'] as const;
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
export const AGGREGATES = ['count', 'sum', 'avg', 'min', 'max', 'countDistinct'] as const;
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
export const PARAM_TYPES = ['string', 'number', 'boolean', 'date', 'dateRange', 'user', 'group'] as const;

const Field = Type.String({ minLength: 1, maxLength: 64 });

export const ReportDefinition = Obj({
  ...envelope('report'),
  dataset: Obj({ source: StringEnum(DATASET_SOURCES), form: Type.Optional(Key) }),
  filters: Type.Optional(
    Type.Array(
      Obj({
        field: Field,
        op: StringEnum(FILTER_OPS),
        value: Type.Optional(Type.Unknown()),
        param: Type.Optional(Type.String({ minLength: 1 })),
      }),
    ),
  ),
  dimensions: Type.Optional(
    Type.Array(
      Obj({
        field: Field,
        granularity: Type.Optional(StringEnum(GRANULARITIES)),
        label: Type.Optional(I18nText),
      }),
    ),
  ),
  measures: Type.Array(
    Obj({ id: Id, agg: StringEnum(AGGREGATES), field: Type.Optional(Field), label: Type.Optional(I18nText) }),
    { minItems: 1 },
  ),
  chart: Obj({ type: StringEnum(CHART_TYPES), options: Type.Optional(FreeObject) }),
  params: Type.Optional(
    Type.Array(
      Obj({
        key: Type.String({ minLength: 1, maxLength: 64 }),
        type: StringEnum(PARAM_TYPES),
        label: Type.Optional(I18nText),
        default: Type.Optional(Type.Unknown()),
      }),
    ),
  ),
});

export type ReportDefinition = Static<typeof ReportDefinition>;
