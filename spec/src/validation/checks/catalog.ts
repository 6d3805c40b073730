import type { LocalizedMessage } from '../../i18n.ts';
import { type Checker, list, record } from '../checker.ts';
import { child } from '../pointer.ts';

const CATEGORIES: LocalizedMessage = { 'zh-CN': '分类（categories）', en: 'categories' };
const ITEMS: LocalizedMessage = { 'zh-CN': '服务项（items）', en: 'items' };

export function checkCatalog(c: Checker, def: Record<string, unknown>): void {
  c.uniqueIds(def.categories, '/categories', CATEGORIES);
  c.uniqueIds(def.items, '/items', ITEMS);

  const parents = new Map<string, string | undefined>();
  for (const raw of list(def.categories)) {
    const cat = record(raw);
    if (typeof cat.id === 'string' && !parents.has(cat.id)) {
      parents.set(cat.id, typeof cat.parent === 'string' ? cat.parent : undefined);
    }
  }

  const inCycle = new Set<string>();
  list(def.categories).forEach((raw, i) => {
    const cat = record(raw);
    if (typeof cat.id !== 'string' || typeof cat.parent !== 'string') return;
    const path = child('/categories', i, 'parent');
    if (!parents.has(cat.parent)) {
      c.add('catalog.category.parent', path, { category: cat.id, parent: cat.parent });
      return;
    }
    // Walk up; a cycle is reported once, on its first member in document order.
    const chain = [cat.id];
    let at: string | undefined = cat.parent;
    while (at !== undefined && !chain.includes(at)) {
      chain.push(at);
      at = parents.get(at);
    }
    if (at === cat.id && !inCycle.has(cat.id)) {
      for (const id of chain) inCycle.add(id);
      c.add('catalog.category.cycle', path, { category: cat.id, cycle: [...chain, cat.id].join(' → ') });
    }
  });

  list(def.items).forEach((raw, i) => {
    const item = record(raw);
    const path = child('/items', i);
    if (typeof item.category === 'string' && !parents.has(item.category)) {
      c.add('catalog.item.category', child(path, 'category'), {
        item: String(item.id),
        category: item.category,
      });
    }
    c.reference('form', item.form, child(path, 'form'));
    c.reference('process', item.process, child(path, 'process'));
    c.reference('sla', item.sla, child(path, 'sla'));
    const defaults = record(item.defaults);
    for (const field of Object.keys(defaults)) c.field(item.form, field, child(path, 'defaults', field));
    list(item.fixed).forEach((field, j) => {
      if (typeof field === 'string' && !(field in defaults))
        c.add('catalog.item.fixed', child(path, 'fixed', j), { item: String(item.id), field });
    });
    list(record(item.visibleTo).groups).forEach((g, j) => {
      c.group(g, child(path, 'visibleTo', 'groups', j));
    });
  });
}
