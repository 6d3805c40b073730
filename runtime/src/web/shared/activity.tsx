import { PaperClipOutlined, UploadOutlined } from '@ant-design/icons';
import type { RecordStatus } from '@opsloom/spec';
import { Person } from '@opsloom/web-forms/field-value';
import { formatTime } from '@opsloom/web-forms/format';
import { App, Button, Checkbox, Empty, Input, List, Space, Tag, Timeline, Typography, Upload } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import {
  type Attachment,
  type Comment,
  get,
  type HistoryEntry,
  HttpError,
  post,
  uploadAttachment,
} from './api.ts';
import { type MessageKey, useT } from './i18n.ts';
import { statusText } from './status.tsx';

/** Reloads when `version` changes: callers bump it after an action. */
function useLoad<T>(path: string, version: number): [T | null, () => void] {
  const [data, setData] = useState<T | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    get<T>(path).then((d) => live && setData(d));
    return () => {
      live = false;
    };
  }, [path, version, tick]);
  return [data, useCallback(() => setTick((x) => x + 1), [])];
}

/** Kinds named by a message of their own (`history.<kind>`); others show as they are. */
const KINDS = new Set([
  'created',
  'field',
  'transition',
  'comment',
  'attachment',
  'link',
  'watcher',
  'task',
  'process',
  'callback',
  'rating',
  'notification',
  'notification_failed',
  'notification_retry',
  'timer',
  'http',
  'rule',
  'rule_failed',
  'rule_skipped',
  'rule_limit',
  'job_failed',
  'job_retry',
  'sla_warning',
  'sla_breach',
  'ola_warning',
  'ola_breach',
  'ci_update',
]);
const TASK_EVENTS = new Set(['created', 'claimed', 'transferred', 'approver_added', 'urged', 'vote']);

const show = (v: unknown) =>
  v === null || v === undefined || v === '' ? '∅' : typeof v === 'object' ? JSON.stringify(v) : String(v);

/**
 * One line of what an entry says: steps and actions by the names the process gives them (the
 * history API sends them beside the ids), statuses by the form's names.
 */
function describe(
  e: HistoryEntry,
  t: (key: MessageKey) => string,
  tx: (v: unknown) => string,
  status: (key: unknown) => unknown,
): string {
  const d = (e.detail ?? {}) as Record<string, unknown>;
  const n = e.names ?? {};
  const step = (name: unknown, id: unknown) => (name ? tx(name) : id ? String(id) : '');
  if (e.kind === 'field' && e.field === 'status') return `${show(status(e.from))} → ${show(status(e.to))}`;
  if (e.kind === 'field') return `${e.field}: ${show(e.from)} → ${show(e.to)}`;
  if (e.kind === 'transition') {
    const action = n.action
      ? tx(n.action)
      : d.action === 'return'
        ? t('history.action.return')
        : show(d.action ?? '');
    const to = step(n.to, d.to);
    const from = [action, step(n.node, d.node)].filter(Boolean).join(' · ');
    return to ? `${from} → ${to}` : from;
  }
  if (e.kind === 'task') {
    const event =
      typeof d.event === 'string' && TASK_EVENTS.has(d.event)
        ? t(`history.task.${d.event}` as MessageKey)
        : show(d.event ?? '');
    return [event, step(n.node, d.node), d.to ?? d.user ?? ''].filter(Boolean).join(' · ');
  }
  if (e.kind === 'process')
    return step(n.process, d.started ?? d.ended) + (d.outcome ? ` (${status(d.outcome)})` : '');
  if (e.kind === 'rating') return `${d.attitude}/${d.speed}/${d.quality}`;
  return step(n.node, d.node);
}

/** What happened to a record, newest last: created, field changes, transitions, votes, comments… */
export function RecordTimeline({
  recordId,
  version,
  statuses,
}: {
  recordId: number;
  version: number;
  /** The record type's statuses (GET /forms/:key), to name the status changes. */
  statuses?: readonly RecordStatus[];
}) {
  const { t, tx, locale } = useT();
  const [data] = useLoad<{ items: HistoryEntry[] }>(`/records/${recordId}/history`, version);
  if (!data) return null;
  // Field changes of one moment by one person read as one event.
  const items = data.items.filter((e) => e.kind !== 'field' || e.field === 'status');
  const kindText = (e: HistoryEntry) =>
    e.kind === 'field' && e.field === 'status'
      ? t('history.status')
      : KINDS.has(e.kind)
        ? t(`history.${e.kind}` as MessageKey)
        : e.kind;
  return (
    <Timeline
      data-testid="timeline"
      items={items.map((e) => ({
        key: e.id,
        color: e.kind === 'transition' ? 'green' : e.kind === 'task' ? 'blue' : 'gray',
        children: (
          <div>
            <Typography.Text strong>{kindText(e)}</Typography.Text>{' '}
            <Typography.Text type="secondary">
              {describe(e, t, tx, (key) => statusText(statuses, key, tx))}
            </Typography.Text>
            <div style={{ fontSize: 12, color: '#999' }}>
              {e.actor.includes(':') ? e.actor : <Person username={e.actor} />} · {formatTime(e.at, locale)}
            </div>
          </div>
        ),
      }))}
    />
  );
}

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
