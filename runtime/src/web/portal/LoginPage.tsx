import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { LanguageSwitch } from '../shared/AppFrame.tsx';
import type { User } from '../shared/api.ts';
import { useT } from '../shared/i18n.ts';
import { login } from '../shared/session.ts';

/**
 * Where `next` may send the person: only back into one of our apps, never to another site.
 * Without a `next`, a manager goes to the workspace, which opens their role's dashboard.
 */
function safeNext(user: User): string {
  const home = user.roles.includes('manager') ? '/workspace/' : '/portal/';
  const next = new URLSearchParams(window.location.search).get('next') ?? home;
  return /^\/(portal|workspace|designer|bigscreen)(\/|$|\?)/.test(next) ? next : home;
}

/** The one login page of Opsloom: the portal, the workspace and the designer send people here. */
export function LoginPage() {
  const { t } = useT();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(values: { username: string; password: string }) {
    setBusy(true);
    setError(null);
    try {
      const user = await login(values.username, values.password);
      window.location.assign(safeNext(user));
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  }
  return (
    <div
      style={{
        minHeight: '100vh',
        display: 'grid',
        placeItems: 'center',
        background: '#f5f7fb',
        padding: 12,
      }}
    >
      <Card style={{ width: '100%', maxWidth: 380 }}>
        <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }}>
          <Typography.Title level={3} style={{ margin: 0, color: '#2f54eb' }}>
            Opsloom
          </Typography.Title>
          <LanguageSwitch />
        </div>
        <Typography.Paragraph type="secondary">{t('login.subtitle')}</Typography.Paragraph>
        {error && <Alert type="error" title={error} style={{ marginBottom: 16 }} showIcon />}
        <Form layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item
            name="username"
            label={t('login.username')}
            rules={[{ required: true, message: t('login.usernameRequired') }]}
          >
            <Input autoComplete="username" autoFocus data-testid="login-username" />
          </Form.Item>
          <Form.Item
            name="password"
            label={t('login.password')}
            rules={[{ required: true, message: t('login.passwordRequired') }]}
          >
            <Input.Password autoComplete="current-password" data-testid="login-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy} data-testid="login-submit">
            {t('login.submit')}
          </Button>
        </Form>
      </Card>
    </div>
  );
}
