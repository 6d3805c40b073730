import { Duration } from 'luxon';

/** ISO-8601 duration ("PT4H", "P2D") in milliseconds. Calendar-aware math belongs to the SLA engine. */
export function durationMs(iso: string): number {
  const d = Duration.fromISO(iso);
  if (!d.isValid) throw new Error(`invalid duration ${iso}`);
  return d.as('milliseconds');
}
