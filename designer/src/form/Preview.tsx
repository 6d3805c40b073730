import {
  activeRules,
  type FormDefinition,
  type Locale,
  localizeSchema,
  localizeUiSchema,
} from '@opsloom/spec';
import { Form, PendingFilesContext } from '@opsloom/web-forms/form';
import { inLocale } from '@opsloom/web-forms/in-locale';
import { Templates } from '@rjsf/antd';
import type Rjsf from '@rjsf/core';
import {
  deepEquals,
  type FieldTemplateProps,
  getUiOptions,
  type ObjectFieldTemplateProps,
  type RJSFSchema,
  type UiSchema,
} from '@rjsf/utils';
import { Button, Space, Typography } from 'antd';
import {
  type ComponentType,
  createContext,
  memo,
  type ReactNode,
  useCallback,
  useContext,
  useMemo,
  useRef,
  useState,
} from 'react';
import { useLocale, useT } from '../i18n.ts';
import { useEditor } from '../store/editor.ts';
import type { FieldSchema } from './fieldTypes.ts';

/**
 * The form exactly as end users get it when they make a request: web-forms' `Form`, the one the
 * portal and the workspace render (rjsf with the antd theme, Opsloom's widgets, table fields,
 * rjsf's own texts and ajv's messages in the current language, a field's authored error
 * message), titles in the current language, the form's show/hide/require rules applied to what
 * is typed, and the fields the process fills (`readOnly`) left out, as the portal leaves them.
 * "Check" validates what is typed as a submit would.
 *
 * Kept cheap on a form of hundreds of fields, where every keystroke counts:
 * - rjsf keeps what is typed in its own state; this component hears of each change only to apply
 *   the rules, and renders again (handing rjsf back what was typed) only when their outcome or
 *   the definition changes.
 * - A field's label and help text reach rjsf as its `ui:title` / `ui:description` (which rjsf
 *   prefers to the schema's, so the form looks the same): a label edit then leaves the schema
 *   rjsf sees deep-equal, so rjsf keeps its registry and re-renders that one field, not all.
 * - See FieldTemplate for the antd Form.Item work it saves on every keystroke.
 */

type Ui = Record<string, unknown>;
const previewed = new WeakMap<
  object,
  { locale: Locale; ui: Ui | undefined; schema: FieldSchema; uiSchema: Ui }
>();
/**
 * A top-level field as handed to rjsf: the schema without its (localized) title and help, which
 * go into the field's uiSchema as `ui:title` / `ui:description` (a `ui:title` already in the
 * uiSchema wins, as it would in the portal). Cached per field object, so an unchanged field
 * keeps the same objects and rjsf's memoized fields skip it.
 */
function previewField(schema: FieldSchema, ui: Ui | undefined, locale: Locale) {
  const hit = previewed.get(schema);
  if (hit && hit.locale === locale && hit.ui === ui) return hit;
  const {
    title,
    description,
    'x-title': _t,
    'x-description': _d,
    ...rest
  } = inLocale(schema, locale, localizeSchema);
  const uiSchema: Ui = {};
  if (title !== undefined) uiSchema['ui:title'] = title;
  if (description !== undefined) uiSchema['ui:description'] = description;
  Object.assign(uiSchema, localizeUiSchema(ui, locale));
  if (schema.type === 'null') uiSchema['ui:field'] = 'section';
  const value = { locale, ui, schema: rest as FieldSchema, uiSchema };
  previewed.set(schema, value);
  return value;
}

/** What the rules decide for the data typed so far, as a string (equal when the outcome is). */
function ruleOutcome(rules: FormDefinition['rules'], data: Record<string, unknown>): string {
  // The preview is of a new record: its status is `new`, as the runtime's rules see it.
  const { hidden, required } = activeRules(rules, data, 'new');
  return `${[...hidden].sort().join(',')}|${[...required].sort().join(',')}`;
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

const ThemeFieldTemplate = Templates.FieldTemplate as ComponentType<FieldTemplateProps>;

/**
 * The theme's FieldTemplate, with one saving for the root object: its antd Form.Item (the frame
 * around all the fields) does not render again when only the fields inside change.
 *
 * The root renders on every keystroke (its form data changed), and an antd Form.Item that renders
 * hands every Form.Item inside it a new `NoStyleItemContext` callback: React then runs each
 * field's Form.Item again (hundreds of them, each with its style hooks) although rjsf's memoized
 * fields were skipped. So the root's Form.Item is memoized on what it draws itself, and the fields
 * reach it through a context instead of as its children; the DOM is the theme's, unchanged.
 */
function FieldTemplate(props: FieldTemplateProps) {
  if (props.fieldPathId.path.length > 0) return <ThemeFieldTemplate {...props} />;
  return (
    <RootFields.Provider value={props.children}>
      <RootFrame {...props} />
    </RootFields.Provider>
  );
}
const RootFields = createContext<ReactNode>(null);
function RootFieldsSlot() {
  return useContext(RootFields);
}
const rootFieldsSlot = <RootFieldsSlot />;
const RootFrame = memo(
  function RootFrame(props: FieldTemplateProps) {
    return <ThemeFieldTemplate {...props}>{rootFieldsSlot}</ThemeFieldTemplate>;
  },
  (a, b) => deepEquals(frameOf(a), frameOf(b)),
);
/**
 * The root's props less what only the fields inside draw: their data, their schemas and uiSchemas
 * (the root's own `ui:` options stay). Its description, help and errors are drawn from the raw
 * values kept here (rawDescription, rawHelp, rawErrors).
 */
function frameOf(props: FieldTemplateProps) {
  const { children, formData, description, help, errors, schema, uiSchema, ...rest } = props;
  const { properties, required, ...ownSchema } = schema;
  const ownUi = Object.entries(uiSchema ?? {}).filter(([k]) => k.startsWith('ui:'));
  return { ...rest, schema: ownSchema, uiSchema: ownUi };
}

const templates = { FieldTemplate, ObjectFieldTemplate };

/** Files chosen in the preview's attachment fields: kept while it is open, never uploaded. */
function usePreviewFiles() {
  const [files] = useState(() => new Map<string, File[]>());
  const [, setVersion] = useState(0);
  return useMemo(
    () => ({
      get: (id: string) => files.get(id) ?? [],
      set: (id: string, next: File[]) => {
        files.set(id, next);
        setVersion((v) => v + 1);
      },
    }),
    [files],
  );
}

export const Preview = memo(function Preview() {
  const locale = useLocale((s) => s.locale);
  const t = useT();
  const def = useEditor((s) => s.def) as FormDefinition;
  const rules = def.rules;
  const form = useRef<Rjsf>(null);
  const files = usePreviewFiles();
  // What is typed lives in rjsf's state; rjsf reports each change, the latest is kept here for
  // the rules, and this component renders again only when their outcome changes (or the
  // definition does), so a keystroke costs rjsf's own update and nothing more.
  const typed = useRef<Record<string, unknown>>({});
  const [decided, setDecided] = useState(() => ({ rules, outcome: ruleOutcome(rules, {}) }));
  let outcome = decided.outcome;
  if (decided.rules !== rules) {
    // The rules were edited: decide again for what has been typed.
    outcome = ruleOutcome(rules, typed.current);
    setDecided({ rules, outcome });
  }
  const onChange = useCallback(
    (e: { formData?: Record<string, unknown> }) => {
      typed.current = e.formData ?? {};
      const next = ruleOutcome(rules, typed.current);
      setDecided((d) => (d.rules === rules && d.outcome === next ? d : { rules, outcome: next }));
    },
    [rules],
  );

  const { schema, uiSchema } = useMemo(() => {
    const [hiddenList = '', requiredList = ''] = outcome.split('|');
    const hidden = new Set(hiddenList.split(',').filter(Boolean));
    const required = new Set([...(def.schema.required ?? []), ...requiredList.split(',').filter(Boolean)]);
    const props = def.schema.properties as Record<string, FieldSchema>;
    const uiOf = (def.uiSchema ?? {}) as Record<string, Ui | undefined>;
    const visible: Record<string, FieldSchema> = {};
    const ui: UiSchema = { ...(def.uiSchema as UiSchema), 'ui:submitButtonOptions': { norender: true } };
    for (const [k, p] of Object.entries(props)) {
      const field = previewField(p, uiOf[k], locale);
      ui[k] = field.uiSchema;
      // The portal's request form leaves out what the process fills (NewRecordForm).
      if (!hidden.has(k) && p.readOnly !== true) visible[k] = field.schema;
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
      <Typography.Paragraph type="secondary">{t('form.previewHint')}</Typography.Paragraph>
      <PendingFilesContext.Provider value={files}>
        <Form
          ref={form}
          schema={schema}
          uiSchema={uiSchema}
          // Handed back as it was typed whenever this renders: rjsf 6.10 drops a schema or uiSchema
          // change that follows a keystroke when its formData prop differs from its own state
          // (`isProcessingUserChange`), so a stale or missing formData would lose e.g. a label edit.
          formData={typed.current}
          onChange={onChange}
          templates={templates}
        />
      </PendingFilesContext.Provider>
      <Space>
        <Button data-testid="preview-check" onClick={() => form.current?.validateForm()}>
          {t('form.previewCheck')}
        </Button>
      </Space>
    </div>
  );
});
