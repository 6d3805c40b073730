import { DeleteOutlined, HolderOutlined } from '@ant-design/icons';
import {
  DndContext,
  type DragEndEvent,
  DragOverlay,
  type DragStartEvent,
  PointerSensor,
  pointerWithin,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
} from '@dnd-kit/core';
import { SortableContext, useSortable, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { Button, Empty, Tag, Typography } from 'antd';
import { memo, useMemo, useState } from 'react';
import { fieldOf } from '../components/problems.ts';
import { type MessageKey, textOf, translate, useLocale, useT } from '../i18n.ts';
import { freeId } from '../process/nodeTypes.ts';
import { useEditor } from '../store/editor.ts';
import { FieldPanel } from './FieldPanel.tsx';
import {
  FIELD_TYPES,
  type FieldSchema,
  type FieldType,
  fieldTypeOf,
  formOf,
  newField,
} from './fieldTypes.ts';
import { Preview } from './Preview.tsx';

const CANVAS = 'canvas';

/** Adds a field of the given type at `index` (end when undefined); returns its key. */
export function addField(type: FieldType, index?: number): string {
  const def = formOf(useEditor.getState().def);
  const key = freeId(type === 'datetime' ? 'dateTime' : type, Object.keys(def.schema.properties));
  const label = { 'zh-CN': translateType(type, 'zh-CN'), en: translateType(type, 'en') };
  const { schema, ui } = newField(type, label);
  useEditor.getState().update((d) => {
    const f = formOf(d);
    const entries = Object.entries(f.schema.properties);
    entries.splice(index ?? entries.length, 0, [key, schema as (typeof entries)[number][1]]);
    f.schema.properties = Object.fromEntries(entries);
    if (ui) f.uiSchema = { ...(f.uiSchema ?? {}), [key]: ui };
  });
  useEditor.getState().select({ field: key });
  return key;
}

function translateType(type: FieldType, locale: 'zh-CN' | 'en') {
  return translate(locale, `field.${type}` as MessageKey);
}

export default function FormDesigner() {
  const t = useT();
  const joined = useEditor((s) => Object.keys(formOf(s.def).schema.properties).join('\n'));
  const keys = useMemo(() => joined.split('\n').filter(Boolean), [joined]);
  const [dragging, setDragging] = useState<string | null>(null);
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 4 } }));

  const onDragStart = (e: DragStartEvent) => setDragging(String(e.active.id));
  const onDragEnd = (e: DragEndEvent) => {
    setDragging(null);
    const active = String(e.active.id);
    const over = e.over ? String(e.over.id) : null;
    if (!over) return;
    if (active.startsWith('palette:')) {
      let index = over === CANVAS ? -1 : keys.indexOf(over.replace(/^field:/, ''));
      // Dropped on the lower half of a field: insert after it.
      const dropped = e.active.rect.current.translated;
      if (index >= 0 && dropped && e.over) {
        if (dropped.top + dropped.height / 2 > e.over.rect.top + e.over.rect.height / 2) index++;
      }
      addField(active.slice('palette:'.length) as FieldType, index < 0 ? undefined : index);
      return;
    }
    const from = keys.indexOf(active.replace(/^field:/, ''));
    const to = over === CANVAS ? keys.length - 1 : keys.indexOf(over.replace(/^field:/, ''));
    if (from < 0 || to < 0 || from === to) return;
    useEditor.getState().update((d) => {
      const f = formOf(d);
      const entries = Object.entries(f.schema.properties);
      const [moved] = entries.splice(from, 1);
      entries.splice(to, 0, moved!);
      f.schema.properties = Object.fromEntries(entries);
    });
  };

  return (
    <DndContext
      sensors={sensors}
      collisionDetection={pointerWithin}
      onDragStart={onDragStart}
      onDragEnd={onDragEnd}
    >
      <div style={{ display: 'flex', height: '100%' }}>
        <div
          style={{
            width: 150,
            padding: 8,
            borderRight: '1px solid #f0f0f0',
            overflow: 'auto',
            background: '#fafafa',
          }}
        >
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('form.palette')}
          </Typography.Text>
          {FIELD_TYPES.map((type) => (
            <PaletteItem key={type} type={type} />
          ))}
        </div>
        <div style={{ flex: 1, minWidth: 260, overflow: 'auto', padding: 12, background: '#f5f5f5' }}>
          <Typography.Text type="secondary">{t('form.canvas')}</Typography.Text>
          <CanvasList keys={keys} />
        </div>
        <div style={{ width: 340, borderLeft: '1px solid #f0f0f0', overflow: 'auto', background: '#fff' }}>
          <FieldPanel />
        </div>
        <div
          style={{
            flex: 1.2,
            minWidth: 320,
            borderLeft: '1px solid #f0f0f0',
            overflow: 'auto',
            padding: 16,
            background: '#fff',
          }}
        >
          <Typography.Title level={5}>{t('form.preview')}</Typography.Title>
          <Preview />
        </div>
      </div>
      <DragOverlay>
        {dragging?.startsWith('palette:') ? (
          <Tag color="blue" style={{ padding: '4px 10px' }}>
            {t(`field.${dragging.slice(8)}` as MessageKey)}
          </Tag>
        ) : null}
      </DragOverlay>
    </DndContext>
  );
}

function PaletteItem({ type }: { type: FieldType }) {
  const t = useT();
  const { setNodeRef, listeners, attributes } = useDraggable({ id: `palette:${type}` });
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a drag source; double-click/click are shortcuts, the property panel is keyboard-reachable
    <div
      ref={setNodeRef}
      {...listeners}
      {...attributes}
      data-testid={`field-palette-${type}`}
      onDoubleClick={() => addField(type)}
      title={t('form.paletteHint')}
      style={{
        margin: '5px 0',
        padding: '5px 8px',
        borderRadius: 6,
        background: '#fff',
        border: '1px solid #d9d9d9',
        cursor: 'grab',
        fontSize: 13,
        userSelect: 'none',
        touchAction: 'none',
      }}
    >
      {t(`field.${type}` as MessageKey)}
    </div>
  );
}

function CanvasList({ keys }: { keys: string[] }) {
  const t = useT();
  const { setNodeRef, isOver } = useDroppable({ id: CANVAS });
  const items = useMemo(() => keys.map((k) => `field:${k}`), [keys]);
  return (
    <div
      ref={setNodeRef}
      data-testid="form-canvas"
      style={{
        minHeight: 300,
        marginTop: 8,
        padding: 8,
        borderRadius: 8,
        border: `2px dashed ${isOver ? '#1677ff' : '#d9d9d9'}`,
        background: isOver ? '#e6f4ff' : 'transparent',
      }}
    >
      <SortableContext items={items} strategy={verticalListSortingStrategy}>
        {keys.map((k) => (
          <FieldCard key={k} fieldKey={k} />
        ))}
      </SortableContext>
      {keys.length === 0 && <Empty description={t('form.dropHere')} />}
    </div>
  );
}

const FieldCard = memo(function FieldCard({ fieldKey }: { fieldKey: string }) {
  const t = useT();
  const locale = useLocale((s) => s.locale);
  const schema = useEditor((s) => formOf(s.def).schema.properties[fieldKey]) as FieldSchema | undefined;
  const ui = useEditor((s) => formOf(s.def).uiSchema?.[fieldKey]) as Record<string, unknown> | undefined;
  const required = useEditor((s) => formOf(s.def).schema.required?.includes(fieldKey) ?? false);
  const selected = useEditor((s) => s.selection.field === fieldKey);
  const invalid = useEditor((s) => [...s.serverProblems, ...s.problems].some((p) => fieldOf(p) === fieldKey));
  const { setNodeRef, listeners, attributes, transform, transition, isDragging } = useSortable({
    id: `field:${fieldKey}`,
  });
  if (!schema) return null;
  const type = fieldTypeOf(schema, ui);
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a drag source; double-click/click are shortcuts, the property panel is keyboard-reachable
    <div
      ref={setNodeRef}
      data-testid={`field-card-${fieldKey}`}
      data-invalid={invalid || undefined}
      onClick={() => useEditor.getState().select({ field: fieldKey })}
      onKeyDown={() => {}}
      style={{
        transform: CSS.Transform.toString(transform),
        transition,
        opacity: isDragging ? 0.5 : 1,
        display: 'flex',
        alignItems: 'center',
        gap: 8,
        margin: '6px 0',
        padding: '8px 10px',
        background: '#fff',
        borderRadius: 6,
        border: `1px solid ${invalid ? '#ff4d4f' : selected ? '#1677ff' : '#e8e8e8'}`,
        boxShadow: selected ? '0 0 0 2px rgba(22,119,255,.2)' : undefined,
        cursor: 'pointer',
        // A form of hundreds of fields: the cards out of sight are not laid out or painted on
        // every keystroke (the height is what a card's content measures once drawn).
        contentVisibility: 'auto',
        containIntrinsicSize: 'auto 44px',
      }}
    >
      <HolderOutlined
        {...listeners}
        {...attributes}
        style={{ cursor: 'grab', color: '#999' }}
        data-testid={`field-handle-${fieldKey}`}
      />
      <div style={{ flex: 1, minWidth: 0 }}>
        <div style={{ fontWeight: 500 }}>
          {textOf(schema['x-title'] ?? schema.title ?? fieldKey, locale)}
          {required && <span style={{ color: '#ff4d4f' }}> *</span>}
        </div>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {fieldKey}
        </Typography.Text>
      </div>
      <Tag>{t(`field.${type}` as MessageKey)}</Tag>
      <Button
        size="small"
        type="text"
        danger
        icon={<DeleteOutlined />}
        aria-label={t('common.delete')}
        data-testid={`field-delete-${fieldKey}`}
        onClick={(e) => {
          e.stopPropagation();
          removeField(fieldKey);
        }}
      />
    </div>
  );
});

export function removeField(key: string) {
  useEditor.getState().update((d) => {
    const f = formOf(d);
    delete f.schema.properties[key];
    if (f.schema.required) f.schema.required = f.schema.required.filter((k) => k !== key);
    if (f.uiSchema) delete f.uiSchema[key];
    if (f.indexed) f.indexed = f.indexed.filter((k) => k !== key);
    if (f.rules) {
      f.rules = f.rules
        .map((r) => ({ ...r, fields: r.fields.filter((k) => k !== key) }))
        .filter((r) => r.fields.length > 0);
    }
    if (f.titleField === key) delete f.titleField;
    if (f.descriptionField === key) delete f.descriptionField;
  });
  useEditor.getState().select({});
}
