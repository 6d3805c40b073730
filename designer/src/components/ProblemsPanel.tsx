import { CheckCircleTwoTone, CloseCircleTwoTone, DownOutlined, UpOutlined } from '@ant-design/icons';
import type { Problem } from '@opsloom/spec';
import { Button, List, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useLocale, useT } from '../i18n.ts';
import { useEditor } from '../store/editor.ts';
import { fieldOf, reportItemOf, widgetOf } from './problems.ts';

/** Every problem of the definition, from the browser's validator and from the server. */
export function ProblemsPanel() {
  const t = useT();
  const locale = useLocale((s) => s.locale);
  const [open, setOpen] = useState(true);
  const { local, server } = useEditor(useShallow((s) => ({ local: s.problems, server: s.serverProblems })));
  const seen = new Set<string>();
  const items: (Problem & { origin: 'server' | 'local' })[] = [];
  for (const [origin, list] of [
    ['server', server],
    ['local', local],
  ] as const) {
    for (const p of list) {
      const k = `${p.code}|${p.path}|${p.message.en}`;
      if (seen.has(k)) continue;
      seen.add(k);
      items.push({ ...p, origin });
    }
  }

  const go = (p: Problem) => {
    const s = useEditor.getState();
    const field = fieldOf(p);
    const reportItem = s.kind === 'report' ? reportItemOf(p) : undefined;
    const widget = s.kind === 'dashboard' ? widgetOf(p, s.def) : undefined;
    if (reportItem) s.select({ reportItem });
    else if (widget) s.select({ widget });
    else if (p.nodeId) s.select({ nodeId: p.nodeId });
    else if (p.edgeId) s.select({ edgeId: p.edgeId });
    else if (field) s.select({ field });
  };

  return (
    <div
      style={{
        borderTop: '1px solid #f0f0f0',
        background: '#fff',
        maxHeight: open ? 180 : 34,
        overflow: 'auto',
      }}
    >
      <Space style={{ padding: '4px 16px', width: '100%' }} data-testid="problems-header">
        {items.length ? (
          <CloseCircleTwoTone twoToneColor="#ff4d4f" />
        ) : (
          <CheckCircleTwoTone twoToneColor="#52c41a" />
        )}
        <Typography.Text strong>
          {items.length ? t('problems.count', { n: items.length }) : t('problems.none')}
        </Typography.Text>
        {items.length > 0 && (
          <Button
            size="small"
            type="text"
            icon={open ? <DownOutlined /> : <UpOutlined />}
            onClick={() => setOpen(!open)}
          />
        )}
      </Space>
      {open && items.length > 0 && (
        <List
          size="small"
          data-testid="problems"
          dataSource={items}
          renderItem={(p) => (
            <List.Item
              style={{ cursor: 'pointer', paddingInline: 16 }}
              onClick={() => go(p)}
              data-testid="problem"
              data-path={p.path}
            >
              <Space>
                <Tag color={p.origin === 'server' ? 'red' : 'orange'}>
                  {p.origin === 'server' ? t('problems.server') : t('problems.local')}
                </Tag>
                <Typography.Text>{p.message[locale] ?? p.message.en}</Typography.Text>
                <Typography.Text type="secondary" code>
                  {p.path || '/'}
                </Typography.Text>
              </Space>
            </List.Item>
          )}
        />
      )}
    </div>
  );
}
