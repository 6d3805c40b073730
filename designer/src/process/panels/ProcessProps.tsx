import { Form, Select, Typography } from 'antd';
import { I18nInput } from '../../components/inputs.tsx';
import { problemIndex } from '../../components/problems.ts';
import { PanelHeader } from '../../components/property-panel.tsx';
import { useT, useText } from '../../i18n.ts';
import { useDefinitions } from '../../lookups.ts';
import { useEditor } from '../../store/editor.ts';
import { proc, put } from './edit.ts';

/** The process itself, when nothing on the canvas is selected: its name, description and form. */
export function ProcessProps() {
  const t = useT();
  const text = useText();
  const name = useEditor((s) => s.def?.name);
  const description = useEditor((s) => s.def?.description);
  const form = useEditor((s) => proc(s.def).form);
  const forms = useDefinitions().filter((d) => d.kind === 'form');
  const count = useEditor((s) => proc(s.def).nodes.length);
  const invalid = useEditor((s) => problemIndex(s.problems).nodes.size);
  return (
    <Form layout="vertical" size="small">
      <PanelHeader title={t('process.properties')} />
      <Typography.Paragraph type="secondary">
        {t('process.selectHint', { n: count, bad: invalid })}
      </Typography.Paragraph>
      <Form.Item label={t('common.name')}>
        <I18nInput
          value={name}
          onChange={(v) => useEditor.getState().update((d) => put(d, 'name', v ?? ''), 'name')}
          testId="process-name"
        />
      </Form.Item>
      <Form.Item label={t('common.description')}>
        <I18nInput
          multiline
          value={description}
          onChange={(v) => useEditor.getState().update((d) => put(d, 'description', v), 'description')}
        />
      </Form.Item>
      <Form.Item label={t('process.form')}>
        <Select
          value={form}
          showSearch
          optionFilterProp="label"
          onChange={(v) => useEditor.getState().update((d) => put(d, 'form', v))}
          options={forms.map((f) => ({ value: f.key, label: `${text(f.name)} (${f.key})` }))}
        />
      </Form.Item>
    </Form>
  );
}
