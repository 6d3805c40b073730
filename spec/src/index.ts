/**
 * @opsloom/spec — the JSON contract of Opsloom. The designer writes only what this package
 * accepts and the runtime runs only what it accepts. Pure: no I/O, runs in the browser and
 * on the server.
 */

export { catalogItemRef, isItemDefault, isTextPerLanguage, itemDefaults } from './catalog.ts';
export {
  type ConditionForm,
  type DescribeOptions,
  describeCondition,
  shorten,
} from './condition-summary.ts';
export {
  type CompiledExpression,
  compileExpression,
  EXPRESSION_COST_LIMIT,
  ExpressionError,
  evaluateCondition,
  isBudgetError,
  locateExpressionError,
} from './expression.ts';
export { type ActiveRules, activeRules, type FormRule } from './form-rules.ts';
export { authoredMessage, localizeSchema, localizeUiSchema } from './form-text.ts';
export { type I18nText, LOCALES, type Locale, type LocalizedMessage, localize } from './i18n.ts';
export { DEFINITION_KINDS, type DefinitionKind, isDefinitionKind } from './kinds.ts';
export { compileRegex, re2RegExpEngine, regexProblem } from './regex.ts';
export { inverseOf, RELATION_NAMES, RELATIONS, type Relation } from './relations.ts';
export type { Action, Assignee, Recipient, ReportRecipient } from './schemas/actions.ts';
export { RECIPIENT_TYPES, RECIPIENT_TYPES_WITH_VALUE } from './schemas/actions.ts';
export { WEEKDAYS, type Weekday } from './schemas/calendar.ts';
export { CATALOG_ICONS, type CatalogIconName } from './schemas/catalog.ts';
export { DASHBOARD_FILTER_TYPES, DASHBOARD_ROLES, DEFAULT_DASHBOARD_COLUMNS } from './schemas/dashboard.ts';
export {
  type RecordStatus,
  STATUS_CATEGORIES,
  type StatusCategory,
  SYSTEM_STATUSES,
  statusesOf,
} from './schemas/form.ts';
export {
  anyDefinitionJsonSchema,
  type CalendarDefinition,
  type CatalogDefinition,
  type DashboardDefinition,
  type Definition,
  type DefinitionByKind,
  definitionJsonSchemas,
  type FormDefinition,
  type ProcessDefinition,
  type ReportDefinition,
  type RuleDefinition,
  type ScheduleDefinition,
  type SlaDefinition,
  type SlaTrigger,
} from './schemas/index.ts';
export type { ProcessEdge, ProcessNode, ServiceAction } from './schemas/process.ts';
export { ANY_FORM, endOutcome, NODE_TYPES, type NodeType } from './schemas/process.ts';
export {
  AGGREGATES,
  CHART_TYPES,
  DATASET_SOURCES,
  DATE_RANGE_PRESETS,
  type DatasetSource,
  type DateRangePreset,
  DURATION_UNITS,
  FILTER_OPS,
  GRANULARITIES,
  type Granularity,
  MEASURE_FORMATS,
  PARAM_TYPES,
  type ParamType,
  REPORT_ROLES,
  type ReportDimension,
  type ReportFilter,
  type ReportMeasure,
  type ReportParam,
} from './schemas/report.ts';
export {
  datasetField,
  REPORT_DATASETS,
  type ReportDataset,
  type ReportField,
  type ReportFieldKind,
} from './schemas/report-datasets.ts';
export { RULE_EVENTS } from './schemas/rule.ts';
export {
  credentialParameters,
  hasAllowedScheme,
  isSecretReference,
  keepsCredentialOut,
  looksLikeCredential,
  SECRET_NAME,
  SECRET_NAME_PATTERN,
  secretReferences,
} from './secrets.ts';
export {
  checkTemplate,
  type RenderOptions,
  renderTemplate,
  renderTemplateSync,
  TemplateError,
} from './template.ts';
export { isoDurationMs, paramValueProblem, RECORD_SYSTEM_FIELDS } from './validation/checks/report.ts';
export { isValidTimeZone } from './validation/checks/time-zone.ts';
export { type Lookup, paramsOfReport, type ReportParamInfo, statusesOfForm } from './validation/lookup.ts';
export { MESSAGES, PROBLEM_CODES, type ProblemCode } from './validation/messages.ts';
export type { Problem, ValidationResult } from './validation/problems.ts';
export { validateBundle, validateDefinition } from './validation/validate.ts';
