import { Alert, Drawer, Empty, Select, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { api, type Change, type VersionInfo } from '../api.ts';
import { useLocale, useT } from '../i18n.ts';
import { useEditor } from '../store/editor.ts';

const short = (v: unknown) => {
  if (v === undefined) return '';
  const s = JSON.stringify(v);
  return s.length > 160 ? `${s.slice(0, 160)}…` : s;
};

/** Published versions, and the differences between two of them (or a version and the draft). */
export function VersionsDrawer({
  kind,
  defKey,
  onClose,
}: {
  kind: string;
  defKey: string;
  onClose: () => void;
}) {
  const t = useT();
  const locale = useLocale((s) => s.locale);
  const hasDraft = useEditor((s) => s.hasDraft);
  const [versions, setVersions] = useState<VersionInfo[] | null>(null);
  const [from, setFrom] = useState<number | null>(null);
  const [to, setTo] = useState<number | 'draft' | null>(null);
  const [changes, setChanges] = useState<Change[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api.versions(kind, defKey).then((list) => {
      setVersions(list);
      if (list.length >= 2) {
        setFrom(list[1]!.version);
        setTo(list[0]!.version);
      } else if (list.length === 1) {
        setFrom(list[0]!.version);
        setTo(hasDraft ? 'draft' : null);
      }
    });
  }, [kind, defKey, hasDraft]);

  useEffect(() => {
    setChanges(null);
    setError(null);
    if (from === null || to === null || from === to) return;
    api.diff(kind, defKey, from, to).then(setChanges, (e: Error) => setError(e.message));
  }, [kind, defKey, from, to]);

  const options = (versions ?? []).map((v) => ({ value: v.version, label: `v${v.version}` }));
  return (
    <Drawer open title={t('versions.title')} size="large" onClose={onClose} data-testid="versions-drawer">
      <Table<VersionInfo>
        size="small"
        rowKey="version"
        loading={versions === null}
        dataSource={versions ?? []}
        pagination={false}
        columns={[
          { title: t('versions.version'), dataIndex: 'version', render: (v: number) => <Tag>v{v}</Tag> },
          {
            title: t('versions.publishedAt'),
            dataIndex: 'publishedAt',
            render: (v: number) => new Date(v).toLocaleString(locale),
          },
          { title: t('versions.publishedBy'), dataIndex: 'publishedBy' },
          {
            title: t('versions.checksum'),
            dataIndex: 'checksum',
            render: (c: string) => <Typography.Text code>{c.slice(0, 10)}</Typography.Text>,
          },
        ]}
      />
      <Typography.Title level={5} style={{ marginTop: 24 }}>
        {t('versions.diff')}
      </Typography.Title>
      <Space style={{ marginBottom: 12 }}>
        <Select
          style={{ width: 120 }}
          value={from}
          onChange={setFrom}
          options={options}
          data-testid="diff-from"
        />
        →
        <Select
          style={{ width: 140 }}
          value={to}
          onChange={setTo}
          options={[
            ...options,
            ...(hasDraft ? [{ value: 'draft' as const, label: t('versions.draft') }] : []),
          ]}
          data-testid="diff-to"
        />
      </Space>
      {error && <Alert type="warning" title={error} />}
      {changes && changes.length === 0 && <Empty description={t('versions.noChanges')} />}
      {changes && changes.length > 0 && (
        <Table<Change>
          size="small"
          rowKey={(c) => `${c.op}${c.path}`}
          dataSource={changes}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          data-testid="diff"
          columns={[
            {
              title: t('versions.op'),
              dataIndex: 'op',
              render: (op: Change['op']) => (
                <Tag color={op === 'add' ? 'green' : op === 'remove' ? 'red' : 'blue'}>
                  {t(`versions.op.${op}`)}
                </Tag>
              ),
            },
            {
              title: t('versions.path'),
              dataIndex: 'path',
              render: (p: string) => <Typography.Text code>{p}</Typography.Text>,
            },
            {
              title: t('versions.before'),
              render: (_, c) => <Typography.Text delete>{short(c.from)}</Typography.Text>,
            },
            {
              title: t('versions.after'),
              render: (_, c) => <Typography.Text>{short(c.to)}</Typography.Text>,
            },
          ]}
        />
      )}
    </Drawer>
  );
}
