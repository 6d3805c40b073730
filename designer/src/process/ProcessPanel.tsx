import type { NodeType } from '@opsloom/spec';
import { Alert } from 'antd';
import type { ComponentType } from 'react';
import { useFormSchema } from '../components/formSchema.ts';
import { useLocale } from '../i18n.ts';
import { useFormInfo } from '../lookups.ts';
import { useEditor } from '../store/editor.ts';
import { CallbackPanel } from './panels/CallbackPanel.tsx';
import { EdgePanel } from './panels/EdgePanel.tsx';
import { type NodePanelProps, proc, useSelectedNode } from './panels/edit.ts';
import { GatewayPanel } from './panels/GatewayPanel.tsx';
import { NotifyPanel } from './panels/NotifyPanel.tsx';
import { ProcessProps } from './panels/ProcessProps.tsx';
import { ServiceTaskPanel } from './panels/ServiceTaskPanel.tsx';
import { EndPanel, StartPanel, SubProcessPanel } from './panels/SimplePanels.tsx';
import { TimerPanel } from './panels/TimerPanel.tsx';
import { UserTaskPanel } from './panels/UserTaskPanel.tsx';

/** The panel of each node kind (panels/), each built from the shared pieces in components/. */
const NODE_PANELS: { [T in NodeType]: ComponentType<NodePanelProps<T>> } = {
  start: StartPanel,
  end: EndPanel,
  userTask: UserTaskPanel,
  exclusiveGateway: GatewayPanel as ComponentType<NodePanelProps<'exclusiveGateway'>>,
  parallelSplit: GatewayPanel as ComponentType<NodePanelProps<'parallelSplit'>>,
  parallelJoin: GatewayPanel as ComponentType<NodePanelProps<'parallelJoin'>>,
  timer: TimerPanel,
  callback: CallbackPanel,
  serviceTask: ServiceTaskPanel,
  notify: NotifyPanel,
  subProcess: SubProcessPanel,
};

/** The process designer's side panel: the selected node's or edge's settings, else the process's. */
export function ProcessPanel() {
  const selection = useEditor((s) => s.selection);
  const node = useSelectedNode();
  const edge = useEditor((s) => proc(s.def).edges.find((e) => e.id === s.selection.edgeId));
  const formKey = useEditor((s) => proc(s.def).form);
  const { fields, statuses } = useFormInfo(formKey);
  const form = useFormSchema(formKey);
  const Panel = node && (NODE_PANELS[node.type] as ComponentType<NodePanelProps>);
  return (
    <div style={{ padding: 12 }} data-testid="property-panel">
      <Problems nodeId={selection.nodeId} edgeId={selection.edgeId} />
      {node && Panel ? (
        <Panel
          key={node.id}
          node={node as NodePanelProps['node']}
          fields={fields}
          statuses={statuses}
          form={form}
        />
      ) : edge ? (
        <EdgePanel key={edge.id} edge={edge} fields={fields} form={form} />
      ) : (
        <ProcessProps />
      )}
    </div>
  );
}

function Problems({ nodeId, edgeId }: { nodeId?: string; edgeId?: string }) {
  const locale = useLocale((s) => s.locale);
  const problems = useEditor((s) => s.problems);
  const server = useEditor((s) => s.serverProblems);
  const mine = [...server, ...problems].filter(
    (p) => (nodeId && p.nodeId === nodeId) || (edgeId && p.edgeId === edgeId),
  );
  if (!mine.length) return null;
  return (
    <Alert
      type="error"
      style={{ marginBottom: 12 }}
      data-testid="panel-problems"
      title={
        <ul style={{ margin: 0, paddingLeft: 16 }}>
          {mine.map((p) => (
            <li key={`${p.code}${p.path}${p.message.en}`}>{p.message[locale]}</li>
          ))}
        </ul>
      }
    />
  );
}
