import {
  Alert,
  Button,
  Card,
  Form,
  Input,
  InputNumber,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { useT } from '../i18n.ts';
import { adminApi } from './api.ts';
import { failureText, useAction, useLoad, useTime } from './common.tsx';

type Outcome = { ok: true; text: string } | { ok: false; text: string } | null;

/** Mail (SMTP) settings and IM robots, each with "send a test message". */
export function NotificationsPanel() {
  const t = useT();
  return (
    <Space direction="vertical" size={16} style={{ width: '100%', maxWidth: 900 }}>
      <Typography.Title level={4} style={{ margin: 0 }}>
        {t('admin.nav.notifications')}
      </Typography.Title>
      <MailSettings />
      <ImTest />
      <Secrets />
    </Space>
  );
}

function TestOutcome({ outcome, testId }: { outcome: Outcome; testId: string }) {
  if (!outcome) return null;
  return (
    <Alert
      style={{ marginTop: 12 }}
      type={outcome.ok ? 'success' : 'error'}
      showIcon
      message={outcome.text}
      data-testid={testId}
    />
  );
}

function MailSettings() {
  const t = useT();
  const act = useAction();
  const [form] = Form.useForm();
  const smtp = useLoad(() => adminApi.smtp());
  const [to, setTo] = useState('');
  const [sending, setSending] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  useEffect(() => {
    if (smtp.data) form.setFieldsValue({ ...smtp.data, password: undefined });
  }, [smtp.data, form]);
  const source = smtp.data?.source;
  return (
    <Card title={t('admin.mail.title')} size="small" data-testid="mail-settings">
      {source && (
        <Typography.Paragraph type="secondary">{t(`admin.mail.source.${source}`)}</Typography.Paragraph>
      )}
      <Form
        form={form}
        layout="vertical"
        onFinish={async (v) => {
          const body: Record<string, unknown> = {
            host: v.host,
            port: v.port,
            secure: Boolean(v.secure),
            startTls: v.startTls,
            username: v.username || null,
            from: v.from,
            tlsRejectUnauthorized: Boolean(v.tlsRejectUnauthorized),
          };
          if (v.password) body.password = v.password;
          if (await act(() => adminApi.saveSmtp(body), t('admin.saved'))) smtp.reload();
        }}
      >
        <Space wrap align="start">
          <Form.Item
            name="host"
            label={t('admin.mail.host')}
            rules={[{ required: true, message: t('admin.mail.hostRequired') }]}
          >
            <Input style={{ width: 260 }} data-testid="smtp-host" />
          </Form.Item>
          <Form.Item
            name="port"
            label={t('admin.mail.port')}
            rules={[{ required: true, message: t('admin.mail.portRequired') }]}
          >
            <InputNumber min={1} max={65535} data-testid="smtp-port" />
          </Form.Item>
          <Form.Item name="secure" label={t('admin.mail.secure')} valuePropName="checked">
            <Switch />
          </Form.Item>
          <Form.Item name="startTls" label={t('admin.mail.startTls')}>
            <Select
              style={{ width: 180 }}
              options={(['required', 'opportunistic', 'never'] as const).map((v) => ({
                value: v,
                label: t(`admin.mail.startTls.${v}`),
              }))}
            />
          </Form.Item>
        </Space>
        <Space wrap align="start">
          <Form.Item name="username" label={t('admin.mail.username')}>
            <Input style={{ width: 220 }} data-testid="smtp-username" autoComplete="off" />
          </Form.Item>
          <Form.Item
            name="password"
            label={t('admin.mail.password')}
            extra={smtp.data?.passwordSet ? t('admin.mail.passwordKept') : undefined}
          >
            <Input.Password style={{ width: 220 }} data-testid="smtp-password" autoComplete="new-password" />
          </Form.Item>
          <Form.Item
            name="from"
            label={t('admin.mail.from')}
            rules={[{ required: true, message: t('admin.mail.fromRequired') }]}
          >
            <Input
              style={{ width: 300 }}
              data-testid="smtp-from"
              placeholder="Opsloom <noreply@example.com>"
            />
          </Form.Item>
        </Space>
        <Form.Item
          name="tlsRejectUnauthorized"
          label={t('admin.mail.verifyCert')}
          valuePropName="checked"
          extra={t('admin.mail.verifyCertHelp')}
        >
          <Switch data-testid="smtp-verify" />
        </Form.Item>
        <Button type="primary" htmlType="submit" data-testid="smtp-save">
          {t('admin.save')}
        </Button>
      </Form>
      <Space style={{ marginTop: 16 }}>
        <Input
          style={{ width: 300 }}
          placeholder={t('admin.mail.testTo')}
          value={to}
          onChange={(e) => setTo(e.target.value)}
          data-testid="mail-test-to"
        />
        <Button
          loading={sending}
          data-testid="mail-test-send"
          onClick={async () => {
            setSending(true);
            setOutcome(null);
            try {
              const r = await adminApi.testMessage({ channel: 'email', to });
              setOutcome({ ok: true, text: t('admin.test.sent', { to: r.to }) });
            } catch (err) {
              setOutcome({ ok: false, text: failureText(err) });
            } finally {
              setSending(false);
            }
          }}
        >
          {t('admin.test.send')}
        </Button>
      </Space>
      <TestOutcome outcome={outcome} testId="mail-test-outcome" />
    </Card>
  );
}

function ImTest() {
  const t = useT();
  const [form] = Form.useForm();
  const [sending, setSending] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  return (
    <Card title={t('admin.im.title')} size="small" data-testid="im-settings">
      <Typography.Paragraph type="secondary">{t('admin.im.help')}</Typography.Paragraph>
      <Form
        form={form}
        layout="vertical"
        initialValues={{ format: 'wecom' }}
        onFinish={async (v) => {
          setSending(true);
          setOutcome(null);
          try {
            const r = await adminApi.testMessage({
              channel: 'im',
              format: v.format,
              url: v.url,
              ...(v.secret ? { secret: v.secret } : {}),
            });
            setOutcome({ ok: true, text: t('admin.test.sent', { to: r.to }) });
          } catch (err) {
            setOutcome({ ok: false, text: failureText(err) });
          } finally {
            setSending(false);
          }
        }}
      >
        <Space wrap align="start">
          <Form.Item name="format" label={t('admin.im.format')}>
            <Select
              style={{ width: 160 }}
              options={[
                { value: 'dingtalk', label: t('admin.im.dingtalk') },
                { value: 'feishu', label: t('admin.im.feishu') },
                { value: 'wecom', label: t('admin.im.wecom') },
                { value: 'slack', label: 'Slack' },
              ]}
            />
          </Form.Item>
          <Form.Item
            name="url"
            label={t('admin.im.url')}
            rules={[{ required: true, message: t('admin.im.urlRequired') }]}
          >
            <Input
              style={{ width: 460 }}
              placeholder="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={{ secrets.WECOM_ROBOT_KEY }}"
              data-testid="im-url"
            />
          </Form.Item>
          <Form.Item name="secret" label={t('admin.im.secret')}>
            <Input
              style={{ width: 260 }}
              placeholder="{{ secrets.DINGTALK_SECRET }}"
              data-testid="im-secret"
            />
          </Form.Item>
        </Space>
        <Button htmlType="submit" loading={sending} data-testid="im-test-send">
          {t('admin.test.send')}
        </Button>
      </Form>
      <TestOutcome outcome={outcome} testId="im-test-outcome" />
    </Card>
  );
}

function Secrets() {
  const t = useT();
  const act = useAction();
  const time = useTime();
  const secrets = useLoad(() => adminApi.secrets());
  const [form] = Form.useForm();
  return (
    <Card title={t('admin.secrets.title')} size="small">
      <Typography.Paragraph type="secondary">{t('admin.secrets.help')}</Typography.Paragraph>
      <Table
        size="small"
        rowKey="name"
        pagination={false}
        loading={secrets.data === null}
        dataSource={secrets.data ?? []}
        columns={[
          { title: t('common.name'), dataIndex: 'name', render: (v) => <code>{v}</code> },
          {
            title: t('admin.secrets.readable'),
            dataIndex: 'readable',
            render: (v) =>
              v ? <Tag color="green">{t('admin.yes')}</Tag> : <Tag color="red">{t('admin.no')}</Tag>,
          },
          { title: t('admin.updatedAt'), dataIndex: 'updatedAt', render: (v) => time(v) },
        ]}
      />
      <Form
        form={form}
        layout="inline"
        style={{ marginTop: 12 }}
        onFinish={async (v) => {
          if (await act(() => adminApi.putSecret(v.name, v.value), t('admin.saved'))) {
            form.resetFields();
            secrets.reload();
          }
        }}
      >
        <Form.Item
          name="name"
          rules={[
            { required: true, pattern: /^[A-Z][A-Z0-9_]{0,63}$/, message: t('admin.secrets.namePattern') },
          ]}
        >
          <Input placeholder="WECOM_ROBOT_KEY" style={{ width: 220 }} />
        </Form.Item>
        <Form.Item name="value" rules={[{ required: true, message: t('admin.secrets.valueRequired') }]}>
          <Input.Password
            placeholder={t('admin.secrets.value')}
            style={{ width: 260 }}
            autoComplete="new-password"
          />
        </Form.Item>
        <Button htmlType="submit">{t('admin.secrets.set')}</Button>
      </Form>
    </Card>
  );
}
