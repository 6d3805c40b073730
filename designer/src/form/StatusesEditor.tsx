import { type RecordStatus, STATUS_CATEGORIES } from '@opsloom/spec';
import { Button, Card, Form, Input, Select, Space } from 'antd';
import type { Draft } from 'immer';
import { I18nInput } from '../components/inputs.tsx';
import { type MessageKey, useT } from '../i18n.ts';
import { useEditor } from '../store/editor.ts';
import { formOf } from './fieldTypes.ts';

// One empty list: a selector answering a new [] on every call would re-render without end.
const NONE: RecordStatus[] = [];

function write(statuses: RecordStatus[]) {
  useEditor.getState().update((d) => {
    const f = formOf(d) as Draft<ReturnType<typeof formOf>>;
    if (statuses.length) f.statuses = statuses;
    else delete f.statuses;
  }, 'statuses');
}

/**
 * The record type's statuses, in lifecycle order: the key process steps set, the name people
 * read, and the category that colours it. None declared leaves the processes free to set any.
 */
export function StatusesEditor() {
  const t = useT();
  const statuses = useEditor((s) => formOf(s.def).statuses ?? NONE);
  const change = (i: number, patch: Partial<RecordStatus>) =>
    write(statuses.map((s, j) => (j === i ? { ...s, ...patch } : s)));
  const move = (i: number, by: number) => {
    const next = [...statuses];
    const [s] = next.splice(i, 1);
    next.splice(i + by, 0, s!);
    write(next);
  };
  return (
    <Form.Item label={t('form.statuses')} help={t('form.statusesHelp')}>
      <Space orientation="vertical" style={{ width: '100%' }} size={6} data-testid="form-statuses">
        {statuses.map((s, i) => (
          <Card
            key={i}
            size="small"
            data-testid={`status-${i}`}
            extra={
              <Space size={2}>
                <Button size="small" disabled={i === 0} onClick={() => move(i, -1)}>
                  ↑
                </Button>
                <Button size="small" disabled={i === statuses.length - 1} onClick={() => move(i, 1)}>
                  ↓
                </Button>
                <Button size="small" danger onClick={() => write(statuses.filter((_, j) => j !== i))}>
                  ×
                </Button>
              </Space>
            }
            title={
              <Input
                size="small"
                value={s.key}
                placeholder={t('form.statusKey')}
                data-testid={`status-key-${i}`}
                onChange={(e) => change(i, { key: e.target.value })}
              />
            }
          >
            <Space orientation="vertical" style={{ width: '100%' }} size={4}>
              <I18nInput value={s.name} onChange={(name) => change(i, { name: name ?? '' })} />
              <Select
                style={{ width: '100%' }}
                value={s.category}
                options={STATUS_CATEGORIES.map((c) => ({
                  value: c,
                  label: t(`form.statusCategory.${c}` as MessageKey),
                }))}
                onChange={(category) => change(i, { category })}
              />
            </Space>
          </Card>
        ))}
        <Button
          size="small"
          data-testid="status-add"
          onClick={() =>
            write([
              ...statuses,
              { key: `status-${statuses.length + 1}`, name: { 'zh-CN': '', en: '' }, category: 'active' },
            ])
          }
        >
          {t('form.addStatus')}
        </Button>
      </Space>
    </Form.Item>
  );
}
