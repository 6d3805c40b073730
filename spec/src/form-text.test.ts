import { describe, expect, it } from 'vitest';
import { authoredMessage, localizeSchema, localizeUiSchema } from './form-text.ts';

describe('form texts in one language', () => {
  const apps = {
    type: 'array',
    title: '应用',
    'x-title': { 'zh-CN': '应用', en: 'Applications' },
    items: {
      type: 'object',
      properties: {
        name: { type: 'string', title: '应用名称', 'x-title': { 'zh-CN': '应用名称', en: 'Application' } },
        tier: {
          type: 'string',
          oneOf: [{ const: 'gold', title: '金牌', 'x-title': { 'zh-CN': '金牌', en: 'Gold' } }],
          'x-description': { 'zh-CN': '服务等级', en: 'Service tier' },
        },
      },
    },
  };

  it('names a field, its items, their properties and choices in the language asked for', () => {
    const en = localizeSchema(apps, 'en');
    expect(en.title).toBe('Applications');
    expect(en.items.properties.name.title).toBe('Application');
    expect(en.items.properties.tier).toMatchObject({
      description: 'Service tier',
      oneOf: [{ const: 'gold', title: 'Gold' }],
    });
    expect(localizeSchema(apps, 'zh-CN').items.properties.name.title).toBe('应用名称');
    // The definition itself is left as it was.
    expect(apps.items.properties.name.title).toBe('应用名称');
    expect(localizeSchema({ type: 'string', title: '只有中文' }, 'en')).toEqual({
      type: 'string',
      title: '只有中文',
    });
  });

  it('picks choice labels and uiSchema texts at every depth, leaving plain strings alone', () => {
    const ui = {
      'ui:order': ['apps', '*'],
      category: { 'ui:enumNames': [{ 'zh-CN': '硬件', en: 'Hardware' }, '其他 Other'] },
      apps: {
        items: {
          status: { 'ui:enumNames': [{ 'zh-CN': '未发布', en: 'Not released' }], 'ui:readonly': true },
        },
      },
      impact: {
        'ui:widget': 'radio',
        'ui:options': { enumNames: [{ 'zh-CN': '高', en: 'High' }], inline: true },
        'ui:placeholder': { 'zh-CN': '请选择', en: 'Choose' },
      },
    };
    expect(localizeUiSchema(ui, 'en')).toEqual({
      'ui:order': ['apps', '*'],
      category: { 'ui:enumNames': ['Hardware', '其他 Other'] },
      apps: { items: { status: { 'ui:enumNames': ['Not released'], 'ui:readonly': true } } },
      impact: {
        'ui:widget': 'radio',
        'ui:options': { enumNames: ['High'], inline: true },
        'ui:placeholder': 'Choose',
      },
    });
    expect(localizeUiSchema(ui, 'zh-CN').category['ui:enumNames']).toEqual(['硬件', '其他 Other']);
  });

  it("finds the author's message for a field's failed check by its schema path, not for required", () => {
    const message = { 'zh-CN': '只能包含字母和数字', en: 'Letters and digits only' };
    const schema = {
      type: 'object',
      properties: {
        apps: {
          type: 'array',
          items: { type: 'object', properties: { name: { type: 'string', 'x-errorMessage': message } } },
        },
        'a/b': { type: 'string', 'x-errorMessage': 'slash' },
      },
    };
    expect(authoredMessage(schema, '#/properties/apps/items/properties/name/pattern', 'pattern')).toEqual(
      message,
    );
    expect(authoredMessage(schema, '#/properties/a~1b/minLength', 'minLength')).toBe('slash');
    expect(authoredMessage(schema, '#/properties/apps/items/required', 'required')).toBeUndefined();
    expect(authoredMessage(schema, '#/properties/apps/type', 'type')).toBeUndefined();
    expect(authoredMessage(schema, '#/properties/missing/nothing/pattern', 'pattern')).toBeUndefined();
    expect(authoredMessage(schema, undefined, 'pattern')).toBeUndefined();
  });
});
