import type { TSchema } from '@sinclair/typebox';
import type { DefinitionKind } from '../kinds.ts';
import { CalendarDefinition } from './calendar.ts';
import { CatalogDefinition } from './catalog.ts';
import { DashboardDefinition } from './dashboard.ts';
import { FormDefinition } from './form.ts';
import { ProcessDefinition } from './process.ts';
import { ReportDefinition } from './report.ts';
import { RuleDefinition } from './rule.ts';
import { ScheduleDefinition } from './schedule.ts';
import { SlaDefinition } from './sla.ts';

const typeboxSchemas: Record<DefinitionKind, TSchema> = {
  form: FormDefinition,
  process: ProcessDefinition,
  rule: RuleDefinition,
  sla: SlaDefinition,
  calendar: CalendarDefinition,
  report: ReportDefinition,
  dashboard: DashboardDefinition,
  schedule: ScheduleDefinition,
  catalog: CatalogDefinition,
};

/** TypeBox tags schemas with symbols; a JSON round trip leaves the plain JSON Schema Monaco and ajv read. */
function plain(schema: TSchema): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
}

/** Plain JSON Schema (draft-07 keywords plus OpenAPI's `discriminator` hint) of each kind. */
export const definitionJsonSchemas: Record<DefinitionKind, object> = Object.fromEntries(
  Object.entries(typeboxSchemas).map(([kind, schema]) => [
    kind,
    {
      $schema: 'http://json-schema.org/draft-07/schema#',
      title: `Opsloom ${kind} definition`,
      ...plain(schema),
    },
  ]),
) as Record<DefinitionKind, object>;

/** Any definition, selected by `kind`: the schema the Monaco JSON view validates against. */
export const anyDefinitionJsonSchema: object = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Opsloom definition',
  type: 'object',
  required: ['kind'],
  discriminator: { propertyName: 'kind' },
  oneOf: Object.values(typeboxSchemas).map(plain),
};

export type { CalendarDefinition } from './calendar.ts';
export type { CatalogDefinition } from './catalog.ts';
export type { DashboardDefinition } from './dashboard.ts';
export type { FormDefinition } from './form.ts';
export type { ProcessDefinition } from './process.ts';
export type { ReportDefinition } from './report.ts';
export type { RuleDefinition } from './rule.ts';
export type { ScheduleDefinition } from './schedule.ts';
export type { SlaDefinition, SlaTrigger } from './sla.ts';

export type Definition =
  | FormDefinition
  | ProcessDefinition
  | RuleDefinition
  | SlaDefinition
  | CalendarDefinition
  | ReportDefinition
  | DashboardDefinition
  | ScheduleDefinition
  | CatalogDefinition;

export interface DefinitionByKind {
  form: FormDefinition;
  process: ProcessDefinition;
  rule: RuleDefinition;
  sla: SlaDefinition;
  calendar: CalendarDefinition;
  report: ReportDefinition;
  dashboard: DashboardDefinition;
  schedule: ScheduleDefinition;
  catalog: CatalogDefinition;
}
