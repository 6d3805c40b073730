import { renderTemplate } from '@opsloom/spec';
import { describe, expect, it } from 'vitest';
import { namesIn, newNonce, Revealed, secretsContext, shown } from './references.ts';
import { SecretError } from './store.ts';

const values = new Map([['CICD_TOKEN', 'tok-123456']]);

describe('secret placeholders', () => {
  it('render as placeholders, show as references, reveal as values', async () => {
    const nonce = newNonce();
    const template = 'https://ci.example/run?token={{ secrets.CICD_TOKEN }}&n={{ record.number }}';
    const secrets = secretsContext([template], nonce);
    const rendered = await renderTemplate(template, { secrets, record: { number: 'INC-1' } });
    expect(rendered).not.toContain('tok-123456');
    expect(namesIn(rendered, nonce)).toEqual(['CICD_TOKEN']);
    expect(shown(rendered, nonce)).toBe('https://ci.example/run?token={{ secrets.CICD_TOKEN }}&n=INC-1');
    expect(new Revealed(nonce, values).reveal(rendered)).toBe(
      'https://ci.example/run?token=tok-123456&n=INC-1',
    );
  });

  it('record data cannot forge a placeholder of another call', async () => {
    const nonce = newNonce();
    const forged = `\u0001${newNonce()}.CICD_TOKEN\u0002`;
    const rendered = await renderTemplate('{{ record.target }}', { secrets: {}, record: { target: forged } });
    expect(namesIn(rendered, nonce)).toEqual([]);
    expect(new Revealed(nonce, values).reveal(rendered)).toBe(forged);
  });

  it('a filter applied to a secret is refused rather than sent half-revealed', async () => {
    const nonce = newNonce();
    const template = '{{ secrets.CICD_TOKEN | upcase }}';
    const rendered = await renderTemplate(template, { secrets: secretsContext([template], nonce) });
    expect(() => new Revealed(nonce, values).reveal(rendered)).toThrow(SecretError);
    expect(() => new Revealed(nonce, values).reveal(rendered)).toThrow(
      'secret CICD_TOKEN went through a template filter',
    );
  });

  it('scrubs values (and their URL-encoded form) out of what is kept', () => {
    const r = new Revealed(newNonce(), new Map([['A', 'p@ss word!']]));
    expect(r.scrub('got p@ss word! and p%40ss%20word!')).toBe('got *** and ***');
    expect(r.scrubDeep({ echo: ['p@ss word!'] })).toEqual({ echo: ['***'] });
  });
});
