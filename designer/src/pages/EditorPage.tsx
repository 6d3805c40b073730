import {
  ArrowLeftOutlined,
  CheckCircleOutlined,
  CloudUploadOutlined,
  HistoryOutlined,
  RedoOutlined,
  SaveOutlined,
  UndoOutlined,
} from '@ant-design/icons';
import type { Definition } from '@opsloom/spec';
import { App, Badge, Button, Result, Segmented, Space, Spin, Tag, Tooltip, Typography } from 'antd';
import { lazy, Suspense, useEffect, useState } from 'react';
import { ApiFailure, api } from '../api.ts';
import { ErrorBoundary } from '../components/ErrorBoundary.tsx';
import { ProblemsPanel } from '../components/ProblemsPanel.tsx';
import { VersionsDrawer } from '../components/VersionsDrawer.tsx';
import { type MessageKey, useT, useText } from '../i18n.ts';
import { refreshDefinitions, refreshReports } from '../lookups.ts';
import { navigate } from '../router.ts';
import { allProblems, useEditor } from '../store/editor.ts';

const JsonEditor = lazy(() => import('../json/JsonEditor.tsx'));
const ProcessDesigner = lazy(() => import('../process/ProcessDesigner.tsx'));
const FormDesigner = lazy(() => import('../form/FormDesigner.tsx'));
const CatalogEditor = lazy(() => import('../catalog/CatalogEditor.tsx'));
const ReportDesigner = lazy(() => import('../report/ReportDesigner.tsx'));
const DashboardDesigner = lazy(() => import('../dashboard/DashboardDesigner.tsx'));

const VISUAL: Record<string, React.LazyExoticComponent<() => React.JSX.Element>> = {
  process: ProcessDesigner,
  form: FormDesigner,
  catalog: CatalogEditor,
  report: ReportDesigner,
  dashboard: DashboardDesigner,
};

export default function EditorPage({ kind, defKey }: { kind: string; defKey: string }) {
  const t = useT();
  const [error, setError] = useState<string | null>(null);
  const loaded = useEditor((s) => s.kind === kind && s.key === defKey && s.def !== null);

  useEffect(() => {
    const s = useEditor.getState();
    if (s.isNew && s.kind === kind && s.key === defKey) return;
    setError(null);
    api.get(kind, defKey).then(
      (detail) => {
        useEditor.getState().load(detail);
        useEditor.getState().setMode(VISUAL[kind] ? 'visual' : 'json');
      },
      (e: Error) => setError(e.message),
    );
  }, [kind, defKey]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement;
      if (target.closest('input, textarea, [contenteditable=true], .monaco-editor')) return;
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'z') {
        e.preventDefault();
        if (e.shiftKey) useEditor.getState().redo();
        else useEditor.getState().undo();
      } else if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'y') {
        e.preventDefault();
        useEditor.getState().redo();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (error) {
    return (
      <Result
        status="warning"
        title={t('editor.loadFailed')}
        subTitle={error}
        extra={<Button onClick={() => navigate('/')}>{t('editor.back')}</Button>}
      />
    );
  }
  if (!loaded) return <Spin style={{ margin: '20vh auto', display: 'block' }} />;
  return <Editor kind={kind} />;
}

function Editor({ kind }: { kind: string }) {
  const t = useT();
  const mode = useEditor((s) => s.mode);
  const Visual = VISUAL[kind];
  return (
    <div style={{ display: 'flex', flexDirection: 'column', height: '100%' }}>
      <Toolbar hasVisual={Boolean(Visual)} />
      <div style={{ flex: 1, minHeight: 0, position: 'relative' }}>
        <ErrorBoundary fallbackTitle={t('editor.crashed')}>
          <Suspense fallback={<Spin style={{ margin: '20vh auto', display: 'block' }} />}>
            {mode === 'json' || !Visual ? <JsonEditor /> : <Visual />}
          </Suspense>
        </ErrorBoundary>
      </div>
      <ProblemsPanel />
    </div>
  );
}

function Toolbar({ hasVisual }: { hasVisual: boolean }) {
  const t = useT();
  const text = useText();
  const { message } = App.useApp();
  const kind = useEditor((s) => s.kind)!;
  const key = useEditor((s) => s.key)!;
  const name = useEditor((s) => s.def?.name);
  const status = useEditor((s) => s.status);
  const latestVersion = useEditor((s) => s.latestVersion);
  const isNew = useEditor((s) => s.isNew);
  const dirty = useEditor((s) => s.isNew || JSON.stringify(s.def) !== s.savedJson);
  const canUndo = useEditor((s) => s.past.length > 0);
  const canRedo = useEditor((s) => s.future.length > 0);
  const mode = useEditor((s) => s.mode);
  const problemCount = useEditor((s) => allProblems(s).length);
  const [busy, setBusy] = useState<string | null>(null);
  const [versionsOpen, setVersionsOpen] = useState(false);

  const fail = (e: unknown) => {
    if (e instanceof ApiFailure) {
      if (e.problems.length) useEditor.getState().setServerProblems(e.problems);
      message.error(e.status === 409 ? t('editor.conflict', { message: e.message }) : e.message);
    } else message.error(String(e));
  };

  const save = async (): Promise<boolean> => {
    const s = useEditor.getState();
    const def = s.def as Definition;
    try {
      const detail = s.isNew ? await api.create(def) : await api.saveDraft(kind, key, s.revision, def);
      useEditor.getState().markSaved(detail);
      useEditor.getState().setServerProblems([]);
      return true;
    } catch (e) {
      fail(e);
      return false;
    }
  };

  const run = (what: string, fn: () => Promise<void>) => async () => {
    setBusy(what);
    try {
      await fn();
    } finally {
      setBusy(null);
    }
  };

  const onSave = run('save', async () => {
    if (await save()) message.success(t('editor.saved'));
  });
  const onValidate = run('validate', async () => {
    try {
      const result = await api.validate(useEditor.getState().def as Definition);
      useEditor.getState().setServerProblems(result.problems);
      if (result.ok) message.success(t('editor.valid'));
      else message.warning(t('editor.invalid', { n: result.problems.length }));
    } catch (e) {
      fail(e);
    }
  });
  const onPublish = run('publish', async () => {
    const s = useEditor.getState();
    if ((s.isNew || JSON.stringify(s.def) !== s.savedJson || !s.hasDraft) && !(await save())) return;
    try {
      const v = await api.publish(kind, key, useEditor.getState().revision);
      const detail = await api.get(kind, key);
      useEditor.getState().markSaved(detail);
      useEditor.getState().setServerProblems([]);
      // What other designers offer (forms for processes, reports for dashboards) has changed.
      refreshDefinitions();
      if (kind === 'report') refreshReports();
      message.success(t('editor.published', { version: v.version }));
    } catch (e) {
      fail(e);
    }
  });

  return (
    <div
      style={{
        display: 'flex',
        alignItems: 'center',
        gap: 12,
        padding: '8px 16px',
        borderBottom: '1px solid #f0f0f0',
        background: '#fff',
      }}
    >
      <Button icon={<ArrowLeftOutlined />} onClick={() => navigate('/')} aria-label={t('editor.back')} />
      <Tag>{t(`kind.${kind}` as MessageKey)}</Tag>
      <Typography.Text strong data-testid="editor-title">
        {text(name)}
      </Typography.Text>
      <Typography.Text type="secondary" code>
        {key}
      </Typography.Text>
      {status && (
        <Tag color={status === 'published' ? 'green' : 'gold'}>{t(`status.${status}` as MessageKey)}</Tag>
      )}
      {latestVersion > 0 && <Tag>v{latestVersion}</Tag>}
      {dirty && <Tag color="orange">{t('editor.unsaved')}</Tag>}
      <div style={{ flex: 1 }} />
      {hasVisual && (
        <Segmented
          value={mode}
          onChange={(v) => useEditor.getState().setMode(v as 'visual' | 'json')}
          options={[
            { value: 'visual', label: t('editor.visual') },
            { value: 'json', label: 'JSON' },
          ]}
          data-testid="mode"
        />
      )}
      <Space.Compact>
        <Tooltip title={t('editor.undo')}>
          <Button
            icon={<UndoOutlined />}
            disabled={!canUndo}
            onClick={() => useEditor.getState().undo()}
            data-testid="undo"
          />
        </Tooltip>
        <Tooltip title={t('editor.redo')}>
          <Button
            icon={<RedoOutlined />}
            disabled={!canRedo}
            onClick={() => useEditor.getState().redo()}
            data-testid="redo"
          />
        </Tooltip>
      </Space.Compact>
      <Button icon={<SaveOutlined />} loading={busy === 'save'} onClick={onSave} data-testid="save">
        {t('editor.save')}
      </Button>
      <Badge count={problemCount} size="small">
        <Button
          icon={<CheckCircleOutlined />}
          loading={busy === 'validate'}
          onClick={onValidate}
          data-testid="validate"
        >
          {t('editor.validate')}
        </Button>
      </Badge>
      <Button
        type="primary"
        icon={<CloudUploadOutlined />}
        loading={busy === 'publish'}
        onClick={onPublish}
        data-testid="publish"
      >
        {t('editor.publish')}
      </Button>
      <Button
        icon={<HistoryOutlined />}
        disabled={isNew}
        onClick={() => setVersionsOpen(true)}
        data-testid="versions"
      >
        {t('editor.versions')}
      </Button>
      {versionsOpen && <VersionsDrawer kind={kind} defKey={key} onClose={() => setVersionsOpen(false)} />}
    </div>
  );
}
