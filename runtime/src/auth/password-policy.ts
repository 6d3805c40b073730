import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import { ApiError } from '../http/errors.ts';
import type { FieldProblem } from '../http/validate.ts';
import type { MessageKey } from '../i18n/messages.ts';
import { translateBoth } from '../i18n/translate.ts';

// Every path that sets a password (POST /users, PATCH /users/:username, PUT /auth/password, the
// CLI's create-user, the first admin from OPSLOOM_ADMIN_PASSWORD) asks this module. Strength is
// zxcvbn's estimate against its list of common passwords, keyboard patterns, repeats, sequences,
// dates and the person's own names; score 3 means about 10^8 guesses, "safely unguessable"
// through an online attack that is throttled (auth/throttle.ts), and fine against an offline
// attack on our scrypt hashes. Levenshtein matching is left off: it costs ~60 ms per check on
// this hardware and finds little that the l33t and dictionary matchers do not.
export const MIN_PASSWORD_SCORE = 3;

let estimator: ZxcvbnFactory | undefined;

/** Built on first use (about 50 ms for the dictionaries); logins never need it. */
function zxcvbn(): ZxcvbnFactory {
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary },
    graphs: common.adjacencyGraphs,
    // Only the first 64 characters are judged: the matchers grow faster than the length (200
    // repeated digits take over a second), and 64 characters that are strong are strong enough.
    maxLength: 64,
  });
  return estimator;
}

/** zxcvbn's warnings (its translation keys) as a reason a person understands. */
const REASONS: Record<string, MessageKey> = {
  topTen: 'password.reason.common',
  topHundred: 'password.reason.common',
  common: 'password.reason.common',
  pwned: 'password.reason.common',
  similarToCommon: 'password.reason.similar_to_common',
  userInputs: 'password.reason.user_inputs',
  straightRow: 'password.reason.keyboard',
  keyPattern: 'password.reason.keyboard',
  simpleRepeat: 'password.reason.repeat',
  extendedRepeat: 'password.reason.repeat',
  sequences: 'password.reason.sequence',
  recentYears: 'password.reason.date',
  dates: 'password.reason.date',
  wordByItself: 'password.reason.word',
  namesByThemselves: 'password.reason.word',
  commonNames: 'password.reason.word',
};

/**
 * Why `password` is too easy to guess, in both languages (to follow a subject: "/password …",
 * "The password …"), or null when it is strong enough. `userInputs` are the person's own words
 * (username, display name, email): a password made of them is weak whatever its length.
 */
export function passwordWeakness(
  password: string,
  userInputs: (string | null | undefined)[] = [],
): { 'zh-CN': string; en: string } | null {
  // The product's name is not among them: the published demo password (`opsloom-demo`) is made
  // of it, and those accounts exist only for a first look.
  const inputs: string[] = [];
  for (const input of userInputs) {
    if (!input) continue;
    inputs.push(input);
    // An email's name part, and a display name's words, are guessable on their own.
    inputs.push(...input.split(/[@\s._-]+/).filter((part) => part.length >= 3));
  }
  const result = zxcvbn().check(password, inputs);
  if (result.score >= MIN_PASSWORD_SCORE) return null;
  const reason = REASONS[result.feedback.warning ?? ''] ?? 'password.reason.short';
  return translateBoth('password.too_weak', { reason: translateBoth(reason) });
}

/**
 * Refuses a weak password as the API refuses any invalid field: 400 `validation_failed` with a
 * problem at `path` (`/password`, or `/newPassword` for a change of one's own).
 */
export function assertStrongPassword(
  password: string,
  userInputs: (string | null | undefined)[],
  path = '/password',
): void {
  const weakness = passwordWeakness(password, userInputs);
  if (!weakness) return;
  const problem: FieldProblem = { path, message: weakness };
  throw new ApiError(
    400,
    'validation_failed',
    'error.validation_body',
    { detail: { en: `${path} ${weakness.en}`, 'zh-CN': `${path} ${weakness['zh-CN']}` } },
    { problems: [problem] },
  );
}
