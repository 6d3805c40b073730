import { formatTime } from '@opsloom/web-forms/format';
import { Alert, App, Button, Form, Input, InputNumber, Modal, Space, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, get, post } from '../../shared/api.ts';
import type { Share } from '../../shared/dashboard-types.ts';
import { useT } from '../../shared/i18n.ts';

/**
 * An admin's wall-screen links of one dashboard: issue one (where it hangs, how long it lasts),
 * copy its URL — shown this once, the server keeps only a hash — and revoke any, which stops the
 * screen showing it at its next poll.
 */
export function SharesModal({ dashKey, onClose }: { dashKey: string; onClose(): void }) {
  const { t, locale } = useT();
  const { modal, message } = App.useApp();
  const [items, setItems] = useState<Share[] | null>(null);
  const [created, setCreated] = useState<Share | null>(null);
  const [busy, setBusy] = useState(false);
  const path = `/dashboards/${encodeURIComponent(dashKey)}`;
  const load = useCallback(
    () => get<{ items: Share[] }>(`${path}/shares`).then((r) => setItems(r.items)),
    [path],
  );
  useEffect(() => {
    load();
  }, [load]);

  async function create(values: { name: string; expiresInDays?: number | null }) {
    setBusy(true);
    try {
      const share = await post<Share>(`${path}/share`, {
        name: values.name,
        ...(values.expiresInDays ? { expiresInDays: values.expiresInDays } : {}),
      });
      setCreated(share);
      await load();
    } finally {
      setBusy(false);
    }
  }
  function revoke(share: Share) {
    modal.confirm({
      title: t('share.revokeConfirm'),
      okText: t('share.revoke'),
      okButtonProps: { danger: true },
      cancelText: t('common.cancel'),
      onOk: async () => {
        await api('DELETE', `/dashboards/shares/${share.id}`);
        await load();
      },
    });
  }
  const state = (s: Share) =>
    s.revokedAt ? (
      <Tag>{t('share.state.revoked')}</Tag>
    ) : s.expiresAt !== null && s.expiresAt <= Date.now() ? (
      <Tag color="orange">{t('share.state.expired')}</Tag>
    ) : (
      <Tag color="green">{t('share.state.active')}</Tag>
    );

  return (
    <Modal open title={t('share.title')} onCancel={onClose} footer={null} width={760} destroyOnHidden>
      <Form layout="inline" onFinish={create} style={{ marginBottom: 12 }} data-testid="share-form">
        <Form.Item name="name" rules={[{ required: true, message: t('share.namePlaceholder') }]}>
          <Input
            placeholder={t('share.namePlaceholder')}
            aria-label={t('share.name')}
            style={{ width: 200 }}
          />
        </Form.Item>
        <Form.Item name="expiresInDays">
          <InputNumber min={1} max={3650} placeholder={t('share.expires')} style={{ width: 240 }} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy} data-testid="share-create">
          {t('share.create')}
        </Button>
      </Form>
      {created?.url ? (
        <Alert
          type="success"
          style={{ marginBottom: 12 }}
          title={t('share.created')}
          description={
            <Space.Compact style={{ width: '100%' }}>
              <Input readOnly value={created.url} data-testid="share-url" />
              <Button
                onClick={() =>
                  navigator.clipboard?.writeText(created.url!).then(() => message.success(t('share.copied')))
                }
              >
                {t('share.copy')}
              </Button>
            </Space.Compact>
          }
        />
      ) : null}
      <Table<Share>
        size="small"
        rowKey="id"
        loading={!items}
        dataSource={items ?? []}
        pagination={false}
        columns={[
          { title: t('share.name'), dataIndex: 'name' },
          {
            title: '',
            dataIndex: 'prefix',
            render: (p: string) => <Typography.Text code>{p}…</Typography.Text>,
          },
          { title: t('share.issuedBy'), dataIndex: 'issuedBy' },
          {
            title: t('share.expiresAt'),
            dataIndex: 'expiresAt',
            render: (v: number | null) => (v ? formatTime(v, locale) : t('share.never')),
          },
          {
            title: t('share.lastUsed'),
            dataIndex: 'lastUsedAt',
            render: (v: number | null) => (v ? formatTime(v, locale) : t('share.never')),
          },
          { title: '', key: 'state', render: (_: unknown, s: Share) => state(s) },
          {
            title: '',
            key: 'revoke',
            render: (_: unknown, s: Share) =>
              s.revokedAt ? null : (
                <Button size="small" danger onClick={() => revoke(s)} data-testid={`share-revoke-${s.id}`}>
                  {t('share.revoke')}
                </Button>
              ),
          },
        ]}
      />
    </Modal>
  );
}
