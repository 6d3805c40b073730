import { type ConditionForm, describeCondition } from '@opsloom/spec';
import { Space, Tooltip, Typography } from 'antd';
import { useLocale, useT } from '../i18n.ts';
import type { FieldInfo } from '../lookups.ts';
import { ExpressionInput } from './inputs.tsx';

/**
 * A CEL condition as a person reads it ("Change type = Standard"), in the viewer's language with
 * the form's field titles and choice labels; the expression itself in the tooltip.
 */
export function ConditionSummary({
  expression,
  form,
  maxLength,
  testId,
}: {
  expression: string | undefined;
  form: ConditionForm | undefined;
  maxLength?: number;
  testId?: string;
}) {
  const locale = useLocale((s) => s.locale);
  if (!expression) return null;
  return (
    <Tooltip title={<code>{expression}</code>}>
      <Typography.Text data-testid={testId}>
        {describeCondition(expression, locale, form, { maxLength })}
      </Typography.Text>
    </Tooltip>
  );
}

/** A condition: the builder and the CEL of `ExpressionInput`, with how it reads under them. */
export function ConditionInput({
  value,
  onChange,
  fields,
  form,
  testId,
  placeholder,
}: {
  value: string | undefined;
  onChange: (v: string | undefined) => void;
  fields: FieldInfo[];
  form: ConditionForm | undefined;
  testId?: string;
  placeholder?: string;
}) {
  const t = useT();
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size={4}>
      <ExpressionInput
        value={value}
        onChange={onChange}
        fields={fields}
        testId={testId}
        placeholder={placeholder}
      />
      {value && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('cond.reads')}{' '}
          <ConditionSummary
            expression={value}
            form={form}
            maxLength={200}
            testId={testId && `${testId}-summary`}
          />
        </Typography.Text>
      )}
    </Space>
  );
}
