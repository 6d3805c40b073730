import type { DashboardDefinition } from '@opsloom/spec';
import type { Knex } from 'knex';
import type { Actor, Role } from '../context.ts';
import { currentBodies } from '../definitions/current.ts';
import { notFound } from '../http/errors.ts';
import { translateBoth } from '../i18n/translate.ts';

/** Who opens dashboards when a definition does not say: the staff roles. */
const DEFAULT_ROLES: readonly Role[] = ['admin', 'manager', 'agent'];

export type Dashboard = DashboardDefinition;

export const dashboardWhat = (key: string) => translateBoth('what.dashboard', { key });

/** Whether `actor` may open `def`: one of its roles is in `visibleTo` (admins always). */
export function mayOpen(actor: Pick<Actor, 'roles'>, def: Dashboard): boolean {
  if (actor.roles.includes('admin')) return true;
  const roles = (def.visibleTo?.roles ?? DEFAULT_ROLES) as readonly Role[];
  return actor.roles.some((r) => roles.includes(r));
}

/** The current published dashboards, by key. */
export async function currentDashboards(db: Knex): Promise<Map<string, Dashboard>> {
  return new Map((await currentBodies<Dashboard>(db, 'dashboard')).map((d) => [d.key, d.def]));
}

/** A published dashboard the actor may open; otherwise 404, whether it exists or not. */
export async function openDashboard(
  db: Knex,
  actor: Pick<Actor, 'roles'> | null,
  key: string,
): Promise<Dashboard> {
  const def = (await currentDashboards(db)).get(key);
  if (!def || (actor && !mayOpen(actor, def))) throw notFound(dashboardWhat(key));
  return def;
}

/** The dashboards the actor may open, with the one their roles land on marked. */
export async function listDashboards(db: Knex, actor: Actor) {
  const items = [];
  for (const [key, def] of await currentDashboards(db)) {
    if (!mayOpen(actor, def)) continue;
    items.push({
      key,
      name: def.name,
      description: def.description ?? null,
      widgets: def.widgets.length,
      bigScreen: def.bigScreen !== undefined,
      landing: (def.landingFor ?? []).some((r) => actor.roles.includes(r as Role)),
    });
  }
  return { items };
}

/**
 * The keys a share of `key` opens: the dashboard and the dashboards of its wall-screen playlist
 * (each shown in turn on the screen it hangs on).
 */
export function sharedKeys(key: string, def: Dashboard): string[] {
  return [key, ...(def.bigScreen?.playlist?.dashboards ?? [])];
}
