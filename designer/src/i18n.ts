import type { Locale } from '@opsloom/spec';
import { fill, getLocale, setLocale as setSharedLocale, textOf } from '@opsloom/web-forms/i18n';
import { create } from 'zustand';

export { textOf };

import { en } from './messages/en.ts';
import { zhCN } from './messages/zh-CN.ts';

/** Every user-facing text of the designer comes from these two catalogues. */
export type MessageKey = keyof typeof zhCN;
const CATALOGUES: Record<Locale, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };

interface LocaleState {
  locale: Locale;
  setLocale(locale: Locale): void;
}

/**
 * The designer's screens read the language from here; the choice itself is web-forms', one for
 * every web app (kept in localStorage, sent as Accept-Language), which the preview's form reads.
 */
export const useLocale = create<LocaleState>((set) => ({
  locale: getLocale(),
  setLocale(locale) {
    setSharedLocale(locale);
    set({ locale });
  },
}));

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export function translate(locale: Locale, key: MessageKey, params?: Record<string, string | number>): string {
  return fill(CATALOGUES[locale][key] ?? key, params);
}

/** `t('key', {n: 3})` in the current language; re-renders when the language changes. */
export function useT(): Translate {
  const locale = useLocale((s) => s.locale);
  return (key, params) => translate(locale, key, params);
}

export function useText(): (value: unknown) => string {
  const locale = useLocale((s) => s.locale);
  return (value) => textOf(value, locale);
}
