import { App as AntApp, Button, ConfigProvider, Dropdown, Layout, Menu, Space, theme } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import type { ReactNode } from 'react';
import { put, type User } from './api.ts';
import { setLocale, useLocale, useT } from './i18n.ts';
import { logout } from './session.ts';

export interface NavItem {
  key: string;
  label: ReactNode;
  [k: string]: unknown;
}

/** antd's language follows ours; wraps every screen, including the login page. */
export function Providers({ children }: { children: ReactNode }) {
  const locale = useLocale();
  return (
    <ConfigProvider
      locale={locale === 'zh-CN' ? zhCN : enUS}
      theme={{ algorithm: theme.defaultAlgorithm, token: { colorPrimary: '#2f54eb', borderRadius: 6 } }}
    >
      <AntApp>{children}</AntApp>
    </ConfigProvider>
  );
}

/**
 * Switches the apps' language; `signedIn`, it becomes the person's own language too, the one their
 * notifications are written in (PUT /auth/locale).
 */
export function LanguageSwitch({ signedIn = false }: { signedIn?: boolean }) {
  const locale = useLocale();
  function toggle() {
    const next = locale === 'zh-CN' ? 'en' : 'zh-CN';
    setLocale(next);
    // The screen has switched either way; a failed save only leaves messages in the old language.
    if (signedIn) put('/auth/locale', { locale: next }).catch(() => {});
  }
  return (
    <Button size="small" type="text" data-testid="language-switch" onClick={toggle}>
      {locale === 'zh-CN' ? 'English' : '中文'}
    </Button>
  );
}

/** Header with the app's navigation, the language switch and the user menu. */
export function AppFrame(props: {
  title: string;
  user: User | null;
  nav: NavItem[];
  current: string;
  onNavigate(key: string): void;
  extra?: ReactNode;
  children: ReactNode;
}) {
  const { t } = useT();
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header
        style={{
          display: 'flex',
          alignItems: 'center',
          gap: 12,
          paddingInline: 12,
          background: '#fff',
          borderBottom: '1px solid #f0f0f0',
        }}
      >
        <a href="/portal/" style={{ fontWeight: 600, fontSize: 18, whiteSpace: 'nowrap', color: '#2f54eb' }}>
          {props.title}
        </a>
        <Menu
          mode="horizontal"
          selectedKeys={[props.current]}
          items={props.nav as { key: string; label: ReactNode }[]}
          onClick={(e) => props.onNavigate(e.key)}
          style={{ flex: 1, minWidth: 0, borderBottom: 'none' }}
        />
        <Space size={4}>
          {props.extra}
          <LanguageSwitch signedIn={props.user !== null} />
          {props.user && (
            <Dropdown
              menu={{
                items: [
                  { key: 'profile', label: <span data-testid="nav-profile">{t('nav.profile')}</span> },
                  { key: 'logout', label: t('nav.logout') },
                ],
                // The profile page is the portal's: every logged-in person may open it.
                onClick: (e) =>
                  e.key === 'profile' ? window.location.assign('/portal/profile') : void logout(),
              }}
            >
              <Button size="small" type="text" data-testid="user-menu">
                {props.user.displayName || props.user.username}
              </Button>
            </Dropdown>
          )}
        </Space>
      </Layout.Header>
      <Layout.Content style={{ padding: '16px 12px', maxWidth: 1280, width: '100%', margin: '0 auto' }}>
        {props.children}
      </Layout.Content>
    </Layout>
  );
}
