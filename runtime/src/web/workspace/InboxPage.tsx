import { formatTime } from '@opsloom/web-forms/format';
import { Badge, Button, Card, List, Skeleton, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useLocation } from 'wouter';
import { get, post } from '../shared/api.ts';
import { useT } from '../shared/i18n.ts';

interface InboxItem {
  id: number;
  recordId: number | null;
  event: string;
  title: string;
  body: string | null;
  createdAt: number;
  read: boolean;
}

/** In-app notifications, newest first; opening one marks it read. */
export default function InboxPage({ onRead }: { onRead(): void }) {
  const { t, locale } = useT();
  const [, navigate] = useLocation();
  const [data, setData] = useState<{ unread: number; items: InboxItem[] } | null>(null);
  const load = useCallback(() => {
    get<{ unread: number; items: InboxItem[] }>('/inbox?limit=100').then(setData);
  }, []);
  useEffect(load, []);
  async function open(item: InboxItem) {
    if (!item.read) await post('/inbox/read', { ids: [item.id] });
    onRead();
    if (item.recordId) navigate(`/records/${item.recordId}`);
    else load();
  }
  if (!data) return <Skeleton active />;
  return (
    <Card
      title={`${t('nav.inbox')} (${t('inbox.unread', { n: data.unread })})`}
      extra={
        <Button
          size="small"
          disabled={!data.unread}
          onClick={async () => {
            await post('/inbox/read', {});
            onRead();
            load();
          }}
        >
          {t('inbox.markAll')}
        </Button>
      }
      data-testid="inbox-page"
    >
      <List
        dataSource={data.items}
        locale={{ emptyText: t('inbox.none') }}
        renderItem={(item) => (
          <List.Item onClick={() => open(item)} style={{ cursor: 'pointer' }}>
            <List.Item.Meta
              avatar={<Badge dot={!item.read} />}
              title={<Typography.Text strong={!item.read}>{item.title}</Typography.Text>}
              description={[item.body, formatTime(item.createdAt, locale)].filter(Boolean).join(' · ')}
            />
          </List.Item>
        )}
      />
    </Card>
  );
}
