import { Duration } from 'luxon';

// Durations come from published definitions: a handful of distinct texts, read on every create.
const parsed = new Map<string, number>();
const PARSED_LIMIT = 1000;

/** ISO-8601 duration ("PT4H", "P2D") in milliseconds. Calendar-aware math belongs to the SLA engine. */
export function durationMs(iso: string): number {
  let ms = parsed.get(iso);
  if (ms === undefined) {
    const d = Duration.fromISO(iso);
    if (!d.isValid) throw new Error(`invalid duration ${iso}`);
    ms = d.as('milliseconds');
    if (parsed.size >= PARSED_LIMIT) parsed.clear();
    parsed.set(iso, ms);
  }
  return ms;
}
