import { Table, Tag, Typography } from 'antd';
import { type MessageKey, useT, useText } from '../i18n.ts';
import { adminApi, type Plugin } from './api.ts';
import { useLoad, useTime } from './common.tsx';

/** Installed plugins and their state; a refused one lists the validator's messages. */
export function PluginsPanel() {
  const t = useT();
  const text = useText();
  const time = useTime();
  const plugins = useLoad(() => adminApi.plugins());
  return (
    <>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('admin.nav.plugins')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('admin.plugins.help')}</Typography.Paragraph>
      <Table<Plugin>
        rowKey="name"
        size="middle"
        loading={plugins.data === null}
        dataSource={plugins.data ?? []}
        pagination={false}
        columns={[
          { title: t('common.name'), dataIndex: 'name', render: (v) => <code>{v}</code> },
          { title: t('admin.plugins.version'), dataIndex: 'version' },
          {
            title: t('admin.plugins.status'),
            dataIndex: 'status',
            render: (v: string) => (
              <Tag color={v === 'installed' ? 'green' : v === 'refused' ? 'red' : 'default'}>
                {['installed', 'refused'].includes(v) ? t(`admin.plugins.${v}` as MessageKey) : v}
              </Tag>
            ),
          },
          {
            title: t('admin.plugins.problems'),
            render: (_, p) =>
              p.problems.length ? (
                <ul style={{ margin: 0, paddingLeft: 16 }}>
                  {p.problems.slice(0, 10).map((pr, i) => (
                    <li key={i}>
                      {[pr.file, pr.path].filter(Boolean).join(' ')} {text(pr.message)}
                    </li>
                  ))}
                </ul>
              ) : (
                '—'
              ),
          },
          { title: t('admin.updatedAt'), dataIndex: 'updatedAt', render: (v) => time(v) },
        ]}
      />
    </>
  );
}
