import type { Locale } from '@opsloom/spec';

const cache = new WeakMap<object, { locale: Locale; value: unknown }>();

/**
 * A part of a form (a field's schema, a uiSchema) with its texts in `locale` by `by` (spec's
 * localizeSchema / localizeUiSchema), kept per part object: forms render on every keystroke, and
 * an unchanged part keeps the same object, so rjsf skips it.
 */
export function inLocale<T extends object>(part: T, locale: Locale, by: (p: T, l: Locale) => T): T {
  const hit = cache.get(part);
  if (hit?.locale === locale) return hit.value as T;
  const value = by(part, locale);
  cache.set(part, { locale, value });
  return value;
}
