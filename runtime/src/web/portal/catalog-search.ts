import type { PortalItem } from '../../catalog/catalog.ts';

// The catalog API's own item type: the portal reads what the server sends (type-only import).
export type CatalogItem = PortalItem;

export interface CatalogCategory {
  id: string;
  name: unknown;
  icon: string | null;
}

export interface Catalog {
  categories: CatalogCategory[];
  items: CatalogItem[];
}

/**
 * Whether an item matches what the person typed: by name, keyword, description, full pinyin
 * or pinyin initials (the server lists them in `search`: 密码重置 → mimachongzhi, mmcz).
 */
export function matches(item: CatalogItem, query: string, description: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  const compact = q.replace(/\s+/g, '');
  return (
    item.search.some((s) => s.includes(q) || s.replace(/\s+/g, '').includes(compact)) ||
    description.toLowerCase().includes(q)
  );
}
