import { describe, expect, it } from 'vitest';
import { type ExpressionError, isBudgetError } from './expression.ts';
import { activeRules, type FormRule } from './form-rules.ts';

const rules: FormRule[] = [
  { id: 'need-notes', when: 'record.status == "resolved"', effect: 'require', fields: ['notes'] },
  { id: 'hide-while-new', when: 'record.status == "new"', effect: 'hide', fields: ['notes'] },
  { id: 'show-cost', when: 'record.kind == "purchase"', effect: 'show', fields: ['cost'] },
  { id: 'lock-title', when: 'record.locked', effect: 'readonly', fields: ['title'] },
];
const sorted = (s: Set<string>) => [...s].sort();

describe('activeRules', () => {
  it('reads the record status beside the form data', () => {
    const created = activeRules(rules, {}, 'new');
    expect(sorted(created.hidden)).toEqual(['cost', 'notes']);
    expect(sorted(created.required)).toEqual([]);
    const resolved = activeRules(rules, { kind: 'purchase', locked: true }, 'resolved');
    expect(sorted(resolved.hidden)).toEqual([]);
    expect(sorted(resolved.required)).toEqual(['notes']);
    expect(sorted(resolved.readonly)).toEqual(['title']);
  });

  it('lets a rule over an unfilled field not apply, so a show rule hides', () => {
    const out = activeRules(rules, { kind: 'other' }, 'open');
    expect(sorted(out.hidden)).toEqual(['cost']);
    expect(sorted(out.readonly)).toEqual([]);
  });

  it('takes the status from the record, not from a form field of that name', () => {
    expect(sorted(activeRules(rules, { status: 'resolved' }, 'new').required)).toEqual([]);
  });

  it('has nothing to say without rules', () => {
    expect(sorted(activeRules(undefined, {}, 'new').hidden)).toEqual([]);
  });

  it('throws, naming the rule, when a rule runs out of budget: sending more data cannot lift it', () => {
    const big: FormRule[] = [
      {
        id: 'justify-expensive',
        when: 'record.items.exists(a, record.items.exists(b, a.price + b.price > 100000))',
        effect: 'require',
        fields: ['justification'],
      },
    ];
    const items = Array.from({ length: 500 }, () => ({ price: 1 }));
    let error: unknown;
    try {
      activeRules(big, { items }, 'new');
    } catch (e) {
      error = e;
    }
    expect(isBudgetError(error)).toBe(true);
    expect((error as ExpressionError).where).toEqual({ at: '/rules/0/when' });
    expect(sorted(activeRules(big, { items: items.slice(0, 3) }, 'new').required)).toEqual([]);
  });
});
