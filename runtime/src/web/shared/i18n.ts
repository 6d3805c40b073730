import { fill, type Locale, type Params, textOf, useLocale } from '@opsloom/web-forms/i18n';
import { messages } from './messages.ts';

// The language itself (one choice for every web app) and definition texts are web-forms'; the
// portal's and the workspace's own texts are in messages.ts.
export {
  getLocale,
  type Locale,
  type Params,
  setLocale,
  textOf,
  useLocale,
} from '@opsloom/web-forms/i18n';

export type MessageKey = keyof typeof messages;

export function translate(loc: Locale, key: MessageKey, params?: Params): string {
  return fill(messages[key][loc], params);
}

/** `t('key', {n: 3})` and `tx(i18nText)` in the current language; re-renders when it changes. */
export function useT() {
  const loc = useLocale();
  return {
    locale: loc,
    t: (key: MessageKey, params?: Params) => translate(loc, key, params),
    tx: (value: unknown) => textOf(value, loc),
  };
}
