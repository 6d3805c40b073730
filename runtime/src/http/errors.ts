import type { Locale, MessageKey, MessageParams } from '../i18n/translate.ts';

/**
 * An error a client caused and can fix. Carries a message key (not text) so the response
 * speaks the caller's language; `details` say exactly which field or node is at fault.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly messageKey: MessageKey,
    readonly params: MessageParams = {},
    readonly details?: unknown,
  ) {
    super(`${code}: ${messageKey} ${JSON.stringify(params)}`);
  }
}

export const notFound = (what: string | Record<Locale, string>) =>
  new ApiError(404, 'not_found', 'error.not_found', { what });
export const conflict = (code: string, key: MessageKey, params: MessageParams = {}, details?: unknown) =>
  new ApiError(409, code, key, params, details);
