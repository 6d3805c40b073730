/**
 * Secret references in templates: `{{ secrets.CICD_TOKEN }}`. The values live in the runtime's
 * encrypted store; a definition only ever holds the name. The runtime offers `secrets` only to
 * the templates of a call that leaves the server (a service task's url, headers and body, a
 * webhook's or IM robot's url and signing secret), so what this module finds is also what the
 * validator checks: credentials written as literals, references where nobody sends them, names
 * that cannot exist.
 */

/** A secret's name: what `PUT /secrets/:name` accepts and `{{ secrets.NAME }}` names. */
export const SECRET_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;
export const SECRET_NAME_PATTERN = SECRET_NAME.source;

/** Liquid tags: `{{ … }}` output and `{% … %}` logic. References only count inside them. */
const TAGS = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;
const REFERENCE = /\bsecrets\s*\.\s*([A-Za-z0-9_]+)/g;
/** A value that is one reference and nothing else. */
const ONLY_REFERENCE = /^\s*\{\{-?\s*secrets\s*\.\s*([A-Za-z0-9_]+)\s*-?\}\}\s*$/;

/** The names of the secrets a template refers to, in order of appearance, each once (valid or not). */
export function secretReferences(template: string): string[] {
  const names: string[] = [];
  for (const tag of template.match(TAGS) ?? [])
    for (const m of tag.matchAll(REFERENCE)) if (m[1] && !names.includes(m[1])) names.push(m[1]);
  return names;
}

/** Whether the value is exactly one secret reference, `{{ secrets.NAME }}` (e.g. a signing secret). */
export function isSecretReference(value: string): boolean {
  return ONLY_REFERENCE.test(value);
}

/**
 * Whether a credential-like value (an Authorization header, a `key=` query parameter) keeps its
 * credential out of the definition: it refers to a secret and, apart from template tags, holds at
 * most an authentication scheme word (`Bearer {{ secrets.CICD_TOKEN }}`).
 */
export function keepsCredentialOut(value: string): boolean {
  if (secretReferences(value).length === 0) return false;
  const rest = value.replace(TAGS, ' ').trim();
  return rest === '' || /^[A-Za-z][A-Za-z0-9._-]*$/.test(rest);
}

/**
 * Header and query-parameter names that carry credentials: Authorization, Cookie, X-API-Key,
 * and names with token, secret, password, key, auth, session, signature or credential in them
 * (idempotency keys are not credentials).
 */
export function looksLikeCredential(name: string): boolean {
  const n = name.trim().toLowerCase();
  if (n.includes('idempotency')) return false;
  return (
    /auth|cookie|token|secret|passw|pwd|credential|session|signature/.test(n) ||
    /(^|[-_.])[a-z]*key$/.test(n) ||
    n === 'key'
  );
}

/** Query parameters of a URL template whose names look like credentials, with their values. */
export function credentialParameters(url: string): { name: string; value: string }[] {
  // Template tags may hold "?", "&" or "=" (a filter argument): blank them out while splitting.
  const masked = url.replace(TAGS, (tag) => '\u0000'.repeat(tag.length));
  const q = masked.indexOf('?');
  if (q < 0) return [];
  const hash = masked.indexOf('#', q);
  const end = hash < 0 ? masked.length : hash;
  const out: { name: string; value: string }[] = [];
  for (let pos = q + 1; pos <= end; ) {
    const amp = masked.indexOf('&', pos);
    const stop = amp < 0 || amp > end ? end : amp;
    const eq = masked.slice(pos, stop).indexOf('=');
    if (eq > 0) {
      const name = url.slice(pos, pos + eq);
      const value = url.slice(pos + eq + 1, stop);
      if (value !== '' && !masked.slice(pos, pos + eq).includes('\u0000') && looksLikeCredential(name))
        out.push({ name, value });
    }
    pos = stop + 1;
  }
  return out;
}

/**
 * The scheme a URL template starts with when it starts with literal text; null when it starts
 * with a template tag (`{{ vars.CICD_URL }}/deploy`, `{{ record.target }}`), which only the
 * runtime can judge. "" when the literal start has no scheme at all.
 */
export function literalScheme(url: string): string | null {
  const text = url.trimStart();
  if (text.startsWith('{{') || text.startsWith('{%')) return null;
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(text);
  return m?.[1] ? m[1].toLowerCase() : '';
}

/** Whether a URL template may leave the server as far as the definition alone can tell: http(s) or a template start. */
export function hasAllowedScheme(url: string): boolean {
  const text = url.trimStart();
  const scheme = literalScheme(text);
  if (scheme === null) return true;
  return /^https?:\/\//i.test(text);
}
