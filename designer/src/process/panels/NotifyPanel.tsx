import type { Recipient } from '@opsloom/spec';
import { Form, Input, Select } from 'antd';
import { I18nInput } from '../../components/inputs.tsx';
import { RecipientsPicker } from '../../components/RecipientsPicker.tsx';
import { type MessageKey, useT } from '../../i18n.ts';
import { type NodePanelProps, nodeUpdater, put } from './edit.ts';
import { NodeFrame } from './NodeFrame.tsx';

/** A notification: its channel, whom it goes to (or the URL it posts to) and its text. */
export function NotifyPanel({ node, fields, statuses }: NodePanelProps<'notify'>) {
  const t = useT();
  const nf = node.notify;
  const update = nodeUpdater<'notify'>(node.id);
  const set = (recipe: (n: (typeof node)['notify']) => void, c?: string) =>
    update((n) => recipe(n.notify as (typeof node)['notify']), c);
  return (
    <NodeFrame node={node} statuses={statuses}>
      <Form.Item label={t('notify.channel')}>
        <Select
          value={nf.channel}
          onChange={(v) => set((n) => (n.channel = v))}
          options={['email', 'webhook', 'inapp', 'im'].map((c) => ({
            value: c,
            label: t(`channel.${c}` as MessageKey),
          }))}
        />
      </Form.Item>
      {(nf.channel === 'webhook' || nf.channel === 'im') && (
        <Form.Item label="URL">
          <Input value={nf.url ?? ''} onChange={(e) => set((n) => put(n, 'url', e.target.value), 'url')} />
        </Form.Item>
      )}
      {(nf.channel === 'email' || nf.channel === 'inapp') && (
        <Form.Item label={t('notify.recipients')}>
          <RecipientsPicker
            fields={fields}
            value={nf.recipients as Recipient[] | undefined}
            onChange={(v) => set((n) => put(n, 'recipients', v))}
          />
        </Form.Item>
      )}
      <Form.Item label={t('notify.subject')}>
        <I18nInput
          value={nf.template.subject}
          onChange={(v) => set((n) => put(n.template, 'subject', v), 'subject')}
        />
      </Form.Item>
      <Form.Item label={t('notify.body')}>
        <I18nInput
          multiline
          value={nf.template.body}
          onChange={(v) => set((n) => (n.template.body = v ?? ''), 'body')}
        />
      </Form.Item>
    </NodeFrame>
  );
}
