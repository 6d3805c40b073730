import { DATE_RANGE_PRESETS } from '@opsloom/spec';
import { Input, Select } from 'antd';
import { type MessageKey, useT } from '../i18n.ts';

/**
 * The default of a report parameter or a dashboard filter: a date range picks one of spec's
 * named ranges; any other type is typed (numbers and yes/no read as such). `typing` tells the
 * caller the change came from the keyboard, so its undo can merge a word's keystrokes.
 */
export function ParamDefaultInput({
  type,
  value,
  onChange,
  testId,
}: {
  type: string;
  value: unknown;
  onChange(value: unknown, typing: boolean): void;
  testId?: string;
}) {
  const t = useT();
  if (type === 'dateRange')
    return (
      <Select
        size="small"
        style={{ width: '35%' }}
        allowClear
        value={value as string | undefined}
        data-testid={testId}
        onChange={(v?: string) => onChange(v || undefined, false)}
        showSearch
        optionFilterProp="label"
        options={DATE_RANGE_PRESETS.map((x) => ({ value: x, label: t(`preset.${x}` as MessageKey) }))}
      />
    );
  return (
    <Input
      size="small"
      style={{ width: '35%' }}
      placeholder={t('report.paramDefault')}
      value={value === undefined || value === null ? '' : String(value)}
      data-testid={testId}
      onChange={(e) => {
        const v = e.target.value;
        onChange(
          v === '' ? undefined : type === 'number' ? Number(v) : type === 'boolean' ? v === 'true' : v,
          true,
        );
      }}
    />
  );
}
