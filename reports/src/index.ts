/**
 * @opsloom/reports — the report engine: a report definition → a query plan → parameterised SQL
 * (through the knex instance the runtime passes) → rows → an ECharts option. Parameters, plans,
 * time buckets, drill-down queries and charts are pure (tested without a database); `runReport`
 * and `exportReport` run the SQL. The runtime supplies visibility, business time and names
 * through `EngineContext`.
 */
export { buildChart, type ChartInput, chartValue } from './chart.ts';
export {
  DATASETS,
  type DatasetImpl,
  type FieldImpl,
  type LabelKind,
  registryMismatches,
} from './datasets.ts';
export { type Cell, type Drill, decodeCell, encodeCell, listQuery } from './drill.ts';
export {
  type Built,
  type Column,
  drillRecordIds,
  type EngineContext,
  type ExportCell,
  type ExportResult,
  exportReport,
  type Row,
  type RunResult,
  runReport,
} from './engine.ts';
export { badParam, ReportError, type ReportErrorCode } from './errors.ts';
export { CONTENT_TYPES, csvField, csvStream, type ExportTable, xlsxStream } from './export.ts';
export {
  type ParamValue,
  presetRange,
  previousRange,
  type ResolvedParams,
  resolveParams,
  type TimeRange,
} from './params.ts';
export { type Condition, type Plan, planReport } from './plan.ts';
export { bucketKey, bucketKeys, bucketOf, segments } from './time.ts';
