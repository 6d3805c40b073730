import Editor, { type OnMount } from '@monaco-editor/react';
import type { Definition } from '@opsloom/spec';
import { Alert, Space, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useLocale, useT } from '../i18n.ts';
import { useEditor } from '../store/editor.ts';
import { modelUri } from './monaco.ts';
import { usableByDesigner } from './usable.ts';

type MonacoEditor = Parameters<OnMount>[0];

/**
 * The definition as JSON. Every edit that parses (and keeps the shape the visual designer
 * needs) replaces the definition in the store; anything else leaves the last valid definition
 * untouched and shows why, so broken JSON never destroys the canvas.
 */
export default function JsonEditor() {
  const t = useT();
  const locale = useLocale((s) => s.locale);
  const kind = useEditor((s) => s.kind)!;
  const key = useEditor((s) => s.key)!;
  const def = useEditor((s) => s.def);
  const [error, setError] = useState<string | null>(null);
  const [markers, setMarkers] = useState(0);
  const editorRef = useRef<MonacoEditor | null>(null);
  /** The definition this editor last wrote or showed; a different one came from elsewhere (undo). */
  const shown = useRef<Definition | null>(def);

  useEffect(() => {
    const editor = editorRef.current;
    if (!editor || def === shown.current) return;
    shown.current = def;
    editor.setValue(JSON.stringify(def, null, 2));
    setError(null);
  }, [def]);

  const onChange = (value: string | undefined) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value ?? '');
    } catch (e) {
      setError(t('json.parseError', { message: (e as Error).message }));
      return;
    }
    const problem = usableByDesigner(parsed, kind);
    if (problem) {
      setError(t(problem));
      return;
    }
    setError(null);
    const current = useEditor.getState().def;
    if (JSON.stringify(current) === JSON.stringify(parsed)) return;
    shown.current = parsed as Definition;
    useEditor.getState().replace(parsed as Definition, 'json');
  };

  return (
    <div style={{ display: 'flex', flexDirection: 'column', height: '100%' }} data-testid="json-editor">
      {error ? (
        <Alert
          type="error"
          showIcon
          title={error}
          description={t('json.keptLastValid')}
          data-testid="json-error"
        />
      ) : (
        <Space style={{ padding: '4px 12px' }}>
          <Typography.Text type={markers ? 'warning' : 'secondary'} data-testid="json-status">
            {markers ? t('json.schemaProblems', { n: markers }) : t('json.valid')}
          </Typography.Text>
        </Space>
      )}
      <div style={{ flex: 1, minHeight: 0 }}>
        <Editor
          language="json"
          path={modelUri(kind, key)}
          defaultValue={JSON.stringify(def, null, 2)}
          onChange={onChange}
          onMount={(editor) => {
            editorRef.current = editor;
          }}
          onValidate={(m) => setMarkers(m.length)}
          options={{
            minimap: { enabled: false },
            fontSize: 13,
            tabSize: 2,
            automaticLayout: true,
            scrollBeyondLastLine: false,
            ariaLabel: locale === 'en' ? 'Definition JSON' : '定义 JSON',
          }}
        />
      </div>
    </div>
  );
}
