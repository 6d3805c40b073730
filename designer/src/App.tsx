import { GlobalOutlined, LogoutOutlined, SettingOutlined, UserOutlined } from '@ant-design/icons';
import {
  App as AntApp,
  Button,
  ConfigProvider,
  Layout,
  Result,
  Segmented,
  Space,
  Spin,
  Typography,
} from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { lazy, Suspense, useEffect, useState } from 'react';
import { api, loginUrl, type Session } from './api.ts';
import { useLocale, useT } from './i18n.ts';
import { DefinitionsList } from './pages/DefinitionsList.tsx';
import { matchRoute, navigate, usePath } from './router.ts';

const EditorPage = lazy(() => import('./pages/EditorPage.tsx'));
const AdminPage = lazy(() => import('./pages/AdminPage.tsx'));

export function App() {
  const locale = useLocale((s) => s.locale);
  return (
    <ConfigProvider locale={locale === 'en' ? enUS : zhCN} theme={{ token: { borderRadius: 6 } }}>
      <AntApp>
        <Shell />
      </AntApp>
    </ConfigProvider>
  );
}

function Shell() {
  const t = useT();
  const { locale, setLocale } = useLocale();
  const [session, setSession] = useState<Session | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const route = matchRoute(usePath());

  useEffect(() => {
    api.session().then(setSession, (e: Error) => setFailed(e.message));
  }, []);

  if (failed) return <Result status="error" title={t('app.loadFailed')} subTitle={failed} />;
  if (!session) return <Spin style={{ margin: '30vh auto', display: 'block' }} />;
  if (!session.user.roles.includes('admin')) {
    return (
      <Result
        status="403"
        title={t('app.adminOnly')}
        extra={<Button href={loginUrl()}>{t('app.switchUser')}</Button>}
      />
    );
  }

  return (
    <Layout style={{ height: '100vh' }}>
      <Layout.Header
        style={{
          display: 'flex',
          alignItems: 'center',
          gap: 16,
          paddingInline: 16,
          height: 48,
          lineHeight: '48px',
        }}
      >
        <Typography.Link
          style={{ color: '#fff', fontWeight: 600, fontSize: 16 }}
          onClick={() => navigate('/')}
          data-testid="home"
        >
          Opsloom · {t('app.title')}
        </Typography.Link>
        <Button
          type={route.page === 'admin' ? 'primary' : 'text'}
          size="small"
          icon={<SettingOutlined />}
          style={route.page === 'admin' ? undefined : { color: '#fff' }}
          onClick={() => navigate('/admin/users')}
          data-testid="nav-admin"
        >
          {t('admin.title')}
        </Button>
        <div style={{ flex: 1 }} />
        <Space>
          <GlobalOutlined style={{ color: '#fff' }} />
          <Segmented
            size="small"
            value={locale}
            onChange={(v) => {
              setLocale(v as 'zh-CN' | 'en');
              // Their notifications follow; the screen has switched whether or not this is saved.
              api.saveLocale(v as 'zh-CN' | 'en').catch(() => {});
            }}
            options={[
              { label: '中文', value: 'zh-CN' },
              { label: 'English', value: 'en' },
            ]}
            data-testid="locale"
          />
          {/* The profile page is everyone's, so it lives in the portal (the designer is for admins only). */}
          <Typography.Link href="/portal/profile" style={{ color: '#ddd' }} data-testid="nav-profile">
            <UserOutlined /> {session.user.displayName}
          </Typography.Link>
          <Button
            size="small"
            icon={<LogoutOutlined />}
            onClick={() => api.logout().finally(() => location.assign(loginUrl()))}
          >
            {t('app.logout')}
          </Button>
        </Space>
      </Layout.Header>
      <Layout.Content style={{ overflow: 'hidden', display: 'flex', flexDirection: 'column' }}>
        {route.page === 'list' ? (
          <DefinitionsList />
        ) : route.page === 'admin' ? (
          <Suspense fallback={<Spin style={{ margin: '20vh auto', display: 'block' }} />}>
            <AdminPage section={route.section} />
          </Suspense>
        ) : (
          <Suspense fallback={<Spin style={{ margin: '20vh auto', display: 'block' }} />}>
            <EditorPage kind={route.kind} defKey={route.key} />
          </Suspense>
        )}
      </Layout.Content>
    </Layout>
  );
}
