import { formatTime } from '@opsloom/web-forms/format';
import { Badge, Button, Card, List, Skeleton, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useLocation } from 'wouter';
import { get, post } from './api.ts';
import { useT } from './i18n.ts';

// The inbox page, the same in both apps (the header's bell is inbox-bell.tsx, loaded with the
// app; this page loads when opened). Each app says where a record opens (the workspace's record
// page, the portal's request page).

interface InboxItem {
  id: number;
  recordId: number | null;
  event: string;
  title: string;
  body: string | null;
  createdAt: number;
  read: boolean;
}

/** In-app notifications, newest first; opening one marks it read and opens its record. */
export default function InboxPage({
  onRead,
  recordPath,
}: {
  onRead(): void;
  /** Where this app shows a record. */
  recordPath(id: number): string;
}) {
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
    if (item.recordId) navigate(recordPath(item.recordId));
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
