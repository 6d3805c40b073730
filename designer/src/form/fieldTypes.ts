import type { FormDefinition } from '@opsloom/spec';
import { fieldKind } from '@opsloom/web-forms/field-value';

/** The palette of the form designer and how each entry maps to JSON Schema + uiSchema. */
export const FIELD_TYPES = [
  'text',
  'textarea',
  'number',
  'select',
  'radio',
  'checkboxes',
  'date',
  'datetime',
  'user',
  'group',
  'record',
  'ci',
  'attachment',
  'richtext',
  'rating',
  'section',
  'table',
] as const;
/** Beyond the palette: fields a definition may hold that the palette does not make (a plugin's JSON). */
export type FieldType = (typeof FIELD_TYPES)[number] | 'boolean' | 'list';

export type FieldSchema = Record<string, unknown> & { type?: unknown; title?: string };

const WIDGETS: Partial<Record<FieldType, string>> = {
  textarea: 'textarea',
  radio: 'radio',
  checkboxes: 'checkboxes',
  user: 'user',
  group: 'group',
  record: 'record',
  ci: 'ci',
  attachment: 'attachment',
  richtext: 'richtext',
  rating: 'rating',
};

const DEFAULT_OPTIONS = ['option-1', 'option-2'];

/** Schema and uiSchema of a new field of the given type. */
export function newField(
  type: FieldType,
  label: { 'zh-CN': string; en: string },
): { schema: FieldSchema; ui?: Record<string, unknown> } {
  const titled = { title: label['zh-CN'], 'x-title': label };
  const widget = WIDGETS[type];
  const ui = widget ? { 'ui:widget': widget } : undefined;
  switch (type) {
    case 'number':
      return { schema: { type: 'number', ...titled } };
    case 'select':
    case 'radio':
      return {
        schema: { type: 'string', ...titled, enum: [...DEFAULT_OPTIONS] },
        ui: {
          ...ui,
          'ui:enumNames': [
            { 'zh-CN': '选项 1', en: 'Option 1' },
            { 'zh-CN': '选项 2', en: 'Option 2' },
          ],
        },
      };
    case 'checkboxes':
      return {
        schema: {
          type: 'array',
          ...titled,
          items: { type: 'string', enum: [...DEFAULT_OPTIONS] },
          uniqueItems: true,
        },
        ui,
      };
    case 'date':
      return { schema: { type: 'string', format: 'date', ...titled } };
    case 'datetime':
      return { schema: { type: 'string', format: 'date-time', ...titled } };
    case 'attachment':
      return { schema: { type: 'array', ...titled, items: { type: 'string' } }, ui };
    case 'rating':
      return { schema: { type: 'integer', ...titled, minimum: 0, maximum: 5 }, ui };
    case 'section':
      return { schema: { type: 'null', ...titled, 'x-section': true } };
    case 'table':
      return {
        schema: {
          type: 'array',
          ...titled,
          items: {
            type: 'object',
            properties: {
              item: { type: 'string', title: '名称', 'x-title': { 'zh-CN': '名称', en: 'Item' } },
              quantity: {
                type: 'integer',
                title: '数量',
                'x-title': { 'zh-CN': '数量', en: 'Quantity' },
                minimum: 1,
              },
            },
          },
        },
      };
    case 'boolean':
      return { schema: { type: 'boolean', ...titled } };
    default:
      return { schema: { type: 'string', ...titled }, ui };
  }
}

/**
 * What the designer shows a stored field as: the kind web-forms renders its value as (one reading
 * of a field for both). An object field has no type of its own in the palette.
 */
export function fieldTypeOf(schema: FieldSchema, ui: Record<string, unknown> | undefined): FieldType {
  const kind = fieldKind(schema, ui);
  return kind === 'object' ? 'text' : kind;
}

/** The option list of a choice field (enum of the field or of its items). */
export function optionsOf(schema: FieldSchema): unknown[] | undefined {
  if (Array.isArray(schema.enum)) return schema.enum;
  const items = schema.items as FieldSchema | undefined;
  return Array.isArray(items?.enum) ? items.enum : undefined;
}

export function isChoice(type: FieldType): boolean {
  return type === 'select' || type === 'radio' || type === 'checkboxes';
}

export const formOf = (d: unknown) =>
  d as FormDefinition & { schema: { properties: Record<string, FieldSchema> } };
