import { catalogue } from '@opsloom/web-forms/i18n';
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

/** `translate(locale, key)`, and `useT()` for `t('key', {n: 3})` / `tx(i18nText)` in the current language. */
export const { translate, useT } = catalogue(messages);
