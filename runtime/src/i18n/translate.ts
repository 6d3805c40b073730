import { type MessageKey, messages } from './messages.ts';

export type { MessageKey } from './messages.ts';

export type Locale = 'zh-CN' | 'en';
export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];

/** A parameter may itself be localized (e.g. a validator's message), then the caller's language is used. */
export type MessageParams = Record<string, string | number | Record<Locale, string>>;

export function translate(locale: Locale, key: MessageKey, params: MessageParams = {}): string {
  return messages[key][locale].replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === 'object' ? value[locale] : String(value);
  });
}

/** Both languages at once, for error bodies and stored messages that a reader of either language may see. */
export function translateBoth(key: MessageKey, params: MessageParams = {}): Record<Locale, string> {
  return { 'zh-CN': translate('zh-CN', key, params), en: translate('en', key, params) };
}

/** Picks zh-CN or en from an Accept-Language header; English when neither is asked for. */
export function localeFromHeader(header: string | undefined): Locale {
  if (!header) return 'en';
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag = '', ...attrs] = part.trim().split(';');
      const q = attrs.find((a) => a.trim().startsWith('q='));
      return { tag: tag.toLowerCase(), q: q ? Number(q.trim().slice(2)) || 0 : 1 };
    })
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return 'en';
}
