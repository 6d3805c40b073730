import {
  type CatalogDefinition,
  catalogItemRef,
  type I18nText,
  isItemDefault,
  itemDefaults,
} from '@opsloom/spec';
import type { Knex } from 'knex';
import type { Actor } from '../context.ts';
import { currentBodies, publishedBodies } from '../definitions/current.ts';
import { ApiError, notFound } from '../http/errors.ts';
import type { FieldProblem } from '../http/validate.ts';
import { translateBoth } from '../i18n/translate.ts';
import { groupKeysOfUser } from '../people/users.ts';
import { fieldError } from '../records/forms.ts';

export type Item = CatalogDefinition['items'][number];

/** An item of a current catalog, with the catalog it is in. */
export interface CatalogItem {
  ref: string;
  catalog: string;
  item: Item;
}

/** Every current (published, not retired) catalog, by key. */
export const currentCatalogs = (db: Knex) => currentBodies<CatalogDefinition>(db, 'catalog');

/** The item a ref names in the current catalogs, or null (unknown, or its catalog retired). */
export async function findCatalogItem(db: Knex, ref: string): Promise<CatalogItem | null> {
  for (const { key, def } of await currentCatalogs(db)) {
    for (const item of def.items)
      if (catalogItemRef(key, item.id) === ref) return { ref, catalog: key, item };
  }
  return null;
}

/** The names of the current catalogs' items by ref, and of `refs` no current catalog has any more. */
export async function catalogItemNames(
  db: Knex,
  refs: Iterable<string> = [],
): Promise<Map<string, I18nText>> {
  const names = new Map<string, I18nText>();
  for (const { key, def } of await currentCatalogs(db))
    for (const item of def.items) names.set(catalogItemRef(key, item.id), item.name);
  // An item since taken out of its catalog (or a retired catalog's) is still named on the records
  // requested through it: by the last published version that had it. Rare, so read only then.
  const gone = [...new Set(refs)].filter((ref) => !names.has(ref));
  const catalogs = [...new Set(gone.map((ref) => ref.slice(0, ref.indexOf('/'))))];
  for (const { key, def } of await publishedBodies<CatalogDefinition>(db, 'catalog', catalogs))
    for (const item of def.items ?? []) {
      const ref = catalogItemRef(key, item.id);
      if (gone.includes(ref)) names.set(ref, item.name);
    }
  return names;
}

/** The person a request is for: the caller, or the one staff log it for. */
export type Requester = Pick<Actor, 'userId' | 'roles' | 'locale'>;

/** Whether a catalog item is published to the person: no `visibleTo` means everybody. */
export function visibleTo(item: Item, actor: Pick<Actor, 'roles'>, groupKeys: string[]): boolean {
  if (actor.roles.includes('admin') || !item.visibleTo) return true;
  const { roles = [], groups = [] } = item.visibleTo;
  if (roles.length === 0 && groups.length === 0) return true;
  return roles.some((r) => actor.roles.includes(r)) || groups.some((g) => groupKeys.includes(g));
}

/** visibleTo for one person, reading their groups only when the item is published to groups. */
async function publishedTo(db: Knex, item: Item, person: Requester): Promise<boolean> {
  if (visibleTo(item, person, [])) return true;
  if (!item.visibleTo?.groups?.length) return false;
  return visibleTo(item, person, await groupKeysOfUser(db, person.userId));
}

/** A fixed field's problem: the item's default is what it is. */
const FIXED = { en: 'is fixed by the catalog item', 'zh-CN': '由服务目录项确定，不可更改' };

const itemWhat = (ref: string) => translateBoth('what.catalog_item', { key: ref });

/**
 * A request made through a catalog item, as the item defines it: the item must be published to
 * the person it is for (else 404, as for a record they may not see), its form and process are
 * the record's, and its defaults fill what was left out. A fixed field holds the item's default: a request for a
 * password reset cannot be sent as a software install. Returns the data to create the record with.
 */
export async function requestThroughItem(
  db: Knex,
  requester: Requester,
  ref: string,
  input: { type: string; process?: string; data: Record<string, unknown> },
): Promise<{ process: string; data: Record<string, unknown> }> {
  const found = await findCatalogItem(db, ref);
  if (!found || !(await publishedTo(db, found.item, requester))) throw notFound(itemWhat(ref));
  const { item } = found;
  for (const [field, expected, sent] of [
    ['type', item.form, input.type],
    ['process', item.process, input.process ?? item.process],
  ] as const) {
    if (sent !== expected)
      throw new ApiError(400, 'catalog_item_mismatch', 'error.catalog_item_mismatch', {
        field,
        item: ref,
        expected,
        sent,
      });
  }
  const defaults = item.defaults ?? {};
  const problems: FieldProblem[] = [];
  for (const field of item.fixed ?? []) {
    const sent = input.data[field];
    if (sent !== undefined && !isItemDefault(defaults[field], sent))
      problems.push({ path: `/${field}`, message: FIXED });
  }
  if (problems.length) throw fieldError(problems);
  return { process: item.process, data: { ...itemDefaults(defaults, requester.locale), ...input.data } };
}
