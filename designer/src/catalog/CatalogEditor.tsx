import { AppstoreOutlined, FolderOutlined, PlusOutlined } from '@ant-design/icons';
import { CATALOG_ICONS, type CatalogDefinition } from '@opsloom/spec';
import { CatalogIcon } from '@opsloom/web-forms/catalog-icon';
import { Alert, Button, Empty, Form, InputNumber, Select, Space, Tree, Typography } from 'antd';
import type { Draft } from 'immer';
import { I18nInput, JsonInput } from '../components/inputs.tsx';
import { type MessageKey, textOf, useLocale, useT, useText } from '../i18n.ts';
import { useDefinitions, useGroups } from '../lookups.ts';
import { freeId } from '../process/nodeTypes.ts';
import { useEditor } from '../store/editor.ts';

type Catalog = CatalogDefinition;
type Item = Catalog['items'][number];
type Category = Catalog['categories'][number];
const cat = (d: unknown) => d as Catalog;

function updateCatalog(recipe: (c: Draft<Catalog>) => void, coalesce?: string) {
  useEditor.getState().update((d) => recipe(cat(d) as Draft<Catalog>), coalesce);
}
function put(obj: object, key: string, value: unknown) {
  const o = obj as Record<string, unknown>;
  if (value === undefined || value === '' || value === null || (Array.isArray(value) && !value.length))
    delete o[key];
  else o[key] = value;
}

/** Categories and items of a service catalog: which form and process, who sees it, how it is found. */
export default function CatalogEditor() {
  const t = useT();
  const locale = useLocale((s) => s.locale);
  const def = useEditor((s) => cat(s.def));
  const selected = useEditor((s) => s.selection.catalog);

  const addCategory = () => {
    const id = freeId(
      'category',
      def.categories.map((c) => c.id),
    );
    updateCatalog((c) => {
      c.categories.push({ id, name: { 'zh-CN': '新分类', en: 'New category' } });
    });
    useEditor.getState().select({ catalog: `category:${id}` });
  };
  const addItem = (category: string) => {
    const id = freeId(
      'item',
      def.items.map((i) => i.id),
    );
    updateCatalog((c) => {
      c.items.push({ id, name: { 'zh-CN': '新服务', en: 'New service' }, category, form: '', process: '' });
    });
    useEditor.getState().select({ catalog: `item:${id}` });
  };

  const treeData = def.categories.map((c) => ({
    key: `category:${c.id}`,
    title: textOf(c.name, locale) || c.id,
    icon: <FolderOutlined />,
    children: def.items
      .filter((i) => i.category === c.id)
      .map((i) => ({
        key: `item:${i.id}`,
        title: textOf(i.name, locale) || i.id,
        icon: <AppstoreOutlined />,
        isLeaf: true,
      })),
  }));
  const orphans = def.items.filter((i) => !def.categories.some((c) => c.id === i.category));
  const selCategory = selected?.startsWith('category:')
    ? def.categories.find((c) => `category:${c.id}` === selected)
    : undefined;
  const selItem = selected?.startsWith('item:')
    ? def.items.find((i) => `item:${i.id}` === selected)
    : undefined;

  return (
    <div style={{ display: 'flex', height: '100%' }} data-testid="catalog-editor">
      <div
        style={{
          width: 320,
          borderRight: '1px solid #f0f0f0',
          padding: 12,
          overflow: 'auto',
          background: '#fff',
        }}
      >
        <Space style={{ marginBottom: 8 }}>
          <Button icon={<PlusOutlined />} onClick={addCategory} data-testid="add-category">
            {t('catalog.addCategory')}
          </Button>
        </Space>
        <Tree
          showIcon
          defaultExpandAll
          expandedKeys={treeData.map((n) => n.key)}
          selectedKeys={selected ? [selected] : []}
          onSelect={(keys) => keys[0] && useEditor.getState().select({ catalog: String(keys[0]) })}
          treeData={treeData}
          titleRender={(n) => (
            <span data-testid={`tree-${String(n.key)}`}>
              {String(n.title)}
              {String(n.key).startsWith('category:') && (
                <Button
                  size="small"
                  type="link"
                  icon={<PlusOutlined />}
                  data-testid={`add-item-${String(n.key).slice(9)}`}
                  onClick={(e) => {
                    e.stopPropagation();
                    addItem(String(n.key).slice(9));
                  }}
                />
              )}
            </span>
          )}
        />
        {orphans.length > 0 && <Alert type="warning" title={t('catalog.orphans', { n: orphans.length })} />}
      </div>
      <div style={{ flex: 1, padding: 16, overflow: 'auto', background: '#fff' }}>
        {selItem ? (
          <ItemProps key={selItem.id} item={selItem} categories={def.categories} />
        ) : selCategory ? (
          <CategoryProps key={selCategory.id} category={selCategory} categories={def.categories} />
        ) : (
          <Empty description={t('catalog.selectHint')} />
        )}
      </div>
    </div>
  );
}

function CategoryProps({ category, categories }: { category: Category; categories: Category[] }) {
  const t = useT();
  const text = useText();
  const id = category.id;
  const set = (recipe: (c: Draft<Category>) => void, co?: string) =>
    updateCatalog((c) => {
      const x = c.categories.find((k) => k.id === id);
      if (x) recipe(x);
    }, co && `category:${id}:${co}`);
  return (
    <Form layout="vertical" style={{ maxWidth: 560 }} data-testid={`category-props-${id}`}>
      <Typography.Title level={5}>
        {t('catalog.category')} <Typography.Text code>{id}</Typography.Text>
      </Typography.Title>
      <Form.Item label={t('common.name')}>
        <I18nInput
          value={category.name}
          onChange={(v) => set((c) => (c.name = v ?? ''), 'name')}
          testId="category-name"
        />
      </Form.Item>
      <Form.Item label={t('catalog.icon')}>
        <IconSelect value={category.icon} onChange={(v) => set((c) => put(c, 'icon', v), 'icon')} />
      </Form.Item>
      <Form.Item label={t('catalog.parent')}>
        <Select
          allowClear
          value={category.parent}
          onChange={(v) => set((c) => put(c, 'parent', v))}
          options={categories.filter((c) => c.id !== id).map((c) => ({ value: c.id, label: text(c.name) }))}
        />
      </Form.Item>
      <Form.Item label={t('catalog.order')}>
        <InputNumber value={category.order} onChange={(v) => set((c) => put(c, 'order', v ?? undefined))} />
      </Form.Item>
      <Button
        danger
        onClick={() => {
          updateCatalog((c) => {
            c.categories = c.categories.filter((k) => k.id !== id);
          });
          useEditor.getState().select({});
        }}
      >
        {t('common.delete')}
      </Button>
    </Form>
  );
}

function ItemProps({ item, categories }: { item: Item; categories: Category[] }) {
  const t = useT();
  const text = useText();
  const defs = useDefinitions();
  const groups = useGroups();
  const id = item.id;
  const set = (recipe: (i: Draft<Item>) => void, co?: string) =>
    updateCatalog((c) => {
      const x = c.items.find((k) => k.id === id);
      if (x) recipe(x);
    }, co && `item:${id}:${co}`);
  const options = (kind: string) =>
    defs.filter((d) => d.kind === kind).map((d) => ({ value: d.key, label: `${text(d.name)} (${d.key})` }));
  return (
    <Form layout="vertical" style={{ maxWidth: 640 }} data-testid={`item-props-${id}`}>
      <Typography.Title level={5}>
        {t('catalog.item')} <Typography.Text code>{id}</Typography.Text>
      </Typography.Title>
      <Form.Item label={t('common.name')}>
        <I18nInput
          value={item.name}
          onChange={(v) => set((i) => (i.name = v ?? ''), 'name')}
          testId="item-name"
        />
      </Form.Item>
      <Form.Item label={t('common.description')}>
        <I18nInput
          multiline
          value={item.description}
          onChange={(v) => set((i) => put(i, 'description', v), 'desc')}
        />
      </Form.Item>
      <Form.Item label={t('catalog.category')}>
        <Select
          value={item.category}
          onChange={(v) => set((i) => (i.category = v))}
          options={categories.map((c) => ({ value: c.id, label: text(c.name) }))}
        />
      </Form.Item>
      <Space style={{ width: '100%' }} align="start">
        <Form.Item label={t('kind.form')} style={{ width: 290 }}>
          <Select
            showSearch
            optionFilterProp="label"
            value={item.form || undefined}
            onChange={(v) => set((i) => (i.form = v))}
            options={options('form')}
            data-testid="item-form"
          />
        </Form.Item>
        <Form.Item label={t('kind.process')} style={{ width: 290 }}>
          <Select
            showSearch
            optionFilterProp="label"
            value={item.process || undefined}
            onChange={(v) => set((i) => (i.process = v))}
            options={options('process')}
            data-testid="item-process"
          />
        </Form.Item>
      </Space>
      <Form.Item label={t('kind.sla')}>
        <Select
          allowClear
          value={item.sla}
          onChange={(v) => set((i) => put(i, 'sla', v))}
          options={options('sla')}
        />
      </Form.Item>
      <Space style={{ width: '100%' }} align="start">
        <Form.Item label={t('catalog.visibleGroups')} help={t('catalog.visibleHelp')} style={{ width: 290 }}>
          <Select
            mode="multiple"
            value={item.visibleTo?.groups ?? []}
            optionFilterProp="label"
            onChange={(v: string[]) =>
              set((i) => {
                const vt = { ...(i.visibleTo ?? {}) };
                put(vt, 'groups', v);
                put(i, 'visibleTo', Object.keys(vt).length ? vt : undefined);
              })
            }
            options={groups.map((g) => ({ value: g.key, label: text(g.name) }))}
            data-testid="item-groups"
          />
        </Form.Item>
        <Form.Item label={t('catalog.visibleRoles')} style={{ width: 290 }}>
          <Select
            mode="multiple"
            value={item.visibleTo?.roles ?? []}
            onChange={(v: ('admin' | 'agent' | 'manager' | 'user')[]) =>
              set((i) => {
                const vt = { ...(i.visibleTo ?? {}) };
                put(vt, 'roles', v);
                put(i, 'visibleTo', Object.keys(vt).length ? vt : undefined);
              })
            }
            options={['admin', 'agent', 'manager', 'user'].map((r) => ({
              value: r,
              label: t(`role.${r}` as MessageKey),
            }))}
          />
        </Form.Item>
      </Space>
      <Form.Item label={t('catalog.icon')}>
        <IconSelect value={item.icon} onChange={(v) => set((i) => put(i, 'icon', v), 'icon')} />
      </Form.Item>
      <Form.Item label={t('catalog.keywords')}>
        <Select
          mode="tags"
          value={item.keywords ?? []}
          onChange={(v: string[]) => set((i) => put(i, 'keywords', v))}
          data-testid="item-keywords"
        />
      </Form.Item>
      <Form.Item label={t('catalog.defaults')} help={t('catalog.defaultsHelp')}>
        <JsonInput value={item.defaults} onChange={(v) => set((i) => put(i, 'defaults', v), 'defaults')} />
      </Form.Item>
      <Form.Item label={t('catalog.fixed')} help={t('catalog.fixedHelp')}>
        <Select
          mode="multiple"
          value={item.fixed ?? []}
          options={Object.keys(item.defaults ?? {}).map((f) => ({ value: f, label: f }))}
          onChange={(v: string[]) => set((i) => put(i, 'fixed', v.length ? v : undefined))}
          data-testid="item-fixed"
        />
      </Form.Item>
      <Form.Item label={t('catalog.order')}>
        <InputNumber value={item.order} onChange={(v) => set((i) => put(i, 'order', v ?? undefined))} />
      </Form.Item>
      <Button
        danger
        onClick={() => {
          updateCatalog((c) => {
            c.items = c.items.filter((k) => k.id !== id);
          });
          useEditor.getState().select({});
        }}
      >
        {t('common.delete')}
      </Button>
    </Form>
  );
}

/** The icons the portal draws (spec's CATALOG_ICONS), each shown beside its name; clearing leaves the default. */
function IconSelect({
  value,
  onChange,
}: {
  value: string | undefined;
  onChange(v: string | undefined): void;
}) {
  return (
    <Select
      allowClear
      showSearch
      value={value}
      onChange={(v) => onChange(v ?? undefined)}
      data-testid="catalog-icon-select"
      options={CATALOG_ICONS.map((name) => ({
        value: name,
        label: (
          <span>
            <CatalogIcon name={name} /> {name}
          </span>
        ),
      }))}
    />
  );
}
