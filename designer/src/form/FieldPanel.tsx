import type { I18nText } from '@opsloom/spec';
import { Alert, Button, Checkbox, Divider, Form, Input, InputNumber, Select, Space, Typography } from 'antd';
import type { Draft } from 'immer';
import { memo, useCallback, useEffect, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { ExpressionInput, I18nInput } from '../components/inputs.tsx';
import { fieldOf } from '../components/problems.ts';
import { type MessageKey, textOf, useLocale, useT } from '../i18n.ts';
import type { FieldInfo } from '../lookups.ts';
import { type EditorState, useEditor } from '../store/editor.ts';
import { removeField } from './FormDesigner.tsx';
import { type FieldSchema, fieldTypeOf, formOf, isChoice, optionsOf } from './fieldTypes.ts';
import { StatusesEditor } from './StatusesEditor.tsx';

type FormDraft = ReturnType<typeof formOf>;

function updateForm(recipe: (f: Draft<FormDraft>) => void, coalesce?: string) {
  useEditor.getState().update((d) => recipe(formOf(d) as Draft<FormDraft>), coalesce);
}
function updateField(key: string, recipe: (p: FieldSchema) => void, coalesce?: string) {
  updateForm((f) => {
    const p = f.schema.properties[key];
    if (p) recipe(p as FieldSchema);
  }, coalesce && `field:${key}:${coalesce}`);
}
function put(obj: Record<string, unknown>, key: string, value: unknown) {
  if (value === undefined || value === '' || value === null) delete obj[key];
  else obj[key] = value;
}

/** Properties of the selected field, or of the form when none is selected. */
export function FieldPanel() {
  const key = useEditor((s) => s.selection.field);
  const exists = useEditor((s) => Boolean(key && formOf(s.def).schema.properties[key]));
  return (
    <div style={{ padding: 12 }} data-testid="field-panel">
      {key && exists ? <FieldProps key={key} fieldKey={key} /> : <FormProps />}
    </div>
  );
}

function FormProps() {
  const t = useT();
  const locale = useLocale((s) => s.locale);
  const def = useEditor((s) => formOf(s.def));
  const fields = Object.entries(def.schema.properties).map(([k, p]) => ({
    value: k,
    label: `${textOf(p['x-title'] ?? p.title ?? k, locale)} (${k})`,
  }));
  return (
    <Form layout="vertical" size="small">
      <Typography.Title level={5}>{t('form.properties')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('form.selectHint')}</Typography.Paragraph>
      <Form.Item label={t('common.name')}>
        <I18nInput
          value={def.name}
          onChange={(v) => updateForm((f) => put(f, 'name', v ?? ''), 'name')}
          testId="form-name"
        />
      </Form.Item>
      <Form.Item label={t('form.numberPrefix')} help={t('form.numberPrefixHelp')}>
        <Input
          value={def.numberPrefix}
          onChange={(e) => updateForm((f) => (f.numberPrefix = e.target.value.toUpperCase()), 'prefix')}
        />
      </Form.Item>
      <Form.Item label={t('form.titleField')}>
        <Select
          allowClear
          value={def.titleField}
          options={fields}
          onChange={(v) => updateForm((f) => put(f, 'titleField', v))}
        />
      </Form.Item>
      <Form.Item label={t('form.descriptionField')}>
        <Select
          allowClear
          value={def.descriptionField}
          options={fields}
          onChange={(v) => updateForm((f) => put(f, 'descriptionField', v))}
        />
      </Form.Item>
      <StatusesEditor />
    </Form>
  );
}

const NO_FIELD: FieldSchema = {};
/** The field being edited, from the store (empty for a moment when it has just been removed). */
const fieldIn = (s: EditorState, key: string) => formOf(s.def).schema.properties[key] ?? NO_FIELD;
const uiIn = (s: EditorState, key: string) =>
  formOf(s.def).uiSchema?.[key] as Record<string, unknown> | undefined;

/**
 * The selected field's properties. Each part below reads only its own part of the field from the
 * store, so typing in one (the label, say) re-renders that part and not the whole panel.
 */
function FieldProps({ fieldKey }: { fieldKey: string }) {
  const t = useT();
  const locale = useLocale((s) => s.locale);
  const type = useEditor((s) => fieldTypeOf(fieldIn(s, fieldKey), uiIn(s, fieldKey)));
  const schemaType = useEditor((s) => fieldIn(s, fieldKey).type);
  const problems = useEditor(
    useShallow((s) => [...s.serverProblems, ...s.problems].filter((p) => fieldOf(p) === fieldKey)),
  );
  const isString = schemaType === 'string';
  const isNumber = schemaType === 'number' || schemaType === 'integer';
  const scalar = ['string', 'number', 'integer', 'boolean'].includes(String(schemaType));

  return (
    <Form layout="vertical" size="small" data-testid={`field-props-${fieldKey}`}>
      <Button
        type="link"
        size="small"
        style={{ padding: 0 }}
        data-testid="form-properties"
        onClick={() => useEditor.getState().select({})}
      >
        ← {t('form.properties')}
      </Button>
      <Typography.Title level={5}>
        {t(`field.${type}` as MessageKey)} <Typography.Text code>{fieldKey}</Typography.Text>
      </Typography.Title>
      {problems.length > 0 && (
        <Alert
          type="error"
          style={{ marginBottom: 12 }}
          data-testid="field-problems"
          title={problems.map((p) => <div key={`${p.code}${p.path}`}>{p.message[locale]}</div>)}
        />
      )}
      <TextItem fieldKey={fieldKey} prop="title" />
      <KeyItem fieldKey={fieldKey} />
      {type !== 'section' && <FlagItems fieldKey={fieldKey} scalar={scalar} />}
      <TextItem fieldKey={fieldKey} prop="description" />
      {isChoice(type) && <OptionsEditor fieldKey={fieldKey} />}
      {scalar && !isChoice(type) && type !== 'rating' && <DefaultItem fieldKey={fieldKey} />}
      {(isString || isNumber) && type !== 'rating' && !isChoice(type) && (
        <ValidationItems fieldKey={fieldKey} isString={isString} />
      )}
      <ConditionItems fieldKey={fieldKey} section={type === 'section'} />
      <Divider />
      <Button danger block onClick={() => removeField(fieldKey)}>
        {t('common.delete')}
      </Button>
    </Form>
  );
}

const KeyItem = memo(function KeyItem({ fieldKey }: { fieldKey: string }) {
  const t = useT();
  const [keyDraft, setKeyDraft] = useState(fieldKey);
  const rename = () => {
    const next = keyDraft.trim();
    if (!next || next === fieldKey || formOf(useEditor.getState().def).schema.properties[next]) {
      setKeyDraft(fieldKey);
      return;
    }
    const swap = (k: string) => (k === fieldKey ? next : k);
    updateForm((f) => {
      f.schema.properties = Object.fromEntries(
        Object.entries(f.schema.properties).map(([k, v]) => [swap(k), v]),
      );
      if (f.schema.required) f.schema.required = f.schema.required.map(swap);
      if (f.uiSchema?.[fieldKey]) {
        f.uiSchema[next] = f.uiSchema[fieldKey];
        delete f.uiSchema[fieldKey];
      }
      if (f.indexed) f.indexed = f.indexed.map(swap);
      if (f.rules) for (const r of f.rules) r.fields = r.fields.map(swap);
      if (f.titleField === fieldKey) f.titleField = next;
      if (f.descriptionField === fieldKey) f.descriptionField = next;
    });
    useEditor.getState().select({ field: next });
  };
  return (
    <Form.Item label={t('form.key')} help={t('form.keyHelp')}>
      <Input
        value={keyDraft}
        onChange={(e) => setKeyDraft(e.target.value)}
        onBlur={rename}
        onPressEnter={rename}
        data-testid="field-key"
      />
    </Form.Item>
  );
});

const FlagItems = memo(function FlagItems({ fieldKey, scalar }: { fieldKey: string; scalar: boolean }) {
  const t = useT();
  const required = useEditor((s) => formOf(s.def).schema.required?.includes(fieldKey) ?? false);
  const indexed = useEditor((s) => formOf(s.def).indexed?.includes(fieldKey) ?? false);
  const readOnly = useEditor((s) => Boolean(fieldIn(s, fieldKey).readOnly));
  return (
    <Space wrap>
      <Checkbox
        checked={required}
        data-testid="field-required"
        onChange={(e) =>
          updateForm((f) => {
            const list = (f.schema.required ?? []).filter((k) => k !== fieldKey);
            if (e.target.checked) list.push(fieldKey);
            if (list.length) f.schema.required = list;
            else delete f.schema.required;
          })
        }
      >
        {t('form.required')}
      </Checkbox>
      <Checkbox
        checked={indexed}
        disabled={!scalar}
        onChange={(e) =>
          updateForm((f) => {
            const list = (f.indexed ?? []).filter((k) => k !== fieldKey);
            if (e.target.checked) list.push(fieldKey);
            if (list.length) f.indexed = list;
            else delete f.indexed;
          })
        }
      >
        {t('form.indexed')}
      </Checkbox>
      <Checkbox
        checked={readOnly}
        onChange={(e) => updateField(fieldKey, (p) => put(p, 'readOnly', e.target.checked || undefined))}
      >
        {t('form.readOnly')}
      </Checkbox>
    </Space>
  );
});

/**
 * A field's label or help text in both languages: kept as `x-title` / `x-description`, with the
 * plain `title` / `description` (Chinese first) for whatever reads only the JSON Schema.
 */
const TextItem = memo(function TextItem({
  fieldKey,
  prop,
}: {
  fieldKey: string;
  prop: 'title' | 'description';
}) {
  const t = useT();
  const localized = `x-${prop}`;
  const value = useEditor((s) => {
    const p = fieldIn(s, fieldKey);
    return (p[localized] as I18nText | undefined) ?? (p[prop] as string | undefined);
  });
  return (
    <Form.Item
      label={t(prop === 'title' ? 'form.label' : 'form.help')}
      style={prop === 'description' ? { marginTop: 12 } : undefined}
    >
      <I18nInput
        value={value}
        testId={prop === 'title' ? 'field-label' : undefined}
        onChange={(v) =>
          updateField(
            fieldKey,
            (p) => {
              put(p, localized, v);
              put(p, prop, v ? textOf(v, 'zh-CN') || textOf(v, 'en') : undefined);
            },
            prop === 'title' ? 'label' : 'help',
          )
        }
      />
    </Form.Item>
  );
});

const DefaultItem = memo(function DefaultItem({ fieldKey }: { fieldKey: string }) {
  const t = useT();
  const type = useEditor((s) => fieldIn(s, fieldKey).type);
  const value = useEditor((s) => fieldIn(s, fieldKey).default);
  return (
    <Form.Item label={t('form.default')}>
      {type === 'number' || type === 'integer' ? (
        <InputNumber
          value={value as number | undefined}
          onChange={(v) => updateField(fieldKey, (p) => put(p, 'default', v ?? undefined), 'default')}
        />
      ) : type === 'boolean' ? (
        <Checkbox
          checked={Boolean(value)}
          onChange={(e) => updateField(fieldKey, (p) => put(p, 'default', e.target.checked || undefined))}
        />
      ) : (
        <Input
          value={(value as string) ?? ''}
          onChange={(e) => updateField(fieldKey, (p) => put(p, 'default', e.target.value), 'default')}
        />
      )}
    </Form.Item>
  );
});

const ValidationItems = memo(function ValidationItems({
  fieldKey,
  isString,
}: {
  fieldKey: string;
  isString: boolean;
}) {
  const t = useT();
  const limits = useEditor(
    useShallow((s) => {
      const p = fieldIn(s, fieldKey);
      return {
        minLength: p.minLength as number | undefined,
        maxLength: p.maxLength as number | undefined,
        pattern: p.pattern as string | undefined,
        format: p.format,
        minimum: p.minimum as number | undefined,
        maximum: p.maximum as number | undefined,
      };
    }),
  );
  return (
    <>
      <Divider titlePlacement="start" plain>
        {t('form.validation')}
      </Divider>
      {isString ? (
        <>
          <Space>
            <Form.Item label={t('form.minLength')}>
              <InputNumber
                min={0}
                value={limits.minLength}
                onChange={(v) => updateField(fieldKey, (p) => put(p, 'minLength', v ?? undefined))}
              />
            </Form.Item>
            <Form.Item label={t('form.maxLength')}>
              <InputNumber
                min={1}
                value={limits.maxLength}
                onChange={(v) => updateField(fieldKey, (p) => put(p, 'maxLength', v ?? undefined))}
              />
            </Form.Item>
          </Space>
          {!limits.format && (
            <Form.Item label={t('form.pattern')}>
              <Input
                value={limits.pattern ?? ''}
                placeholder="^[A-Z]{3}-\d+$"
                onChange={(e) => updateField(fieldKey, (p) => put(p, 'pattern', e.target.value), 'pattern')}
              />
            </Form.Item>
          )}
        </>
      ) : (
        <Space>
          <Form.Item label={t('form.minimum')}>
            <InputNumber
              value={limits.minimum}
              onChange={(v) => updateField(fieldKey, (p) => put(p, 'minimum', v ?? undefined))}
            />
          </Form.Item>
          <Form.Item label={t('form.maximum')}>
            <InputNumber
              value={limits.maximum}
              onChange={(v) => updateField(fieldKey, (p) => put(p, 'maximum', v ?? undefined))}
            />
          </Form.Item>
        </Space>
      )}
      <ErrorMessageItem fieldKey={fieldKey} />
    </>
  );
});

/**
 * What the field's checks mean, in both languages (`x-errorMessage`): shown instead of the
 * validator's own words ("must match pattern …") when any of them fails, but not for required.
 */
const ErrorMessageItem = memo(function ErrorMessageItem({ fieldKey }: { fieldKey: string }) {
  const t = useT();
  const value = useEditor((s) => fieldIn(s, fieldKey)['x-errorMessage'] as I18nText | undefined);
  return (
    <Form.Item label={t('form.errorMessage')} extra={t('form.errorMessageHelp')}>
      <I18nInput
        value={value}
        testId="field-error-message"
        onChange={(v) => updateField(fieldKey, (p) => put(p, 'x-errorMessage', v), 'errorMessage')}
      />
    </Form.Item>
  );
});

/** Show / require conditions of the field, as rules of the form (`<field>-show`, `<field>-require`). */
const ConditionItems = memo(function ConditionItems({
  fieldKey,
  section,
}: {
  fieldKey: string;
  section: boolean;
}) {
  const t = useT();
  const show = useEditor((s) => formOf(s.def).rules?.find((r) => r.id === `${fieldKey}-show`)?.when);
  const require = useEditor((s) => formOf(s.def).rules?.find((r) => r.id === `${fieldKey}-require`)?.when);
  // The field pickers list every field by its label: rebuilding them (hundreds of options) on
  // every keystroke of a label typed above would slow the typing, so they follow once it pauses.
  const properties = useSettled(
    useEditor((s) => formOf(s.def).schema.properties),
    400,
  );
  const fields = useMemo<FieldInfo[]>(
    () =>
      Object.entries(properties).map(([k, p]) => ({
        key: k,
        title: p['x-title'] ?? p.title ?? k,
        type: p.type,
        enum: Array.isArray(p.enum) ? p.enum : undefined,
      })),
    [properties],
  );
  const onShow = useCallback((v: string | undefined) => setRule(fieldKey, 'show', v), [fieldKey]);
  const onRequire = useCallback((v: string | undefined) => setRule(fieldKey, 'require', v), [fieldKey]);
  return (
    <>
      <Divider titlePlacement="start" plain>
        {t('form.conditions')}
      </Divider>
      <Form.Item label={t('form.visibleWhen')} help={t('form.visibleWhenHelp')}>
        <Condition fields={fields} value={show} onChange={onShow} testId="field-visible-when" />
      </Form.Item>
      {!section && (
        <Form.Item label={t('form.requiredWhen')}>
          <Condition fields={fields} value={require} onChange={onRequire} />
        </Form.Item>
      )}
    </>
  );
});
/** `value` once it has stayed the same for `ms` (the first one at once). */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** The condition editor, re-rendered only when its own props change. */
const Condition = memo(ExpressionInput);

function setRule(fieldKey: string, effect: 'show' | 'require', when: string | undefined) {
  updateForm((f) => {
    const id = `${fieldKey}-${effect}`;
    const list = (f.rules ?? []).filter((r) => r.id !== id);
    if (when) list.push({ id, when, effect, fields: [fieldKey] });
    if (list.length) f.rules = list;
    else delete f.rules;
  }, `rule:${fieldKey}:${effect}`);
}

/**
 * Options of a choice field: stored values (enum) and their labels (ui:enumNames), each label in
 * both languages (`{zh-CN, en}`, as every text of a definition; a label written as one string
 * shows in both).
 */
const OptionsEditor = memo(function OptionsEditor({ fieldKey }: { fieldKey: string }) {
  const t = useT();
  const options = useEditor((s) => optionsOf(fieldIn(s, fieldKey)));
  const enumNames = useEditor((s) => uiIn(s, fieldKey)?.['ui:enumNames'] as I18nText[] | undefined);
  const values = (options ?? []).map(String);
  const names = enumNames ?? [];
  const write = (rows: { value: string; name: I18nText | undefined }[]) =>
    updateForm((f) => {
      const p = f.schema.properties[fieldKey] as FieldSchema;
      const target = (p.type === 'array' ? p.items : p) as FieldSchema;
      target.enum = rows.map((r) => r.value);
      const u = { ...((f.uiSchema?.[fieldKey] as Record<string, unknown>) ?? {}) };
      if (rows.some((r) => r.name)) u['ui:enumNames'] = rows.map((r) => r.name ?? r.value);
      else delete u['ui:enumNames'];
      f.uiSchema = { ...(f.uiSchema ?? {}), [fieldKey]: u };
    }, `options:${fieldKey}`);
  const rows = values.map((v, i) => ({ value: v, name: names[i] }));
  return (
    <Form.Item label={t('form.options')} help={t('form.optionsHelp')}>
      <Space orientation="vertical" style={{ width: '100%' }} size={8} data-testid="field-options">
        {rows.map((r, i) => (
          <Space orientation="vertical" key={i} style={{ width: '100%' }} size={2}>
            <Space.Compact block>
              <Input
                value={r.value}
                placeholder={t('form.optionValue')}
                data-testid={`option-value-${i}`}
                onChange={(e) => write(rows.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)))}
              />
              <Button
                aria-label={t('form.removeOption')}
                onClick={() => write(rows.filter((_, j) => j !== i))}
              >
                ×
              </Button>
            </Space.Compact>
            <I18nInput
              inline
              value={r.name}
              testId={`option-label-${i}`}
              onChange={(name) => write(rows.map((x, j) => (j === i ? { ...x, name } : x)))}
            />
          </Space>
        ))}
        <Button
          size="small"
          data-testid="option-add"
          onClick={() => write([...rows, { value: `option-${rows.length + 1}`, name: undefined }])}
        >
          {t('form.addOption')}
        </Button>
      </Space>
    </Form.Item>
  );
});
