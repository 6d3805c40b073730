import ThemedForm from '@rjsf/antd';
import type { FormProps } from '@rjsf/core';
import type { RJSFValidationError } from '@rjsf/utils';
import { customizeValidator } from '@rjsf/validator-ajv8';
import localizeEn from 'ajv-i18n/localize/en';
import localizeZh from 'ajv-i18n/localize/zh';
import { useMemo } from 'react';
import { type Locale, translate } from './i18n.ts';
import { SectionField, widgets } from './rjsf-widgets.tsx';

// Forms are rendered by @rjsf/core with the antd theme; this module is imported only by the
// screens that show a form, so rjsf stays out of every first load.

export const validators = {
  'zh-CN': customizeValidator({}, localizeZh as never),
  en: customizeValidator({}, localizeEn as never),
};

export { type PendingFiles, PendingFilesContext, widgets } from './rjsf-widgets.tsx';

const fields = { section: SectionField };

/** Sections (`{"type": "null", "x-section": true}`) are drawn by the section field, without a label. */
function withSections(schema: FormProps['schema'], uiSchema: FormProps['uiSchema']): FormProps['uiSchema'] {
  const properties = (schema as { properties?: Record<string, { type?: unknown; 'x-section'?: unknown }> })
    .properties;
  let ui = uiSchema;
  for (const [key, prop] of Object.entries(properties ?? {})) {
    if (prop?.type !== 'null') continue;
    ui = { ...ui, [key]: { ...(ui?.[key] as object), 'ui:field': 'section', 'ui:label': false } };
  }
  return ui;
}

/**
 * rjsf's antd form with every widget the designer can name (`user`, `group`, `record`, `ci`,
 * `attachment`, `richtext`, `rating`) and its sections, so a form built in the designer renders
 * the same in the portal and the workspace.
 */
// biome-ignore lint/suspicious/noExplicitAny: rjsf's own form data type parameter
export function Form(props: Omit<FormProps<any>, 'validator'> & { validator: FormProps['validator'] }) {
  const uiSchema = useMemo(() => withSections(props.schema, props.uiSchema), [props.schema, props.uiSchema]);
  const allWidgets = useMemo(() => ({ ...widgets, ...props.widgets }), [props.widgets]);
  const allFields = useMemo(() => ({ ...fields, ...props.fields }), [props.fields]);
  return <ThemedForm {...props} uiSchema={uiSchema} widgets={allWidgets} fields={allFields} />;
}

/** A required field says so plainly, in the person's language. */
export function transformErrors(locale: Locale) {
  return (errors: RJSFValidationError[]) =>
    errors.map((e) => (e.name === 'required' ? { ...e, message: translate(locale, 'form.required') } : e));
}
