import { compileExpression, ExpressionError } from '../expression.ts';
import { literalPatterns, staticCostProblem } from '../expression-cost.ts';
import type { LocalizedMessage } from '../i18n.ts';
import type { DefinitionKind } from '../kinds.ts';
import { regexProblem } from '../regex.ts';
import { SYSTEM_STATUSES } from '../schemas/form.ts';
import { checkTemplate } from '../template.ts';
import type { Resolver } from './lookup.ts';
import type { MessageParams, ProblemCode } from './messages.ts';
import { child } from './pointer.ts';
import type { ProblemList } from './problems.ts';

const REF_CODES = {
  form: 'ref.form',
  process: 'ref.process',
  sla: 'ref.sla',
  calendar: 'ref.calendar',
  report: 'ref.report',
  rule: 'ref.rule',
  dashboard: 'ref.dashboard',
} as const satisfies Partial<Record<DefinitionKind, ProblemCode>>;

/**
 * What every kind-specific check needs: the problem list, the resolver, and helpers for
 * the checks all kinds share (expressions, templates, references, duplicate ids). Helpers
 * accept `unknown` so they stay safe when the shape check already found the value wrong.
 */
export class Checker {
  constructor(
    readonly problems: ProblemList,
    readonly refs: Resolver,
  ) {}

  add(code: ProblemCode, path: string, params?: MessageParams, atPath?: string): void {
    this.problems.add(code, path, params, atPath);
  }

  /** An expression must compile, stay within its budget as far as can be known, and use patterns RE2 runs. */
  expression(path: string, source: unknown): void {
    if (typeof source !== 'string' || source === '') return;
    let compiled: ReturnType<typeof compileExpression>;
    try {
      compiled = compileExpression(source);
    } catch (error) {
      const detail: LocalizedMessage =
        error instanceof ExpressionError ? error.localized : { 'zh-CN': String(error), en: String(error) };
      this.add('expression.syntax', path, { source, detail });
      return;
    }
    const cost = staticCostProblem(compiled.ast);
    if (cost?.kind === 'over')
      this.add('expression.cost', path, { source, estimate: cost.estimate, limit: cost.limit });
    if (cost?.kind === 'unbounded')
      this.add('expression.unbounded', path, { source, nesting: cost.nesting, limit: cost.limit });
    for (const pattern of literalPatterns(compiled.ast)) this.pattern(path, pattern);
  }

  /** A regular expression from a definition must be one RE2 runs (linear time; see regex.ts). */
  pattern(path: string, pattern: unknown): void {
    if (typeof pattern !== 'string') return;
    const detail = regexProblem(pattern);
    if (detail) this.add('pattern.unsafe', path, { pattern, detail });
  }

  /** Every language of an I18nText (or a plain string) must parse as a liquid template. */
  template(path: string, text: unknown): void {
    if (typeof text === 'string') {
      const error = checkTemplate(text);
      if (error) this.add('template.syntax', path, { detail: error });
    } else if (text && typeof text === 'object') {
      for (const [locale, value] of Object.entries(text)) {
        if (typeof value === 'string') this.template(child(path, locale), value);
      }
    }
  }

  /** Strings anywhere inside a JSON value (e.g. an HTTP body) are templates. */
  templatesIn(path: string, value: unknown): void {
    if (typeof value === 'string') this.template(path, value);
    else if (Array.isArray(value)) {
      value.forEach((v, i) => {
        this.templatesIn(child(path, i), v);
      });
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) this.templatesIn(child(path, k), v);
    }
  }

  reference(kind: keyof typeof REF_CODES, key: unknown, path: string): void {
    if (typeof key !== 'string') return;
    if (this.refs.hasDefinition(kind, key) === false) this.add(REF_CODES[kind], path, { key });
  }

  group(key: unknown, path: string): void {
    if (typeof key === 'string' && this.refs.hasGroup(key) === false) this.add('ref.group', path, { key });
  }

  user(key: unknown, path: string): void {
    if (typeof key === 'string' && this.refs.hasUser(key) === false) this.add('ref.user', path, { key });
  }

  /** Field `field` must exist in form `formKey` when the form's fields are known. */
  field(formKey: unknown, field: unknown, path: string): void {
    if (typeof formKey !== 'string' || typeof field !== 'string') return;
    const fields = this.refs.formFields(formKey);
    if (Array.isArray(fields) && !fields.includes(field))
      this.add('ref.field', path, { form: formKey, field });
  }

  /** Status `status` must be one of form `formKey`'s statuses when the form declares them. */
  status(formKey: unknown, status: unknown, path: string): void {
    if (typeof formKey !== 'string' || typeof status !== 'string') return;
    const declared = this.refs.formStatuses(formKey);
    if (!declared) return;
    const statuses = [...new Set([...declared, ...SYSTEM_STATUSES.map((s) => s.key)])];
    if (!statuses.includes(status))
      this.add('ref.status', path, { form: formKey, status, allowed: statuses.join(', ') });
  }

  /** Reports the second and later use of each id in a list of objects. */
  uniqueIds(list: unknown, path: string, collection: LocalizedMessage, idKey = 'id'): void {
    if (!Array.isArray(list)) return;
    const seen = new Set<string>();
    list.forEach((item, i) => {
      const id = (item as Record<string, unknown> | null)?.[idKey];
      if (typeof id !== 'string') return;
      if (seen.has(id)) this.add('id.duplicate', child(path, i, idKey), { id, collection });
      seen.add(id);
    });
  }
}

/** Arrays from possibly malformed input: anything that is not an array reads as empty. */
export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
