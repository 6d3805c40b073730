import { type Checker, str } from '../checker.ts';
import { checkActions } from './actions.ts';

export function checkRule(c: Checker, def: Record<string, unknown>): void {
  const form = str(def.form);
  c.reference('form', form, '/form');
  c.expression('/condition', def.condition);
  checkActions(c, def.actions, '/actions', form);
}
