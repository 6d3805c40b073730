import { PlusOutlined } from '@ant-design/icons';
import { Button, Result, Space, Spin } from 'antd';
import { lazy, Suspense, useState } from 'react';
import { Route, Switch, useLocation } from 'wouter';
import { AppFrame, Providers } from '../shared/AppFrame.tsx';
import { useT } from '../shared/i18n.ts';
import { InboxBell } from '../shared/inbox-bell.tsx';
import { isStaff, useSession } from '../shared/session.ts';
import { QueuesPage } from './QueuesPage.tsx';

const RecordPage = lazy(() => import('./RecordPage.tsx'));
const InboxPage = lazy(() => import('../shared/inbox.tsx'));
const NewRecordPage = lazy(() => import('./NewRecordPage.tsx'));

export function WorkspaceApp() {
  return (
    <Providers>
      <Workspace />
    </Providers>
  );
}

/** The agents' app: queues, the record view and the inbox. */
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
  const current = location.startsWith('/inbox') ? 'inbox' : 'queues';
  return (
    <AppFrame
      title={t('workspace.title')}
      user={user}
      current={current}
      nav={[
        { key: 'queues', label: t('nav.queues') },
        { key: 'portal', label: t('nav.portal') },
      ]}
      onNavigate={(key) => (key === 'portal' ? window.location.assign('/portal/') : navigate('/'))}
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
            <QueuesPage user={user} />
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
