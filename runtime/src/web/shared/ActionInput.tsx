import { localizeSchema } from '@opsloom/spec';
import { Form } from '@opsloom/web-forms/form';
import { useMemo } from 'react';
import { useT } from './i18n.ts';

/**
 * What an action asks of the person taking it (its edge's `input` JSON Schema: the application a
 * merge request is for…), as a small form in the action's dialog. Loaded only when an action has
 * one, so pages of plain approve / reject buttons do not bring the form library.
 */
export default function ActionInput(props: {
  schema: Record<string, unknown>;
  value: Record<string, unknown>;
  onChange(value: Record<string, unknown>): void;
  /** The server's problems with the last try, by path inside the input (`/app`). */
  errors: Record<string, string[]>;
}) {
  const { locale } = useT();
  const schema = useMemo(() => {
    const localized = localizeSchema(props.schema, locale);
    const properties = localized.properties as Record<string, unknown> | undefined;
    return {
      ...localized,
      properties: Object.fromEntries(
        Object.entries(properties ?? {}).map(([k, v]) => [k, localizeSchema(v, locale)]),
      ),
    };
  }, [props.schema, locale]);
  const extraErrors = useMemo(
    () =>
      Object.fromEntries(
        Object.entries(props.errors).map(([path, messages]) => [
          path.replace(/^\//, ''),
          { __errors: messages },
        ]),
      ),
    [props.errors],
  );
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
