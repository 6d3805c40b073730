import {
  ApiOutlined,
  AuditOutlined,
  KeyOutlined,
  MailOutlined,
  ScheduleOutlined,
  TeamOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { Layout, Menu } from 'antd';
import type { ReactNode } from 'react';
import { type MessageKey, useT } from '../i18n.ts';
import { navigate } from '../router.ts';
import { AuditPanel } from './AuditPanel.tsx';
import { GroupsPanel } from './GroupsPanel.tsx';
import { JobsPanel } from './JobsPanel.tsx';
import { NotificationsPanel } from './NotificationsPanel.tsx';
import { PluginsPanel } from './PluginsPanel.tsx';
import { TokensPanel } from './TokensPanel.tsx';
import { UsersPanel } from './UsersPanel.tsx';

const SECTIONS: { key: string; icon: ReactNode; panel: () => ReactNode }[] = [
  { key: 'users', icon: <UserOutlined />, panel: () => <UsersPanel /> },
  { key: 'groups', icon: <TeamOutlined />, panel: () => <GroupsPanel /> },
  { key: 'notifications', icon: <MailOutlined />, panel: () => <NotificationsPanel /> },
  { key: 'jobs', icon: <ScheduleOutlined />, panel: () => <JobsPanel /> },
  { key: 'audit', icon: <AuditOutlined />, panel: () => <AuditPanel /> },
  { key: 'plugins', icon: <ApiOutlined />, panel: () => <PluginsPanel /> },
  { key: 'tokens', icon: <KeyOutlined />, panel: () => <TokensPanel /> },
];

/** The administration console: one section per concern, each at /designer/admin/<section>. */
export default function AdminPage({ section }: { section: string }) {
  const t = useT();
  const current = SECTIONS.find((s) => s.key === section) ?? SECTIONS[0]!;
  return (
    <Layout style={{ height: '100%', background: 'transparent' }} data-testid="admin-console">
      <Layout.Sider width={200} theme="light" style={{ borderRight: '1px solid #f0f0f0' }}>
        <Menu
          mode="inline"
          selectedKeys={[current.key]}
          onClick={(e) => navigate(`/admin/${e.key}`)}
          items={SECTIONS.map((s) => ({
            key: s.key,
            icon: s.icon,
            label: <span data-testid={`admin-nav-${s.key}`}>{t(`admin.nav.${s.key}` as MessageKey)}</span>,
          }))}
        />
      </Layout.Sider>
      <Layout.Content style={{ padding: 24, overflow: 'auto' }} data-testid={`admin-${current.key}`}>
        {current.panel()}
      </Layout.Content>
    </Layout>
  );
}
