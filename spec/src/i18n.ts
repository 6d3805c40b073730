/** The two languages Opsloom ships. zh-CN is primary; en is the fallback for everything else. */
export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/** Text an admin writes: either one string for every language, or one per language. */
export type I18nText = string | { 'zh-CN'?: string; en?: string };

/** Text Opsloom itself produces: always both languages. */
export interface LocalizedMessage {
  'zh-CN': string;
  en: string;
}

/**
 * Picks the text for `locale`, falling back to the other language so a half-translated
 * definition still shows something rather than an empty label.
 */
export function localize(text: I18nText | undefined, locale: Locale): string {
  if (text === undefined || text === null) return '';
  if (typeof text === 'string') return text;
  const other: Locale = locale === 'zh-CN' ? 'en' : 'zh-CN';
  const own = text[locale];
  if (typeof own === 'string' && own !== '') return own;
  const fallback = text[other];
  return typeof fallback === 'string' ? fallback : '';
}
