import { formatTime } from '@opsloom/web-forms/format';
import { Button, List, Skeleton, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import { get, type RecordView, type User } from '../shared/api.ts';
import { useT } from '../shared/i18n.ts';
import { StatusTag } from '../shared/status.tsx';

interface Page {
  items: RecordView[];
  total: number;
  totalExact: boolean;
  nextCursor: string | null;
}

const PAGE_SIZE = 50;

/** The person's own requests, newest first, a page at a time. */
export default function MyRequestsPage({ user }: { user: User }) {
  const { t, tx, locale } = useT();
  const [page, setPage] = useState<Page | null>(null);
  const [loading, setLoading] = useState(false);
  const query = `/records?requester=${encodeURIComponent(user.username)}&sort=-createdAt&limit=${PAGE_SIZE}`;
  useEffect(() => {
    get<Page>(query).then(setPage);
  }, [query]);
  if (!page) return <Skeleton active />;
  const items = page.items;
  async function more() {
    if (!page?.nextCursor) return;
    setLoading(true);
    try {
      const next = await get<Page>(`${query}&cursor=${encodeURIComponent(page.nextCursor)}`);
      setPage({
        ...next,
        items: [...page.items, ...next.items],
        total: page.total,
        totalExact: page.totalExact,
      });
    } finally {
      setLoading(false);
    }
  }
  const total = page.totalExact ? page.total : `${page.total}+`;
  return (
    <div data-testid="my-requests">
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        {t('nav.myRequests')}
      </Typography.Title>
      <List
        bordered
        loadMore={
          page.nextCursor ? (
            <Button block type="link" loading={loading} onClick={more} data-testid="requests-more">
              {t('list.more', { shown: items.length, total })}
            </Button>
          ) : null
        }
        style={{ background: '#fff' }}
        locale={{ emptyText: t('requests.none') }}
        dataSource={items}
        renderItem={(r) => (
          <List.Item extra={<StatusTag {...r} />}>
            <List.Item.Meta
              title={
                <Link href={`/requests/${r.id}`} data-testid={`request-${r.number}`}>
                  {r.number} · {r.title}
                </Link>
              }
              description={[
                r.catalogItem?.name ? tx(r.catalogItem.name) : null,
                formatTime(r.createdAt, locale),
              ]
                .filter(Boolean)
                .join(' · ')}
            />
          </List.Item>
        )}
      />
    </div>
  );
}
