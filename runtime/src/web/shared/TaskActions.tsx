import { Alert, App, Button, Input, Modal, Space, Spin, Typography } from 'antd';
import { lazy, Suspense, useState } from 'react';
import { HttpError, type OpenTask, type Problem, post, type TaskAction } from './api.ts';
import { useT } from './i18n.ts';

const ActionInput = lazy(() => import('./ActionInput.tsx'));

const inputSchema = (action: TaskAction | null) =>
  action?.input && typeof action.input === 'object' ? (action.input as Record<string, unknown>) : null;

/** Turns a 400's field problems into one readable line in the current language. */
export function errorText(err: unknown, locale: 'zh-CN' | 'en'): string {
  if (err instanceof HttpError) {
    // The server's message names the first problem already; the others follow it.
    const problems = err.details?.problems ?? [];
    if (problems.length > 1)
      return `${err.message}: ${problems.map((p) => `${p.path} ${p.message[locale]}`).join('; ')}`;
    return err.message;
  }
  return String(err);
}

/**
 * In place of a record that could not be read: not there or not the reader's to see (404), or
 * the server's own words.
 */
export function RecordUnavailable({ error }: { error: unknown }) {
  const { t, locale } = useT();
  const text =
    error instanceof HttpError && error.status === 404 ? t('record.notFound') : errorText(error, locale);
  return <Alert type="warning" showIcon title={text} data-testid="record-missing" />;
}

/** What the step asks of the person who may act on it now, above its buttons. */
export function TaskInstructions({ task }: { task: OpenTask }) {
  const { tx } = useT();
  const text = task.instructions ? tx(task.instructions) : '';
  if (!text || !task.can.act) return null;
  return (
    <Typography.Paragraph type="secondary" style={{ whiteSpace: 'pre-wrap' }} data-testid="task-instructions">
      {text}
    </Typography.Paragraph>
  );
}

/**
 * The buttons of a task the caller may act on: one per outgoing edge (approve, resolve…).
 * Each asks for an optional comment, then posts the action with the field changes `data()` gives.
 */
export function TaskActions(props: {
  task: OpenTask;
  recordVersion?: number;
  data?: () => Record<string, unknown> | undefined;
  /** The record the task is on (its values and status), for choices an action's input offers. */
  record?: { data: Record<string, unknown>; status: string };
  onDone(): void;
  /** The server refused the action: its field problems can be shown where the fields are. */
  onRefused?(err: unknown): void;
  size?: 'small' | 'middle';
}) {
  const { t, tx, locale } = useT();
  const { message } = App.useApp();
  const [pending, setPending] = useState<TaskAction | null>(null);
  const [comment, setComment] = useState('');
  const [input, setInput] = useState<Record<string, unknown>>({});
  // The server's problems with what the action's own input said, shown at its fields.
  const [inputProblems, setInputProblems] = useState<Problem[]>([]);
  const [busy, setBusy] = useState(false);
  function open(action: TaskAction | null) {
    setPending(action);
    setInput({});
    setInputProblems([]);
  }
  async function run(action: TaskAction) {
    setBusy(true);
    try {
      const data = props.data?.();
      await post(`/tasks/${props.task.id}/actions/${action.key}`, {
        ...(data && Object.keys(data).length ? { data } : {}),
        ...(inputSchema(action) ? { input } : {}),
        ...(comment.trim() ? { comment: comment.trim() } : {}),
        ...(props.recordVersion ? { recordVersion: props.recordVersion } : {}),
      });
      message.success(t('task.done', { action: tx(action.label) }));
      open(null);
      setComment('');
      props.onDone();
    } catch (err) {
      const problems = err instanceof HttpError ? (err.details?.problems ?? []) : [];
      const ofInput = problems.filter((p) => p.path.startsWith('/input/'));
      if (ofInput.length) {
        // The dialog's own fields: the problems stay beside them, the dialog open.
        setInputProblems(ofInput.map((p) => ({ ...p, path: p.path.slice('/input'.length) })));
      } else {
        props.onRefused?.(err);
        // Field problems are for the form behind the dialog: close it, keeping the comment.
        if (problems.length) setPending(null);
      }
      message.error(errorText(err, locale));
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <Space wrap>
        {props.task.actions.map((a) => (
          <Button
            key={a.key}
            size={props.size ?? 'middle'}
            type={a.style === 'primary' ? 'primary' : 'default'}
            danger={a.style === 'danger'}
            data-testid={`action-${a.key}`}
            onClick={() => open(a)}
          >
            {tx(a.label)}
          </Button>
        ))}
      </Space>
      <Modal
        open={pending !== null}
        title={pending ? tx(pending.label) : ''}
        okText={t('common.confirm')}
        cancelText={t('common.cancel')}
        confirmLoading={busy}
        onOk={() => pending && run(pending)}
        onCancel={() => open(null)}
        okButtonProps={{ 'data-testid': 'action-confirm' } as never}
        destroyOnHidden
      >
        {inputSchema(pending) && (
          <Suspense fallback={<Spin />}>
            <ActionInput
              schema={inputSchema(pending)!}
              value={input}
              onChange={setInput}
              problems={inputProblems}
              record={props.record}
            />
          </Suspense>
        )}
        <Input.TextArea
          rows={3}
          value={comment}
          placeholder={t('task.commentOptional')}
          onChange={(e) => setComment(e.target.value)}
        />
      </Modal>
    </>
  );
}
