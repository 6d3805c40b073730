import { type Locale, localize } from './i18n.ts';

/**
 * What a catalog item means for a request made through it, read the same way by the portal (the
 * form it opens with) and the runtime (what it accepts).
 */

/** How a record names the catalog item it was requested through: `<catalog key>/<item id>`. */
export const catalogItemRef = (catalog: string, item: string): string => `${catalog}/${item}`;

/** A value written per language (`{zh-CN, en}`), as an item may give a text field's default. */
export const isTextPerLanguage = (v: unknown): v is Record<Locale, string> =>
  v !== null &&
  typeof v === 'object' &&
  !Array.isArray(v) &&
  Object.keys(v).length > 0 &&
  Object.entries(v).every(([k, x]) => (k === 'zh-CN' || k === 'en') && typeof x === 'string');

/** An item's defaults as a requester starts from them: a text per language in theirs. */
export function itemDefaults(
  defaults: Record<string, unknown> | undefined,
  locale: Locale,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(defaults ?? {}))
    out[field] = isTextPerLanguage(value) ? localize(value, locale) : value;
  return out;
}

/**
 * Whether `value` is what a fixed field of the item must hold: its default, or for a default
 * written per language, the text of either language (the requester may have switched language
 * after the form opened).
 */
export function isItemDefault(fallback: unknown, value: unknown): boolean {
  if (isTextPerLanguage(fallback)) return Object.values(fallback).includes(value as string);
  return JSON.stringify(fallback) === JSON.stringify(value);
}
