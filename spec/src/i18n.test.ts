import { describe, expect, it } from 'vitest';
import { localize } from './i18n.ts';

describe('localize', () => {
  it('picks the language and falls back to the other one', () => {
    expect(localize({ 'zh-CN': '故障', en: 'Incident' }, 'en')).toBe('Incident');
    expect(localize({ 'zh-CN': '故障' }, 'en')).toBe('故障');
    expect(localize({ en: 'Incident' }, 'zh-CN')).toBe('Incident');
    expect(localize('同一文本', 'en')).toBe('同一文本');
    expect(localize(undefined, 'zh-CN')).toBe('');
  });
});
