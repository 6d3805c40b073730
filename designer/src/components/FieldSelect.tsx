import { Select } from 'antd';
import { useText } from '../i18n.ts';
import type { FieldInfo } from '../lookups.ts';

/** One of a form's fields (or several), by title and key. */
export function FieldSelect({
  fields,
  value,
  onChange,
  multiple,
  testId,
}: {
  fields: FieldInfo[];
  value: string | string[] | undefined;
  onChange: (v: string | string[] | undefined) => void;
  multiple?: boolean;
  testId?: string;
}) {
  const text = useText();
  return (
    <Select
      allowClear
      mode={multiple ? 'multiple' : undefined}
      value={value}
      onChange={onChange}
      showSearch
      optionFilterProp="label"
      data-testid={testId}
      options={fields.map((f) => ({ value: f.key, label: `${text(f.title)} (${f.key})` }))}
    />
  );
}
