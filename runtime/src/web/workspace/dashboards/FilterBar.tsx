import { loadGroups } from '@opsloom/web-forms/lookups';
import { Button, DatePicker, Select, Space } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useState } from 'react';
import { get } from '../../shared/api.ts';
import type { DashboardFilter } from '../../shared/dashboard-types.ts';
import { type MessageKey, useT } from '../../shared/i18n.ts';
import { customRange, DATE_PRESETS, isPreset, presetLabel, shownValue } from './model.ts';

type Option = { value: string; label: string };

const PRIORITIES = ['P1', 'P2', 'P3', 'P4'];
const CUSTOM = '__custom';

/** The choices of group, service and type filters, read once when the bar needs them. */
function useOptions(filters: readonly DashboardFilter[]): Record<string, Option[]> {
  const { tx } = useT();
  const [named, setNamed] = useState<Record<string, { value: string; name: unknown }[]>>({});
  const wants = (type: string) => filters.some((f) => f.type === type);
  const needGroups = wants('group');
  const needServices = wants('service');
  const needTypes = wants('type');
  useEffect(() => {
    const put = (type: string, items: { value: string; name: unknown }[]) =>
      setNamed((n) => ({ ...n, [type]: items }));
    if (needGroups)
      loadGroups().then((g) =>
        put(
          'group',
          g.map((x) => ({ value: x.key, name: x.name })),
        ),
      );
    if (needServices)
      get<{ items: { ref: string; name: unknown }[] }>('/catalog').then((c) =>
        put(
          'service',
          c.items.map((i) => ({ value: i.ref, name: i.name })),
        ),
      );
    if (needTypes)
      get<{ items: { key: string; name: unknown }[] }>('/forms').then((f) =>
        put(
          'type',
          f.items.map((i) => ({ value: i.key, name: i.name })),
        ),
      );
  }, [needGroups, needServices, needTypes]);
  const out: Record<string, Option[]> = { priority: PRIORITIES.map((p) => ({ value: p, label: p })) };
  for (const [type, items] of Object.entries(named))
    out[type] = items.map((i) => ({ value: i.value, label: tx(i.name) }));
  return out;
}

/**
 * The dashboard's filters above the grid: a period (the engine's named ranges, or two dates),
 * groups, services, priorities, record types. A change goes to the URL and every widget whose
 * report has that parameter runs again.
 */
export function FilterBar({
  filters,
  values,
  onChange,
}: {
  filters: readonly DashboardFilter[];
  values: Record<string, unknown>;
  onChange(param: string, value: unknown): void;
}) {
  const { t, tx } = useT();
  const options = useOptions(filters);
  const [picking, setPicking] = useState<string | null>(null);
  if (!filters.length) return null;
  const label = (f: DashboardFilter) => (f.label ? tx(f.label) : t(`dash.filter.${f.type}` as MessageKey));
  return (
    <Space wrap style={{ marginBottom: 12 }} data-testid="dashboard-filters">
      {filters.map((f) => {
        const value = shownValue(f, values);
        if (f.type === 'dateRange') {
          const custom = customRange(value);
          return (
            <Space key={f.param} size={4}>
              <Select
                value={
                  custom || picking === f.param ? CUSTOM : isPreset(value) ? (value as string) : undefined
                }
                placeholder={label(f)}
                allowClear
                onClear={() => onChange(f.param, '')}
                onChange={(v) => {
                  if (v === CUSTOM) setPicking(f.param);
                  else if (v !== undefined) {
                    setPicking(null);
                    onChange(f.param, v);
                  }
                }}
                options={[
                  ...DATE_PRESETS.map((p) => ({ value: p, label: t(presetLabel(p)) })),
                  { value: CUSTOM, label: t('dash.filter.custom') },
                ]}
                style={{ width: 150 }}
                prefix={`${label(f)}:`}
                data-testid={`filter-${f.param}`}
              />
              {(custom || picking === f.param) && (
                <DatePicker.RangePicker
                  value={custom ? [dayjs(custom[0]), dayjs(custom[1])] : null}
                  onChange={(range) => {
                    if (!range?.[0] || !range[1]) return;
                    onChange(f.param, `${range[0].format('YYYY-MM-DD')}..${range[1].format('YYYY-MM-DD')}`);
                  }}
                  data-testid={`filter-${f.param}-dates`}
                />
              )}
            </Space>
          );
        }
        return (
          <Select
            key={f.param}
            mode="multiple"
            allowClear
            maxTagCount="responsive"
            value={
              Array.isArray(value) ? (value as string[]) : typeof value === 'string' && value ? [value] : []
            }
            onChange={(v) => onChange(f.param, v)}
            placeholder={`${label(f)}: ${t('dash.filter.all')}`}
            options={options[f.type] ?? []}
            optionFilterProp="label"
            style={{ minWidth: 180 }}
            data-testid={`filter-${f.param}`}
          />
        );
      })}
      <Button size="small" type="link" onClick={() => onChange('*', undefined)} data-testid="filters-reset">
        {t('dash.filter.reset')}
      </Button>
    </Space>
  );
}
