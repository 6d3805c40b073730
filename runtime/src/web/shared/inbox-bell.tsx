import { BellOutlined } from '@ant-design/icons';
import { Badge, Button } from 'antd';
import { useEffect, useState } from 'react';
import { get } from './api.ts';

/**
 * The header's bell: the unread count, asked again every 30 s and whenever `refresh` changes (a
 * page change, a message read).
 */
export function InboxBell({ refresh, onOpen }: { refresh: unknown; onOpen(): void }) {
  const [unread, setUnread] = useState(0);
  useEffect(() => {
    void refresh;
    const load = () => get<{ unread: number }>('/inbox?limit=1').then((r) => setUnread(r.unread));
    load();
    const timer = setInterval(load, 30_000);
    return () => clearInterval(timer);
  }, [refresh]);
  return (
    <Badge count={unread} size="small" data-testid="inbox-count">
      <Button type="text" size="small" icon={<BellOutlined />} onClick={onOpen} data-testid="inbox" />
    </Badge>
  );
}
