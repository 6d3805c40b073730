import type { Definition, DefinitionKind } from '@opsloom/spec';

/** The smallest valid definition of each kind the designer can create from scratch. */
export function newDefinition(
  kind: DefinitionKind,
  key: string,
  name: { 'zh-CN': string; en: string },
  extra: { form?: string } = {},
): Definition {
  const base = { kind, key, name } as const;
  switch (kind) {
    case 'form':
      return {
        ...base,
        kind: 'form',
        numberPrefix:
          key
            .replace(/[^a-z]/gi, '')
            .slice(0, 4)
            .toUpperCase() || 'REQ',
        schema: {
          type: 'object',
          required: ['title'],
          properties: {
            title: { type: 'string', title: '标题', 'x-title': { 'zh-CN': '标题', en: 'Title' } },
          },
        },
        uiSchema: {},
        titleField: 'title',
      };
    case 'process':
      return {
        ...base,
        kind: 'process',
        form: extra.form ?? '',
        nodes: [
          { id: 'start', type: 'start', position: { x: 0, y: 100 } },
          {
            id: 'end',
            type: 'end',
            name: { 'zh-CN': '结束', en: 'End' },
            position: { x: 400, y: 100 },
            outcome: 'done',
          },
        ],
        edges: [{ id: 'e-start-end', source: 'start', target: 'end' }],
      };
    case 'catalog':
      return {
        ...base,
        kind: 'catalog',
        categories: [{ id: 'general', name: { 'zh-CN': '通用', en: 'General' } }],
        items: [],
      };
    case 'report':
      return {
        ...base,
        kind: 'report',
        dataset: { source: 'records' },
        measures: [{ id: 'count', agg: 'count' }],
        chart: { type: 'bar' },
      };
    case 'dashboard':
      return { ...base, kind: 'dashboard', columns: 24, widgets: [] };
    default:
      return { ...base } as unknown as Definition;
  }
}
