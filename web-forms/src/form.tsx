import { authoredMessage, localize, re2RegExpEngine } from '@opsloom/spec';
import ThemedForm, { Widgets as antdWidgets } from '@rjsf/antd';
import { type FormProps, getDefaultRegistry } from '@rjsf/core';
import type {
  ObjectFieldTemplateProps,
  RegistryWidgetsType,
  RJSFValidationError,
  WidgetProps,
} from '@rjsf/utils';
import { customizeValidator } from '@rjsf/validator-ajv8';
import localizeEn from 'ajv-i18n/localize/en';
import localizeZh from 'ajv-i18n/localize/zh';
import { Space } from 'antd';
import { type ComponentType, useMemo } from 'react';
import { FieldValue } from './field-value.tsx';
import { type Locale, translate, useLocale } from './i18n.ts';
import { rjsfStrings } from './strings.ts';
import { ArrayFieldItemTemplate, ArrayFieldTemplate, tableCellsUnlabelled, tableRowAware } from './table.tsx';
import { SectionField, widgets } from './widgets.tsx';

// Forms are rendered by @rjsf/core with the antd theme; this module is imported only by the
// screens that show a form, so rjsf stays out of every first load.

// Patterns run on RE2, as on the server (spec's regex.ts), so a form accepts what the server does.
const options = { ajvOptionsOverrides: { code: { regExp: re2RegExpEngine } } };
const validators = {
  'zh-CN': customizeValidator(options, localizeZh as never),
  en: customizeValidator(options, localizeEn as never),
};

export { type PendingFiles, PendingFilesContext, widgets } from './widgets.tsx';

const fields = { section: SectionField };

/**
 * A read-only field (locked by a rule, the step's fieldAccess or `readOnly`) shows its value as
 * the portal's request details do (FieldValue: stars, rendered Markdown, names, links, dates in the
 * person's language) instead of a disabled input; an editable one gets the widget itself.
 */
function showReadOnlyAsValue(Widget: ComponentType<WidgetProps>, name: string): ComponentType<WidgetProps> {
  function ReadOnlyAsValue(props: WidgetProps) {
    if (!props.readonly) return <Widget {...props} />;
    const value = <FieldValue id={props.id} value={props.value} schema={props.schema} ui={props.uiSchema} />;
    // A lone checkbox carries its own label (rjsf draws none above it): keep it beside the yes / no.
    if (name !== 'CheckboxWidget' || props.hideLabel || !props.label) return value;
    return (
      <Space size={8} align="baseline">
        <span>{props.label}</span>
        {value}
      </Space>
    );
  }
  ReadOnlyAsValue.displayName = `ReadOnlyAsValue(${Widget.displayName ?? Widget.name})`;
  return ReadOnlyAsValue;
}

/** Every widget that shows a value (not hidden, password or file inputs), ours and the antd theme's. */
const SHOWN_WIDGETS = [
  'TextWidget',
  'TextareaWidget',
  'SelectWidget',
  'RadioWidget',
  'CheckboxWidget',
  'CheckboxesWidget',
  'DateWidget',
  'DateTimeWidget',
  'UpDownWidget',
  'RangeWidget',
  ...Object.keys(widgets),
];
const themeWidgets: RegistryWidgetsType = { ...getDefaultRegistry().widgets, ...antdWidgets, ...widgets };
const readOnlyAwareWidgets: RegistryWidgetsType = Object.fromEntries(
  SHOWN_WIDGETS.map((name) => [
    name,
    showReadOnlyAsValue(themeWidgets[name] as ComponentType<WidgetProps>, name),
  ]),
);

/** A read-only table: its rows as a small table (FieldValue), not rjsf's list of disabled inputs. */
function ReadOnlyValueWidget(props: WidgetProps) {
  return <FieldValue id={props.id} value={props.value} schema={props.schema} ui={props.uiSchema} />;
}

/**
 * Sections (`{"type": "null", "x-section": true}`) are drawn by the section field, without a label;
 * a read-only table (an array of objects) by ReadOnlyValueWidget, under its label; an editable
 * one by the table templates (table.tsx), its cells without labels of their own.
 */
function withSections(schema: FormProps['schema'], uiSchema: FormProps['uiSchema']): FormProps['uiSchema'] {
  const properties = (
    schema as {
      properties?: Record<
        string,
        { type?: unknown; readOnly?: unknown; items?: { type?: unknown }; 'x-section'?: unknown }
      >;
    }
  ).properties;
  let ui = uiSchema;
  for (const [key, prop] of Object.entries(properties ?? {})) {
    const fieldUi = (ui?.[key] ?? {}) as Record<string, unknown>;
    if (prop?.type === 'null') {
      ui = { ...ui, [key]: { ...fieldUi, 'ui:field': 'section', 'ui:label': false } };
    } else if (
      prop?.type === 'array' &&
      prop.items?.type === 'object' &&
      (fieldUi['ui:readonly'] === true || prop.readOnly === true) &&
      !fieldUi['ui:widget'] &&
      !fieldUi['ui:field']
    ) {
      ui = { ...ui, [key]: { ...fieldUi, 'ui:widget': 'readOnlyValue' } };
    } else if (prop?.type === 'array' && prop.items?.type === 'object' && !fieldUi['ui:field']) {
      const items = prop.items as { properties?: Record<string, unknown> };
      const itemsUi = fieldUi.items as Record<string, unknown> | undefined;
      ui = { ...ui, [key]: { ...fieldUi, items: tableCellsUnlabelled(items, itemsUi) } };
    }
  }
  return ui;
}

/**
 * The table templates over the caller's own (the designer's preview draws its objects itself):
 * an object template of the caller's still draws a table's rows as cells.
 */
function withTables(own: FormProps['templates']): FormProps['templates'] {
  return {
    ...own,
    ArrayFieldTemplate,
    ArrayFieldItemTemplate,
    ObjectFieldTemplate: tableRowAware(
      own?.ObjectFieldTemplate as ComponentType<ObjectFieldTemplateProps> | undefined,
    ),
  };
}

/**
 * rjsf's antd form with every widget the designer can name (`user`, `group`, `record`, `ci`,
 * `attachment`, `richtext`, `rating`) and its sections, so a form built in the designer renders
 * the same in the portal and the workspace; checked by ajv in the person's language, each error
 * at its field (no list on top, no browser bubbles), rjsf's own texts in that language too.
 */
// biome-ignore lint/suspicious/noExplicitAny: rjsf's own form data type parameter
export function Form(props: Omit<FormProps<any>, 'validator'> & { validator?: FormProps['validator'] }) {
  const uiSchema = useMemo(() => withSections(props.schema, props.uiSchema), [props.schema, props.uiSchema]);
  const allWidgets = useMemo(
    () => ({ ...readOnlyAwareWidgets, readOnlyValue: ReadOnlyValueWidget, ...props.widgets }),
    [props.widgets],
  );
  const allFields = useMemo(() => ({ ...fields, ...props.fields }), [props.fields]);
  const locale = useLocale();
  const strings = useMemo(() => rjsfStrings(locale), [locale]);
  const templates = useMemo(() => withTables(props.templates), [props.templates]);
  return (
    <ThemedForm
      translateString={strings}
      validator={validators[locale]}
      transformErrors={transformErrors(locale, props.schema)}
      showErrorList={false}
      noHtml5Validate
      {...props}
      templates={templates}
      uiSchema={uiSchema}
      widgets={allWidgets}
      fields={allFields}
    />
  );
}

/**
 * A required field says so plainly, in the person's language; a field whose author wrote what
 * its checks mean (`x-errorMessage`) says that, once, instead of ajv's "must match pattern …".
 */
function transformErrors(locale: Locale, schema: unknown) {
  return (errors: RJSFValidationError[]) => {
    const authored = new Set<string>();
    return errors.flatMap((e) => {
      if (e.name === 'required') return [{ ...e, message: translate(locale, 'form.required') }];
      const own = authoredMessage(schema, e.schemaPath, e.name ?? '');
      if (own === undefined) return [e];
      if (authored.has(e.property ?? '')) return [];
      authored.add(e.property ?? '');
      return [{ ...e, message: localize(own, locale), stack: localize(own, locale) }];
    });
  };
}
