import { DEFINITION_KINDS, type DefinitionKind, isDefinitionKind } from '../kinds.ts';
import { Checker } from './checker.ts';
import { checkCalendar } from './checks/calendar.ts';
import { checkCatalog } from './checks/catalog.ts';
import { checkDashboard } from './checks/dashboard.ts';
import { checkForm } from './checks/form.ts';
import { checkProcess } from './checks/process.ts';
import { checkReport } from './checks/report.ts';
import { checkRule } from './checks/rule.ts';
import { checkSchedule } from './checks/schedule.ts';
import { checkSla } from './checks/sla.ts';
import { bundleResolver, type Lookup, type Resolver, resolverFor } from './lookup.ts';
import { type Problem, ProblemList, type ValidationResult } from './problems.ts';
import { checkShape, show } from './shape.ts';

const CHECKS: Record<DefinitionKind, (c: Checker, def: Record<string, unknown>) => void> = {
  form: checkForm,
  process: checkProcess,
  rule: checkRule,
  sla: checkSla,
  calendar: checkCalendar,
  report: checkReport,
  dashboard: checkDashboard,
  schedule: checkSchedule,
  catalog: checkCatalog,
};

/**
 * Validates one definition and returns every problem at once: shape (JSON Schema), then
 * the kind's semantic checks. Semantic checks run even when the shape is wrong, so a
 * missing node name does not hide a broken graph; they read the input defensively, and a
 * check that still trips over malformed input is skipped (the shape problems explain it).
 */
export function validateDefinition(def: unknown, lookup?: Lookup): ValidationResult {
  return toResult(validateWith(def, resolverFor(lookup)));
}

/**
 * Validates definitions that ship together (a plugin): references between them resolve,
 * e.g. a process naming the plugin's own form, before falling back to `lookup`.
 * Returns the problems of each definition by its index; definitions without problems are
 * absent from the map.
 */
export function validateBundle(defs: unknown[], lookup?: Lookup): Map<number, Problem[]> {
  const resolver = bundleResolver(defs, resolverFor(lookup));
  const result = new Map<number, Problem[]>();
  defs.forEach((def, i) => {
    const problems = validateWith(def, resolver);
    if (problems.length > 0) result.set(i, problems);
  });
  return result;
}

function toResult(problems: Problem[]): ValidationResult {
  return { ok: problems.length === 0, problems };
}

function validateWith(def: unknown, resolver: Resolver): Problem[] {
  const problems = new ProblemList(def);
  if (def === null || typeof def !== 'object' || Array.isArray(def)) {
    problems.add('definition.type', '', {
      got: def === null ? 'null' : Array.isArray(def) ? 'array' : typeof def,
    });
    return problems.items;
  }
  const kind = (def as { kind?: unknown }).kind;
  if (!isDefinitionKind(kind)) {
    problems.add('definition.kind', '/kind', {
      // A kind that is not a string is shown as JSON: String() of {"toString": 0} throws.
      kind: typeof kind === 'string' ? kind : show(kind),
      allowed: DEFINITION_KINDS.join(', '),
    });
    return problems.items;
  }
  const shapeOk = checkShape(kind, def, problems);
  try {
    CHECKS[kind](new Checker(problems, resolver), def as Record<string, unknown>);
  } catch (error) {
    if (shapeOk) throw error;
  }
  return problems.items;
}
