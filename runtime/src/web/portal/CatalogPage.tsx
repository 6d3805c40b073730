import { SearchOutlined } from '@ant-design/icons';
import { CatalogIcon } from '@opsloom/web-forms/catalog-icon';
import { Card, Col, Empty, Input, Row, Skeleton, Tabs, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useLocation } from 'wouter';
import { get } from '../shared/api.ts';
import { useT } from '../shared/i18n.ts';
import { type Catalog, matches } from './catalog-search.ts';

/** The service catalog: categories as tabs, a search box that also takes pinyin initials. */
export function CatalogPage() {
  const { t, tx } = useT();
  const [, navigate] = useLocation();
  const [catalog, setCatalog] = useState<Catalog | null>(null);
  const [query, setQuery] = useState('');
  const [category, setCategory] = useState('all');
  useEffect(() => {
    get<Catalog>('/catalog').then(setCatalog);
  }, []);
  const shown = useMemo(() => {
    if (!catalog) return [];
    return catalog.items.filter((item) =>
      query.trim()
        ? matches(item, query, tx(item.description))
        : category === 'all' || item.category === category,
    );
  }, [catalog, query, category, tx]);
  if (!catalog) return <Skeleton active />;
  // The item's own icon, else its category's (the designer lets an admin choose either).
  const categoryIcon = new Map(catalog.categories.map((c) => [c.id, c.icon]));
  const iconOf = (item: Catalog['items'][number]) => item.icon ?? categoryIcon.get(item.category) ?? null;
  return (
    <div data-testid="catalog">
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        {t('catalog.title')}
      </Typography.Title>
      <Input
        allowClear
        size="large"
        prefix={<SearchOutlined />}
        placeholder={t('catalog.search')}
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        data-testid="catalog-search"
        style={{ marginBottom: 12 }}
      />
      {!query.trim() && (
        <Tabs
          activeKey={category}
          onChange={setCategory}
          items={[
            { key: 'all', label: t('catalog.all') },
            ...catalog.categories.map((c) => ({ key: c.id, label: tx(c.name) })),
          ]}
        />
      )}
      {shown.length === 0 ? (
        <Empty description={t('catalog.nothing')} />
      ) : (
        <Row gutter={[12, 12]}>
          {shown.map((item) => (
            <Col xs={24} sm={12} lg={8} key={item.ref}>
              <Card
                hoverable
                data-testid={`catalog-item-${item.id}`}
                onClick={() => navigate(`/request/${item.catalog}/${item.id}`)}
                style={{ height: '100%' }}
              >
                <Card.Meta
                  avatar={
                    <span data-testid={`catalog-icon-${item.id}`} data-icon={iconOf(item) ?? ''}>
                      <CatalogIcon name={iconOf(item)} style={{ fontSize: 24, color: '#2f54eb' }} />
                    </span>
                  }
                  title={tx(item.name)}
                  description={tx(item.description)}
                />
              </Card>
            </Col>
          ))}
        </Row>
      )}
    </div>
  );
}
