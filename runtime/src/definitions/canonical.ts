import { createHash } from 'node:crypto';
import { configure } from 'safe-stable-stringify';

const stable = configure({ deterministic: true, bigint: false, circularValue: Error });

/**
 * The one serialisation of a definition: keys sorted at every level, two-space indent, final
 * newline. Exports and checksums use it, so a definition exported twice is byte-identical and
 * diffs in git show only what changed.
 */
export function canonicalJson(value: unknown): string {
  return `${stable(value, null, 2)}\n`;
}

/** Content identity of a definition, ignoring the version number the store stamps on it. */
export function checksum(definition: Record<string, unknown>): string {
  const { version: _ignored, ...content } = definition;
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}
