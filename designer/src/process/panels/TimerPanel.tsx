import { Form } from 'antd';
import { DurationInput } from '../../components/DurationInput.tsx';
import { ExpressionInput } from '../../components/inputs.tsx';
import { useT } from '../../i18n.ts';
import { type NodePanelProps, putNodeValue } from './edit.ts';
import { NodeFrame } from './NodeFrame.tsx';

/** A timer: waits a duration, or until the instant an expression gives. */
export function TimerPanel({ node, fields, statuses }: NodePanelProps<'timer'>) {
  const t = useT();
  const id = node.id;
  return (
    <NodeFrame node={node} statuses={statuses}>
      <Form.Item label={t('process.timerDelay')} help={t('process.durationHelp')}>
        <DurationInput
          value={node.timer.delay}
          onChange={(v) => putNodeValue(id, 'timer', 'delay', v, 'delay')}
          testId="timer-delay"
        />
      </Form.Item>
      <Form.Item label={t('process.timerUntil')}>
        <ExpressionInput
          fields={fields}
          placeholder="record.plannedStart"
          value={node.timer.until}
          onChange={(v) => putNodeValue(id, 'timer', 'until', v, 'until')}
        />
      </Form.Item>
    </NodeFrame>
  );
}
