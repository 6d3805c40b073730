import { PlusOutlined } from '@ant-design/icons';
import { Templates as antdTemplates } from '@rjsf/antd';
import {
  type ArrayFieldItemTemplateProps,
  type ArrayFieldTemplateProps,
  buttonId,
  getUiOptions,
  type ObjectFieldTemplateProps,
  type RJSFSchema,
  TranslatableString,
} from '@rjsf/utils';
import { Button, ConfigProvider, Typography } from 'antd';
import { type ComponentType, createContext, useContext } from 'react';

// A table field (an array of objects: a release's applications, the designer's 表格（多行）) is
// edited as a table: one header with the columns' titles, one row of inputs per item, a remove
// button at the end of each row and an add button below, instead of rjsf's stack of labelled
// blocks per item ("应用-1", "应用-2", …). Built from rjsf's templates, so every cell keeps its
// widget, its read-only value and its error message.

/** What a table's rows share: inside one, an item's object draws its properties as cells. */
const InTable = createContext<'table' | 'row' | null>(null);

const ArrayDefault = antdTemplates.ArrayFieldTemplate as ComponentType<ArrayFieldTemplateProps>;
const ItemDefault = antdTemplates.ArrayFieldItemTemplate as ComponentType<ArrayFieldItemTemplateProps>;
const ObjectDefault = antdTemplates.ObjectFieldTemplate as ComponentType<ObjectFieldTemplateProps>;

const REMOVE_WIDTH = 40;
const CLOSE_ROWS = { components: { Form: { itemMarginBottom: 8 } } };
const REQUIRED = { color: '#ff4d4f', marginInlineEnd: 4 };

/** The columns of a table field: its items' properties, in the items' order. */
function columnsOf(schema: RJSFSchema): [string, RJSFSchema][] {
  const items = schema.items as RJSFSchema | undefined;
  if (!items || Array.isArray(items) || items.type !== 'object') return [];
  return Object.entries(items.properties ?? {}) as [string, RJSFSchema][];
}

const rowStyle = (n: number) => ({
  display: 'grid',
  gridTemplateColumns: `repeat(${n}, minmax(0, 1fr))`,
  gap: 8,
});

export function ArrayFieldTemplate(props: ArrayFieldTemplateProps) {
  const itemsUi = (props.uiSchema?.items ?? {}) as Record<string, { 'ui:widget'?: unknown } | undefined>;
  const columns = columnsOf(props.schema).filter(([key]) => itemsUi[key]?.['ui:widget'] !== 'hidden');
  if (!columns.length) return <ArrayDefault {...props} />;
  const { registry, required, fieldPathId } = props;
  // rjsf hands an array its schema's title; a `ui:title` (the designer's preview) comes first.
  const title = getUiOptions(props.uiSchema).title ?? props.title;
  const required_ = new Set(((props.schema.items as RJSFSchema).required as string[] | undefined) ?? []);
  const t = registry.translateString;
  return (
    <fieldset className={props.className} id={fieldPathId.$id} data-testid={`table-${fieldPathId.$id}`}>
      {title && (
        <legend style={{ border: 0, fontSize: 14, marginBottom: 8 }}>
          {required && <span style={REQUIRED}>*</span>}
          {title}
        </legend>
      )}
      <div style={{ display: 'flex', gap: 8, paddingBottom: 4, borderBottom: '1px solid rgba(5,5,5,0.06)' }}>
        <div style={{ ...rowStyle(columns.length), flex: 1 }}>
          {columns.map(([key, column]) => (
            <Typography.Text key={key} strong>
              {required_.has(key) && <span style={REQUIRED}>*</span>}
              {column.title ?? key}
            </Typography.Text>
          ))}
        </div>
        <div style={{ width: REMOVE_WIDTH }} />
      </div>
      <InTable.Provider value="table">
        {/* Rows sit closer than fields: a cell's own margin is for its error message. */}
        <ConfigProvider theme={CLOSE_ROWS}>
          <div style={{ paddingTop: 8 }}>{props.items}</div>
        </ConfigProvider>
      </InTable.Provider>
      {props.items.length === 0 && (
        <Typography.Text type="secondary">{t(TranslatableString.EmptyArray)}</Typography.Text>
      )}
      {props.canAdd && !props.readonly && !props.disabled && (
        <Button
          id={buttonId(fieldPathId, 'add')}
          type="dashed"
          block
          icon={<PlusOutlined />}
          title={t(TranslatableString.AddItemButton)}
          onClick={props.onAddClick}
          style={{ marginTop: 8 }}
        >
          {t(TranslatableString.AddItemButton)}
        </Button>
      )}
    </fieldset>
  );
}

export function ArrayFieldItemTemplate(props: ArrayFieldItemTemplateProps) {
  if (useContext(InTable) !== 'table') return <ItemDefault {...props} />;
  const { buttonsProps, registry } = props;
  const RemoveButton = registry.templates.ButtonTemplates.RemoveButton;
  return (
    <div style={{ display: 'flex', gap: 8, alignItems: 'flex-start' }}>
      <div style={{ flex: 1, minWidth: 0 }}>
        <InTable.Provider value="row">{props.children}</InTable.Provider>
      </div>
      <div style={{ width: REMOVE_WIDTH }}>
        {buttonsProps.hasRemove && (
          <RemoveButton
            id={buttonId(buttonsProps.fieldPathId, 'remove')}
            disabled={buttonsProps.disabled || buttonsProps.readonly}
            onClick={buttonsProps.onRemoveItem}
            uiSchema={buttonsProps.uiSchema}
            registry={registry}
          />
        )}
      </div>
    </div>
  );
}

/**
 * An object drawn by `Base` — except an item of a table, whose properties are drawn as that
 * row's cells. Kept per `Base`, so a form that hands the same template keeps the same component.
 */
const rowAware = new WeakMap<object, ComponentType<ObjectFieldTemplateProps>>();
export function tableRowAware(
  Base: ComponentType<ObjectFieldTemplateProps> = ObjectDefault,
): ComponentType<ObjectFieldTemplateProps> {
  let Template = rowAware.get(Base);
  if (!Template) {
    Template = function ObjectFieldTemplate(props: ObjectFieldTemplateProps) {
      if (useContext(InTable) !== 'row') return <Base {...props} />;
      const shown = props.properties.filter((p) => !p.hidden);
      return (
        <div style={rowStyle(shown.length)}>
          {shown.map((p) => (
            // A cell may hold an object of its own: that one is drawn as usual.
            <InTable.Provider key={p.name} value={null}>
              <div style={{ minWidth: 0 }}>{p.content}</div>
            </InTable.Provider>
          ))}
        </div>
      );
    };
    rowAware.set(Base, Template);
  }
  return Template;
}

/** The cells carry no labels of their own: the table's header names them. */
export function tableCellsUnlabelled(
  items: { properties?: Record<string, unknown> },
  itemsUi: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const ui: Record<string, unknown> = { ...(itemsUi ?? {}) };
  for (const key of Object.keys(items.properties ?? {}))
    ui[key] = { ...((ui[key] as Record<string, unknown>) ?? {}), 'ui:label': false };
  return ui;
}
