import { describe, expect, it } from 'vitest';
import {
  checkTemplate,
  renderTemplate,
  renderTemplateSync,
  TEMPLATE_OUTPUT_LIMIT,
  TemplateError,
} from './template.ts';

describe('renderTemplate', () => {
  const record = {
    number: 'INC-000123',
    title: '打印机卡纸',
    category: { 'zh-CN': '硬件', en: 'Hardware' },
  };

  it('renders with zh-CN and en context', async () => {
    expect(await renderTemplate('工单 {{ record.number }}：{{ record.title }}', { record })).toBe(
      '工单 INC-000123：打印机卡纸',
    );
    expect(await renderTemplate('Ticket {{ record.number }}', { record }, { locale: 'en' })).toBe(
      'Ticket INC-000123',
    );
  });

  it('localizes I18nText values with the localize filter and exposes the locale', async () => {
    expect(await renderTemplate('{{ record.category | localize }}', { record }, { locale: 'zh-CN' })).toBe(
      '硬件',
    );
    expect(await renderTemplate('{{ record.category | localize }}', { record }, { locale: 'en' })).toBe(
      'Hardware',
    );
    expect(renderTemplateSync('{{ locale }}', {}, { locale: 'en' })).toBe('en');
  });

  it('has a sync variant with the same output', () => {
    expect(renderTemplateSync('{% if record.number %}有编号{% endif %}', { record })).toBe('有编号');
  });

  it('renders missing values as empty, not as an error', () => {
    expect(renderTemplateSync('[{{ record.nothing }}]', { record })).toBe('[]');
  });
});

describe('template sandbox', () => {
  const context = { x: { a: 1 }, s: 'text', list: [1] };

  it.each([
    '{{ x.constructor }}',
    '{{ x.constructor.constructor }}',
    '{{ s.constructor }}',
    '{{ list.constructor }}',
    '{{ x.__proto__ }}',
    '{{ x.toString }}',
    '{{ x.hasOwnProperty }}',
    '{{ x.a.constructor.name }}',
  ])('%s renders nothing', (source) => {
    expect(renderTemplateSync(source, context)).toBe('');
  });

  it('never reads inherited properties', () => {
    const inherited = Object.create({ secret: 'leak' }) as Record<string, unknown>;
    expect(renderTemplateSync('{{ o.secret }}', { o: inherited })).toBe('');
  });

  it.each(['{% include "secrets" %}', '{% render "/etc/passwd" %}', '{% layout "base" %}'])(
    '%s is refused: templates cannot read other templates or files',
    (source) => {
      expect(checkTemplate(source)).not.toBeNull();
      expect(() => renderTemplateSync(source, {})).toThrow(TemplateError);
    },
  );

  it('refuses unknown filters when parsing', () => {
    expect(checkTemplate('{{ x | shout }}')?.en).toMatch(/filter/);
  });

  it('stops runaway loops', () => {
    expect(() => renderTemplateSync('{% for i in (1..100000000) %}{{ i }}{% endfor %}', {})).toThrow(
      TemplateError,
    );
  });
});

describe('checkTemplate', () => {
  it('returns null for a good template and both languages for a bad one', () => {
    expect(checkTemplate('Hello {{ name }}')).toBeNull();
    const problem = checkTemplate('Hello {{ name');
    expect(problem?.['zh-CN']).toMatch(/模板/);
    expect(problem?.en).toMatch(/Template/);
  });
});

describe('template budgets', () => {
  it('refuses output past the cap instead of building it (139 characters once made 100 MB)', async () => {
    const started = performance.now();
    const error = await renderTemplate('{% for i in (1..100000) %}{{ s }}{% endfor %}', {
      s: 'x'.repeat(1000),
    }).catch((e) => e);
    expect(error).toBeInstanceOf(TemplateError);
    // The output cap, or on a busy machine liquidjs's time limit first: either budget stops it.
    expect((error as TemplateError).localized.en).toMatch(
      new RegExp(`${TEMPLATE_OUTPUT_LIMIT}|render limit exceeded`),
    );
    expect(() =>
      renderTemplateSync('{% for i in (1..100000) %}{{ s }}{% endfor %}', { s: 'x'.repeat(1000) }),
    ).toThrow(TemplateError);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('stops nested loops by liquidjs memory and time limits', async () => {
    const source = '{% for i in (1..2000) %}{% for j in (1..2000) %}{% endfor %}{% endfor %}';
    await expect(renderTemplate(source, {})).rejects.toBeInstanceOf(TemplateError);
  });

  it('still renders an ordinary message with a table of rows', async () => {
    const rows = Array.from({ length: 500 }, (_, i) => ({ name: `app${i}` }));
    const out = await renderTemplate('{% for r in rows %}{{ r.name }},{% endfor %}', { rows });
    expect(out.split(',')).toHaveLength(501);
  });
});
