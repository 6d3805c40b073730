import type { I18nText, Locale } from '@opsloom/spec';
import { create } from 'zustand';
import { en } from './messages/en.ts';
import { zhCN } from './messages/zh-CN.ts';

/** Every user-facing text of the designer comes from these two catalogues. */
export type MessageKey = keyof typeof zhCN;
const CATALOGUES: Record<Locale, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };

function initialLocale(): Locale {
  const saved = typeof localStorage !== 'undefined' ? localStorage.getItem('opsloom.locale') : null;
  if (saved === 'en' || saved === 'zh-CN') return saved;
  return typeof navigator !== 'undefined' && navigator.language.startsWith('en') ? 'en' : 'zh-CN';
}

interface LocaleState {
  locale: Locale;
  setLocale(locale: Locale): void;
}

export const useLocale = create<LocaleState>((set) => ({
  locale: initialLocale(),
  setLocale(locale) {
    localStorage.setItem('opsloom.locale', locale);
    document.documentElement.lang = locale;
    set({ locale });
  },
}));

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export function translate(locale: Locale, key: MessageKey, params?: Record<string, string | number>): string {
  let text = CATALOGUES[locale][key] ?? key;
  if (params) for (const [k, v] of Object.entries(params)) text = text.replaceAll(`{${k}}`, String(v));
  return text;
}

/** `t('key', {n: 3})` in the current language; re-renders when the language changes. */
export function useT(): Translate {
  const locale = useLocale((s) => s.locale);
  return (key, params) => translate(locale, key, params);
}

/** Text stored in definitions (`string | {zh-CN, en}`) in the current language. */
export function textOf(value: I18nText | undefined | unknown, locale: Locale): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  const v = value as Record<string, string>;
  return v[locale] ?? v['zh-CN'] ?? v.en ?? '';
}

export function useText(): (value: unknown) => string {
  const locale = useLocale((s) => s.locale);
  return (value) => textOf(value, locale);
}
