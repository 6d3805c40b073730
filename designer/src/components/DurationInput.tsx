import { Input, InputNumber, Select, Space } from 'antd';
import { useState } from 'react';
import { type MessageKey, useT } from '../i18n.ts';

/** The units a duration is picked in, as ISO-8601 writes one of them. */
const UNITS = [
  { unit: 'minutes', write: (n: number) => `PT${n}M`, read: /^PT(\d+)M$/ },
  { unit: 'hours', write: (n: number) => `PT${n}H`, read: /^PT(\d+)H$/ },
  { unit: 'days', write: (n: number) => `P${n}D`, read: /^P(\d+)D$/ },
  { unit: 'weeks', write: (n: number) => `P${n}W`, read: /^P(\d+)W$/ },
] as const;
type Unit = (typeof UNITS)[number]['unit'] | 'iso';

const ISO = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/;

/** A duration as ISO-8601 `value` is read into a number and a unit, when it is one of them. */
export function readDuration(value: string | undefined): { amount?: number; unit: Unit } {
  if (!value) return { unit: 'hours' };
  for (const u of UNITS) {
    const m = u.read.exec(value);
    if (m) return { amount: Number(m[1]), unit: u.unit };
  }
  return { unit: 'iso' };
}

/**
 * An ISO-8601 duration (PT30M, PT4H, P2D) picked as a number and a unit; any other duration
 * (P1DT4H) is edited as written. Empty is undefined.
 */
export function DurationInput({
  value,
  onChange,
  testId,
  placeholder,
}: {
  value: string | undefined;
  onChange: (v: string | undefined) => void;
  testId?: string;
  placeholder?: string;
}) {
  const t = useT();
  const read = readDuration(value);
  // The unit stays as picked while the number is empty.
  const [picked, setPicked] = useState<Unit>(read.unit);
  // Written as ISO once picked so, even when the value is one a unit would read.
  const unit = picked === 'iso' ? 'iso' : value ? read.unit : picked;
  const write = (amount: number | null, u: Unit) => {
    const spec = UNITS.find((x) => x.unit === u);
    onChange(spec && amount !== null && amount > 0 ? spec.write(Math.round(amount)) : undefined);
  };
  const unitSelect = (
    <Select<Unit>
      style={{ width: 110 }}
      value={unit}
      data-testid={testId && `${testId}-unit`}
      onChange={(u) => {
        setPicked(u);
        if (u !== 'iso') write(read.amount ?? null, u);
      }}
      options={[...UNITS.map((u) => u.unit), 'iso' as const].map((u) => ({
        value: u,
        label: t(`duration.${u}` as MessageKey),
      }))}
    />
  );
  if (unit === 'iso')
    return (
      <Space.Compact style={{ width: '100%' }}>
        <Input
          value={value ?? ''}
          placeholder={placeholder ?? 'P1DT4H'}
          status={value && !ISO.test(value) ? 'error' : undefined}
          onChange={(e) => onChange(e.target.value || undefined)}
          data-testid={testId}
        />
        {unitSelect}
      </Space.Compact>
    );
  return (
    <Space.Compact style={{ width: '100%' }}>
      <InputNumber
        style={{ flex: 1 }}
        min={1}
        precision={0}
        value={read.amount ?? null}
        placeholder={placeholder}
        onChange={(n) => write(n, unit)}
        data-testid={testId}
      />
      {unitSelect}
    </Space.Compact>
  );
}
