import { randomBytes } from 'node:crypto';
import { secretReferences } from '@opsloom/spec';
import type { Services } from '../context.ts';
import { readSecrets, SecretError } from './store.ts';

/**
 * How `{{ secrets.NAME }}` reaches a call without its value reaching anything else. The templates
 * of a call are rendered with `secrets` mapping each name they refer to onto a placeholder that
 * carries a random nonce of this call (`\u0001<nonce>.NAME\u0002`); the rendered text is what is
 * stored (a notification's job payload) and what history shows, with each placeholder written
 * back as `{{ secrets.NAME }}`. Only when the call is sent are the placeholders replaced by the
 * values, read from the store at that moment. Record data rendered into the same template cannot
 * forge a placeholder: it does not know the nonce. A secret goes into the text as it is; a liquid
 * filter applied to it (`| upcase`) is refused rather than sent half-revealed.
 *
 * Only call templates get a `secrets` object at all (service-task url, headers and body; webhook
 * and robot url and signing secret): messages, record fields and titles render without it, and
 * the spec refuses a reference there (`secret.misplaced`).
 */

const START = '\u0001';
const END = '\u0002';

export const newNonce = (): string => randomBytes(12).toString('hex');

const placeholder = (nonce: string, name: string) => `${START}${nonce}.${name}${END}`;

function stringsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsIn(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) stringsIn(v, out);
  return out;
}

/** The `secrets` a call's templates see: each name they refer to → its placeholder. */
export function secretsContext(templates: unknown, nonce: string): Record<string, string> {
  const names = new Set(stringsIn(templates).flatMap((t) => secretReferences(t)));
  return Object.fromEntries([...names].map((n) => [n, placeholder(nonce, n)]));
}

const placeholders = (nonce: string) => new RegExp(`\\u0001${nonce}\\.([A-Za-z0-9_]+)\\u0002`, 'g');

/** The names whose placeholders a rendered text holds. */
export function namesIn(value: unknown, nonce: string): string[] {
  const names = new Set<string>();
  for (const s of stringsIn(value)) for (const m of s.matchAll(placeholders(nonce))) names.add(m[1]!);
  return [...names];
}

/** A rendered text as people may see it: each placeholder back as `{{ secrets.NAME }}`. */
export function shown(text: string, nonce: string | null | undefined): string {
  if (!nonce) return text;
  return text.replace(placeholders(nonce), (_m, name: string) => `{{ secrets.${name} }}`);
}

/** The values of one call's secrets: puts them into what is sent, and takes them out of what is kept. */
export class Revealed {
  constructor(
    private readonly nonce: string,
    private readonly values: Map<string, string>,
  ) {}

  /** The text to send, values in place of placeholders. */
  reveal(text: string): string {
    if (!this.nonce) return text;
    const out = text.replace(placeholders(this.nonce), (_m, name: string) => this.values.get(name) ?? '');
    if (out.toLowerCase().includes(this.nonce)) {
      const name = new RegExp(`${this.nonce}\\.([A-Za-z0-9_]+)`, 'i').exec(out)?.[1]?.toUpperCase() ?? '?';
      throw new SecretError('secret.filtered', { name });
    }
    return out;
  }

  revealDeep(value: unknown): unknown {
    if (typeof value === 'string') return this.reveal(value);
    if (Array.isArray(value)) return value.map((v) => this.revealDeep(v));
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.revealDeep(v)]));
    return value;
  }

  /** Takes the values out of a text that is kept (an error, an answer stored in a record). */
  scrub(text: string): string {
    let out = text;
    for (const value of this.values.values()) {
      // Very short values would blank out ordinary words; nobody keeps a secret that short.
      if (value.length < 4) continue;
      for (const form of new Set([value, encodeURIComponent(value)])) out = out.split(form).join('***');
    }
    return out;
  }

  scrubDeep(value: unknown): unknown {
    if (!this.values.size) return value;
    if (typeof value === 'string') return this.scrub(value);
    if (Array.isArray(value)) return value.map((v) => this.scrubDeep(v));
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [this.scrub(k), this.scrubDeep(v)]));
    return value;
  }
}

/** Reads the secrets a rendered call refers to (fails naming the first one that is missing or unreadable). */
export async function openSecrets(
  services: Services,
  nonce: string | null | undefined,
  rendered: unknown,
): Promise<Revealed> {
  if (!nonce) return new Revealed('', new Map());
  const names = namesIn(rendered, nonce);
  return new Revealed(nonce, await readSecrets(services, names));
}
