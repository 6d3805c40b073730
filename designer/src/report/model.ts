import {
  type I18nText,
  REPORT_DATASETS,
  type ReportDefinition,
  type ReportFieldKind,
  type ReportFilter,
} from '@opsloom/spec';
import { freeId } from '../process/nodeTypes.ts';

/** The report designer's view of a definition: its zones, fields and problems. */

export const report = (d: unknown) => d as ReportDefinition;

export type Zone = 'dimensions' | 'measures' | 'filters';
export const ZONES: Zone[] = ['dimensions', 'measures', 'filters'];

/** "Count of rows": a measure without a field. */
export const COUNT_FIELD = '__count';

export interface FieldOption {
  name: string;
  kind: ReportFieldKind | 'form';
  label: unknown;
  /** A form's indexed field (records reports with a form only). */
  form?: boolean;
  numeric?: boolean;
}

/** The fields a report may use: its dataset's, then its form's indexed ones (records only). */
export function fieldsOf(
  source: string,
  indexed: { key: string; title: unknown; numeric: boolean }[],
): FieldOption[] {
  const dataset = (REPORT_DATASETS as Record<string, (typeof REPORT_DATASETS)['records'] | undefined>)[
    source
  ];
  const own = Object.entries(dataset?.fields ?? {}).map(([name, f]) => ({
    name,
    kind: f.kind,
    label: f.label,
  }));
  const form =
    source === 'records'
      ? indexed
          .filter((f) => !own.some((o) => o.name === f.key))
          .map((f) => ({
            name: f.key,
            kind: 'form' as const,
            label: f.title,
            form: true,
            numeric: f.numeric,
          }))
      : [];
  return [...own, ...form];
}

/** The aggregations that fit a field kind (spec's checks accept these), the default first. */
export function aggregatesFor(kind: FieldOption['kind'] | undefined, numeric = false): string[] {
  switch (kind) {
    case 'number':
    case 'duration':
      return ['avg', 'sum', 'min', 'max', 'p50', 'p90', 'countDistinct'];
    case 'boolean':
      return ['sum', 'avg', 'countDistinct'];
    case 'time':
      return ['max', 'min', 'countDistinct'];
    case 'form':
      return numeric ? ['avg', 'sum', 'min', 'max', 'p50', 'p90', 'countDistinct'] : ['countDistinct'];
    case undefined:
      return ['count'];
    default:
      return ['countDistinct'];
  }
}

export const OPS_FOR: Record<FieldOption['kind'], ReportFilter['op'][]> = {
  dimension: ['eq', 'ne', 'in', 'contains', 'isNull'],
  form: ['eq', 'ne', 'in', 'gt', 'gte', 'lt', 'lte', 'contains', 'isNull'],
  time: ['between', 'gte', 'lt', 'isNull'],
  number: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'between', 'isNull'],
  duration: ['gt', 'gte', 'lt', 'lte', 'between', 'isNull'],
  boolean: ['eq', 'ne'],
};

/** Adds a field dropped on a zone; returns the index of the new item. */
export function addToZone(def: ReportDefinition, zone: Zone, field: FieldOption | null): number {
  if (zone === 'measures') {
    const ids = def.measures.map((m) => m.id);
    if (!field) {
      def.measures.push({ id: freeId('count', ids), agg: 'count' });
    } else {
      const agg = aggregatesFor(field.kind, field.numeric)[0] as ReportDefinition['measures'][number]['agg'];
      def.measures.push({
        id: freeId(`${agg}_${field.name}`.replace(/[^A-Za-z0-9_]/g, '_'), ids),
        agg,
        field: field.name,
      });
    }
    return def.measures.length - 1;
  }
  if (!field) return -1;
  if (zone === 'dimensions') {
    def.dimensions ??= [];
    def.dimensions.push(
      field.kind === 'time' ? { field: field.name, granularity: 'day' } : { field: field.name },
    );
    return def.dimensions.length - 1;
  }
  def.filters ??= [];
  if (field.kind === 'time') {
    // A time filter is a period the viewer picks: a dateRange parameter (a dashboard's period filter sets it).
    def.params ??= [];
    let param = def.params.find((p) => p.type === 'dateRange')?.key;
    if (!param) {
      param = freeId(
        'period',
        def.params.map((p) => p.key),
      );
      def.params.push({ key: param, type: 'dateRange', default: 'last30days' });
    }
    def.filters.push({ field: field.name, op: 'between', param });
  } else if (field.kind === 'boolean') def.filters.push({ field: field.name, op: 'eq', value: true });
  else def.filters.push({ field: field.name, op: 'eq' });
  return def.filters.length - 1;
}

/** Removes an item; a sort naming a removed measure or dimension goes with it. */
export function removeFromZone(def: ReportDefinition, zone: Zone, index: number): void {
  const list = def[zone] as unknown[] | undefined;
  if (!list) return;
  const [gone] = list.splice(index, 1) as [{ id?: string; field?: string } | undefined];
  if (def.sort && gone) {
    const by = zone === 'measures' ? gone.id : zone === 'dimensions' ? gone.field : undefined;
    def.sort = def.sort.filter((s) => s.by !== by);
    if (!def.sort.length) delete def.sort;
  }
  if (zone !== 'measures' && list.length === 0) delete def[zone];
}

export const CHART_OPTION_KEYS = ['stack', 'labels', 'horizontal', 'smooth'] as const;

/** The chart's own options (reports/src/chart.ts reads them). */
export type ChartOptions = {
  /** Drawn above the chart in the viewer's language. */
  title?: I18nText;
  colors?: string[];
  stack?: boolean;
  labels?: boolean;
  horizontal?: boolean;
  smooth?: boolean;
  /** Anything else, merged over the generated ECharts option. */
  echarts?: Record<string, unknown>;
} & Record<string, unknown>;
