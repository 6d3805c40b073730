import {
  BoldOutlined,
  ItalicOutlined,
  LinkOutlined,
  OrderedListOutlined,
  UnorderedListOutlined,
  UploadOutlined,
} from '@ant-design/icons';
import { type FieldProps, getUiOptions, type WidgetProps } from '@rjsf/utils';
import { Button, Divider, Input, Rate, Select, Space, Tooltip, Typography, Upload } from 'antd';
import { createContext, useContext, useEffect, useRef, useState } from 'react';
import { FieldValue } from './field-value.tsx';
import { get } from './http.ts';
import { type MessageKey, useT } from './i18n.ts';
import { type GroupOption, loadGroups, type RecordRef } from './lookups.ts';

// The widgets the designer names in `uiSchema["ui:widget"]` beyond rjsf's own (see
// designer/src/form/fieldTypes.ts), and the section field. They load with the screens that show a
// form (form.tsx is imported only there), so none of this is in a first load.

const disabledOf = (p: WidgetProps) => Boolean(p.disabled || p.readonly);
const emptyToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);

/**
 * Options found by a search the server answers (people, records): asked again 250 ms after the
 * person stops typing; a late answer to an older search never replaces a newer one.
 */
function useRemoteOptions(
  search: (q: string) => Promise<{ value: string; label: string }[]>,
): [{ value: string; label: string }[], boolean, (q: string) => void] {
  const [options, setOptions] = useState<{ value: string; label: string }[]>([]);
  const [loading, setLoading] = useState(false);
  const seq = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const searchRef = useRef(search);
  searchRef.current = search;
  const run = (q: string) => {
    clearTimeout(timer.current);
    const mine = ++seq.current;
    setLoading(true);
    timer.current = setTimeout(() => {
      searchRef
        .current(q.trim())
        .then((found) => {
          if (mine === seq.current) setOptions(found);
        })
        .catch(() => {
          if (mine === seq.current) setOptions([]);
        })
        .finally(() => {
          if (mine === seq.current) setLoading(false);
        });
    }, 250);
  };
  useEffect(() => () => clearTimeout(timer.current), []);
  return [options, loading, run];
}

function RemoteSelect(
  props: WidgetProps & {
    search: (q: string) => Promise<{ value: string; label: string }[]>;
    placeholder: string;
  },
) {
  const { t } = useT();
  const [options, loading, run] = useRemoteOptions(props.search);
  const value = (props.value as string | undefined) ?? undefined;
  // A stored value (e.g. a record opened in the workspace) is looked up once for its label.
  useEffect(() => {
    if (value) run(value);
  }, []);
  // The stored value is shown as itself until a search brings its label.
  const shown =
    value && !options.some((o) => o.value === value) ? [{ value, label: value }, ...options] : options;
  return (
    <Select
      id={props.id}
      showSearch={{ filterOption: false, onSearch: run }}
      allowClear
      loading={loading}
      disabled={disabledOf(props)}
      value={value}
      placeholder={props.placeholder}
      notFoundContent={loading ? t('widget.searching') : t('widget.nothingFound')}
      options={shown}
      onOpenChange={(open) => {
        if (open) run('');
      }}
      onChange={(v) => props.onChange(emptyToUndefined(v))}
      onBlur={() => props.onBlur(props.id, props.value)}
      onFocus={() => props.onFocus(props.id, props.value)}
    />
  );
}

/**
 * A person, stored as the username; GET /people is open to everybody logged in (GET /users is not).
 * A field with `x-assignable` (whom it may name: roles, groups) offers only those people, as the
 * server will accept only them.
 */
function UserWidget(props: WidgetProps) {
  const { t } = useT();
  const within = props.schema['x-assignable'] as { roles?: string[]; groups?: string[] } | undefined;
  return (
    <RemoteSelect
      {...props}
      placeholder={t('widget.userPlaceholder')}
      search={async (q) => {
        const query = new URLSearchParams();
        if (q) query.set('q', q);
        if (within?.roles?.length) query.set('roles', within.roles.join(','));
        if (within?.groups?.length) query.set('groups', within.groups.join(','));
        const { items } = await get<{ items: { username: string; displayName: string }[] }>(
          `/people${query.size ? `?${query}` : ''}`,
        );
        return items.map((u) => ({ value: u.username, label: `${u.displayName} (${u.username})` }));
      }}
    />
  );
}

/** A linked record, stored as its number; the list answers only records the person may see. */
function RecordWidget(props: WidgetProps) {
  const { t } = useT();
  return (
    <RemoteSelect
      {...props}
      placeholder={t('widget.recordPlaceholder')}
      search={async (q) => {
        const { items } = await get<{ items: RecordRef[] }>(
          `/records?limit=20${q ? `&q=${encodeURIComponent(q)}` : ''}`,
        );
        return items.map((r) => ({ value: r.number, label: `${r.number} · ${r.title}` }));
      }}
    />
  );
}

/** A group (support group or org unit), stored as its key. */
function GroupWidget(props: WidgetProps) {
  const { t, tx } = useT();
  const [groups, setGroups] = useState<GroupOption[] | null>(null);
  useEffect(() => {
    let live = true;
    loadGroups()
      .then((g) => live && setGroups(g))
      .catch(() => live && setGroups([]));
    return () => {
      live = false;
    };
  }, []);
  return (
    <Select
      id={props.id}
      showSearch={{ optionFilterProp: 'label' }}
      allowClear
      loading={groups === null}
      disabled={disabledOf(props)}
      value={(props.value as string | undefined) ?? undefined}
      placeholder={t('widget.groupPlaceholder')}
      notFoundContent={t('widget.nothingFound')}
      options={(groups ?? []).map((g) => ({ value: g.key, label: `${tx(g.name)} (${g.key})` }))}
      onChange={(v) => props.onChange(emptyToUndefined(v))}
      onBlur={() => props.onBlur(props.id, props.value)}
      onFocus={() => props.onFocus(props.id, props.value)}
    />
  );
}

/**
 * A configuration item, typed as its key. There is no CMDB yet to pick from, so this is a plain
 * text input; when one exists this becomes a search like the record widget.
 */
function CiWidget(props: WidgetProps) {
  const { t } = useT();
  return (
    <Input
      id={props.id}
      value={(props.value as string) ?? ''}
      disabled={disabledOf(props)}
      placeholder={t('widget.ciPlaceholder')}
      onChange={(e) => props.onChange(emptyToUndefined(e.target.value))}
      onBlur={() => props.onBlur(props.id, props.value)}
    />
  );
}

/** 1–5 stars; no stars is no value (clicking the chosen star again clears it). */
function RatingWidget(props: WidgetProps) {
  return (
    <Rate
      id={props.id}
      count={Math.min(Number(props.schema.maximum ?? 5) || 5, 10)}
      disabled={disabledOf(props)}
      value={(props.value as number | undefined) ?? 0}
      onChange={(v) => props.onChange(v ? v : undefined)}
    />
  );
}

const FORMATS: {
  key: MessageKey;
  icon: React.ReactNode;
  apply: (sel: string) => [string, string, string];
}[] = [
  { key: 'widget.bold', icon: <BoldOutlined />, apply: (s) => ['**', s, '**'] },
  { key: 'widget.italic', icon: <ItalicOutlined />, apply: (s) => ['_', s, '_'] },
  {
    key: 'widget.bulletList',
    icon: <UnorderedListOutlined />,
    apply: (s) => [
      '',
      (s || ' ')
        .split('\n')
        .map((l) => `- ${l}`)
        .join('\n'),
      '',
    ],
  },
  {
    key: 'widget.numberedList',
    icon: <OrderedListOutlined />,
    apply: (s) => [
      '',
      (s || ' ')
        .split('\n')
        .map((l, i) => `${i + 1}. ${l}`)
        .join('\n'),
      '',
    ],
  },
  { key: 'widget.link', icon: <LinkOutlined />, apply: (s) => ['[', s, '](https://)'] },
];

/**
 * Rich text stored as Markdown: a textarea with a small toolbar that wraps the selection in
 * Markdown marks (no editor library, so the form chunk stays small).
 */
function RichTextWidget(props: WidgetProps) {
  const { t } = useT();
  const area = useRef<HTMLTextAreaElement | null>(null);
  const value = (props.value as string) ?? '';
  const disabled = disabledOf(props);
  function format(apply: (sel: string) => [string, string, string]) {
    const el = area.current;
    const start = el?.selectionStart ?? value.length;
    const end = el?.selectionEnd ?? value.length;
    const [before, middle, after] = apply(value.slice(start, end));
    const next = value.slice(0, start) + before + middle + after + value.slice(end);
    props.onChange(next === '' ? undefined : next);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + before.length, start + before.length + middle.length);
    });
  }
  return (
    <div data-testid={`richtext-${props.id}`}>
      {!disabled && (
        <Space.Compact style={{ marginBottom: 4 }}>
          {FORMATS.map((f) => (
            <Tooltip key={f.key} title={t(f.key)}>
              <Button
                size="small"
                icon={f.icon}
                aria-label={t(f.key)}
                data-testid={`richtext-${f.key.slice('widget.'.length)}`}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => format(f.apply)}
              />
            </Tooltip>
          ))}
        </Space.Compact>
      )}
      <Input.TextArea
        id={props.id}
        ref={(r) => {
          area.current = r?.resizableTextArea?.textArea ?? null;
        }}
        autoSize={{ minRows: 4, maxRows: 16 }}
        disabled={disabled}
        placeholder={t('widget.markdownHint')}
        value={value}
        onChange={(e) => props.onChange(e.target.value === '' ? undefined : e.target.value)}
        onBlur={() => props.onBlur(props.id, props.value)}
      />
    </div>
  );
}

/**
 * Files chosen in attachment fields of a form whose record does not exist yet: the request form
 * provides this, keeps the files, and uploads them to the record right after it is created. The
 * field's value is the list of file names (the form's schema is an array of strings).
 */
export interface PendingFiles {
  get(fieldId: string): File[];
  set(fieldId: string, files: File[]): void;
}
export const PendingFilesContext = createContext<PendingFiles | null>(null);

function AttachmentWidget(props: WidgetProps) {
  const { t } = useT();
  const pending = useContext(PendingFilesContext);
  const names = Array.isArray(props.value) ? (props.value as string[]) : [];
  if (!pending || disabledOf(props)) {
    // A record that exists (workspace, read-only steps): the names, each a link to its file.
    return <FieldValue id={props.id} value={names} schema={props.schema} ui={props.uiSchema} />;
  }
  const files = pending.get(props.id);
  const change = (next: File[]) => {
    pending.set(props.id, next);
    props.onChange(next.length ? next.map((f) => f.name) : undefined);
  };
  return (
    <div data-testid={`attachment-${props.id}`}>
      <Upload
        multiple
        fileList={files.map((f, i) => ({
          uid: String(i),
          name: f.name,
          size: f.size,
          status: 'done' as const,
        }))}
        beforeUpload={(file, list) => {
          // antd calls this once per chosen file with the whole batch: take the batch once.
          if (file === list[0]) change([...files, ...list]);
          return false;
        }}
        onRemove={(f) => change(files.filter((_, i) => String(i) !== f.uid))}
      >
        <Button icon={<UploadOutlined />} id={props.id}>
          {t('widget.chooseFiles')}
        </Button>
      </Upload>
      <Typography.Text type="secondary">{t('widget.uploadAfterSubmit')}</Typography.Text>
    </div>
  );
}

/** A section (`{"type": "null", "x-section": true}`): a titled divider, no input and no value. */
export function SectionField(props: FieldProps) {
  return (
    <Divider titlePlacement="start" style={{ marginTop: 8 }} data-testid={`section-${props.name}`}>
      {/* The designer's preview hands titles as `ui:title`. */}
      <Typography.Text strong>{getUiOptions(props.uiSchema).title ?? props.schema.title}</Typography.Text>
    </Divider>
  );
}

export const widgets = {
  user: UserWidget,
  group: GroupWidget,
  record: RecordWidget,
  ci: CiWidget,
  attachment: AttachmentWidget,
  richtext: RichTextWidget,
  rating: RatingWidget,
};
