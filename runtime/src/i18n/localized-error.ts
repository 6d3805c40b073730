import { type MessageKey, type MessageParams, translate, translateBoth } from './translate.ts';

/**
 * A failure of background work a person reads about later (a refused call, a missing secret):
 * its message is English, as every job error is, and `localized` gives both languages for the
 * record's history.
 */
export class LocalizedError extends Error {
  constructor(
    readonly key: MessageKey,
    readonly params: MessageParams = {},
  ) {
    super(translate('en', key, params));
    this.name = 'LocalizedError';
  }

  get localized(): Record<'zh-CN' | 'en', string> {
    return translateBoth(this.key, this.params);
  }
}
