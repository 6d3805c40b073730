import { Button, DatePicker, Input, Space, Table, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { useT } from '../i18n.ts';
import { type AuditEntry, adminApi } from './api.ts';
import { useAction, useTime } from './common.tsx';

interface Filter {
  actor?: string;
  action?: string;
  from?: number;
  to?: number;
}

/** The audit log, filtered by who (actor), what (action, or a prefix such as "user.") and when. */
export function AuditPanel() {
  const t = useT();
  const time = useTime();
  const act = useAction();
  const [filter, setFilter] = useState<Filter>({});
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const [items, setItems] = useState<AuditEntry[] | null>(null);
  const [next, setNext] = useState<number | null>(null);

  useEffect(() => {
    setItems(null);
    act(async () => {
      const r = await adminApi.audit(filter);
      setItems(r.items);
      setNext(r.nextBefore);
    }).then((ok) => !ok && setItems([]));
  }, [filter, act]);

  function apply() {
    setFilter({
      actor: actor.trim() || undefined,
      action: action.trim() || undefined,
      from: range?.[0] ? range[0].startOf('day').valueOf() : undefined,
      to: range?.[1] ? range[1].endOf('day').valueOf() + 1 : undefined,
    });
  }

  return (
    <>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('admin.nav.audit')}
      </Typography.Title>
      <Space wrap style={{ marginBottom: 16 }}>
        <Input
          placeholder={t('admin.audit.actor')}
          value={actor}
          onChange={(e) => setActor(e.target.value)}
          onPressEnter={apply}
          style={{ width: 180 }}
          data-testid="audit-actor"
        />
        <Input
          placeholder={t('admin.audit.actionHint')}
          value={action}
          onChange={(e) => setAction(e.target.value)}
          onPressEnter={apply}
          style={{ width: 220 }}
          data-testid="audit-action"
        />
        <DatePicker.RangePicker value={range} onChange={(v) => setRange(v)} data-testid="audit-range" />
        <Button type="primary" onClick={apply} data-testid="audit-apply">
          {t('admin.audit.apply')}
        </Button>
      </Space>
      <Table<AuditEntry>
        rowKey="id"
        size="small"
        loading={items === null}
        dataSource={items ?? []}
        pagination={false}
        columns={[
          { title: t('admin.audit.at'), width: 160, render: (_, e) => time(e.at) },
          { title: t('admin.audit.actor'), dataIndex: 'actor', width: 140 },
          {
            title: t('admin.audit.action'),
            dataIndex: 'action',
            width: 170,
            render: (v) => <code>{v}</code>,
          },
          { title: t('admin.audit.entity'), width: 200, render: (_, e) => `${e.entityType} ${e.entityKey}` },
          {
            title: t('admin.audit.detail'),
            render: (_, e) =>
              e.detail === null ? (
                '—'
              ) : (
                <Typography.Text
                  style={{ fontSize: 12 }}
                  ellipsis={{ tooltip: JSON.stringify(e.detail, null, 1) }}
                >
                  {JSON.stringify(e.detail)}
                </Typography.Text>
              ),
          },
        ]}
      />
      {next !== null && (
        <Button
          style={{ marginTop: 12 }}
          onClick={() =>
            act(async () => {
              const r = await adminApi.audit({ ...filter, before: next });
              setItems((old) => [...(old ?? []), ...r.items]);
              setNext(r.nextBefore);
            })
          }
        >
          {t('admin.loadMore')}
        </Button>
      )}
    </>
  );
}
