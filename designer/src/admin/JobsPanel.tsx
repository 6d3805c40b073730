import { ReloadOutlined } from '@ant-design/icons';
import { App, Button, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { type MessageKey, useT } from '../i18n.ts';
import { adminApi, type Job } from './api.ts';
import { useAction, useLoad, useTime } from './common.tsx';

const JOB_TYPES = ['deliver', 'http', 'timer', 'event', 'notify'];
const typeKey = (type: string) =>
  JOB_TYPES.includes(type) ? (`admin.jobs.kind.${type}` as MessageKey) : null;

const STATUS_COLOR: Record<string, string> = {
  dead: 'red',
  pending: 'gold',
  running: 'blue',
  done: 'green',
};

/** Jobs: failed and dead-lettered calls and deliveries with their error; retry one or many. */
export function JobsPanel() {
  const t = useT();
  const time = useTime();
  const act = useAction();
  const { message } = App.useApp();
  const [status, setStatus] = useState<string>('dead');
  const [type, setType] = useState<string | undefined>(undefined);
  const [selected, setSelected] = useState<number[]>([]);
  const jobs = useLoad(
    () => adminApi.jobs({ status: status === 'all' ? undefined : status, type }),
    [status, type],
  );

  async function retry(ids: number[]) {
    await act(async () => {
      const r = await adminApi.retryJobs(ids);
      if (r.skipped.length)
        message.warning(
          t('admin.jobs.skipped', { ids: r.skipped.map((s) => `#${s.id} (${s.status ?? '—'})`).join(', ') }),
        );
      if (r.retried.length) message.success(t('admin.jobs.retried', { n: r.retried.length }));
    });
    setSelected([]);
    jobs.reload();
  }

  return (
    <>
      <Space style={{ marginBottom: 16, width: '100%', justifyContent: 'space-between' }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('admin.nav.jobs')}
        </Typography.Title>
        <Space>
          <Select
            value={status}
            onChange={(v) => {
              setStatus(v);
              setSelected([]);
            }}
            style={{ width: 200 }}
            data-testid="jobs-status"
            options={['dead', 'failed', 'pending', 'running', 'done', 'all'].map((s) => ({
              value: s,
              label: t(`admin.jobs.status.${s}` as MessageKey),
            }))}
          />
          <Select
            allowClear
            placeholder={t('admin.jobs.type')}
            value={type}
            onChange={setType}
            style={{ width: 160 }}
            options={JOB_TYPES.map((v) => ({ value: v, label: t(`admin.jobs.kind.${v}` as MessageKey) }))}
          />
          <Button icon={<ReloadOutlined />} onClick={jobs.reload} data-testid="jobs-reload" />
          <Button
            type="primary"
            disabled={!selected.length}
            onClick={() => retry(selected)}
            data-testid="jobs-retry-selected"
          >
            {t('admin.jobs.retrySelected', { n: selected.length })}
          </Button>
        </Space>
      </Space>
      <Typography.Paragraph type="secondary">{t('admin.jobs.help')}</Typography.Paragraph>
      <Table<Job>
        rowKey="id"
        size="middle"
        loading={jobs.data === null}
        dataSource={jobs.data ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        rowSelection={{
          selectedRowKeys: selected,
          onChange: (keys) => setSelected(keys as number[]),
          getCheckboxProps: (j) => ({
            disabled: !(j.status === 'dead' || (j.status === 'pending' && j.lastError)),
            'data-testid': `job-select-${j.id}`,
          }),
        }}
        onRow={(j) => ({ 'data-testid': `job-row-${j.id}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: '#', dataIndex: 'id', width: 70 },
          {
            title: t('admin.jobs.type'),
            width: 110,
            render: (_, j) => {
              const key = typeKey(j.type);
              return key ? t(key) : j.type;
            },
          },
          {
            title: t('admin.jobs.status'),
            width: 110,
            render: (_, j) => (
              <Tag color={j.status === 'pending' && j.lastError ? 'orange' : STATUS_COLOR[j.status]}>
                {t(
                  `admin.jobs.status.${j.status === 'pending' && j.lastError ? 'failed' : j.status}` as MessageKey,
                )}
              </Tag>
            ),
          },
          {
            title: t('admin.jobs.target'),
            render: (_, j) => (
              <Space direction="vertical" size={0}>
                {j.target && <Typography.Text>{j.target}</Typography.Text>}
                {j.recordId && (
                  <Typography.Link href={`/workspace/records/${j.recordId}`} target="_blank">
                    {t('admin.jobs.record', { id: j.recordId })}
                  </Typography.Link>
                )}
              </Space>
            ),
          },
          {
            title: t('admin.jobs.attempts'),
            width: 90,
            render: (_, j) => `${j.attempts} / ${j.maxAttempts}`,
          },
          {
            title: t('admin.jobs.error'),
            dataIndex: 'lastError',
            render: (v) =>
              v ? (
                <Typography.Text type="danger" style={{ fontSize: 12 }} ellipsis={{ tooltip: v }}>
                  {v}
                </Typography.Text>
              ) : (
                '—'
              ),
          },
          { title: t('admin.jobs.due'), width: 150, render: (_, j) => time(j.dueAt) },
          { title: t('admin.jobs.created'), width: 150, render: (_, j) => time(j.createdAt) },
          {
            title: '',
            width: 80,
            render: (_, j) =>
              j.status === 'dead' || (j.status === 'pending' && j.lastError) ? (
                <Button size="small" onClick={() => retry([j.id])} data-testid={`job-retry-${j.id}`}>
                  {t('admin.jobs.retry')}
                </Button>
              ) : null,
          },
        ]}
      />
    </>
  );
}
