import { type I18nText, localize } from '@opsloom/spec';
import type { Knex } from 'knex';
import { ApiError } from '../http/errors.ts';
import type { FieldProblem } from '../http/validate.ts';
import { type Assignable, assignableAmong } from '../people/users.ts';
import type { LoadedForm } from './forms.ts';
import type { Data } from './store.ts';

/**
 * Person fields a step may be assigned from are limited by the form: `x-assignable` on the field
 * (`{ roles: [...], groups: [...] }`) names whom it may hold. Without it a requester could name a
 * colleague with no authority as the approving manager, and that colleague would approve.
 */
function assignableFields(form: LoadedForm): { field: string; label: I18nText; within: Assignable }[] {
  const properties =
    (form.def.schema as { properties?: Record<string, Record<string, unknown>> }).properties ?? {};
  return Object.entries(properties)
    .filter(([, p]) => p['x-assignable'] && typeof p['x-assignable'] === 'object')
    .map(([field, p]) => ({
      field,
      label: (p['x-title'] ?? p.title ?? field) as I18nText,
      within: p['x-assignable'] as Assignable,
    }));
}

const namesIn = (value: unknown): string[] =>
  (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string' && v !== '');

const sameNames = (a: unknown, b: unknown) => namesIn(a).join('\n') === namesIn(b).join('\n');

/** The people named in restricted fields (changed from `before`) whom their field may not hold. */
export async function unassignableProblems(
  db: Knex,
  form: LoadedForm,
  data: Data,
  before?: Data,
): Promise<FieldProblem[]> {
  const problems: FieldProblem[] = [];
  for (const { field, label, within } of assignableFields(form)) {
    if (before && sameNames(data[field], before[field])) continue;
    const names = namesIn(data[field]);
    const allowed = await assignableAmong(db, names, within);
    const who = [
      ...(within.roles ?? []).map((r) => ({ en: `the role ${r}`, 'zh-CN': `角色 ${r}` })),
      ...(within.groups ?? []).map((g) => ({ en: `group ${g}`, 'zh-CN': `组 ${g}` })),
    ];
    for (const name of names.filter((n) => !allowed.has(n)))
      problems.push({
        path: `/${field}`,
        message: {
          en: `${localize(label, 'en')}: ${name} cannot be named here; pick someone with ${who.map((w) => w.en).join(' or ')}`,
          'zh-CN': `${localize(label, 'zh-CN')}：此处不能选择 ${name}，请选择具有${who.map((w) => w['zh-CN']).join('或')} 的人员`,
        },
      });
  }
  return problems;
}

/** Refuses (422, naming each field) people whom their restricted field may not hold. */
export async function assertAssignable(db: Knex, form: LoadedForm, data: Data, before?: Data): Promise<void> {
  const problems = await unassignableProblems(db, form, data, before);
  if (problems.length)
    throw new ApiError(
      422,
      'not_assignable',
      'error.not_assignable',
      { detail: problems[0]!.message },
      { problems },
    );
}
