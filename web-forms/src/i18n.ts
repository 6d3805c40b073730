import { useSyncExternalStore } from 'react';
import { setApiLocale } from './http.ts';
import { messages } from './messages.ts';

/**
 * The language of every Opsloom screen, one choice for all the web apps: kept in localStorage,
 * sent to the API as Accept-Language. The apps' catalogues and this kit's read it from here.
 */
export type Locale = 'zh-CN' | 'en';
export type MessageKey = keyof typeof messages;
export type Params = Record<string, string | number>;
const STORAGE_KEY = 'opsloom.locale';

function initialLocale(): Locale {
  const saved = typeof localStorage !== 'undefined' ? localStorage.getItem(STORAGE_KEY) : null;
  if (saved === 'en' || saved === 'zh-CN') return saved;
  return typeof navigator !== 'undefined' && navigator.language.startsWith('en') ? 'en' : 'zh-CN';
}

let locale: Locale = initialLocale();
const listeners = new Set<() => void>();
setApiLocale(locale);
if (typeof document !== 'undefined') document.documentElement.lang = locale;

export function setLocale(next: Locale): void {
  locale = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
  setApiLocale(next);
  for (const l of listeners) l();
}

export function getLocale(): Locale {
  return locale;
}

/** Calls `listener` whenever the language changes; answers how to stop. */
export function onLocaleChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useLocale(): Locale {
  return useSyncExternalStore(onLocaleChange, getLocale);
}

/** `text` with its `{name}` parameters filled in. */
export function fill(text: string, params?: Params): string {
  if (params) for (const [k, v] of Object.entries(params)) text = text.replaceAll(`{${k}}`, String(v));
  return text;
}

/** Text stored in definitions (`string | {zh-CN, en}`) in a language. */
export function textOf(value: unknown, loc: Locale): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  const v = value as Record<string, string>;
  return v[loc] ?? v['zh-CN'] ?? v.en ?? '';
}

/**
 * `translate` and the `useT` hook over a catalogue of texts in both languages: this kit's own
 * below, each app's its own (in the current language, re-rendering when it changes).
 */
export function catalogue<K extends string>(texts: Record<K, { 'zh-CN': string; en: string }>) {
  const translate = (loc: Locale, key: K, params?: Params): string => fill(texts[key][loc], params);
  function useT() {
    const loc = useLocale();
    return {
      locale: loc,
      t: (key: K, params?: Params) => translate(loc, key, params),
      tx: (value: unknown) => textOf(value, loc),
    };
  }
  return { translate, useT };
}

export const { translate, useT } = catalogue(messages);
