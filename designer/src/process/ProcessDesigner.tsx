import { ApartmentOutlined, BarChartOutlined, ExpandOutlined, OneToOneOutlined } from '@ant-design/icons';
import {
  type ConditionForm,
  describeCondition,
  type Locale,
  NODE_TYPES,
  type NodeType,
  type ProcessDefinition,
  type ProcessEdge,
  type ProcessNode,
} from '@opsloom/spec';
import {
  Background,
  type Connection,
  Controls,
  type EdgeChange,
  MarkerType,
  MiniMap,
  type NodeChange,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { App, Button, Select, Space, Tooltip, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useFormSchema } from '../components/formSchema.ts';
import { problemIndex } from '../components/problems.ts';
import { type MessageKey, textOf, translate, useLocale, useT } from '../i18n.ts';
import { useEditor } from '../store/editor.ts';
import { useStepFigures } from './figures.ts';
import { autoLayout, type EdgeRoute } from './layout.ts';
import { labelBox, type Size, type TextBox } from './measure.ts';
import { freeId, NODE_STYLE, newNode } from './nodeTypes.ts';
import { type EdgeKind, edgeTypes, type FlowEdge } from './ProcessEdgeView.tsx';
import { boxOfNode, type FlowNode, nodeTypes } from './ProcessNodeView.tsx';
import { ProcessPanel } from './ProcessPanel.tsx';

const DRAG_TYPE = 'application/x-opsloom-node';
const proc = (d: unknown) => d as ProcessDefinition;

export default function ProcessDesigner() {
  return (
    <ReactFlowProvider>
      <div style={{ display: 'flex', height: '100%' }}>
        <Palette />
        <div style={{ flex: 1, minWidth: 0, position: 'relative' }}>
          <Canvas />
        </div>
        <div style={{ width: 360, borderLeft: '1px solid #f0f0f0', overflow: 'auto', background: '#fff' }}>
          <ProcessPanel />
        </div>
      </div>
    </ReactFlowProvider>
  );
}

function Palette() {
  const t = useT();
  const flow = useReactFlow();
  const addAtCenter = (type: NodeType) => {
    const box = document.querySelector('.react-flow')?.getBoundingClientRect();
    const pos = box
      ? flow.screenToFlowPosition({ x: box.x + box.width / 2, y: box.y + box.height / 2 })
      : { x: 0, y: 0 };
    addNode(type, pos);
  };
  return (
    <div
      style={{
        width: 150,
        borderRight: '1px solid #f0f0f0',
        padding: 8,
        overflow: 'auto',
        background: '#fafafa',
      }}
    >
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('process.palette')}
      </Typography.Text>
      {NODE_TYPES.map((type) => (
        // biome-ignore lint/a11y/noStaticElementInteractions: an HTML5 drag source; double-click is a shortcut
        <div
          key={type}
          draggable
          data-testid={`palette-${type}`}
          onDragStart={(e) => {
            e.dataTransfer.setData(DRAG_TYPE, type);
            e.dataTransfer.effectAllowed = 'move';
          }}
          onDoubleClick={() => addAtCenter(type)}
          title={t('process.paletteHint')}
          style={{
            margin: '6px 0',
            padding: '6px 8px',
            borderRadius: 6,
            background: '#fff',
            border: `1px solid ${NODE_STYLE[type].color}`,
            borderLeftWidth: 4,
            cursor: 'grab',
            fontSize: 13,
            userSelect: 'none',
          }}
        >
          {t(`node.${type}` as MessageKey)}
        </div>
      ))}
    </div>
  );
}

function addNode(type: NodeType, position: { x: number; y: number }): string {
  const def = proc(useEditor.getState().def);
  const id = freeId(
    type,
    def.nodes.map((n) => n.id),
  );
  useEditor.getState().update((d) => {
    proc(d).nodes.push(newNode(type, id, { x: Math.round(position.x), y: Math.round(position.y) }));
  });
  useEditor.getState().select({ nodeId: id });
  return id;
}

/** Default action of a new edge from a user task: approve, then reject, then a numbered one. */
function defaultAction(def: ProcessDefinition, source: ProcessNode): ProcessEdge['action'] | undefined {
  if (source.type !== 'userTask') return undefined;
  const keys = new Set(def.edges.filter((e) => e.source === source.id).map((e) => e.action?.key));
  if (!keys.has('approve'))
    return { key: 'approve', label: { 'zh-CN': '同意', en: 'Approve' }, style: 'primary' };
  if (!keys.has('reject'))
    return { key: 'reject', label: { 'zh-CN': '驳回', en: 'Reject' }, style: 'danger' };
  const key = freeId('action', keys as Set<string>);
  return { key, label: { 'zh-CN': '提交', en: 'Submit' } };
}

/** Sizes React Flow measured, kept beside the definition (they are not part of it). */
const measuredSizes = new Map<string, Size>();
type NodeBox = ReturnType<typeof boxOfNode>;
const boxCache = new WeakMap<ProcessNode, { locale: Locale; box: NodeBox }>();
/** A node's box from its texts, computed once per node object and language. */
function boxOf(node: ProcessNode, locale: Locale): NodeBox {
  const hit = boxCache.get(node);
  if (hit && hit.locale === locale) return hit.box;
  const box = boxOfNode(node, locale);
  boxCache.set(node, { locale, box });
  return box;
}
const nodeCache = new WeakMap<
  ProcessNode,
  { selected: boolean; invalid: boolean; size?: Size; box: NodeBox; rf: FlowNode }
>();
function toFlowNode(node: ProcessNode, selected: boolean, invalid: boolean, box: NodeBox): FlowNode {
  const hit = nodeCache.get(node);
  const size = measuredSizes.get(node.id);
  if (hit && hit.selected === selected && hit.invalid === invalid && hit.size === size && hit.box === box)
    return hit.rf;
  const rf: FlowNode = {
    id: node.id,
    type: 'opsloom',
    position: node.position,
    data: { node, invalid, box },
    selected,
    width: box.width,
    height: box.height,
    ...(size ? { measured: size } : {}),
  };
  nodeCache.set(node, { selected, invalid, size, box, rf });
  return rf;
}

/** What an edge's label says: its button, how its condition reads, or that it is the default. */
export function edgeLabel(
  edge: ProcessEdge,
  locale: Locale,
  form: ConditionForm | undefined,
): { text: string; kind: EdgeKind; tooltip?: string } | undefined {
  if (edge.action) {
    const text = textOf(edge.action.label, locale) || edge.action.key;
    return { text, kind: edge.action.style === 'danger' ? 'danger' : 'action', tooltip: edge.condition };
  }
  if (edge.condition)
    return {
      text: describeCondition(edge.condition, locale, form),
      kind: 'condition',
      tooltip: edge.condition,
    };
  if (edge.default) return { text: translate(locale, 'edge.otherwise'), kind: 'default' };
  if ((edge as { error?: boolean }).error)
    return { text: translate(locale, 'edge.onFailure'), kind: 'error' };
  return undefined;
}

const labelCache = new WeakMap<
  ProcessEdge,
  { locale: Locale; form: unknown; label: ReturnType<typeof edgeLabel>; box?: TextBox }
>();
function labelOf(edge: ProcessEdge, locale: Locale, form: ConditionForm | undefined) {
  const hit = labelCache.get(edge);
  if (hit && hit.locale === locale && hit.form === form) return hit;
  const label = edgeLabel(edge, locale, form);
  const entry = { locale, form, label, box: label ? labelBox(label.text) : undefined };
  labelCache.set(edge, entry);
  return entry;
}

/** Where a node is and how big: a route stays valid while both its nodes and its label keep theirs. */
const signature = (p: { x: number; y: number }, s: Size) => `${p.x},${p.y},${s.width},${s.height}`;

function Canvas() {
  const flow = useReactFlow();
  const locale = useLocale((s) => s.locale);
  const wrapper = useRef<HTMLDivElement>(null);
  const { nodes, edges, selection, local, server } = useEditor(
    useShallow((s) => ({
      nodes: proc(s.def).nodes,
      edges: proc(s.def).edges,
      selection: s.selection,
      local: s.problems,
      server: s.serverProblems,
    })),
  );
  const index = useMemo(() => problemIndex([...server, ...local]), [local, server]);
  const formKey = useEditor((s) => proc(s.def).form);
  const form = useFormSchema(formKey);
  const { message } = App.useApp();
  /** The last auto-layout's routes, each with the signature of its nodes and label then. */
  const [routes, setRoutes] = useState<Map<string, { route: EdgeRoute; sig: string }>>(() => new Map());

  const [measuredVersion, setMeasuredVersion] = useState(0);
  const flowNodes = useMemo(
    () => nodes.map((n) => toFlowNode(n, selection.nodeId === n.id, index.nodes.has(n.id), boxOf(n, locale))),
    [nodes, selection.nodeId, index, measuredVersion, locale],
  );
  const flowEdges = useMemo<FlowEdge[]>(() => {
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const sigOf = (e: ProcessEdge, box: TextBox | undefined) => {
      const a = byId.get(e.source);
      const b = byId.get(e.target);
      if (!a || !b) return '';
      return `${signature(a.position, boxOf(a, locale))}|${signature(b.position, boxOf(b, locale))}|${box ? `${box.width}x${box.height}` : ''}`;
    };
    return edges.map((e) => {
      const invalid = index.edges.has(e.id);
      const { label, box } = labelOf(e, locale, form);
      const color = invalid ? '#ff4d4f' : e.action?.style === 'danger' ? '#cf1322' : '#8c8c8c';
      const laid = routes.get(e.id);
      const route = laid && laid.sig === sigOf(e, box) ? laid.route : undefined;
      return {
        id: e.id,
        type: 'process',
        source: e.source,
        target: e.target,
        selected: selection.edgeId === e.id,
        markerEnd: { type: MarkerType.ArrowClosed, color },
        style: { stroke: color, strokeWidth: invalid || selection.edgeId === e.id ? 2.5 : 1.5 },
        className: invalid ? 'invalid' : undefined,
        data: { label: box, tooltip: label?.tooltip, kind: label?.kind ?? 'plain', color, invalid, route },
      };
    });
  }, [nodes, edges, selection.edgeId, index, locale, form, routes]);

  const onNodesChange = useCallback((changes: NodeChange<FlowNode>[]) => {
    const store = useEditor.getState();
    let resized = false;
    for (const c of changes) {
      if (c.type === 'dimensions' && c.dimensions) {
        const old = measuredSizes.get(c.id);
        if (!old || old.width !== c.dimensions.width || old.height !== c.dimensions.height) {
          measuredSizes.set(c.id, { width: c.dimensions.width, height: c.dimensions.height });
          resized = true;
        }
      }
    }
    if (resized) setMeasuredVersion((v) => v + 1);
    const moves = changes.filter((c) => c.type === 'position' && c.position);
    if (moves.length) {
      store.update(
        (d) => {
          const byId = new Map(proc(d).nodes.map((n) => [n.id, n]));
          for (const c of moves) {
            if (c.type !== 'position' || !c.position) continue;
            const n = byId.get(c.id);
            if (n) n.position = { x: Math.round(c.position.x), y: Math.round(c.position.y) };
          }
        },
        `move:${moves.map((m) => (m.type === 'position' ? m.id : '')).join(',')}`,
      );
    }
    const removed = new Set(
      changes.filter((c) => c.type === 'remove').map((c) => (c.type === 'remove' ? c.id : '')),
    );
    if (removed.size) {
      store.update((d) => {
        const p = proc(d);
        p.nodes = p.nodes.filter((n) => !removed.has(n.id));
        p.edges = p.edges.filter((e) => !removed.has(e.source) && !removed.has(e.target));
      });
      store.select({});
    }
    for (const c of changes) {
      if (c.type === 'select' && c.selected) store.select({ nodeId: c.id });
    }
  }, []);

  const onEdgesChange = useCallback((changes: EdgeChange<FlowEdge>[]) => {
    const store = useEditor.getState();
    const removed = new Set(
      changes.filter((c) => c.type === 'remove').map((c) => (c.type === 'remove' ? c.id : '')),
    );
    if (removed.size) {
      store.update((d) => {
        proc(d).edges = proc(d).edges.filter((e) => !removed.has(e.id));
      });
      store.select({});
    }
    for (const c of changes) if (c.type === 'select' && c.selected) store.select({ edgeId: c.id });
  }, []);

  const onConnect = useCallback((c: Connection) => {
    const def = proc(useEditor.getState().def);
    const source = def.nodes.find((n) => n.id === c.source);
    if (!source || !c.target || c.source === c.target) return;
    const id = freeId(
      `e-${c.source}-${c.target}`,
      def.edges.map((e) => e.id),
    );
    const action = defaultAction(def, source);
    useEditor.getState().update((d) => {
      proc(d).edges.push({ id, source: c.source, target: c.target, ...(action ? { action } : {}) });
    });
    useEditor.getState().select({ edgeId: id });
  }, []);

  const onDrop = useCallback(
    (e: React.DragEvent) => {
      const type = e.dataTransfer.getData(DRAG_TYPE) as NodeType;
      if (!type) return;
      e.preventDefault();
      addNode(type, flow.screenToFlowPosition({ x: e.clientX - 85, y: e.clientY - 28 }));
    },
    [flow],
  );

  const layout = async () => {
    const def = proc(useEditor.getState().def);
    const byId = new Map(def.nodes.map((n) => [n.id, n]));
    const edgeById = new Map(def.edges.map((e) => [e.id, e]));
    let result: Awaited<ReturnType<typeof autoLayout>>;
    try {
      result = await autoLayout(
        def,
        (id) => boxOf(byId.get(id)!, locale),
        (id) => labelOf(edgeById.get(id)!, locale, form).box,
      );
    } catch (e) {
      message.error(translate(locale, 'process.layoutFailed', { message: (e as Error).message }));
      return;
    }
    // The definition may have changed while ELK worked: place what is still there.
    useEditor.getState().update((d) => {
      for (const n of proc(d).nodes) {
        const p = result.positions.get(n.id);
        if (p) n.position = p;
      }
    });
    const laid = new Map<string, { route: EdgeRoute; sig: string }>();
    for (const e of def.edges) {
      const route = result.routes.get(e.id);
      const a = byId.get(e.source);
      const b = byId.get(e.target);
      if (!route || !a || !b) continue;
      const box = labelOf(e, locale, form).box;
      laid.set(e.id, {
        route,
        sig: `${signature(route.source, boxOf(a, locale))}|${signature(route.target, boxOf(b, locale))}|${box ? `${box.width}x${box.height}` : ''}`,
      });
    }
    setRoutes(laid);
    requestAnimationFrame(() => flow.fitView(FIT));
  };

  return (
    <div ref={wrapper} style={{ height: '100%' }} data-testid="process-canvas">
      <ReactFlow<FlowNode, FlowEdge>
        nodes={flowNodes}
        edges={flowEdges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onDrop={onDrop}
        onDragOver={onDragOver}
        onPaneClick={onPaneClick}
        fitView
        fitViewOptions={FIT}
        minZoom={0.05}
        deleteKeyCode={['Delete', 'Backspace']}
        onlyRenderVisibleElements
      >
        <Background gap={16} />
        <MiniMap pannable zoomable nodeColor={miniMapColor} />
        <Controls />
        <Space style={{ position: 'absolute', top: 10, right: 10, zIndex: 5 }}>
          <LayoutButtons
            onLayout={() => void layout()}
            onFit={() => flow.fitView(FIT)}
            onActualSize={() => void flow.zoomTo(1)}
          />
        </Space>
      </ReactFlow>
    </div>
  );
}

/** Overlays each step's figures from the reports engine (tasks grouped by step) on the canvas. */
function StepFiguresToggle() {
  const t = useT();
  const key = useEditor((s) => s.key)!;
  const { on, period, loading, error, toggle, setPeriod } = useStepFigures();
  // Figures are of one process: opening another while they are on loads its own.
  useEffect(() => {
    const s = useStepFigures.getState();
    if (s.on && s.of !== key) void s.load(key);
  }, [key]);
  return (
    <Space.Compact>
      <Tooltip title={error ?? t('process.figures.help')}>
        <Button
          icon={<BarChartOutlined />}
          type={on ? 'primary' : 'default'}
          danger={Boolean(error)}
          loading={loading}
          onClick={() => toggle(key)}
          data-testid="process-figures"
          aria-pressed={on}
        >
          {t('process.figures')}
        </Button>
      </Tooltip>
      {on && (
        <Select
          value={period}
          style={{ width: 120 }}
          data-testid="process-figures-period"
          showSearch
          optionFilterProp="label"
          onChange={(v: string) => setPeriod(v, key)}
          options={['last7days', 'last30days', 'last90days', 'thisYear'].map((p) => ({
            value: p,
            label: t(`preset.${p}` as MessageKey),
          }))}
        />
      )}
    </Space.Compact>
  );
}

function onDragOver(e: React.DragEvent) {
  e.preventDefault();
  e.dataTransfer.dropEffect = 'move';
}
function onPaneClick() {
  useEditor.getState().select({});
}
function miniMapColor(n: FlowNode) {
  return n.data.invalid ? '#ff4d4f' : NODE_STYLE[n.data.node.type].color;
}

/** Fitting never zooms past 100 %: a small flow is shown at its size, its texts legible. */
const FIT = { padding: 0.1, maxZoom: 1 };

function LayoutButtons({
  onLayout,
  onFit,
  onActualSize,
}: {
  onLayout: () => void;
  onFit: () => void;
  onActualSize: () => void;
}) {
  const t = useT();
  return (
    <>
      <StepFiguresToggle />
      <Tooltip title={t('process.autoLayout')}>
        <Button icon={<ApartmentOutlined />} onClick={onLayout} data-testid="auto-layout">
          {t('process.autoLayout')}
        </Button>
      </Tooltip>
      <Tooltip title={t('process.fit')}>
        <Button icon={<ExpandOutlined />} onClick={onFit} data-testid="fit" aria-label={t('process.fit')} />
      </Tooltip>
      <Tooltip title={t('process.actualSize')}>
        <Button
          icon={<OneToOneOutlined />}
          onClick={onActualSize}
          data-testid="zoom-100"
          aria-label={t('process.actualSize')}
        />
      </Tooltip>
    </>
  );
}
