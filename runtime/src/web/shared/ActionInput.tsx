import { compileExpression, localizeSchema } from '@opsloom/spec';
import { Form } from '@opsloom/web-forms/form';
import { useMemo } from 'react';
import type { Problem } from './api.ts';
import { problemsToErrors } from './form-rules.ts';
import { useT } from './i18n.ts';

/**
 * A text property with `x-choices` (a CEL expression over the record, such as
 * `record.apps.map(a, a.name)`) is offered as a choice of the values it gives now. Only a help:
 * the server checks what is sent against the schema and the edge's guards, whatever the list.
 */
function withChoices(property: unknown, record: Record<string, unknown> | undefined): unknown {
  if (!property || typeof property !== 'object') return property;
  const source = (property as Record<string, unknown>)['x-choices'];
  if (typeof source !== 'string' || !record) return property;
  try {
    const values = compileExpression(source).evaluate({ record });
    if (Array.isArray(values) && values.length && values.every((v) => typeof v === 'string'))
      return { ...property, enum: [...new Set(values)] };
  } catch {
    // A list the expression cannot give (a field not there yet) leaves a plain text box.
  }
  return property;
}

/**
 * What an action asks of the person taking it (its edge's `input` JSON Schema: the application a
 * merge request is for…), as a small form in the action's dialog. Loaded only when an action has
 * one, so pages of plain approve / reject buttons do not bring the form library.
 */
export default function ActionInput(props: {
  schema: Record<string, unknown>;
  value: Record<string, unknown>;
  onChange(value: Record<string, unknown>): void;
  /** The server's problems with the last try, their paths inside the input (`/app`). */
  problems: Problem[];
  /** The record the task is on, for `x-choices` (CEL sees `record.<field>`, `record.status`). */
  record?: { data: Record<string, unknown>; status: string };
}) {
  const { locale } = useT();
  const schema = useMemo(() => {
    const localized = localizeSchema(props.schema, locale);
    const properties = (localized.properties ?? {}) as Record<string, unknown>;
    const record = props.record && { ...props.record.data, status: props.record.status };
    return {
      ...localized,
      properties: Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, withChoices(v, record)])),
    };
  }, [props.schema, locale, props.record]);
  const extraErrors = useMemo(() => problemsToErrors(props.problems, locale), [props.problems, locale]);
  return (
    <div data-testid="action-input">
      <Form
        schema={schema as never}
        uiSchema={{ 'ui:submitButtonOptions': { norender: true } }}
        formData={props.value}
        extraErrors={extraErrors as never}
        onChange={(e) => props.onChange((e.formData as Record<string, unknown>) ?? {})}
      />
    </div>
  );
}
