import { PlusOutlined } from '@ant-design/icons';
import { Button, Result, Space, Spin } from 'antd';
import { lazy, Suspense, useEffect, useState } from 'react';
import { Route, Switch, useLocation } from 'wouter';
import { AppFrame, Providers } from '../shared/AppFrame.tsx';
import { get, type User } from '../shared/api.ts';
import type { DashboardSummary } from '../shared/dashboard-types.ts';
import { useT } from '../shared/i18n.ts';
import { InboxBell } from '../shared/inbox-bell.tsx';
import { isStaff, useSession } from '../shared/session.ts';
import { QueuesPage } from './QueuesPage.tsx';

const RecordPage = lazy(() => import('./RecordPage.tsx'));
const InboxPage = lazy(() => import('../shared/inbox.tsx'));
const NewRecordPage = lazy(() => import('./NewRecordPage.tsx'));
// Dashboards bring ECharts: loaded with the page, never with the queues.
const DashboardsPage = lazy(() => import('./dashboards/DashboardsPage.tsx'));
const DashboardPage = lazy(() => import('./dashboards/DashboardPage.tsx'));
const RecordListPage = lazy(() => import('./RecordListPage.tsx'));

export function WorkspaceApp() {
  return (
    <Providers>
      <Workspace />
    </Providers>
  );
}

/**
 * The workspace opened without a path: the dashboard the person's role lands on (a dashboard's
 * `landingFor`; GET /dashboards marks it), else the queues.
 */
function Landing({ user }: { user: User }) {
  const [, navigate] = useLocation();
  const [queues, setQueues] = useState(false);
  useEffect(() => {
    let live = true;
    get<{ items: DashboardSummary[] }>('/dashboards')
      .then((r) => {
        if (!live) return;
        const landing = r.items.find((d) => d.landing);
        if (landing) navigate(`/dashboards/${encodeURIComponent(landing.key)}`, { replace: true });
        else setQueues(true);
      })
      .catch(() => live && setQueues(true));
    return () => {
      live = false;
    };
  }, [navigate]);
  return queues ? <QueuesPage user={user} /> : <Spin style={{ margin: 64, display: 'block' }} />;
}

/** The agents' and managers' app: queues, dashboards, the record view and the inbox. */
function Workspace() {
  const { t } = useT();
  const user = useSession();
  const [location, navigate] = useLocation();
  const [reads, setReads] = useState(0);
  if (!user) return <Spin style={{ margin: 64, display: 'block' }} />;
  if (!isStaff(user))
    return (
      <Result
        status="403"
        title={t('workspace.staffOnly')}
        extra={<Button href="/portal/">{t('nav.portal')}</Button>}
      />
    );
  const current = location.startsWith('/inbox')
    ? 'inbox'
    : location.startsWith('/dashboards')
      ? 'dashboards'
      : 'queues';
  return (
    <AppFrame
      title={t('workspace.title')}
      user={user}
      current={current}
      nav={[
        { key: 'queues', label: <span data-testid="nav-queues">{t('nav.queues')}</span> },
        { key: 'dashboards', label: <span data-testid="nav-dashboards">{t('nav.dashboards')}</span> },
        { key: 'portal', label: t('nav.portal') },
      ]}
      onNavigate={(key) =>
        key === 'portal'
          ? window.location.assign('/portal/')
          : navigate(key === 'dashboards' ? '/dashboards' : '/queues')
      }
      extra={
        <Space size={12}>
          <Button
            type="primary"
            size="small"
            icon={<PlusOutlined />}
            onClick={() => navigate('/new')}
            data-testid="new-record-button"
          >
            {t('newRecord.button')}
          </Button>
          <InboxBell refresh={`${location}#${reads}`} onOpen={() => navigate('/inbox')} />
        </Space>
      }
    >
      <Suspense fallback={<Spin style={{ margin: 64, display: 'block' }} />}>
        <Switch>
          <Route path="/">
            <Landing user={user} />
          </Route>
          <Route path="/queues">
            <QueuesPage user={user} />
          </Route>
          <Route path="/dashboards">
            <DashboardsPage />
          </Route>
          <Route path="/dashboards/:key">
            {(p) => <DashboardPage key={p.key} dashKey={p.key} user={user} />}
          </Route>
          <Route path="/list">
            <RecordListPage />
          </Route>
          <Route path="/records/:id">{(p) => <RecordPage id={Number(p.id)} user={user} />}</Route>
          <Route path="/new">
            <NewRecordPage user={user} />
          </Route>
          <Route path="/new/:type">{(p) => <NewRecordPage user={user} type={p.type} />}</Route>
          <Route path="/inbox">
            <InboxPage onRead={() => setReads((n) => n + 1)} recordPath={(id) => `/records/${id}`} />
          </Route>
          <Route>{t('common.notFound')}</Route>
        </Switch>
      </Suspense>
    </AppFrame>
  );
}
