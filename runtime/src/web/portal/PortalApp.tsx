import { Badge, Spin } from 'antd';
import { lazy, Suspense, useEffect, useState } from 'react';
import { Route, Switch, useLocation } from 'wouter';
import { AppFrame, Providers } from '../shared/AppFrame.tsx';
import { get, type MyTask } from '../shared/api.ts';
import { useT } from '../shared/i18n.ts';
import { InboxBell } from '../shared/inbox-bell.tsx';
import { isStaff, useSession } from '../shared/session.ts';
import { CatalogPage } from './CatalogPage.tsx';
import { LoginPage } from './LoginPage.tsx';

// Everything but the catalog and the login loads on demand: the request form brings rjsf,
// the request pages their own code; the first load stays small on a phone.
const RequestFormPage = lazy(() => import('./RequestFormPage.tsx'));
const MyRequestsPage = lazy(() => import('./MyRequestsPage.tsx'));
const RequestDetailPage = lazy(() => import('./RequestDetailPage.tsx'));
const ApprovalsPage = lazy(() => import('./ApprovalsPage.tsx'));
const InboxPage = lazy(() => import('../shared/inbox.tsx'));
const ProfilePage = lazy(() => import('../shared/ProfilePage.tsx'));

export function PortalApp() {
  return (
    <Providers>
      <Switch>
        <Route path="/login" component={LoginPage} />
        <Route>
          <Portal />
        </Route>
      </Switch>
    </Providers>
  );
}

function Portal() {
  const { t } = useT();
  const user = useSession();
  const [location, navigate] = useLocation();
  const [approvals, setApprovals] = useState(0);
  const [reads, setReads] = useState(0);
  useEffect(() => {
    if (user) get<{ items: MyTask[] }>('/tasks?mine=true').then((r) => setApprovals(r.items.length));
  }, [user, location]);
  if (!user) return <Spin style={{ margin: 64, display: 'block' }} />;
  const current = location.startsWith('/requests')
    ? 'requests'
    : location.startsWith('/approvals')
      ? 'approvals'
      : 'catalog';
  const nav = [
    { key: 'catalog', label: t('nav.catalog') },
    { key: 'requests', label: t('nav.myRequests') },
    {
      key: 'approvals',
      label: (
        <span data-testid="nav-approvals">
          {t('nav.myApprovals')} <Badge count={approvals} size="small" />
        </span>
      ),
    },
    ...(isStaff(user) ? [{ key: 'workspace', label: t('nav.workspace') }] : []),
  ];
  return (
    <AppFrame
      title={t('portal.title')}
      user={user}
      nav={nav}
      current={current}
      extra={<InboxBell refresh={`${location}#${reads}`} onOpen={() => navigate('/inbox')} />}
      onNavigate={(key) => {
        if (key === 'workspace') window.location.assign('/workspace/');
        else navigate(key === 'catalog' ? '/' : `/${key}`);
      }}
    >
      <Suspense fallback={<Spin style={{ margin: 64, display: 'block' }} />}>
        <Switch>
          <Route path="/">
            <CatalogPage />
          </Route>
          <Route path="/request/:catalog/:item">
            {(p) => <RequestFormPage catalog={p.catalog} item={p.item} />}
          </Route>
          <Route path="/requests">
            <MyRequestsPage user={user} />
          </Route>
          <Route path="/requests/:id">{(p) => <RequestDetailPage id={Number(p.id)} user={user} />}</Route>
          <Route path="/approvals">
            <ApprovalsPage />
          </Route>
          <Route path="/profile">
            <ProfilePage />
          </Route>
          <Route path="/inbox">
            <InboxPage onRead={() => setReads((n) => n + 1)} recordPath={(id) => `/requests/${id}`} />
          </Route>
          <Route>{t('common.notFound')}</Route>
        </Switch>
      </Suspense>
    </AppFrame>
  );
}
