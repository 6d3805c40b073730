import { Environment } from '@marcbachmann/cel-js';
import type { LocalizedMessage } from './i18n.ts';

/**
 * The one expression language of Opsloom: CEL through @marcbachmann/cel-js. CEL has no
 * statements, no loops beyond list macros (all, exists, exists_one, map, filter) and no
 * access to JavaScript prototypes or globals: member access only reads own keys of plain
 * objects, so `x.constructor`, `__proto__` and `toString()` fail instead of leaking.
 *
 * Context values must be plain JSON data (objects, arrays, strings, numbers, booleans,
 * null). Callers convert Dates to ISO strings or epoch numbers beforehand; use
 * `timestamp(record.createdAt)` in an expression to compare instants.
 *
 * CEL reserves its type names as identifiers: a context variable called `list`, `map`,
 * `int`, `string`, `bool`, `bytes`, `double`, `uint`, `type` or `dyn` is shadowed by the type.
 * The runtime's context uses `record`, `task`, `user`, `now`… and never those names.
 *
 * JSON numbers arrive as CEL doubles while literals like `1` are CEL ints, and CEL has no
 * implicit int/double arithmetic. We register the mixed overloads so `impact + 1` works as
 * an admin expects. Results are returned as plain JSON too (ints become numbers).
 */

/**
 * The cost one evaluation may spend, after CEL's runtime cost model: one per evaluated node, plus
 * one per 64 characters of a string and one per element of a list it yields. About ten
 * milliseconds of work here; ordinary conditions cost tens, a macro over a table of a hundred
 * rows a few thousand. Requester-supplied data must never be able to hold the server.
 */
export const EXPRESSION_COST_LIMIT = 50_000;

export type ExpressionFailure = 'syntax' | 'evaluation' | 'budget';

export class ExpressionError extends Error {
  override name = 'ExpressionError';
  readonly localized: LocalizedMessage;
  readonly source: string;
  readonly reason: ExpressionFailure;
  /** Which definition and which place in it, filled in by whoever evaluated it and knows. */
  where?: { definition?: string; at?: string };
  constructor(
    source: string,
    localized: LocalizedMessage,
    options?: { cause?: unknown; reason?: ExpressionFailure },
  ) {
    super(localized.en, options);
    this.source = source;
    this.localized = localized;
    this.reason = options?.reason ?? 'evaluation';
  }
}

/**
 * Whether an error is an evaluation that ran out of budget. Callers that read a failing
 * condition as "does not hold" (a field not filled in yet) must not read this one so: a
 * requester could otherwise lift a `require` rule by sending enough data.
 */
export const isBudgetError = (error: unknown): error is ExpressionError =>
  error instanceof ExpressionError && error.reason === 'budget';

/** Names the definition and place of an expression error, unless a closer caller already did. */
export function locateExpressionError<E>(error: E, where: { definition?: string; at?: string }): E {
  if (error instanceof ExpressionError) error.where = { ...where, ...error.where };
  return error;
}

export interface CompiledExpression {
  readonly source: string;
  /** The parsed tree, for checks made before it runs (`expression-cost.ts`). */
  readonly ast: unknown;
  /** Throws ExpressionError when evaluation fails (unknown variable, missing key, type mismatch…). */
  evaluate(context: Record<string, unknown>): unknown;
}

const environment = createEnvironment();

function createEnvironment(): Environment {
  const env = new Environment({
    unlistedVariablesAreDyn: true,
    homogeneousAggregateLiterals: false,
    enableOptionalTypes: true,
    limits: {
      maxAstNodes: 2000,
      maxDepth: 64,
      maxListElements: 1000,
      maxMapEntries: 1000,
      maxCallArguments: 32,
      maxCost: EXPRESSION_COST_LIMIT,
    },
  });
  const ops: Record<string, (a: number, b: number) => number> = {
    '+': (a, b) => a + b,
    '-': (a, b) => a - b,
    '*': (a, b) => a * b,
    '/': (a, b) => a / b,
    '%': (a, b) => a % b,
  };
  for (const [op, fn] of Object.entries(ops)) {
    env.registerOperator(`double ${op} int`, (a: number, b: bigint) => fn(a, Number(b)));
    env.registerOperator(`int ${op} double`, (a: bigint, b: number) => fn(Number(a), b));
  }
  return env;
}

/** Bounded so a designer typing thousands of variants cannot grow memory without limit. */
const CACHE_LIMIT = 1000;
const cache = new Map<string, CompiledExpression>();

export function compileExpression(source: string): CompiledExpression {
  const hit = cache.get(source);
  if (hit) {
    // Re-insert so the Map's insertion order approximates least-recently-used.
    cache.delete(source);
    cache.set(source, hit);
    return hit;
  }
  const compiled = compileUncached(source);
  cache.set(source, compiled);
  if (cache.size > CACHE_LIMIT) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  return compiled;
}

function compileUncached(source: string): CompiledExpression {
  if (typeof source !== 'string' || source.trim() === '') {
    throw new ExpressionError(String(source), { 'zh-CN': '表达式为空', en: 'The expression is empty' });
  }
  let program: ((context: Record<string, unknown>) => unknown) & { ast?: unknown };
  try {
    program = environment.parse(source);
  } catch (error) {
    const detail = summary(error);
    throw new ExpressionError(
      source,
      { 'zh-CN': `表达式语法错误：${detail}`, en: `Expression syntax error: ${detail}` },
      { cause: error, reason: 'syntax' },
    );
  }
  return Object.freeze({
    source,
    ast: program.ast,
    evaluate(context: Record<string, unknown>): unknown {
      let result: unknown;
      try {
        result = program(context);
      } catch (error) {
        if ((error as { code?: unknown } | null)?.code === 'cost_limit_exceeded')
          throw new ExpressionError(
            source,
            {
              'zh-CN': `表达式超出了计算预算（${EXPRESSION_COST_LIMIT}）：它要处理的数据太多`,
              en: `The expression went over its budget of ${EXPRESSION_COST_LIMIT}: it works through too much data`,
            },
            { cause: error, reason: 'budget' },
          );
        const detail = summary(error);
        throw new ExpressionError(
          source,
          { 'zh-CN': `表达式求值失败：${detail}`, en: `Expression evaluation failed: ${detail}` },
          { cause: error },
        );
      }
      return toPlain(result);
    },
  });
}

/**
 * Evaluates a condition and reports whether it holds. Truthiness rather than strict
 * booleans: false, null, 0, "" and empty lists/maps are false, so `record.assignee` reads
 * as "has an assignee". Errors (unknown variable, missing key) still throw ExpressionError
 * so a typo is never silently false; use `has(record.x)` or `record.?x` for optional data.
 */
export function evaluateCondition(source: string, context: Record<string, unknown>): boolean {
  return truthy(compileExpression(source).evaluate(context));
}

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value !== null && typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
}

/** cel-js puts source highlighting in `message`; `summary` is the one-line reason. */
function summary(error: unknown): string {
  if (error && typeof error === 'object') {
    const s = (error as { summary?: unknown }).summary;
    if (typeof s === 'string' && s !== '') return s;
    const m = (error as { message?: unknown }).message;
    if (typeof m === 'string') return m.split('\n')[0] ?? m;
  }
  return String(error);
}

/** Turns CEL values (bigint, Map, Date, Uint8Array, Optional) back into JSON-shaped data. */
function toPlain(value: unknown): unknown {
  if (typeof value === 'bigint') {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value.toString();
  }
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(toPlain);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Array.from(value);
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) out[String(k)] = toPlain(v);
    return out;
  }
  const maybeOptional = value as { hasValue?: unknown; value?: unknown };
  if (typeof maybeOptional.hasValue === 'function' && typeof maybeOptional.value === 'function') {
    return (maybeOptional.hasValue as () => boolean)()
      ? toPlain((maybeOptional.value as () => unknown)())
      : null;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toPlain(v);
    return out;
  }
  // Durations, types and other CEL objects: their string form is what an admin would read.
  return String(value);
}
