import { evaluateCondition, isBudgetError, locateExpressionError } from './expression.ts';
import type { FormDefinition } from './schemas/index.ts';

export type FormRule = NonNullable<FormDefinition['rules']>[number];

export interface ActiveRules {
  hidden: Set<string>;
  required: Set<string>;
  readonly: Set<string>;
}

// `show` hides its fields while its condition does not hold; the other effects act while it holds.
function effectSet(out: ActiveRules, effect: FormRule['effect'], holds: boolean): Set<string> | null {
  if (effect === 'show') return holds ? null : out.hidden;
  if (!holds) return null;
  if (effect === 'hide') return out.hidden;
  return effect === 'require' ? out.required : out.readonly;
}

/**
 * The fields a form's rules hide, require and lock for these values: the one reading of form rules
 * the server's validation, the portal and workspace forms and the designer's preview share.
 *
 * A rule's `record` is the form's data plus the record's `status` (`new` before it exists), which
 * rules such as "resolution notes are required once resolved" test. A rule whose condition cannot
 * be evaluated (a field not filled in yet) does not apply; one that ran out of budget is an error
 * (thrown, naming the rule), so that sending enough data cannot lift a rule.
 */
export function activeRules(
  rules: readonly FormRule[] | undefined,
  data: Record<string, unknown>,
  status: string,
): ActiveRules {
  const out: ActiveRules = { hidden: new Set(), required: new Set(), readonly: new Set() };
  const context = { record: { ...data, status } };
  for (const [i, rule] of (rules ?? []).entries()) {
    let holds = false;
    try {
      holds = evaluateCondition(rule.when, context);
    } catch (error) {
      if (isBudgetError(error)) throw locateExpressionError(error, { at: `/rules/${i}/when` });
      holds = false;
    }
    const into = effectSet(out, rule.effect, holds);
    if (into) for (const f of rule.fields) into.add(f);
  }
  return out;
}
