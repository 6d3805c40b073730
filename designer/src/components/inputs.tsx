import { compileExpression, type I18nText } from '@opsloom/spec';
import { Button, Input, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import { useT, useText } from '../i18n.ts';
import type { FieldInfo } from '../lookups.ts';

/** `{zh-CN, en}` text as two inputs; empty becomes undefined. */
export function I18nInput({
  value,
  onChange,
  testId,
  multiline,
  inline,
}: {
  value: I18nText | undefined;
  onChange: (v: I18nText | undefined) => void;
  testId?: string;
  multiline?: boolean;
  /** Both languages side by side on one line, for short texts in a list (a choice's label). */
  inline?: boolean;
}) {
  const obj = typeof value === 'string' ? { 'zh-CN': value, en: value } : (value ?? {});
  const set = (lang: 'zh-CN' | 'en', text: string) => {
    const next = { ...obj, [lang]: text };
    if (!next['zh-CN']) delete (next as Record<string, string>)['zh-CN'];
    if (!next.en) delete (next as Record<string, string>).en;
    onChange(Object.keys(next).length ? next : undefined);
  };
  if (inline)
    return (
      <Space.Compact block>
        <Input
          prefix="中"
          value={obj['zh-CN'] ?? ''}
          onChange={(e) => set('zh-CN', e.target.value)}
          data-testid={testId ? `${testId}-zh` : undefined}
        />
        <Input
          prefix="EN"
          value={obj.en ?? ''}
          onChange={(e) => set('en', e.target.value)}
          data-testid={testId ? `${testId}-en` : undefined}
        />
      </Space.Compact>
    );
  const C = multiline ? Input.TextArea : Input;
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size={4}>
      <C
        prefix={multiline ? undefined : '中'}
        placeholder={multiline ? '中文' : undefined}
        value={obj['zh-CN'] ?? ''}
        onChange={(e) => set('zh-CN', e.target.value)}
        data-testid={testId ? `${testId}-zh` : undefined}
      />
      <C
        prefix={multiline ? undefined : 'EN'}
        placeholder={multiline ? 'English' : undefined}
        value={obj.en ?? ''}
        onChange={(e) => set('en', e.target.value)}
        data-testid={testId ? `${testId}-en` : undefined}
      />
    </Space>
  );
}

const OPERATORS = ['==', '!=', '>', '>=', '<', '<=', 'in', 'contains'] as const;

/** CEL literal of what the admin typed: numbers and booleans as they are, the rest quoted. */
function literal(raw: string, field?: FieldInfo): string {
  const numeric = field?.type === 'number' || field?.type === 'integer';
  if (numeric && raw.trim() !== '' && !Number.isNaN(Number(raw))) return String(Number(raw));
  if (raw === 'true' || raw === 'false') return raw;
  return JSON.stringify(raw);
}

/** field / operator / value → CEL, for the simple cases. */
export function buildCondition(field: string, op: string, value: string, info?: FieldInfo): string {
  const ref = `record.${field}`;
  if (op === 'in') {
    const items = value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => literal(s, info));
    return `${ref} in [${items.join(', ')}]`;
  }
  if (op === 'contains') return `${ref}.contains(${JSON.stringify(value)})`;
  return `${ref} ${op} ${literal(value, info)}`;
}

/** A CEL expression: a condition builder for the simple cases, and the expression itself for the rest. */
export function ExpressionInput({
  value,
  onChange,
  fields,
  testId,
  placeholder,
}: {
  value: string | undefined;
  onChange: (v: string | undefined) => void;
  fields: FieldInfo[];
  testId?: string;
  placeholder?: string;
}) {
  const t = useT();
  const text = useText();
  const [field, setField] = useState<string>();
  const [op, setOp] = useState<string>('==');
  const [operand, setOperand] = useState('');
  let error: string | null = null;
  if (value) {
    try {
      compileExpression(value);
    } catch (e) {
      error = (e as Error).message;
    }
  }
  const info = fields.find((f) => f.key === field);
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size={4}>
      <Space.Compact style={{ width: '100%' }}>
        <Select
          style={{ width: '40%' }}
          placeholder={t('cond.field')}
          value={field}
          onChange={setField}
          showSearch
          optionFilterProp="label"
          options={fields.map((f) => ({ value: f.key, label: `${text(f.title)} (${f.key})` }))}
          data-testid={testId ? `${testId}-field` : undefined}
        />
        <Select
          style={{ width: '22%' }}
          value={op}
          onChange={setOp}
          options={OPERATORS.map((o) => ({ value: o, label: t(`cond.op.${o}` as never) }))}
        />
        {info?.enum ? (
          <Select
            style={{ width: '38%' }}
            value={operand || undefined}
            onChange={(v) => setOperand(String(v))}
            options={info.enum.map((e) => ({ value: String(e), label: String(e) }))}
          />
        ) : (
          <Input style={{ width: '38%' }} value={operand} onChange={(e) => setOperand(e.target.value)} />
        )}
      </Space.Compact>
      <Button
        size="small"
        disabled={!field}
        onClick={() => field && onChange(buildCondition(field, op, operand, info))}
        data-testid={testId ? `${testId}-apply` : undefined}
      >
        {t('cond.apply')}
      </Button>
      <Input.TextArea
        autoSize={{ minRows: 1, maxRows: 6 }}
        style={{ fontFamily: 'monospace' }}
        placeholder={placeholder ?? 'record.priority == "P1"'}
        value={value ?? ''}
        status={error ? 'error' : undefined}
        onChange={(e) => onChange(e.target.value || undefined)}
        data-testid={testId}
      />
      {error && (
        <Typography.Text type="danger" style={{ fontSize: 12 }}>
          {error}
        </Typography.Text>
      )}
    </Space>
  );
}

/** key → value rows (field values, headers). */
export function KeyValueRows({
  value,
  onChange,
  keyOptions,
  valuePlaceholder,
}: {
  value: Record<string, string> | undefined;
  onChange: (v: Record<string, string> | undefined) => void;
  keyOptions?: { value: string; label: string }[];
  valuePlaceholder?: string;
}) {
  const t = useT();
  const rows = Object.entries(value ?? {});
  const write = (next: [string, string][]) => {
    const obj = Object.fromEntries(next.filter(([k]) => k !== ''));
    onChange(Object.keys(obj).length ? obj : undefined);
  };
  const [draftKey, setDraftKey] = useState<string>('');
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size={4}>
      {rows.map(([k, v], i) => (
        <Space.Compact key={k} style={{ width: '100%' }}>
          <Input style={{ width: '40%' }} value={k} disabled />
          <Input
            style={{ width: '50%', fontFamily: 'monospace' }}
            value={v}
            placeholder={valuePlaceholder}
            onChange={(e) => write(rows.map((r, j) => (j === i ? [k, e.target.value] : r)))}
          />
          <Button style={{ width: '10%' }} onClick={() => write(rows.filter((_, j) => j !== i))}>
            ×
          </Button>
        </Space.Compact>
      ))}
      <Space.Compact style={{ width: '100%' }}>
        {keyOptions ? (
          <Select
            style={{ width: '75%' }}
            value={draftKey || undefined}
            onChange={setDraftKey}
            showSearch
            options={keyOptions.filter((o) => !value?.[o.value])}
            placeholder={t('common.key')}
          />
        ) : (
          <Input
            style={{ width: '75%' }}
            value={draftKey}
            placeholder={t('common.key')}
            onChange={(e) => setDraftKey(e.target.value)}
          />
        )}
        <Button
          style={{ width: '25%' }}
          disabled={!draftKey || draftKey in (value ?? {})}
          onClick={() => {
            write([...rows, [draftKey, '']]);
            setDraftKey('');
          }}
        >
          {t('common.add')}
        </Button>
      </Space.Compact>
    </Space>
  );
}

/** A JSON value edited as text; applied only when it parses. */
export function JsonInput({ value, onChange }: { value: unknown; onChange: (v: unknown) => void }) {
  const t = useT();
  const [textValue, setText] = useState(() => (value === undefined ? '' : JSON.stringify(value, null, 2)));
  const [bad, setBad] = useState(false);
  return (
    <>
      <Input.TextArea
        autoSize={{ minRows: 2, maxRows: 10 }}
        style={{ fontFamily: 'monospace' }}
        value={textValue}
        status={bad ? 'error' : undefined}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value.trim() === '') {
            setBad(false);
            onChange(undefined);
            return;
          }
          try {
            onChange(JSON.parse(e.target.value));
            setBad(false);
          } catch {
            setBad(true);
          }
        }}
      />
      {bad && <Typography.Text type="danger">{t('json.invalidValue')}</Typography.Text>}
    </>
  );
}
