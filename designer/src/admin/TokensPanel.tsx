import { PlusOutlined } from '@ant-design/icons';
import {
  Alert,
  Button,
  Form,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useT } from '../i18n.ts';
import { adminApi, type Token } from './api.ts';
import { useAction, useLoad, useTime } from './common.tsx';

/** Every user's API tokens: who, name, prefix, last use; revoke any; mint one for someone. */
export function TokensPanel() {
  const t = useT();
  const time = useTime();
  const act = useAction();
  const [revoked, setRevoked] = useState(false);
  const tokens = useLoad(() => adminApi.tokens({ revoked }), [revoked]);
  const users = useLoad(() => adminApi.users());
  const [creating, setCreating] = useState(false);
  const [minted, setMinted] = useState<string | null>(null);
  const [form] = Form.useForm();

  return (
    <>
      <Space style={{ marginBottom: 16, width: '100%', justifyContent: 'space-between' }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('admin.nav.tokens')}
        </Typography.Title>
        <Space>
          <Switch checked={revoked} onChange={setRevoked} /> {t('admin.tokens.showRevoked')}
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setCreating(true)}
            data-testid="token-new"
          >
            {t('admin.tokens.new')}
          </Button>
        </Space>
      </Space>
      <Table<Token>
        rowKey="id"
        size="middle"
        loading={tokens.data === null}
        dataSource={tokens.data ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        columns={tokenColumns(t, time, (tok) => (
          <Popconfirm
            title={t('admin.tokens.revokeConfirm')}
            onConfirm={async () => {
              if (await act(() => adminApi.revokeToken(tok.id), t('admin.tokens.revokedDone')))
                tokens.reload();
            }}
          >
            <Button size="small" danger disabled={tok.revoked}>
              {t('admin.tokens.revoke')}
            </Button>
          </Popconfirm>
        ))}
      />
      <Modal
        open={creating}
        title={t('admin.tokens.new')}
        onCancel={() => setCreating(false)}
        onOk={async () => {
          const v = await form.validateFields();
          await act(async () => {
            const r = await adminApi.createToken({
              name: v.name,
              username: v.username,
              expiresInDays: v.days ?? undefined,
            });
            setMinted(r.token);
            setCreating(false);
            form.resetFields();
            tokens.reload();
          });
        }}
      >
        <Form form={form} layout="vertical">
          <Form.Item
            name="username"
            label={t('admin.tokens.user')}
            rules={[{ required: true, message: t('admin.tokens.userRequired') }]}
          >
            <Select
              showSearch
              optionFilterProp="label"
              options={(users.data?.items ?? []).map((u) => ({
                value: u.username,
                label: `${u.displayName} (${u.username})`,
              }))}
            />
          </Form.Item>
          <Form.Item
            name="name"
            label={t('common.name')}
            rules={[{ required: true, message: t('admin.nameRequired') }]}
          >
            <Input placeholder="cmdb-sync" />
          </Form.Item>
          <Form.Item name="days" label={t('admin.tokens.expiresInDays')}>
            <InputNumber min={1} max={3650} />
          </Form.Item>
        </Form>
      </Modal>
      <MintedToken token={minted} onClose={() => setMinted(null)} />
    </>
  );
}

/** A new token, shown once. */
export function MintedToken({ token, onClose }: { token: string | null; onClose(): void }) {
  const t = useT();
  return (
    <Modal
      open={token !== null}
      title={t('admin.tokens.mintedTitle')}
      onCancel={onClose}
      onOk={onClose}
      cancelButtonProps={{ style: { display: 'none' } }}
    >
      <Alert type="warning" showIcon message={t('admin.tokens.mintedHelp')} style={{ marginBottom: 12 }} />
      <Typography.Paragraph copyable code data-testid="minted-token">
        {token}
      </Typography.Paragraph>
    </Modal>
  );
}

export function tokenColumns(
  t: ReturnType<typeof useT>,
  time: (ms: number | null | undefined) => string,
  action: (tok: Token) => React.ReactNode,
) {
  return [
    { title: t('admin.tokens.user'), dataIndex: 'username' },
    { title: t('common.name'), dataIndex: 'name' },
    { title: t('admin.tokens.prefix'), dataIndex: 'prefix', render: (v: string) => <code>{v}…</code> },
    { title: t('admin.tokens.created'), render: (_: unknown, tok: Token) => time(tok.createdAt) },
    {
      title: t('admin.tokens.lastUsed'),
      render: (_: unknown, tok: Token) => (tok.lastUsedAt ? time(tok.lastUsedAt) : t('admin.users.never')),
    },
    {
      title: t('admin.tokens.expires'),
      render: (_: unknown, tok: Token) => (tok.expiresAt ? time(tok.expiresAt) : t('admin.tokens.noExpiry')),
    },
    {
      title: '',
      render: (_: unknown, tok: Token) =>
        tok.revoked ? <Tag>{t('admin.tokens.revoked')}</Tag> : action(tok),
    },
  ];
}
