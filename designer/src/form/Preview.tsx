import { evaluateCondition, type FormDefinition, type Locale } from '@opsloom/spec';
import { Form } from '@rjsf/antd';
import {
  type FieldProps,
  getUiOptions,
  type ObjectFieldTemplateProps,
  type RJSFSchema,
  type UiSchema,
  type WidgetProps,
} from '@rjsf/utils';
import validator from '@rjsf/validator-ajv8';
import { Divider, Input, Rate, Select, Typography } from 'antd';
import { memo, useMemo, useState } from 'react';
import { textOf, useLocale, useText } from '../i18n.ts';
import { useGroups, useUsers } from '../lookups.ts';
import { useEditor } from '../store/editor.ts';
import type { FieldSchema } from './fieldTypes.ts';

/**
 * The form exactly as end users get it: @rjsf/core with the antd theme, titles in the current
 * language, the form's show/hide/require rules applied to what is typed.
 */

const localized = new WeakMap<object, { locale: Locale; value: FieldSchema }>();
/** Field schema with title/description in the chosen language; cached per field object. */
function localize(schema: FieldSchema, locale: Locale): FieldSchema {
  const hit = localized.get(schema);
  if (hit && hit.locale === locale) return hit.value;
  const value: FieldSchema = { ...schema };
  if (schema['x-title']) value.title = textOf(schema['x-title'], locale);
  if (schema['x-description']) value.description = textOf(schema['x-description'], locale);
  if (schema.type === 'array' && (schema.items as FieldSchema | undefined)?.type === 'object') {
    const items = schema.items as FieldSchema & { properties?: Record<string, FieldSchema> };
    value.items = {
      ...items,
      properties: Object.fromEntries(
        Object.entries(items.properties ?? {}).map(([k, p]) => [k, localize(p, locale)]),
      ),
    };
  }
  localized.set(schema, { locale, value });
  return value;
}

function UserWidget(props: WidgetProps) {
  const users = useUsers();
  return (
    <Select
      id={props.id}
      allowClear
      showSearch
      optionFilterProp="label"
      disabled={props.disabled || props.readonly}
      value={props.value}
      onChange={(v) => props.onChange(v)}
      options={users.map((u) => ({ value: u.username, label: `${u.displayName} (${u.username})` }))}
    />
  );
}
function GroupWidget(props: WidgetProps) {
  const groups = useGroups();
  const text = useText();
  return (
    <Select
      id={props.id}
      allowClear
      showSearch
      optionFilterProp="label"
      disabled={props.disabled || props.readonly}
      value={props.value}
      onChange={(v) => props.onChange(v)}
      options={groups.map((g) => ({ value: g.key, label: text(g.name) }))}
    />
  );
}
function TextLikeWidget(placeholder: string) {
  return function Widget(props: WidgetProps) {
    return (
      <Input
        id={props.id}
        placeholder={placeholder}
        disabled={props.disabled || props.readonly}
        value={props.value ?? ''}
        onChange={(e) => props.onChange(e.target.value || undefined)}
      />
    );
  };
}
function RichTextWidget(props: WidgetProps) {
  return (
    <Input.TextArea
      id={props.id}
      autoSize={{ minRows: 4 }}
      disabled={props.disabled || props.readonly}
      value={props.value ?? ''}
      onChange={(e) => props.onChange(e.target.value || undefined)}
    />
  );
}
function RatingWidget(props: WidgetProps) {
  return (
    <Rate
      disabled={props.disabled || props.readonly}
      value={props.value ?? 0}
      onChange={(v) => props.onChange(v)}
    />
  );
}
function AttachmentWidget(props: WidgetProps) {
  return <input id={props.id} type="file" multiple disabled={props.disabled || props.readonly} />;
}
function SectionField(props: FieldProps) {
  return (
    <Divider titlePlacement="start" style={{ marginTop: 8 }}>
      <Typography.Text strong>{props.schema.title}</Typography.Text>
    </Divider>
  );
}

/**
 * The antd theme's object layout (two columns; objects, arrays and text areas span both) drawn
 * with a CSS grid: its 24-column Row/Col re-renders one antd Col per field on every keystroke,
 * which on a form of hundreds of fields costs far more than the fields themselves.
 */
function ObjectFieldTemplate(props: ObjectFieldTemplateProps) {
  const visible = props.properties.filter((p) => !p.hidden);
  const wide = (content: React.ReactElement) => {
    const { schema, uiSchema } = content.props as { schema?: RJSFSchema; uiSchema?: UiSchema };
    const widget = getUiOptions(uiSchema).widget;
    return (
      visible.length < 2 || schema?.type === 'object' || schema?.type === 'array' || widget === 'textarea'
    );
  };
  return (
    <fieldset id={props.fieldPathId.$id}>
      {props.title && <Typography.Title level={5}>{props.title}</Typography.Title>}
      <div style={{ display: 'grid', gridTemplateColumns: 'minmax(0, 1fr) minmax(0, 1fr)', columnGap: 24 }}>
        {visible.map((p) => (
          <div key={p.name} style={wide(p.content) ? { gridColumn: '1 / -1' } : undefined}>
            {p.content}
          </div>
        ))}
      </div>
    </fieldset>
  );
}
const templates = { ObjectFieldTemplate };

const widgets = {
  user: UserWidget,
  group: GroupWidget,
  record: TextLikeWidget('INC-000123'),
  ci: TextLikeWidget('CI'),
  attachment: AttachmentWidget,
  richtext: RichTextWidget,
  rating: RatingWidget,
};
const fields = { section: SectionField };

export const Preview = memo(function Preview() {
  const locale = useLocale((s) => s.locale);
  const def = useEditor((s) => s.def) as FormDefinition;
  const [data, setData] = useState<Record<string, unknown>>({});

  // What the rules decide for the data typed so far, as a string so the schema below is rebuilt
  // only when the outcome changes (rjsf reports defaults through onChange on every new schema).
  const outcome = useMemo(() => {
    const hidden = new Set<string>();
    const required = new Set<string>();
    for (const rule of def.rules ?? []) {
      let on = false;
      try {
        on = evaluateCondition(rule.when, { record: data });
      } catch {
        on = false;
      }
      if (rule.effect === 'hide' && on) for (const f of rule.fields) hidden.add(f);
      if (rule.effect === 'show' && !on) for (const f of rule.fields) hidden.add(f);
      if (rule.effect === 'require' && on) for (const f of rule.fields) required.add(f);
    }
    return `${[...hidden].sort().join(',')}|${[...required].sort().join(',')}`;
  }, [def.rules, data]);

  const { schema, uiSchema } = useMemo(() => {
    const [hiddenList = '', requiredList = ''] = outcome.split('|');
    const hidden = new Set(hiddenList.split(',').filter(Boolean));
    const required = new Set([...(def.schema.required ?? []), ...requiredList.split(',').filter(Boolean)]);
    const props = def.schema.properties as Record<string, FieldSchema>;
    const visible: Record<string, FieldSchema> = {};
    for (const [k, p] of Object.entries(props)) if (!hidden.has(k)) visible[k] = localize(p, locale);
    const ui: UiSchema = { ...(def.uiSchema as UiSchema), 'ui:submitButtonOptions': { norender: true } };
    for (const [k, p] of Object.entries(props)) {
      if (p.type === 'null') ui[k] = { ...(ui[k] as object), 'ui:field': 'section' };
    }
    return {
      schema: {
        ...def.schema,
        properties: visible,
        required: [...required].filter((f) => f in visible),
      } as RJSFSchema,
      uiSchema: ui,
    };
  }, [def.schema, def.uiSchema, outcome, locale]);

  return (
    <div data-testid="form-preview">
      <Form
        schema={schema}
        uiSchema={uiSchema}
        validator={validator}
        formData={data}
        onChange={(e) => {
          const next = e.formData ?? {};
          if (JSON.stringify(next) !== JSON.stringify(data)) setData(next);
        }}
        widgets={widgets}
        fields={fields}
        templates={templates}
        noHtml5Validate
        showErrorList={false}
      />
    </div>
  );
});
