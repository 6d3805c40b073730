import { describe, expect, it } from 'vitest';
import {
  credentialParameters,
  hasAllowedScheme,
  isSecretReference,
  keepsCredentialOut,
  looksLikeCredential,
  secretReferences,
} from './secrets.ts';

describe('secret references', () => {
  it('are found inside template tags only, each name once', () => {
    expect(
      secretReferences('Bearer {{ secrets.CICD_TOKEN }} {{secrets.CICD_TOKEN}} {{ secrets . B }}'),
    ).toEqual(['CICD_TOKEN', 'B']);
    expect(secretReferences('{% if secrets.X %}y{% endif %} see secrets.TXT')).toEqual(['X']);
    expect(secretReferences('{{ record.secrets }}')).toEqual([]);
  });

  it('a signing secret is one reference and nothing else', () => {
    expect(isSecretReference('{{ secrets.HOOK }}')).toBe(true);
    expect(isSecretReference(' {{- secrets.HOOK -}} ')).toBe(true);
    expect(isSecretReference('x{{ secrets.HOOK }}')).toBe(false);
    expect(isSecretReference('{{ vars.HOOK }}')).toBe(false);
    expect(isSecretReference('s3cr3t')).toBe(false);
  });

  it('a credential value may keep a scheme word beside its reference', () => {
    expect(keepsCredentialOut('Bearer {{ secrets.T }}')).toBe(true);
    expect(keepsCredentialOut('{{ secrets.T }}')).toBe(true);
    expect(keepsCredentialOut('Bearer abc')).toBe(false);
    expect(keepsCredentialOut('abc{{ secrets.T }}x y')).toBe(false);
    expect(keepsCredentialOut('{{ vars.TOKEN }}')).toBe(false);
  });

  it('credential-like names', () => {
    for (const n of [
      'Authorization',
      'Proxy-Authorization',
      'Cookie',
      'X-API-Key',
      'apikey',
      'access_token',
      'key',
      'X-Auth-Token',
      'client_secret',
      'password',
      'X-Hub-Signature',
    ])
      expect(looksLikeCredential(n), n).toBe(true);
    for (const n of [
      'Content-Type',
      'Accept',
      'X-Request-Id',
      'X-Idempotency-Key',
      'Idempotency-Key',
      'ref',
      'monkey-business',
    ])
      expect(looksLikeCredential(n), n).toBe(false);
  });

  it('credential query parameters of URL templates', () => {
    expect(
      credentialParameters(
        'https://x/send?access_token=abc&n={{ record.number | append: "&key=1" }}&key={{ secrets.K }}#k=v',
      ),
    ).toEqual([
      { name: 'access_token', value: 'abc' },
      { name: 'key', value: '{{ secrets.K }}' },
    ]);
    expect(credentialParameters('https://x/send')).toEqual([]);
  });

  it('literal URL schemes', () => {
    expect(hasAllowedScheme('https://x')).toBe(true);
    expect(hasAllowedScheme('HTTP://x')).toBe(true);
    expect(hasAllowedScheme('{{ record.target }}')).toBe(true);
    expect(hasAllowedScheme('  {{ vars.URL }}/x')).toBe(true);
    expect(hasAllowedScheme('file:///etc/passwd')).toBe(false);
    expect(hasAllowedScheme('gopher://127.0.0.1/')).toBe(false);
    expect(hasAllowedScheme('example.com/hook')).toBe(false);
    expect(hasAllowedScheme('http:{{ record.x }}')).toBe(false);
  });
});
