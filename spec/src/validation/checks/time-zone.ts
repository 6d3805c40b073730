import type { Checker } from '../checker.ts';

/** Intl knows the IANA database in browsers and Node alike, so no zone list is shipped. */
export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function checkTimeZone(c: Checker, zone: unknown, path: string): void {
  if (typeof zone === 'string' && zone !== '' && !isValidTimeZone(zone)) {
    c.add('timeZone.invalid', path, { timeZone: zone });
  }
}
