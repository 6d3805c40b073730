import { describe, expect, it } from 'vitest';
import {
  compileExpression,
  EXPRESSION_COST_LIMIT,
  ExpressionError,
  evaluateCondition,
  isBudgetError,
} from './expression.ts';

describe('compileExpression', () => {
  it('returns the same compiled object for the same source', () => {
    const a = compileExpression('record.priority == "P1"');
    const b = compileExpression('record.priority == "P1"');
    expect(a).toBe(b);
    expect(a.source).toBe('record.priority == "P1"');
  });

  it('throws ExpressionError with both languages on a syntax error', () => {
    let error: unknown;
    try {
      compileExpression('record.priority ==== 1');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExpressionError);
    const { localized } = error as ExpressionError;
    expect(localized['zh-CN']).toMatch(/表达式/);
    expect(localized.en).toMatch(/syntax/i);
    expect((error as ExpressionError).message).toBe(localized.en);
  });

  it('rejects an empty expression', () => {
    expect(() => compileExpression('  ')).toThrow(ExpressionError);
  });

  it('evaluates list macros over plain JSON context', () => {
    const ctx = { apps: [{ status: 'SIT发布成功' }, { status: 'SIT发布成功' }] };
    expect(compileExpression('apps.all(a, a.status == "SIT发布成功")').evaluate(ctx)).toBe(true);
    expect(compileExpression('apps.exists(a, a.status == "失败")').evaluate(ctx)).toBe(false);
    expect(compileExpression('apps.filter(a, a.status == "SIT发布成功").size()').evaluate(ctx)).toBe(2);
  });

  it('mixes JSON numbers with integer literals the way an admin expects', () => {
    expect(compileExpression('impact + 1').evaluate({ impact: 2 })).toBe(3);
    expect(compileExpression('impact * urgency').evaluate({ impact: 2, urgency: 3 })).toBe(6);
    expect(compileExpression('impact / 2').evaluate({ impact: 3 })).toBe(1.5);
    expect(compileExpression('record.impact <= 2').evaluate({ record: { impact: 2 } })).toBe(true);
  });

  it('returns plain JSON values (no bigint, Map or Date)', () => {
    expect(compileExpression('[1, 2].map(x, x * 2)').evaluate({})).toEqual([2, 4]);
    expect(compileExpression('{"a": 1}').evaluate({})).toEqual({ a: 1 });
    expect(compileExpression('timestamp("2026-01-01T00:00:00Z")').evaluate({})).toBe(
      '2026-01-01T00:00:00.000Z',
    );
  });

  it('wraps evaluation errors in ExpressionError, never a raw TypeError', () => {
    const expr = compileExpression('record.missing == 1');
    expect(() => expr.evaluate({ record: {} })).toThrow(ExpressionError);
    expect(() => expr.evaluate({})).toThrow(ExpressionError);
    expect(() => compileExpression('"a" + 1').evaluate({})).toThrow(ExpressionError);
  });
});

describe('expression sandbox', () => {
  const context = () => ({ x: { a: 1 }, s: 'text', items: [1, 2] });
  const attacks = [
    'constructor.constructor("return process")()',
    'x.constructor.constructor("return process")()',
    'x.constructor',
    's.constructor',
    'items.constructor',
    'x.__proto__',
    'x["__proto__"]',
    'x["constructor"]',
    'x.toString()',
    'toString()',
    's.valueOf()',
    'this',
    'globalThis',
    'process',
    'require("fs")',
    'x.hasOwnProperty("a")',
  ];

  it.each(attacks)('%s fails with ExpressionError', (source) => {
    let result: unknown = 'not evaluated';
    let error: unknown;
    try {
      result = compileExpression(source).evaluate(context());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExpressionError);
    expect(result).toBe('not evaluated');
  });

  it('does not see inherited properties of a polluted prototype', () => {
    const polluted = JSON.parse('{"__proto__": {"isAdmin": true}, "name": "x"}') as Record<string, unknown>;
    expect(() => compileExpression('user.isAdmin').evaluate({ user: polluted })).toThrow(ExpressionError);
    const inherited = Object.create({ isAdmin: true }) as Record<string, unknown>;
    expect(() => compileExpression('user.isAdmin').evaluate({ user: inherited })).toThrow(ExpressionError);
    expect(evaluateCondition('has(user.isAdmin)', { user: inherited })).toBe(false);
  });

  it('cannot pollute Object.prototype through a map literal', () => {
    compileExpression('{"__proto__": {"polluted": true}}').evaluate({});
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('leaves the context untouched', () => {
    const ctx = context();
    const before = JSON.stringify(ctx);
    compileExpression('x.a + 1').evaluate(ctx);
    expect(JSON.stringify(ctx)).toBe(before);
  });
});

describe('evaluateCondition', () => {
  it('uses truthiness', () => {
    expect(evaluateCondition('record.priority == "P1"', { record: { priority: 'P1' } })).toBe(true);
    expect(evaluateCondition('record.assignee', { record: { assignee: 'alice' } })).toBe(true);
    expect(evaluateCondition('record.assignee', { record: { assignee: '' } })).toBe(false);
    expect(evaluateCondition('record.assignee', { record: { assignee: null } })).toBe(false);
    expect(evaluateCondition('items', { items: [] })).toBe(false);
    expect(evaluateCondition('count', { count: 0 })).toBe(false);
  });

  it('throws ExpressionError for unknown variables instead of reading them as false', () => {
    expect(() => evaluateCondition('recrod.priority == "P1"', { record: {} })).toThrow(ExpressionError);
  });
});

describe('budgets: requester data cannot make an expression run for long', () => {
  it('runs matches on RE2: a catastrophic pattern answers at once', () => {
    const started = performance.now();
    expect(
      evaluateCondition('record.code.matches("^(a+)+$")', { record: { code: `${'a'.repeat(5000)}!` } }),
    ).toBe(false);
    expect(evaluateCondition('record.code.matches("^(a+)+$")', { record: { code: 'aaaa' } })).toBe(true);
    // JavaScript's engine takes seconds from about 28 characters; RE2 stays linear.
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('fails an evaluation that goes over its cost budget, as a budget error', () => {
    const l = Array.from({ length: 80 }, (_, i) => i);
    let error: unknown;
    try {
      compileExpression('l.map(a, l.map(b, l.map(c, l.map(d, a + b + c + d)))).size()').evaluate({ l });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExpressionError);
    expect(isBudgetError(error)).toBe(true);
    expect((error as ExpressionError).localized.en).toContain(String(EXPRESSION_COST_LIMIT));
    expect((error as ExpressionError).localized['zh-CN']).toContain('预算');
  });

  it('does not let exists or || absorb a budget error into a value', () => {
    const l = Array.from({ length: 400 }, (_, i) => i);
    const source = 'l.exists(a, l.exists(b, a * b == -1)) || true';
    expect(() => compileExpression(source).evaluate({ l })).toThrow(/budget/);
  });

  it('charges large strings built in a loop by their size', () => {
    const s = 'x'.repeat(100_000);
    expect(() =>
      compileExpression('l.map(a, s + s).size()').evaluate({
        l: Array.from({ length: 200 }, (_, i) => i),
        s,
      }),
    ).toThrow(/budget/);
  });

  it('leaves ordinary conditions well inside the budget', () => {
    const apps = Array.from({ length: 200 }, (_, i) => ({ name: `app${i}`, status: 'SIT发布成功' }));
    expect(
      evaluateCondition('record.apps.all(a, a.status == "SIT发布成功") && record.impact <= 2', {
        record: { apps, impact: 1 },
      }),
    ).toBe(true);
  });
});
