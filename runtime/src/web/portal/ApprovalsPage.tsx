import { type FieldSchema, FieldValues, Person } from '@opsloom/web-forms/field-value';
import { formatTime } from '@opsloom/web-forms/format';
import { Card, Collapse, Empty, Skeleton, Space, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'wouter';
import { get, type MyTask, type OpenTask, type RecordView } from '../shared/api.ts';
import { type FormRule, shownSchema } from '../shared/form-rules.ts';
import { type MessageKey, useT } from '../shared/i18n.ts';
import { TaskActions, TaskInstructions } from '../shared/TaskActions.tsx';

/** Tasks waiting for the person — approvals above all — each with its buttons right here. */
export default function ApprovalsPage() {
  const { t } = useT();
  const [items, setItems] = useState<MyTask[] | null>(null);
  const load = useCallback(() => {
    get<{ items: MyTask[] }>('/tasks?mine=true').then((r) => setItems(r.items));
  }, []);
  useEffect(load, []);
  if (!items) return <Skeleton active />;
  return (
    <div data-testid="approvals">
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        {t('nav.myApprovals')}
      </Typography.Title>
      {items.length === 0 ? (
        <Empty description={t('approvals.none')} />
      ) : (
        <Space direction="vertical" style={{ width: '100%' }}>
          {items.map((task) => (
            <ApprovalCard key={task.id} task={task} onDone={load} />
          ))}
        </Space>
      )}
    </div>
  );
}

const MODES: Record<string, MessageKey> = {
  all: 'approvals.mode.all',
  any: 'approvals.mode.any',
  sequential: 'approvals.mode.sequential',
};

function ApprovalCard({ task, onDone }: { task: MyTask; onDone(): void }) {
  const { t, tx, locale } = useT();
  const [open, setOpen] = useState<OpenTask | null>(null);
  useEffect(() => {
    get<{ items: OpenTask[] }>(`/records/${task.recordId}/tasks`).then((r) =>
      setOpen(r.items.find((x) => x.id === task.id) ?? null),
    );
  }, [task.recordId, task.id]);
  return (
    <Card size="small" data-testid={`approval-${task.number}`}>
      <Space direction="vertical" style={{ width: '100%' }}>
        <Space wrap>
          <Link href={`/requests/${task.recordId}`}>
            <Typography.Text strong>
              {task.number} · {task.title}
            </Typography.Text>
          </Link>
          {task.catalogItem?.name ? (
            <Typography.Text type="secondary" data-testid="approval-service">
              {tx(task.catalogItem.name)}
            </Typography.Text>
          ) : null}
          <Tag color="gold">{tx(task.name)}</Tag>
          {task.approvalMode && MODES[task.approvalMode] && <Tag>{t(MODES[task.approvalMode]!)}</Tag>}
        </Space>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {task.requester && (
            <>
              {t('approvals.requester')}: <Person username={task.requester} /> ·{' '}
            </>
          )}
          {formatTime(task.createdAt, locale)}
        </Typography.Text>
        <Collapse
          size="small"
          items={[
            {
              key: 'details',
              label: t('approvals.details'),
              children: <RequestValues recordId={task.recordId} />,
            },
          ]}
          data-testid={`approval-details-${task.number}`}
        />
        {open && <TaskInstructions task={open} />}
        {open && <TaskActions task={open} onDone={onDone} />}
      </Space>
    </Card>
  );
}

/** What the request says, as its requester filled it: read when the approver opens it. */
function RequestValues({ recordId }: { recordId: number }) {
  const [shown, setShown] = useState<{
    rec: RecordView;
    form: {
      schema: { properties: Record<string, FieldSchema> };
      uiSchema: Record<string, unknown>;
      rules?: FormRule[];
    } | null;
  } | null>(null);
  useEffect(() => {
    get<RecordView>(`/records/${recordId}`).then(async (rec) => {
      const form = await get<NonNullable<typeof shown>['form']>(`/forms/${rec.type}`).catch(() => null);
      setShown({ rec, form });
    });
  }, [recordId]);
  if (!shown) return <Skeleton active />;
  return (
    <FieldValues
      schema={
        shown.form && shownSchema(shown.form.schema, shown.form.rules, shown.rec.data, shown.rec.status)
      }
      uiSchema={shown.form?.uiSchema}
      data={shown.rec.data}
      scope={{ recordId, version: shown.rec.version, recordHref: (other) => `/portal/requests/${other}` }}
    />
  );
}
