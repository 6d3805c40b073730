import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { RECIPIENT_TYPES, RECIPIENT_TYPES_WITH_VALUE, type Recipient } from '@opsloom/spec';
import { Button, Input, Select, Space } from 'antd';
import { type MessageKey, useT, useText } from '../i18n.ts';
import { type FieldInfo, useGroups, useUsers } from '../lookups.ts';

type RecipientType = (typeof RECIPIENT_TYPES)[number];
const NEEDS_VALUE = new Set<string>(RECIPIENT_TYPES_WITH_VALUE);
const ROLES = ['admin', 'agent', 'manager', 'user'];

/**
 * Whom a message goes to: one row per recipient, its kind (the requester, the assignee, a group,
 * a role, a person, a form field holding people, an address…) and, where the kind names someone,
 * a picker for them.
 */
export function RecipientsPicker({
  value,
  onChange,
  fields,
  types = RECIPIENT_TYPES,
  testId = 'recipients',
}: {
  value: Recipient[] | undefined;
  onChange: (v: Recipient[] | undefined) => void;
  fields: FieldInfo[];
  types?: readonly RecipientType[];
  testId?: string;
}) {
  const t = useT();
  const text = useText();
  const users = useUsers();
  const groups = useGroups();
  const rows = value ?? [];
  const write = (next: Recipient[]) => onChange(next.length ? next : undefined);
  const setRow = (i: number, r: Recipient) => write(rows.map((x, j) => (j === i ? r : x)));
  const valuePicker = (r: Recipient, i: number) => {
    const common = {
      style: { flex: 1, minWidth: 0 },
      'data-testid': `${testId}-${i}-value`,
    };
    const set = (v: string | undefined) => setRow(i, v ? { type: r.type, value: v } : { type: r.type });
    switch (r.type) {
      case 'user':
        return (
          <Select
            {...common}
            showSearch
            optionFilterProp="label"
            value={r.value}
            onChange={set}
            options={users.map((u) => ({ value: u.username, label: `${u.displayName} (${u.username})` }))}
          />
        );
      case 'group':
        return (
          <Select
            {...common}
            showSearch
            optionFilterProp="label"
            value={r.value}
            onChange={set}
            options={groups.map((g) => ({ value: g.key, label: `${text(g.name)} (${g.key})` }))}
          />
        );
      case 'role':
        return (
          <Select
            {...common}
            value={r.value}
            onChange={set}
            options={ROLES.map((v) => ({ value: v, label: t(`role.${v}` as MessageKey) }))}
          />
        );
      case 'field':
        return (
          <Select
            {...common}
            showSearch
            optionFilterProp="label"
            value={r.value}
            onChange={set}
            options={fields.map((f) => ({ value: f.key, label: `${text(f.title)} (${f.key})` }))}
          />
        );
      default:
        return (
          <Input
            {...common}
            value={r.value ?? ''}
            placeholder="ops@example.com"
            onChange={(e) => set(e.target.value || undefined)}
          />
        );
    }
  };
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size={4} data-testid={testId}>
      {rows.map((r, i) => (
        <Space.Compact key={i} style={{ width: '100%', display: 'flex' }}>
          <Select<RecipientType>
            style={{
              width: NEEDS_VALUE.has(r.type) ? 120 : undefined,
              flex: NEEDS_VALUE.has(r.type) ? undefined : 1,
            }}
            value={r.type as RecipientType}
            data-testid={`${testId}-${i}-type`}
            onChange={(type) => setRow(i, { type })}
            options={types.map((v) => ({ value: v, label: t(`recipient.${v}` as MessageKey) }))}
          />
          {NEEDS_VALUE.has(r.type) && valuePicker(r, i)}
          <Button
            icon={<DeleteOutlined />}
            aria-label={t('common.delete')}
            onClick={() => write(rows.filter((_, j) => j !== i))}
          />
        </Space.Compact>
      ))}
      <Button
        size="small"
        icon={<PlusOutlined />}
        onClick={() => write([...rows, { type: 'requester' }])}
        data-testid={`${testId}-add`}
      >
        {t('recipient.add')}
      </Button>
    </Space>
  );
}
