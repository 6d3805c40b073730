import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { DEFINITION_KINDS, type DefinitionKind } from '@opsloom/spec';
import { App, Button, Form, Input, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, type Summary } from '../api.ts';
import { type MessageKey, useLocale, useT, useText } from '../i18n.ts';
import { navigate } from '../router.ts';
import { useEditor } from '../store/editor.ts';
import { newDefinition } from '../templates.ts';

const STATUS_COLOR = { draft: 'gold', published: 'green', retired: 'default' } as const;
/** Kinds with a visual designer; the others open in the JSON editor. */
const CREATABLE: DefinitionKind[] = ['form', 'process', 'catalog', 'report', 'dashboard'];

export function DefinitionsList() {
  const t = useT();
  const text = useText();
  const locale = useLocale((s) => s.locale);
  const [items, setItems] = useState<Summary[] | null>(null);
  const [kind, setKind] = useState<DefinitionKind | 'all'>('all');
  const [search, setSearch] = useState('');
  const [creating, setCreating] = useState(false);

  const reload = useCallback(() => {
    setItems(null);
    api.list().then(setItems, () => setItems([]));
  }, []);
  useEffect(reload, []);

  const rows = useMemo(() => {
    const q = search.trim().toLowerCase();
    return (items ?? []).filter(
      (d) =>
        (kind === 'all' || d.kind === kind) &&
        (!q || d.key.toLowerCase().includes(q) || JSON.stringify(d.name).toLowerCase().includes(q)),
    );
  }, [items, kind, search]);

  return (
    <div style={{ padding: 24, overflow: 'auto' }} data-testid="definitions-list">
      <Space style={{ marginBottom: 16, width: '100%', justifyContent: 'space-between' }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('list.title')}
        </Typography.Title>
        <Space>
          <Input.Search
            allowClear
            placeholder={t('list.search')}
            onChange={(e) => setSearch(e.target.value)}
            style={{ width: 240 }}
          />
          <Select
            value={kind}
            onChange={setKind}
            style={{ width: 160 }}
            options={[
              { value: 'all', label: t('list.allKinds') },
              ...DEFINITION_KINDS.map((k) => ({ value: k, label: t(`kind.${k}` as MessageKey) })),
            ]}
          />
          <Button icon={<ReloadOutlined />} onClick={reload} />
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="new">
            {t('list.new')}
          </Button>
        </Space>
      </Space>
      <Table<Summary>
        rowKey={(d) => `${d.kind}/${d.key}`}
        loading={items === null}
        dataSource={rows}
        size="middle"
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        onRow={(d) => ({
          onClick: () => navigate(`/${d.kind}/${encodeURIComponent(d.key)}`),
          style: { cursor: 'pointer' },
        })}
        columns={[
          { title: t('list.name'), render: (_, d) => <Typography.Link>{text(d.name)}</Typography.Link> },
          {
            title: t('list.key'),
            dataIndex: 'key',
            render: (k: string) => <Typography.Text code>{k}</Typography.Text>,
          },
          {
            title: t('list.kind'),
            dataIndex: 'kind',
            render: (k: DefinitionKind) => <Tag>{t(`kind.${k}` as MessageKey)}</Tag>,
            sorter: (a, b) => a.kind.localeCompare(b.kind),
          },
          {
            title: t('list.status'),
            render: (_, d) => (
              <Space size={4}>
                <Tag color={STATUS_COLOR[d.status]}>{t(`status.${d.status}` as MessageKey)}</Tag>
                {d.hasDraft && d.status !== 'draft' && <Tag color="orange">{t('list.unpublishedDraft')}</Tag>}
              </Space>
            ),
          },
          {
            title: t('list.versions'),
            dataIndex: 'latestVersion',
            render: (v: number) => (v ? `v${v}` : '—'),
          },
          {
            title: t('list.updated'),
            render: (_, d) => `${new Date(d.updatedAt).toLocaleString(locale)} · ${d.updatedBy ?? ''}`,
            sorter: (a, b) => a.updatedAt - b.updatedAt,
            defaultSortOrder: undefined,
          },
          {
            title: t('list.source'),
            dataIndex: 'source',
            render: (s: string | null) => s ?? t('list.sourceLocal'),
          },
        ]}
      />
      {creating && <NewDefinitionModal items={items ?? []} onClose={() => setCreating(false)} />}
    </div>
  );
}

function NewDefinitionModal({ items, onClose }: { items: Summary[]; onClose: () => void }) {
  const t = useT();
  const text = useText();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const kind = Form.useWatch('kind', form) as DefinitionKind | undefined;
  const forms = items.filter((d) => d.kind === 'form');

  const submit = async () => {
    const v = await form.validateFields();
    if (items.some((d) => d.kind === v.kind && d.key === v.key)) {
      message.error(t('list.keyTaken'));
      return;
    }
    const def = newDefinition(
      v.kind,
      v.key,
      { 'zh-CN': v.nameZh, en: v.nameEn || v.nameZh },
      { form: v.form },
    );
    useEditor.getState().startNew(def);
    navigate(`/${v.kind}/${encodeURIComponent(v.key)}`);
  };

  return (
    <Modal
      open
      title={t('list.new')}
      onCancel={onClose}
      onOk={submit}
      okText={t('common.create')}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" initialValues={{ kind: 'form' }} data-testid="new-form">
        <Form.Item name="kind" label={t('list.kind')} rules={[{ required: true }]}>
          <Select
            data-testid="new-kind"
            showSearch
            optionFilterProp="label"
            options={DEFINITION_KINDS.map((k) => ({
              value: k,
              label: t(`kind.${k}` as MessageKey),
              disabled: !CREATABLE.includes(k),
            }))}
          />
        </Form.Item>
        <Form.Item
          name="key"
          label={t('list.key')}
          extra={t('list.keyHelp')}
          rules={[{ required: true, pattern: /^[a-z][a-z0-9-]{1,63}$/, message: t('list.keyHelp') }]}
        >
          <Input data-testid="new-key" />
        </Form.Item>
        <Form.Item name="nameZh" label={t('common.nameZh')} rules={[{ required: true }]}>
          <Input data-testid="new-name-zh" />
        </Form.Item>
        <Form.Item name="nameEn" label={t('common.nameEn')}>
          <Input data-testid="new-name-en" />
        </Form.Item>
        {kind === 'process' && (
          <Form.Item name="form" label={t('process.form')} rules={[{ required: true }]}>
            <Select
              data-testid="new-process-form"
              showSearch
              optionFilterProp="label"
              options={forms.map((f) => ({ value: f.key, label: `${text(f.name)} (${f.key})` }))}
            />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
