import { ApartmentOutlined, PlusOutlined, TeamOutlined } from '@ant-design/icons';
import { Button, Card, Empty, Form, Input, Modal, Select, Space, Tag, Tree, Typography } from 'antd';
import type { DataNode } from 'antd/es/tree';
import { useEffect, useMemo, useState } from 'react';
import { useT, useText } from '../i18n.ts';
import { adminApi, type Group } from './api.ts';
import { useAction, useLoad } from './common.tsx';

/** Groups as a tree of org units and support groups (queues), each with its members. */
export function GroupsPanel() {
  const t = useT();
  const text = useText();
  const groups = useLoad(() => adminApi.groups());
  const users = useLoad(() => adminApi.users());
  const [selected, setSelected] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const group = groups.data?.find((g) => g.key === selected) ?? null;

  const tree = useMemo(() => {
    const all = groups.data ?? [];
    const keys = new Set(all.map((g) => g.key));
    const node = (g: Group): DataNode => ({
      key: g.key,
      icon: g.type === 'support' ? <TeamOutlined /> : <ApartmentOutlined />,
      title: (
        <span data-testid={`group-node-${g.key}`}>
          {text(g.name)} {g.type === 'support' ? <Tag color="blue">{t('admin.groups.queue')}</Tag> : null}
          <Typography.Text type="secondary">({g.members.length})</Typography.Text>
        </span>
      ),
      children: all.filter((c) => c.parent === g.key).map(node),
    });
    return all.filter((g) => !g.parent || !keys.has(g.parent)).map(node);
  }, [groups.data, text, t]);

  const userOptions = (users.data?.items ?? []).map((u) => ({
    value: u.username,
    label: `${u.displayName} (${u.username})`,
  }));
  const parentOptions = (groups.data ?? []).map((g) => ({
    value: g.key,
    label: `${text(g.name)} (${g.key})`,
  }));

  return (
    <>
      <Space style={{ marginBottom: 16, width: '100%', justifyContent: 'space-between' }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('admin.nav.groups')}
        </Typography.Title>
        <Button
          type="primary"
          icon={<PlusOutlined />}
          onClick={() => setCreating(true)}
          data-testid="group-new"
        >
          {t('admin.groups.new')}
        </Button>
      </Space>
      <Typography.Paragraph type="secondary">{t('admin.groups.help')}</Typography.Paragraph>
      <div style={{ display: 'flex', gap: 16, alignItems: 'flex-start' }}>
        <Card style={{ width: 360 }} size="small">
          {tree.length ? (
            <Tree
              showIcon
              defaultExpandAll
              treeData={tree}
              selectedKeys={selected ? [selected] : []}
              onSelect={(keys) => setSelected((keys[0] as string) ?? null)}
            />
          ) : (
            <Empty />
          )}
        </Card>
        <div style={{ flex: 1 }}>
          {group ? (
            <GroupEditor
              key={group.key}
              group={group}
              userOptions={userOptions}
              parentOptions={parentOptions.filter((p) => p.value !== group.key)}
              onSaved={groups.reload}
            />
          ) : (
            <Empty description={t('admin.groups.pick')} />
          )}
        </div>
      </div>
      {creating && (
        <NewGroup
          parentOptions={parentOptions}
          onClose={(key) => {
            setCreating(false);
            if (key) {
              groups.reload();
              setSelected(key);
            }
          }}
        />
      )}
    </>
  );
}

function GroupEditor(props: {
  group: Group;
  userOptions: { value: string; label: string }[];
  parentOptions: { value: string; label: string }[];
  onSaved(): void;
}) {
  const t = useT();
  const act = useAction();
  const [form] = Form.useForm();
  const g = props.group;
  useEffect(() => form.resetFields(), [g, form]);
  return (
    <Card title={`${g.key}`} size="small" data-testid="group-editor">
      <Form
        form={form}
        layout="vertical"
        initialValues={{
          zh: g.name['zh-CN'],
          en: g.name.en,
          type: g.type,
          parent: g.parent,
          members: g.members,
        }}
        onFinish={async (v) => {
          const name: Record<string, string> = {};
          if (v.zh) name['zh-CN'] = v.zh;
          if (v.en) name.en = v.en;
          const ok = await act(
            () =>
              adminApi.updateGroup(g.key, {
                name,
                type: v.type,
                parent: v.parent ?? null,
                members: v.members ?? [],
              }),
            t('admin.saved'),
          );
          if (ok) props.onSaved();
        }}
      >
        <GroupFields parentOptions={props.parentOptions} />
        <Form.Item name="members" label={t('admin.groups.members')}>
          <Select
            mode="multiple"
            options={props.userOptions}
            optionFilterProp="label"
            data-testid="group-members"
          />
        </Form.Item>
        <Button type="primary" htmlType="submit" data-testid="group-save">
          {t('admin.save')}
        </Button>
      </Form>
    </Card>
  );
}

function GroupFields({ parentOptions }: { parentOptions: { value: string; label: string }[] }) {
  const t = useT();
  return (
    <>
      <Space style={{ width: '100%' }} styles={{ item: { flex: 1 } }}>
        <Form.Item
          name="zh"
          label={t('common.nameZh')}
          rules={[{ required: true, message: t('admin.nameRequired') }]}
        >
          <Input data-testid="group-name-zh" />
        </Form.Item>
        <Form.Item name="en" label={t('common.nameEn')}>
          <Input data-testid="group-name-en" />
        </Form.Item>
      </Space>
      <Form.Item name="type" label={t('admin.groups.type')} extra={t('admin.groups.typeHelp')}>
        <Select
          options={[
            { value: 'support', label: t('admin.groups.support') },
            { value: 'org', label: t('admin.groups.org') },
          ]}
        />
      </Form.Item>
      <Form.Item name="parent" label={t('admin.groups.parent')}>
        <Select allowClear options={parentOptions} optionFilterProp="label" />
      </Form.Item>
    </>
  );
}

function NewGroup(props: { parentOptions: { value: string; label: string }[]; onClose(key?: string): void }) {
  const t = useT();
  const act = useAction();
  const [form] = Form.useForm();
  return (
    <Modal
      open
      title={t('admin.groups.new')}
      onCancel={() => props.onClose()}
      okText={t('common.create')}
      okButtonProps={{ 'data-testid': 'group-create' }}
      onOk={async () => {
        const v = await form.validateFields();
        const name: Record<string, string> = { 'zh-CN': v.zh };
        if (v.en) name.en = v.en;
        if (
          await act(() =>
            adminApi.createGroup({ key: v.key, name, type: v.type, parent: v.parent ?? null, members: [] }),
          )
        )
          props.onClose(v.key);
      }}
    >
      <Form form={form} layout="vertical" initialValues={{ type: 'support' }}>
        <Form.Item
          name="key"
          label={t('common.key')}
          rules={[
            { required: true, message: t('admin.keyRequired') },
            { pattern: /^[a-z][a-z0-9_.-]{1,63}$/, message: t('admin.keyPattern') },
          ]}
        >
          <Input data-testid="group-key" />
        </Form.Item>
        <GroupFields parentOptions={props.parentOptions} />
      </Form>
    </Modal>
  );
}
