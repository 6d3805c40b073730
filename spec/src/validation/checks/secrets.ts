import type { LocalizedMessage } from '../../i18n.ts';
import {
  credentialParameters,
  hasAllowedScheme,
  isSecretReference,
  keepsCredentialOut,
  literalScheme,
  looksLikeCredential,
  SECRET_NAME,
  secretReferences,
} from '../../secrets.ts';
import type { Checker } from '../checker.ts';
import { child } from '../pointer.ts';

/**
 * Checks of what leaves the server. Credentials are secret references (`{{ secrets.NAME }}`),
 * never literals, so reading a definition (any agent may) or exporting it reveals no credential;
 * secrets are referred to only where a call leaves the server; literal URLs are http(s). A
 * reference to a secret that is not set is fine here (a plugin installs on a fresh database):
 * the call fails at run time and says which secret is missing.
 */

/** Each `secrets.NAME` of a template where secrets are allowed must have a name a secret can have. */
function checkNames(c: Checker, path: string, text: unknown): void {
  if (typeof text !== 'string') return;
  for (const name of secretReferences(text))
    if (!SECRET_NAME.test(name)) c.add('secret.name', path, { name });
}

/** A template of a call: parsed, and its secret references well named. */
export function checkCallTemplate(c: Checker, path: string, text: unknown): void {
  c.template(path, text);
  checkNames(c, path, text);
}

/** Strings anywhere inside a call's JSON body. */
export function checkCallBody(c: Checker, path: string, value: unknown): void {
  c.templatesIn(path, value);
  const names = (at: string, v: unknown): void => {
    if (typeof v === 'string') checkNames(c, at, v);
    else if (Array.isArray(v)) {
      v.forEach((x, i) => {
        names(child(at, i), x);
      });
    } else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) names(child(at, k), x);
  };
  names(path, value);
}

/** A call's URL: a template whose literal start is http(s), whose credential parameters are secrets. */
export function checkCallUrl(c: Checker, path: string, url: unknown): void {
  if (typeof url !== 'string') return;
  checkCallTemplate(c, path, url);
  if (!hasAllowedScheme(url)) {
    const scheme = literalScheme(url);
    c.add('url.scheme', path, { scheme: scheme ? `${scheme}:` : url.trim().slice(0, 40) });
  }
  for (const p of credentialParameters(url))
    if (!keepsCredentialOut(p.value))
      c.add('secret.literal', path, {
        what: { 'zh-CN': `URL 参数 “${p.name}”`, en: `URL parameter "${p.name}"` },
      });
}

/** A header of a call: credential-like headers must take their value from a secret. */
export function checkCallHeader(c: Checker, path: string, name: string, value: unknown): void {
  checkCallTemplate(c, path, value);
  if (typeof value === 'string' && looksLikeCredential(name) && !keepsCredentialOut(value))
    c.add('secret.literal', path, {
      what: { 'zh-CN': `请求头 “${name}”`, en: `header "${name}"` },
    });
}

const SIGNING_SECRET: LocalizedMessage = { 'zh-CN': '签名密钥 secret', en: 'the signing secret' };

/** A webhook's or robot's signing secret is one reference, `{{ secrets.NAME }}`. */
export function checkSigningSecret(c: Checker, path: string, value: unknown): void {
  if (typeof value !== 'string') return;
  if (!isSecretReference(value)) c.add('secret.literal', path, { what: SIGNING_SECRET });
  else checkNames(c, path, value);
}

/** Texts people read (messages, titles, guard messages) never see secrets: refuse a reference there. */
export function checkNoSecrets(c: Checker, path: string, text: unknown): void {
  if (typeof text === 'string') {
    const [name] = secretReferences(text);
    if (name !== undefined) c.add('secret.misplaced', path, { name });
  } else if (text && typeof text === 'object') {
    for (const [locale, value] of Object.entries(text)) checkNoSecrets(c, child(path, locale), value);
  }
}
