import { List, Skeleton, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import { get, type RecordView, type User } from '../shared/api.ts';
import { formatTime, STATUS_COLORS } from '../shared/format.ts';
import { useT } from '../shared/i18n.ts';

/** The person's own requests, newest first. */
export default function MyRequestsPage({ user }: { user: User }) {
  const { t, locale } = useT();
  const [items, setItems] = useState<RecordView[] | null>(null);
  useEffect(() => {
    get<{ items: RecordView[] }>(
      `/records?requester=${encodeURIComponent(user.username)}&sort=-createdAt&limit=100`,
    ).then((r) => setItems(r.items));
  }, [user.username]);
  if (!items) return <Skeleton active />;
  return (
    <div data-testid="my-requests">
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        {t('nav.myRequests')}
      </Typography.Title>
      <List
        bordered
        style={{ background: '#fff' }}
        locale={{ emptyText: t('requests.none') }}
        dataSource={items}
        renderItem={(r) => (
          <List.Item extra={<Tag color={STATUS_COLORS[r.status] ?? 'default'}>{r.status}</Tag>}>
            <List.Item.Meta
              title={
                <Link href={`/requests/${r.id}`} data-testid={`request-${r.number}`}>
                  {r.number} · {r.title}
                </Link>
              }
              description={formatTime(r.createdAt, locale)}
            />
          </List.Item>
        )}
      />
    </div>
  );
}
