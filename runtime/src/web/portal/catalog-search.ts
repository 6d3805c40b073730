export interface CatalogItem {
  ref: string;
  catalog: string;
  id: string;
  name: unknown;
  description: unknown;
  category: string;
  icon: string | null;
  form: string;
  process: string;
  defaults: Record<string, unknown>;
  fixed: string[];
  /** The service level the item is offered under, for the requester to read. */
  serviceLevel: { name: unknown; description: unknown } | null;
  search: string[];
}

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
