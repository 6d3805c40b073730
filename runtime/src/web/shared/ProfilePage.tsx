import { formatTime } from '@opsloom/web-forms/format';
import {
  Alert,
  App,
  Button,
  Card,
  Form,
  Input,
  InputNumber,
  Popconfirm,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, get, HttpError, patch, post, put, setCsrf, type User } from './api.ts';
import { type Locale, setLocale, translate, useT } from './i18n.ts';

interface Profile extends User {
  email: string | null;
}

interface Token {
  id: number;
  name: string;
  prefix: string;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
  revoked: boolean;
}

/** A refusal's message, with the field it names when the server gave one. */
function refusal(err: unknown): string {
  if (err instanceof HttpError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Everyone's own page (/portal/profile, linked from the user menu of every app): display name,
 * e-mail, language, password change, own API tokens. It lives in the portal because every
 * logged-in person may open the portal; the designer is for admins only.
 */
export default function ProfilePage({ onChanged }: { onChanged?(user: User): void }) {
  const { t, locale } = useT();
  const { message } = App.useApp();
  const [me, setMe] = useState<Profile | null>(null);
  const [details] = Form.useForm();
  const [pw] = Form.useForm();
  const [pwError, setPwError] = useState<string | null>(null);

  useEffect(() => {
    get<{ user: Profile }>('/auth/session').then((s) => setMe(s.user));
  }, []);
  useEffect(() => {
    if (me) details.setFieldsValue({ displayName: me.displayName, email: me.email, locale: me.locale });
  }, [me, details]);

  if (!me) return null;
  const time = (ms: number | null) => formatTime(ms, locale);

  return (
    <Space direction="vertical" size={16} style={{ width: '100%', maxWidth: 820 }} data-testid="profile-page">
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('profile.title')}
      </Typography.Title>
      <Card title={t('profile.details')} size="small">
        <Typography.Paragraph type="secondary">
          {t('profile.username')}: <b>{me.username}</b>
        </Typography.Paragraph>
        <Form
          form={details}
          layout="vertical"
          onFinish={async (v) => {
            try {
              const saved = await patch<Profile>('/auth/profile', {
                displayName: v.displayName,
                email: v.email ? v.email : null,
                locale: v.locale,
              });
              setMe(saved);
              // The apps switch to the chosen language at once; the server keeps it for notifications.
              if (saved.locale !== locale) setLocale(saved.locale as Locale);
              onChanged?.(saved);
              message.success(translate(saved.locale as Locale, 'profile.saved'));
            } catch (err) {
              message.error(refusal(err), 6);
            }
          }}
        >
          <Form.Item
            name="displayName"
            label={t('profile.displayName')}
            rules={[{ required: true, message: t('profile.displayNameRequired') }]}
          >
            <Input data-testid="profile-display-name" />
          </Form.Item>
          <Form.Item
            name="email"
            label={t('profile.email')}
            rules={[{ type: 'email', message: t('profile.emailInvalid') }]}
          >
            <Input data-testid="profile-email" />
          </Form.Item>
          <Form.Item name="locale" label={t('profile.language')} extra={t('profile.languageHelp')}>
            <Select
              data-testid="profile-language"
              style={{ width: 200 }}
              options={[
                { value: 'zh-CN', label: '中文' },
                { value: 'en', label: 'English' },
              ]}
            />
          </Form.Item>
          <Button type="primary" htmlType="submit" data-testid="profile-save">
            {t('profile.save')}
          </Button>
        </Form>
      </Card>
      <Card title={t('profile.password')} size="small">
        <Form
          form={pw}
          layout="vertical"
          style={{ maxWidth: 360 }}
          onFinish={async (v) => {
            setPwError(null);
            try {
              const r = await put<{ csrfToken: string | null }>('/auth/password', {
                currentPassword: v.current,
                newPassword: v.next,
              });
              // The change ended the old session; the answer carries the new one's CSRF token.
              setCsrf(r.csrfToken);
              pw.resetFields();
              message.success(t('profile.passwordChanged'));
            } catch (err) {
              setPwError(
                err instanceof HttpError && err.status === 401 ? t('profile.currentWrong') : refusal(err),
              );
            }
          }}
        >
          <Form.Item
            name="current"
            label={t('profile.currentPassword')}
            rules={[{ required: true, message: t('profile.currentRequired') }]}
          >
            <Input.Password data-testid="profile-current-password" autoComplete="current-password" />
          </Form.Item>
          <Form.Item
            name="next"
            label={t('profile.newPassword')}
            extra={t('profile.newPasswordHelp')}
            rules={[{ required: true, min: 8, message: t('profile.newPasswordMin') }]}
          >
            <Input.Password data-testid="profile-new-password" autoComplete="new-password" />
          </Form.Item>
          <Form.Item
            name="confirm"
            label={t('profile.confirmPassword')}
            dependencies={['next']}
            rules={[
              { required: true, message: t('profile.confirmRequired') },
              ({ getFieldValue }) => ({
                validator: (_, value) =>
                  !value || value === getFieldValue('next')
                    ? Promise.resolve()
                    : Promise.reject(new Error(t('profile.confirmMismatch'))),
              }),
            ]}
          >
            <Input.Password data-testid="profile-confirm-password" autoComplete="new-password" />
          </Form.Item>
          {pwError && (
            <Alert
              type="error"
              showIcon
              message={pwError}
              style={{ marginBottom: 12 }}
              data-testid="profile-password-error"
            />
          )}
          <Button type="primary" htmlType="submit" data-testid="profile-change-password">
            {t('profile.changePassword')}
          </Button>
        </Form>
      </Card>
      <OwnTokens time={time} />
    </Space>
  );
}

function OwnTokens({ time }: { time(ms: number | null): string }) {
  const { t } = useT();
  const { message } = App.useApp();
  const [tokens, setTokens] = useState<Token[] | null>(null);
  const [minted, setMinted] = useState<string | null>(null);
  const [form] = Form.useForm();
  const reload = useCallback(() => {
    get<{ items: Token[] }>('/auth/tokens').then((r) => setTokens(r.items.filter((x) => !x.revoked)));
  }, []);
  useEffect(reload, []);
  return (
    <Card title={t('profile.tokens')} size="small">
      <Typography.Paragraph type="secondary">{t('profile.tokensHelp')}</Typography.Paragraph>
      <Table<Token>
        size="small"
        rowKey="id"
        pagination={false}
        loading={tokens === null}
        dataSource={tokens ?? []}
        columns={[
          { title: t('profile.tokenName'), dataIndex: 'name' },
          { title: t('profile.tokenPrefix'), dataIndex: 'prefix', render: (v: string) => <code>{v}…</code> },
          { title: t('profile.tokenCreated'), render: (_, x) => time(x.createdAt) },
          { title: t('profile.tokenLastUsed'), render: (_, x) => (x.lastUsedAt ? time(x.lastUsedAt) : '—') },
          {
            title: t('profile.tokenExpires'),
            render: (_, x) => (x.expiresAt ? time(x.expiresAt) : <Tag>{t('profile.tokenNoExpiry')}</Tag>),
          },
          {
            title: '',
            render: (_, x) => (
              <Popconfirm
                title={t('profile.tokenRevokeConfirm')}
                onConfirm={async () => {
                  try {
                    await api('DELETE', `/auth/tokens/${x.id}`);
                    reload();
                  } catch (err) {
                    message.error(refusal(err));
                  }
                }}
              >
                <Button size="small" danger>
                  {t('profile.tokenRevoke')}
                </Button>
              </Popconfirm>
            ),
          },
        ]}
      />
      <Form
        form={form}
        layout="inline"
        style={{ marginTop: 12 }}
        onFinish={async (v) => {
          try {
            const r = await post<{ token: string }>('/auth/tokens', {
              name: v.name,
              ...(v.days ? { expiresInDays: v.days } : {}),
            });
            setMinted(r.token);
            form.resetFields();
            reload();
          } catch (err) {
            message.error(refusal(err));
          }
        }}
      >
        <Form.Item name="name" rules={[{ required: true, message: t('profile.tokenNameRequired') }]}>
          <Input placeholder={t('profile.tokenName')} data-testid="profile-token-name" />
        </Form.Item>
        <Form.Item name="days">
          <InputNumber min={1} max={3650} placeholder={t('profile.tokenDays')} style={{ width: 160 }} />
        </Form.Item>
        <Button htmlType="submit" data-testid="profile-token-create">
          {t('profile.tokenCreate')}
        </Button>
      </Form>
      {minted && (
        <Alert
          style={{ marginTop: 12 }}
          type="warning"
          showIcon
          closable
          onClose={() => setMinted(null)}
          message={t('profile.tokenShownOnce')}
          description={
            <Typography.Text copyable code data-testid="profile-token-value">
              {minted}
            </Typography.Text>
          }
        />
      )}
    </Card>
  );
}
