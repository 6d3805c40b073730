import { PaperClipOutlined, UploadOutlined } from '@ant-design/icons';
import { Person } from '@opsloom/web-forms/field-value';
import { formatTime } from '@opsloom/web-forms/format';
import { App, Button, Checkbox, Empty, Input, List, Space, Tag, Typography, Upload } from 'antd';
import { useState } from 'react';
import { type Attachment, type Comment, HttpError, post, uploadAttachment } from './api.ts';
import { useT } from './i18n.ts';
import { useLoad } from './use-load.ts';

// Around a record: its conversation and its files (the timeline is timeline.tsx).

/** Comments both ways; staff may write internal notes that requesters never see. */
export function RecordComments(props: {
  recordId: number;
  version: number;
  staff: boolean;
  onChange?(): void;
}) {
  const { t, locale } = useT();
  const { message } = App.useApp();
  const [data, reload] = useLoad<{ items: Comment[] }>(`/records/${props.recordId}/comments`, props.version);
  const [body, setBody] = useState('');
  const [internal, setInternal] = useState(false);
  const [busy, setBusy] = useState(false);
  async function send() {
    if (!body.trim()) return;
    setBusy(true);
    try {
      await post(`/records/${props.recordId}/comments`, {
        body,
        visibility: internal ? 'internal' : 'public',
      });
      setBody('');
      reload();
      props.onChange?.();
    } catch (err) {
      message.error((err as Error).message);
    } finally {
      setBusy(false);
    }
  }
  return (
    <div data-testid="comments">
      <List
        locale={{
          emptyText: <Empty description={t('comments.none')} image={Empty.PRESENTED_IMAGE_SIMPLE} />,
        }}
        dataSource={data?.items ?? []}
        renderItem={(c) => (
          <List.Item>
            <List.Item.Meta
              title={
                <Space>
                  <Person username={c.author} />
                  {c.visibility === 'internal' && <Tag color="orange">{t('comments.internal')}</Tag>}
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {formatTime(c.createdAt, locale)}
                  </Typography.Text>
                </Space>
              }
              description={<span style={{ whiteSpace: 'pre-wrap', color: 'inherit' }}>{c.body}</span>}
            />
          </List.Item>
        )}
      />
      <Input.TextArea
        rows={2}
        value={body}
        placeholder={t('comments.placeholder')}
        onChange={(e) => setBody(e.target.value)}
        data-testid="comment-input"
      />
      <Space style={{ marginTop: 8 }}>
        <Button
          type="primary"
          loading={busy}
          onClick={send}
          disabled={!body.trim()}
          data-testid="comment-send"
        >
          {t('comments.send')}
        </Button>
        {props.staff && (
          <Checkbox checked={internal} onChange={(e) => setInternal(e.target.checked)}>
            {t('comments.internalToggle')}
          </Checkbox>
        )}
      </Space>
    </div>
  );
}

/** Lists a record's files and uploads more (size and type limits are the server's). */
export function RecordAttachments(props: { recordId: number; version: number; canUpload: boolean }) {
  const { t, locale } = useT();
  const { message } = App.useApp();
  const [data, reload] = useLoad<{ items: Attachment[] }>(
    `/records/${props.recordId}/attachments`,
    props.version,
  );
  return (
    <div data-testid="attachments">
      <List
        size="small"
        locale={{ emptyText: t('attachments.none') }}
        dataSource={data?.items ?? []}
        renderItem={(a) => (
          <List.Item>
            <Space>
              <PaperClipOutlined />
              <a href={a.url} target="_blank" rel="noreferrer">
                {a.filename}
              </a>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {Math.ceil(a.size / 1024)} KB · {a.uploadedBy} · {formatTime(a.createdAt, locale)}
              </Typography.Text>
            </Space>
          </List.Item>
        )}
      />
      {props.canUpload && (
        <Upload
          showUploadList={false}
          customRequest={async ({ file, onSuccess, onError }) => {
            try {
              const res = await uploadAttachment(props.recordId, file as File);
              onSuccess?.(res);
              message.success(t('attachments.uploaded'));
              reload();
            } catch (err) {
              message.error(err instanceof HttpError ? err.message : String(err));
              onError?.(err as Error);
            }
          }}
        >
          <Button icon={<UploadOutlined />} size="small">
            {t('attachments.upload')}
          </Button>
        </Upload>
      )}
    </div>
  );
}
