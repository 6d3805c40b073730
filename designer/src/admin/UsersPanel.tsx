import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Button, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { type MessageKey, useT, useText } from '../i18n.ts';
import { type AdminUser, adminApi, ROLES } from './api.ts';
import { useAction, useLoad, useTime } from './common.tsx';

/** Users: create, edit roles and groups, deactivate, reset a password, unlock, last login. */
export function UsersPanel() {
  const t = useT();
  const text = useText();
  const time = useTime();
  const act = useAction();
  const [search, setSearch] = useState('');
  const users = useLoad(() => adminApi.users({ q: search || undefined }), [search]);
  const groups = useLoad(() => adminApi.groups());
  const [editing, setEditing] = useState<AdminUser | 'new' | null>(null);
  const [resetting, setResetting] = useState<AdminUser | null>(null);

  const groupOptions = useMemo(
    () => (groups.data ?? []).map((g) => ({ value: g.key, label: `${text(g.name)} (${g.key})` })),
    [groups.data, text],
  );
  const groupName = (key: string) => text(groups.data?.find((g) => g.key === key)?.name ?? key);

  return (
    <>
      <Space style={{ marginBottom: 16, width: '100%', justifyContent: 'space-between' }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('admin.nav.users')}
        </Typography.Title>
        <Space>
          <Input.Search
            allowClear
            placeholder={t('admin.users.search')}
            onSearch={setSearch}
            style={{ width: 240 }}
            data-testid="users-search"
          />
          <Button icon={<ReloadOutlined />} onClick={users.reload} data-testid="users-reload" />
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setEditing('new')}
            data-testid="user-new"
          >
            {t('admin.users.new')}
          </Button>
        </Space>
      </Space>
      <Table<AdminUser>
        rowKey="username"
        size="middle"
        loading={users.data === null}
        dataSource={users.data?.items ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        onRow={(u) => ({ 'data-testid': `user-row-${u.username}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          {
            title: t('admin.users.username'),
            render: (_, u) => (
              <Space direction="vertical" size={0}>
                <Typography.Text strong>{u.username}</Typography.Text>
                <Typography.Text type="secondary">{u.displayName}</Typography.Text>
              </Space>
            ),
          },
          { title: t('admin.users.email'), dataIndex: 'email', render: (v) => v ?? '—' },
          {
            title: t('admin.users.roles'),
            render: (_, u) => u.roles.map((r) => <Tag key={r}>{t(`admin.role.${r}` as MessageKey)}</Tag>),
          },
          {
            title: t('admin.users.groups'),
            render: (_, u) => u.groups.map((g) => <Tag key={g}>{groupName(g)}</Tag>),
          },
          {
            title: t('admin.users.state'),
            render: (_, u) => (
              <Space size={4} wrap>
                {u.active ? (
                  <Tag color="green">{t('admin.users.active')}</Tag>
                ) : (
                  <Tag>{t('admin.users.inactive')}</Tag>
                )}
                {u.lockedUntil ? (
                  <Tooltip title={t('admin.users.lockedUntil', { at: time(u.lockedUntil) })}>
                    <Tag color="red" data-testid={`locked-${u.username}`}>
                      {t('admin.users.locked', { n: u.failedLogins ?? 0 })}
                    </Tag>
                  </Tooltip>
                ) : null}
              </Space>
            ),
          },
          {
            title: t('admin.users.lastLogin'),
            render: (_, u) => (u.lastLoginAt ? time(u.lastLoginAt) : t('admin.users.never')),
          },
          {
            title: '',
            render: (_, u) => (
              <Space size={0} wrap>
                <Button
                  type="link"
                  size="small"
                  onClick={() => setEditing(u)}
                  data-testid={`user-edit-${u.username}`}
                >
                  {t('admin.edit')}
                </Button>
                <Button
                  type="link"
                  size="small"
                  onClick={() => setResetting(u)}
                  data-testid={`user-reset-${u.username}`}
                >
                  {t('admin.users.resetPassword')}
                </Button>
                {(u.lockedUntil || (u.failedLogins ?? 0) > 0) && (
                  <Button
                    type="link"
                    size="small"
                    data-testid={`user-unlock-${u.username}`}
                    onClick={async () => {
                      if (await act(() => adminApi.unlock(u.username), t('admin.users.unlocked')))
                        users.reload();
                    }}
                  >
                    {t('admin.users.unlock')}
                  </Button>
                )}
                <Popconfirm
                  title={u.active ? t('admin.users.deactivateConfirm') : t('admin.users.activateConfirm')}
                  onConfirm={async () => {
                    if (await act(() => adminApi.updateUser(u.username, { active: !u.active })))
                      users.reload();
                  }}
                >
                  <Button
                    type="link"
                    size="small"
                    danger={u.active}
                    data-testid={`user-active-${u.username}`}
                  >
                    {u.active ? t('admin.users.deactivate') : t('admin.users.activate')}
                  </Button>
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
      {editing && (
        <UserForm
          user={editing === 'new' ? null : editing}
          groupOptions={groupOptions}
          onClose={(changed) => {
            setEditing(null);
            if (changed) users.reload();
          }}
        />
      )}
      {resetting && (
        <ResetPassword
          user={resetting}
          onClose={() => {
            setResetting(null);
          }}
        />
      )}
    </>
  );
}

function UserForm(props: {
  user: AdminUser | null;
  groupOptions: { value: string; label: string }[];
  onClose(changed: boolean): void;
}) {
  const t = useT();
  const act = useAction();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const u = props.user;
  async function submit() {
    const v = await form.validateFields();
    const body: Record<string, unknown> = {
      displayName: v.displayName || undefined,
      email: v.email ? v.email : u ? null : undefined,
      locale: v.locale,
      roles: v.roles,
      groups: v.groups ?? [],
    };
    setBusy(true);
    const ok = await act(
      () =>
        u
          ? adminApi.updateUser(u.username, body)
          : adminApi.createUser({ ...body, username: v.username, password: v.password || undefined }),
      t('admin.saved'),
    );
    setBusy(false);
    if (ok) props.onClose(true);
  }
  return (
    <Modal
      open
      title={u ? t('admin.users.editTitle', { name: u.username }) : t('admin.users.new')}
      onCancel={() => props.onClose(false)}
      onOk={submit}
      okText={t('admin.save')}
      okButtonProps={{ loading: busy, 'data-testid': 'user-save' }}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={
          u
            ? {
                displayName: u.displayName,
                email: u.email,
                locale: u.locale,
                roles: u.roles,
                groups: u.groups,
              }
            : { locale: 'zh-CN', roles: ['user'], groups: [] }
        }
      >
        {!u && (
          <Form.Item
            name="username"
            label={t('admin.users.username')}
            rules={[
              { required: true, message: t('admin.users.usernameRequired') },
              { pattern: /^[A-Za-z0-9][A-Za-z0-9_.@-]{1,63}$/, message: t('admin.users.usernamePattern') },
            ]}
          >
            <Input data-testid="user-username" autoComplete="off" />
          </Form.Item>
        )}
        <Form.Item name="displayName" label={t('admin.users.displayName')}>
          <Input data-testid="user-display-name" />
        </Form.Item>
        <Form.Item
          name="email"
          label={t('admin.users.email')}
          rules={[{ type: 'email', message: t('admin.emailInvalid') }]}
        >
          <Input data-testid="user-email" />
        </Form.Item>
        {!u && (
          <Form.Item name="password" label={t('admin.users.password')} extra={t('admin.users.passwordHelp')}>
            <Input.Password data-testid="user-password" autoComplete="new-password" />
          </Form.Item>
        )}
        <Form.Item name="locale" label={t('admin.language')}>
          <Select
            options={[
              { value: 'zh-CN', label: '中文' },
              { value: 'en', label: 'English' },
            ]}
          />
        </Form.Item>
        <Form.Item
          name="roles"
          label={t('admin.users.roles')}
          rules={[{ required: true, message: t('admin.users.rolesRequired') }]}
        >
          <Select
            mode="multiple"
            data-testid="user-roles"
            optionFilterProp="label"
            options={ROLES.map((r) => ({ value: r, label: t(`admin.role.${r}` as MessageKey) }))}
          />
        </Form.Item>
        <Form.Item name="groups" label={t('admin.users.groups')}>
          <Select
            mode="multiple"
            data-testid="user-groups"
            options={props.groupOptions}
            optionFilterProp="label"
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function ResetPassword({ user, onClose }: { user: AdminUser; onClose(): void }) {
  const t = useT();
  const act = useAction();
  const [form] = Form.useForm();
  return (
    <Modal
      open
      title={t('admin.users.resetTitle', { name: user.username })}
      onCancel={onClose}
      okText={t('admin.save')}
      okButtonProps={{ 'data-testid': 'reset-save' }}
      onOk={async () => {
        const v = await form.validateFields();
        if (
          await act(
            () => adminApi.updateUser(user.username, { password: v.password }),
            t('admin.users.resetDone'),
          )
        )
          onClose();
      }}
    >
      <Typography.Paragraph type="secondary">{t('admin.users.resetHelp')}</Typography.Paragraph>
      <Form form={form} layout="vertical">
        <Form.Item
          name="password"
          label={t('admin.users.newPassword')}
          rules={[{ required: true, min: 8, message: t('admin.passwordMin') }]}
        >
          <Input.Password data-testid="reset-password" autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
