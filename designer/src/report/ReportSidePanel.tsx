import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import {
  DURATION_UNITS,
  MEASURE_FORMATS,
  PARAM_TYPES,
  REPORT_ROLES,
  type ReportDefinition,
} from '@opsloom/spec';
import {
  Button,
  ColorPicker,
  Divider,
  Form,
  Input,
  InputNumber,
  Select,
  Space,
  Switch,
  Typography,
} from 'antd';
import { I18nInput } from '../components/inputs.tsx';
import { ParamDefaultInput } from '../components/ParamDefaultInput.tsx';
import { type MessageKey, useT, useText } from '../i18n.ts';
import { freeId } from '../process/nodeTypes.ts';
import { useEditor } from '../store/editor.ts';
import { type ChartOptions, type FieldOption, report } from './model.ts';

const NO_OPTIONS = {};
const NO_PARAMS: NonNullable<ReportDefinition['params']> = [];

const set = (recipe: (r: ReportDefinition) => void, coalesce?: string) =>
  useEditor.getState().update((d) => recipe(report(d)), coalesce);

/** The side panel: the selected zone item's details, then the chart's options and the report's settings. */
export function ReportSidePanel({ fields }: { fields: FieldOption[] }) {
  const t = useT();
  const selected = useEditor((s) => s.selection.reportItem);
  return (
    <div style={{ padding: 12 }}>
      {selected && <ItemPanel id={selected} fields={fields} />}
      <ChartOptionsPanel />
      <ParamsPanel />
      <SettingsPanel />
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {t('report.jsonHint')}
      </Typography.Paragraph>
    </div>
  );
}

function ItemPanel({ id, fields }: { id: string; fields: FieldOption[] }) {
  const t = useT();
  const text = useText();
  const [zone, i] = id.split(':') as ['dimensions' | 'measures' | 'filters', string];
  const index = Number(i);
  const item = useEditor((s) => (report(s.def)[zone] as Record<string, unknown>[] | undefined)?.[index]);
  const measureIds = useEditor((s) =>
    report(s.def)
      .measures.map((m) => m.id)
      .join('\n'),
  ).split('\n');
  if (!item) return null;
  const field = fields.find((f) => f.name === item.field);
  const up = (recipe: (x: Record<string, unknown>) => void, coalesce?: string) =>
    set((r) => {
      const x = (r[zone] as Record<string, unknown>[] | undefined)?.[index];
      if (x) recipe(x);
    }, coalesce);
  return (
    <div data-testid="report-item-panel">
      <Typography.Title level={5} style={{ marginTop: 0 }}>
        {t(`report.zone.${zone}` as MessageKey)} ·{' '}
        {field ? text(field.label) : String(item.field ?? item.id ?? '')}
      </Typography.Title>
      <Form layout="vertical" size="small">
        {zone !== 'filters' && (
          <Form.Item label={t('report.label')}>
            <I18nInput
              value={item.label as never}
              testId="report-item-label"
              onChange={(v) =>
                up((x) => {
                  if (v) x.label = v;
                  else delete x.label;
                }, `label:${id}`)
              }
            />
          </Form.Item>
        )}
        {zone === 'dimensions' && field?.kind !== 'time' && (
          <Form.Item label={t('report.top')} extra={t('report.topHelp')}>
            <InputNumber
              min={1}
              max={100}
              value={item.top as number | undefined}
              onChange={(v) =>
                up((x) => {
                  if (v) x.top = v;
                  else delete x.top;
                })
              }
            />
          </Form.Item>
        )}
        {zone === 'measures' && (
          <>
            <Form.Item label={t('report.measureId')}>
              <Input
                value={String(item.id ?? '')}
                data-testid="report-item-id"
                onChange={(e) =>
                  up((x) => {
                    x.id = e.target.value;
                  }, `id:${id}`)
                }
              />
            </Form.Item>
            {item.agg === 'ratio' && (
              <Space>
                {(['of', 'over'] as const).map((side) => (
                  <Form.Item key={side} label={t(`report.ratio.${side}` as MessageKey)}>
                    <Select
                      style={{ width: 130 }}
                      value={item[side] as string | undefined}
                      onChange={(v: string) =>
                        up((x) => {
                          x[side] = v;
                        })
                      }
                      options={measureIds.filter((m) => m !== item.id).map((m) => ({ value: m, label: m }))}
                    />
                  </Form.Item>
                ))}
              </Space>
            )}
            <Form.Item label={t('report.format')}>
              <Select
                allowClear
                value={item.format as string | undefined}
                onChange={(v?: string) =>
                  up((x) => {
                    if (v) x.format = v;
                    else delete x.format;
                  })
                }
                options={MEASURE_FORMATS.map((f) => ({
                  value: f,
                  label: t(`report.format.${f}` as MessageKey),
                }))}
              />
            </Form.Item>
            {(field?.kind === 'duration' || item.format === 'duration') && (
              <Form.Item label={t('report.unit')}>
                <Select
                  allowClear
                  value={item.unit as string | undefined}
                  onChange={(v?: string) =>
                    up((x) => {
                      if (v) x.unit = v;
                      else delete x.unit;
                    })
                  }
                  options={DURATION_UNITS.map((u) => ({ value: u, label: u }))}
                />
              </Form.Item>
            )}
            <Form.Item label={t('report.hidden')}>
              <Switch
                checked={item.hidden === true}
                onChange={(v) =>
                  up((x) => {
                    if (v) x.hidden = true;
                    else delete x.hidden;
                  })
                }
              />
            </Form.Item>
          </>
        )}
        {zone === 'filters' && (
          <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
            {t('report.filterHelp')}
          </Typography.Paragraph>
        )}
      </Form>
      <Divider style={{ margin: '8px 0' }} />
    </div>
  );
}

function ChartOptionsPanel() {
  const t = useT();
  const type = useEditor((s) => report(s.def).chart?.type);
  const options = (useEditor((s) => report(s.def).chart?.options) ?? NO_OPTIONS) as ChartOptions;
  const colors = options.colors ?? [];
  const setOptions = (recipe: (o: ChartOptions) => void, coalesce?: string) =>
    set((r) => {
      const o = (r.chart.options ?? {}) as ChartOptions;
      recipe(o);
      if (o.echarts && Object.keys(o.echarts).length === 0) delete o.echarts;
      if (Object.keys(o).length) r.chart.options = o;
      else delete r.chart.options;
    }, coalesce);
  const flag = (key: 'stack' | 'labels' | 'horizontal' | 'smooth') => (
    <Form.Item label={t(`report.opt.${key}` as MessageKey)}>
      <Switch
        data-testid={`report-opt-${key}`}
        checked={options[key] === true}
        onChange={(v) =>
          setOptions((o) => {
            if (v) o[key] = true;
            else delete o[key];
          })
        }
      />
    </Form.Item>
  );
  const seriesChart = type === 'bar' || type === 'line' || type === 'area';
  return (
    <div data-testid="report-chart-options">
      <Typography.Title level={5} style={{ marginTop: 0 }}>
        {t('report.chartOptions')}
      </Typography.Title>
      <Form layout="vertical" size="small">
        <Form.Item label={t('report.opt.title')} extra={t('report.opt.titleHelp')}>
          <I18nInput
            testId="report-opt-title"
            value={options.title}
            onChange={(v) =>
              setOptions((o) => {
                if (v) o.title = v;
                else delete o.title;
              }, 'chart-title')
            }
          />
        </Form.Item>
        <Form.Item label={t('report.opt.colors')}>
          <Space wrap data-testid="report-opt-colors">
            {colors.map((c, i) => (
              <Space.Compact key={`${i}-${c}`}>
                <ColorPicker
                  size="small"
                  value={c}
                  onChangeComplete={(v) =>
                    setOptions((o) => {
                      o.colors = [...(o.colors ?? [])];
                      o.colors[i] = v.toHexString();
                    })
                  }
                />
                <Button
                  size="small"
                  icon={<DeleteOutlined />}
                  aria-label={t('common.delete')}
                  onClick={() =>
                    setOptions((o) => {
                      o.colors = (o.colors ?? []).filter((_, j) => j !== i);
                      if (!o.colors.length) delete o.colors;
                    })
                  }
                />
              </Space.Compact>
            ))}
            <Button
              size="small"
              icon={<PlusOutlined />}
              data-testid="report-opt-color-add"
              onClick={() =>
                setOptions((o) => {
                  o.colors = [...(o.colors ?? []), PALETTE[colors.length % PALETTE.length]!];
                })
              }
            >
              {t('report.opt.addColor')}
            </Button>
          </Space>
        </Form.Item>
        {seriesChart && flag('stack')}
        {flag('labels')}
        {type === 'bar' && flag('horizontal')}
        {(type === 'line' || type === 'area') && flag('smooth')}
      </Form>
      <Divider style={{ margin: '8px 0' }} />
    </div>
  );
}

const PALETTE = ['#1677ff', '#52c41a', '#fa8c16', '#eb2f96', '#722ed1', '#13c2c2', '#faad14', '#f5222d'];

function ParamsPanel() {
  const t = useT();
  const params = useEditor((s) => report(s.def).params) ?? NO_PARAMS;
  return (
    <div data-testid="report-params">
      <Typography.Title level={5} style={{ marginTop: 0 }}>
        {t('report.params')}
      </Typography.Title>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {t('report.paramsHelp')}
      </Typography.Paragraph>
      {params.map((p, i) => (
        <Space.Compact key={`${i}-${p.key}`} block style={{ marginBottom: 4 }}>
          <Input
            size="small"
            style={{ width: '35%' }}
            value={p.key}
            data-testid={`report-param-${i}-key`}
            onChange={(e) =>
              set((r) => {
                const old = r.params![i]!.key;
                r.params![i]!.key = e.target.value;
                for (const f of r.filters ?? []) if (f.param === old) f.param = e.target.value;
              }, `param-key:${i}`)
            }
          />
          <Select
            size="small"
            style={{ width: '30%' }}
            value={p.type}
            onChange={(v) =>
              set((r) => {
                r.params![i]!.type = v;
                delete r.params![i]!.default;
              })
            }
            options={PARAM_TYPES.map((x) => ({ value: x, label: x }))}
          />
          <ParamDefaultInput
            type={p.type}
            value={p.default}
            onChange={(v, typing) =>
              set(
                (r) => {
                  if (v === undefined) delete r.params![i]!.default;
                  else r.params![i]!.default = v as never;
                },
                typing ? `param-default:${i}` : undefined,
              )
            }
          />
          <Button
            size="small"
            icon={<DeleteOutlined />}
            aria-label={t('common.delete')}
            onClick={() =>
              set((r) => {
                const [gone] = r.params!.splice(i, 1);
                for (const f of r.filters ?? []) if (f.param === gone?.key) delete f.param;
                if (!r.params!.length) delete r.params;
              })
            }
          />
        </Space.Compact>
      ))}
      <Button
        size="small"
        icon={<PlusOutlined />}
        data-testid="report-param-add"
        onClick={() =>
          set((r) => {
            r.params ??= [];
            r.params.push({
              key: freeId(
                'param',
                r.params.map((p) => p.key),
              ).replace(/-/g, '_'),
              type: 'string',
            });
          })
        }
      >
        {t('report.addParam')}
      </Button>
      <Divider style={{ margin: '8px 0' }} />
    </div>
  );
}

function SettingsPanel() {
  const t = useT();
  const limit = useEditor((s) => report(s.def).limit);
  const sort = useEditor((s) => report(s.def).sort?.[0]);
  const roles = useEditor((s) => report(s.def).visibleTo?.roles);
  const dims = useEditor((s) => (report(s.def).dimensions ?? []).map((d) => d.field).join('\n'));
  const measures = useEditor((s) =>
    report(s.def)
      .measures.map((m) => m.id)
      .join('\n'),
  );
  const sortable = [...dims.split('\n'), ...measures.split('\n')].filter(Boolean);
  return (
    <div>
      <Typography.Title level={5} style={{ marginTop: 0 }}>
        {t('report.settings')}
      </Typography.Title>
      <Form layout="vertical" size="small">
        <Form.Item label={t('report.sort')}>
          <Space.Compact block>
            <Select
              allowClear
              style={{ width: '65%' }}
              data-testid="report-sort"
              value={sort?.by}
              onChange={(v?: string) =>
                set((r) => {
                  if (v) r.sort = [{ by: v, ...(r.sort?.[0]?.desc ? { desc: true } : {}) }];
                  else delete r.sort;
                })
              }
              options={[...new Set(sortable)].map((x) => ({ value: x, label: x }))}
            />
            <Select
              style={{ width: '35%' }}
              disabled={!sort}
              value={sort?.desc ? 'desc' : 'asc'}
              onChange={(v) =>
                set((r) => {
                  if (!r.sort?.[0]) return;
                  if (v === 'desc') r.sort[0].desc = true;
                  else delete r.sort[0].desc;
                })
              }
              options={[
                { value: 'asc', label: t('report.asc') },
                { value: 'desc', label: t('report.desc') },
              ]}
            />
          </Space.Compact>
        </Form.Item>
        <Form.Item label={t('report.limit')}>
          <InputNumber
            min={1}
            max={10000}
            value={limit}
            data-testid="report-limit"
            onChange={(v) =>
              set((r) => {
                if (v) r.limit = v;
                else delete r.limit;
              })
            }
          />
        </Form.Item>
        <Form.Item label={t('report.visibleTo')} extra={t('report.visibleToHelp')}>
          <Select
            mode="multiple"
            allowClear
            value={roles ?? []}
            onChange={(
              v: ReportDefinition['visibleTo'] extends infer V
                ? V extends { roles: infer R }
                  ? R
                  : never
                : never,
            ) =>
              set((r) => {
                if (v.length) r.visibleTo = { roles: v };
                else delete r.visibleTo;
              })
            }
            options={REPORT_ROLES.map((x) => ({ value: x, label: t(`role.${x}` as MessageKey) }))}
          />
        </Form.Item>
      </Form>
    </div>
  );
}
