import type { RecordStatus } from '@opsloom/spec';
import { type FieldSchema, FieldValues, usePersonName } from '@opsloom/web-forms/field-value';
import { formatTime } from '@opsloom/web-forms/format';
import { App, Button, Card, Col, Input, Popconfirm, Rate, Row, Skeleton, Space, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { RecordAttachments, RecordComments } from '../shared/activity.tsx';
import { get, type OpenTask, post, type RecordView, type User } from '../shared/api.ts';
import { type FormRule, shownSchema } from '../shared/form-rules.ts';
import { useT } from '../shared/i18n.ts';
import { StatusTag } from '../shared/status.tsx';
import { errorText, RecordUnavailable, TaskActions, TaskInstructions } from '../shared/TaskActions.tsx';
import { RecordTimeline } from '../shared/timeline.tsx';

interface FormInfo {
  schema: { properties: Record<string, FieldSchema> };
  statuses: RecordStatus[];
  uiSchema: Record<string, unknown>;
  rules: FormRule[];
}

interface Rating {
  attitude: number;
  speed: number;
  quality: number;
  comment?: string;
  createdAt: number;
}

/**
 * One request as its requester sees it: status, values, the steps waiting on them (confirm or
 * reopen after resolution, approvals), withdraw, rating, timeline, comments and files.
 */
export default function RequestDetailPage({ id, user }: { id: number; user: User }) {
  const { t, tx, locale } = useT();
  const { message } = App.useApp();
  const [rec, setRec] = useState<RecordView | null>(null);
  // Why the record could not be read (shown in the reader's language when rendered).
  const [failure, setFailure] = useState<unknown>(null);
  const [tasks, setTasks] = useState<OpenTask[]>([]);
  // undefined while the form is read; null when it cannot be (the values are then shown plainly).
  const [form, setForm] = useState<FormInfo | null | undefined>(undefined);
  const [rating, setRating] = useState<Rating | null | undefined>(undefined);
  const [version, setVersion] = useState(0);
  const reload = useCallback(() => setVersion((v) => v + 1), []);

  useEffect(() => {
    get<RecordView>(`/records/${id}`).then(
      (r) => {
        setFailure(null);
        setRec(r);
        get<FormInfo>(`/forms/${r.type}`).then(setForm, () => setForm(null));
        get<{ rating: Rating | null }>(`/records/${id}/rating`).then((x) => setRating(x.rating));
      },
      (err) => setFailure(err ?? 'error'),
    );
    // Asked beside the record; a record that cannot be read has none to show.
    get<{ items: OpenTask[] }>(`/records/${id}/tasks`).then(
      (x) => setTasks(x.items),
      () => setTasks([]),
    );
  }, [id, version]);
  const assignee = usePersonName(rec?.assignee ?? null);
  // The fields the form shows this request's reader now: its values and its timeline alike.
  const shown = useMemo(
    () =>
      form && rec
        ? {
            ...form,
            schema: shownSchema(form.schema, form.rules, rec.data, rec.status),
            onlyShown: true,
          }
        : null,
    [form, rec],
  );

  if (failure) return <RecordUnavailable error={failure} />;
  if (!rec) return <Skeleton active />;
  const mine = rec.requester === user.username;

  async function withdraw() {
    try {
      await post(`/records/${id}/withdraw`, {});
      message.success(t('request.withdrawn'));
      reload();
    } catch (err) {
      message.error(errorText(err, locale));
    }
  }

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }} data-testid="request-detail">
      <Card>
        <Space wrap align="center" style={{ justifyContent: 'space-between', width: '100%' }}>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {rec.number} · {rec.title}
          </Typography.Title>
          <StatusTag {...rec} testId="request-status" />
        </Space>
        <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
          {rec.catalogItem?.name ? (
            <span data-testid="request-item">{`${t('request.catalogItem', { name: tx(rec.catalogItem.name) })} · `}</span>
          ) : null}
          {t('request.createdAt', { at: formatTime(rec.createdAt, locale) })}
          {assignee ? ` · ${t('request.assignee', { who: assignee })}` : ''}
        </Typography.Paragraph>
        {tasks
          .filter((task) => task.actions.length > 0)
          .map((task) => (
            <Card
              key={task.id}
              size="small"
              type="inner"
              title={tx(task.name)}
              extra={
                task.dueAt ? (
                  <Typography.Text type="secondary" data-testid="task-due">
                    {t('request.taskDue', { at: formatTime(task.dueAt, locale) })}
                  </Typography.Text>
                ) : null
              }
              style={{ marginBottom: 12 }}
            >
              <TaskInstructions task={task} />
              <TaskActions task={task} recordVersion={rec.version} record={rec} onDone={reload} />
            </Card>
          ))}
        {mine && rec.closedAt === null && rec.resolvedAt === null && (
          <Popconfirm
            title={t('request.withdrawConfirm')}
            okText={t('common.confirm')}
            cancelText={t('common.cancel')}
            onConfirm={withdraw}
          >
            <Button danger data-testid="withdraw">
              {t('request.withdraw')}
            </Button>
          </Popconfirm>
        )}
      </Card>
      {mine && rec.resolvedAt !== null && rating !== undefined && (
        <RatingCard recordId={id} rating={rating} onRated={reload} />
      )}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={14}>
          <Space direction="vertical" size="middle" style={{ width: '100%' }}>
            <Card title={t('request.details')} data-testid="request-values">
              {form === undefined ? (
                <Skeleton active />
              ) : (
                <FieldValues
                  schema={shown?.schema}
                  uiSchema={form?.uiSchema}
                  data={rec.data}
                  scope={{ recordId: id, version, recordHref: (other) => `/portal/requests/${other}` }}
                />
              )}
            </Card>
            <Card title={t('request.comments')}>
              <RecordComments recordId={id} version={version} staff={false} onChange={reload} />
            </Card>
            <Card title={t('request.attachments')}>
              <RecordAttachments recordId={id} version={version} canUpload={rec.closedAt === null} />
            </Card>
          </Space>
        </Col>
        <Col xs={24} lg={10}>
          <Card title={t('request.timeline')}>
            <RecordTimeline recordId={id} version={version} form={shown} />
          </Card>
        </Col>
      </Row>
    </Space>
  );
}

const DIMENSIONS = ['attitude', 'speed', 'quality'] as const;

/** Three five-star scores, once, after the request is resolved. */
function RatingCard(props: { recordId: number; rating: Rating | null; onRated(): void }) {
  const { t, locale } = useT();
  const { message } = App.useApp();
  const [scores, setScores] = useState<Record<string, number>>({ attitude: 0, speed: 0, quality: 0 });
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const done = props.rating;
  async function send() {
    setBusy(true);
    try {
      await post(`/records/${props.recordId}/rating`, { ...scores, ...(comment.trim() ? { comment } : {}) });
      message.success(t('rating.thanks'));
      props.onRated();
    } catch (err) {
      message.error(errorText(err, locale));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Card title={t('rating.title')} data-testid="rating">
      <Space direction="vertical">
        {DIMENSIONS.map((d) => (
          <Space key={d}>
            <span style={{ display: 'inline-block', width: 72 }}>{t(`rating.${d}`)}</span>
            <Rate
              value={done ? done[d] : scores[d]}
              disabled={Boolean(done)}
              onChange={(v) => setScores((s) => ({ ...s, [d]: v }))}
              data-testid={`rate-${d}`}
            />
          </Space>
        ))}
        {done ? (
          <Typography.Text type="success" data-testid="rating-done">
            {t('rating.done')}
            {done.comment ? ` — ${done.comment}` : ''}
          </Typography.Text>
        ) : (
          <>
            <Input.TextArea
              rows={2}
              value={comment}
              onChange={(e) => setComment(e.target.value)}
              placeholder={t('rating.comment')}
            />
            <Button
              type="primary"
              loading={busy}
              disabled={DIMENSIONS.some((d) => !scores[d])}
              onClick={send}
              data-testid="rating-submit"
            >
              {t('rating.submit')}
            </Button>
          </>
        )}
      </Space>
    </Card>
  );
}
