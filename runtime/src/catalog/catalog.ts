import {
  type CalendarDefinition,
  type CatalogDefinition,
  catalogItemRef,
  evaluateCondition,
  type FormDefinition,
  type SlaDefinition,
  statusesOf,
} from '@opsloom/spec';
import type { Knex } from 'knex';
import { polyphonic } from 'pinyin-pro';
import type { Actor } from '../context.ts';
import { currentBodies, currentOfKind } from '../definitions/current.ts';
import { getPublished } from '../definitions/store.ts';
import { loadGraph } from '../engine/graph.ts';
import { groupKeysOfUser } from '../people/users.ts';
import { loadForm } from '../records/forms.ts';
import { currentCatalogs, type Item, visibleTo } from './items.ts';

type Category = CatalogDefinition['categories'][number];

export interface PortalCategory {
  id: string;
  name: unknown;
  icon: string | null;
  parent: string | null;
  order: number;
}

export interface PortalItem {
  /** `<catalog key>/<item id>`: unique across catalogs. */
  ref: string;
  catalog: string;
  id: string;
  name: unknown;
  description: unknown;
  category: string;
  icon: string | null;
  form: string;
  process: string;
  sla: string | null;
  /**
   * The service level the item is offered under (its SLA's name and description), for the
   * requester to read. Which SLA clocks a record runs is the SLA definitions' own (`form`,
   * `appliesTo`), not the item's.
   */
  serviceLevel: {
    name: unknown;
    description: unknown;
    /** What the SLA promises a request of this item: each metric's target under the goal it meets. */
    targets: { metric: unknown; minutes: number; calendar: unknown }[];
  } | null;
  defaults: Record<string, unknown>;
  /** Fields whose default is what the item is: shown as values, not inputs. */
  fixed: string[];
  order: number;
  /**
   * Lower-case strings a search matches by substring: the names and keywords, their full pinyin
   * and their pinyin initials (every reading of a polyphonic character: 重置 → cz and zz).
   */
  search: string[];
}

const MAX_VARIANTS = 32;

/** Pinyin of a text, each character's every reading combined (capped), e.g. 密码重置 → [mmzz, mmcz]. */
export function pinyinVariants(text: string, pattern: 'first' | 'pinyin'): string[] {
  const chars = polyphonic(text, { pattern, toneType: 'none', type: 'array' }) as string[][];
  let out = [''];
  for (const readings of chars) {
    const next: string[] = [];
    for (const prefix of out) {
      for (const r of new Set(readings.map((x) => x.toLowerCase().replace(/\s+/g, '')))) {
        if (next.length < MAX_VARIANTS) next.push(prefix + r);
      }
    }
    out = next;
  }
  return out.filter(Boolean);
}

function texts(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).filter((v) => typeof v === 'string');
  return [];
}

export function searchTerms(item: Item): string[] {
  const words = [...texts(item.name), ...(item.keywords ?? [])];
  const terms = new Set<string>();
  for (const w of words) {
    terms.add(w.toLowerCase());
    if (/[\u3400-\u9fff]/.test(w)) {
      for (const v of pinyinVariants(w, 'first')) terms.add(v);
      for (const v of pinyinVariants(w, 'pinyin')) terms.add(v);
    }
  }
  return [...terms];
}

/**
 * The goal of an SLA a request of the item falls under, as far as the item decides it: goals are
 * tried in order, as the clocks try them, over a record of nothing but its item. A condition that
 * cannot be read that way depends on what the request says (a priority): from there on, which
 * goal applies is not known before the request, and nothing is promised.
 */
function itemGoal(def: SlaDefinition, ref: string): SlaDefinition['goals'][number] | undefined {
  const context = { record: { catalogItem: ref }, event: { type: 'record.created' } };
  for (const goal of def.goals) {
    if (!goal.when) return goal;
    try {
      if (evaluateCondition(goal.when, context)) return goal;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Every published catalog merged, narrowed to the items the actor may see (categories left empty are dropped). */
export async function portalCatalog(
  db: Knex,
  actor: Actor,
): Promise<{ categories: PortalCategory[]; items: PortalItem[] }> {
  const groupKeys = await groupKeysOfUser(db, actor.userId);
  const categories = new Map<string, PortalCategory>();
  const items: PortalItem[] = [];
  // Current SLAs and calendars only: a retired or unpublished one is no promise to show.
  const slas = new Map((await currentBodies<SlaDefinition>(db, 'sla')).map((s) => [s.key, s.def]));
  const calendars = new Map(
    (await currentBodies<CalendarDefinition>(db, 'calendar')).map((c) => [c.key, c.def]),
  );
  const serviceLevel = (sla: string, ref: string): PortalItem['serviceLevel'] => {
    const def = slas.get(sla);
    if (!def) return null;
    const goal = itemGoal(def, ref);
    const targets = [];
    for (const metric of def.metrics) {
      const target = goal?.targets[metric.id];
      if (!target) continue;
      const calendar = calendars.get(goal!.calendar ?? def.calendar);
      targets.push({ metric: metric.name, minutes: target.minutes, calendar: calendar?.name ?? null });
    }
    return { name: def.name, description: def.description ?? null, targets };
  };
  for (const { key, def } of await currentCatalogs(db)) {
    for (const c of def.categories as Category[]) {
      if (!categories.has(c.id))
        categories.set(c.id, {
          id: c.id,
          name: c.name,
          icon: c.icon ?? null,
          parent: c.parent ?? null,
          order: c.order ?? 0,
        });
    }
    for (const item of def.items) {
      if (!visibleTo(item, actor, groupKeys)) continue;
      items.push({
        ref: catalogItemRef(key, item.id),
        catalog: key,
        id: item.id,
        name: item.name,
        description: item.description ?? null,
        category: item.category,
        icon: item.icon ?? null,
        form: item.form,
        process: item.process,
        sla: item.sla ?? null,
        serviceLevel: item.sla ? serviceLevel(item.sla, catalogItemRef(key, item.id)) : null,
        defaults: (item.defaults ?? {}) as Record<string, unknown>,
        fixed: item.fixed ?? [],
        order: item.order ?? 0,
        search: searchTerms(item),
      });
    }
  }
  items.sort((a, b) => a.order - b.order);
  const used = new Set(items.map((i) => i.category));
  return {
    categories: [...categories.values()].filter((c) => used.has(c.id)).sort((a, b) => a.order - b.order),
    items,
  };
}

/** What the portal needs to render a record type's form: the latest published form definition. */
export async function publishedForm(db: Knex, key: string) {
  const def = (await getPublished(db, 'form', key)) as unknown as FormDefinition & { version?: number };
  return {
    key: def.key,
    version: Number(def.version ?? 0),
    name: def.name,
    numberPrefix: def.numberPrefix,
    schema: def.schema,
    uiSchema: def.uiSchema ?? {},
    rules: def.rules ?? [],
    titleField: def.titleField ?? null,
    descriptionField: def.descriptionField ?? null,
    statuses: statusesOf(def),
  };
}

/** A catalog item as staff pick it to log a request for someone. */
interface StaffItem {
  ref: string;
  name: unknown;
  process: string;
  defaults: Record<string, unknown>;
  fixed: string[];
}

/**
 * The record types staff may log by hand (a phone call to the service desk, a change to raise):
 * every published form, with the published processes a new record of it may run and the catalog
 * items that offer it.
 */
export async function recordTypes(db: Knex) {
  const processes = new Map<string, { key: string; name: unknown }[]>();
  for (const p of await currentOfKind(db, 'process')) {
    // Compiled graphs and forms are cached by key@version: no query per definition.
    const { def } = await loadGraph(db, p.key, p.version);
    processes.set(def.form, [...(processes.get(def.form) ?? []), { key: p.key, name: def.name }]);
  }
  // The catalog items a record of each type may be raised through on someone's behalf (whether
  // the item is published to that person is checked when it is sent).
  const offered = new Map<string, StaffItem[]>();
  for (const { key, def } of await currentCatalogs(db))
    for (const item of def.items)
      offered.set(item.form, [
        ...(offered.get(item.form) ?? []),
        {
          ref: catalogItemRef(key, item.id),
          name: item.name,
          process: item.process,
          defaults: (item.defaults ?? {}) as Record<string, unknown>,
          fixed: item.fixed ?? [],
        },
      ]);
  const items = [];
  for (const f of await currentOfKind(db, 'form')) {
    const { def } = await loadForm(db, f.key, f.version);
    items.push({
      key: def.key,
      name: def.name,
      description: def.description ?? null,
      numberPrefix: def.numberPrefix,
      processes: processes.get(def.key) ?? [],
      catalogItems: offered.get(def.key) ?? [],
    });
  }
  return { items };
}
