import { localize } from '@opsloom/spec';
import type { Knex } from 'knex';
import type { Actor } from '../context.ts';
import { currentOfKind } from '../definitions/current.ts';
import { loadGraph } from '../engine/graph.ts';
import { ApiError } from '../http/errors.ts';
import { groupKeysOfUser } from '../people/users.ts';
import type { LoadedForm } from './forms.ts';
import { seesEverything } from './visibility.ts';

/**
 * Who may raise a record without a catalog item. The catalog is where an admin decides who may
 * ask for what (`visibleTo`); a create that names no item skipped that decision, so a requester
 * could raise a manager-only onboarding, or a change straight into CAB review. So:
 *  - a requester (no staff role) raises records only through a catalog item published to them;
 *  - managers and admins raise any type directly;
 *  - an agent raises directly the types their groups work: a current process of the type has a
 *    step assigned to one of their groups, or to the agent role.
 * Records the system raises (schedules, a process's linked records) are not requests by a person.
 */
export async function assertMayCreateDirectly(db: Knex, actor: Actor, form: LoadedForm): Promise<void> {
  if (seesEverything(actor)) return;
  const type = { 'zh-CN': localize(form.def.name, 'zh-CN'), en: localize(form.def.name, 'en') };
  if (!actor.roles.includes('agent'))
    throw new ApiError(403, 'catalog_item_required', 'error.catalog_item_required', { type });
  if (!(await typesWorkedBy(db, actor)).has(form.key))
    throw new ApiError(403, 'type_not_worked', 'error.type_not_worked', { type });
}

/** The record types whose current processes give work to the agent's groups (or to agents). */
export async function typesWorkedBy(db: Knex, actor: Actor): Promise<Set<string>> {
  const groups = new Set(await groupKeysOfUser(db, actor.userId));
  const types = new Set<string>();
  for (const p of await currentOfKind(db, 'process')) {
    // Compiled graphs are cached by key@version, so this loop sends no query per process.
    const { def } = await loadGraph(db, p.key, p.version);
    const works = def.nodes.some((n) => {
      if (n.type !== 'userTask') return false;
      const values = (n.assignee.value ?? '').split(',').map((v) => v.trim());
      if (n.assignee.type === 'group') return values.some((g) => groups.has(g));
      return n.assignee.type === 'role' && values.includes('agent');
    });
    if (works) types.add(def.form);
  }
  return types;
}
