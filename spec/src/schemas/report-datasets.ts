import type { I18nText } from '../i18n.ts';
import type { DatasetSource } from './report.ts';

/**
 * The fields each report dataset offers: what the designer lists, what the validator accepts and
 * what `@opsloom/reports` maps to SQL (its registry must have exactly these names; a test checks).
 *
 * Kinds: `dimension` (a category to group or filter by), `time` (an instant, grouped by a
 * granularity), `number`, `duration` (milliseconds) and `boolean`. A duration marked `business`
 * can also be measured in business time on a calendar (its start and end instants are known).
 *
 * A `records` report with a `form` may also use that form's indexed fields by name; a `formRows`
 * report (a form and one of its table fields) uses the table's columns by name.
 * Seam for CMDB and knowledge: a dataset is an entry here plus a registry entry in
 * `reports/src/datasets.ts` (its table, its join to `records` for visibility, its fields' SQL).
 */
export type ReportFieldKind = 'dimension' | 'time' | 'number' | 'duration' | 'boolean';

export interface ReportField {
  kind: ReportFieldKind;
  label: I18nText;
  /** A duration whose business time can be measured on a calendar. */
  business?: true;
}

export interface ReportDataset {
  label: I18nText;
  /** One row per record: its counts are record counts, and drill-down maps to list filters. */
  oneRowPerRecord: boolean;
  fields: Record<string, ReportField>;
}

const t = (zh: string, en: string): I18nText => ({ 'zh-CN': zh, en });
const f = (kind: ReportFieldKind, zh: string, en: string, business?: true): ReportField =>
  business ? { kind, label: t(zh, en), business } : { kind, label: t(zh, en) };

/** The record a row belongs to, for datasets that are not records themselves. */
const RECORD_OF_ROW = {
  recordId: f('dimension', '记录', 'Record'),
  type: f('dimension', '记录类型', 'Record type'),
  priority: f('dimension', '优先级', 'Priority'),
  catalogItem: f('dimension', '服务目录项', 'Catalog item'),
  recordStatus: f('dimension', '记录状态', 'Record status'),
  recordGroup: f('dimension', '记录处理组', "Record's group"),
  recordAssignee: f('dimension', '记录处理人', "Record's assignee"),
  recordCreatedAt: f('time', '记录创建时间', 'Record created'),
  recordResolvedAt: f('time', '记录解决时间', 'Record resolved'),
} satisfies Record<string, ReportField>;

export const REPORT_DATASETS: Record<DatasetSource, ReportDataset> = {
  records: {
    label: t('记录（工单）', 'Records (tickets)'),
    oneRowPerRecord: true,
    fields: {
      id: f('dimension', '记录', 'Record'),
      number: f('dimension', '编号', 'Number'),
      title: f('dimension', '标题', 'Title'),
      type: f('dimension', '记录类型', 'Record type'),
      status: f('dimension', '状态', 'Status'),
      priority: f('dimension', '优先级', 'Priority'),
      group: f('dimension', '处理组', 'Group'),
      assignee: f('dimension', '处理人', 'Assignee'),
      requester: f('dimension', '申请人', 'Requester'),
      catalogItem: f('dimension', '服务目录项', 'Catalog item'),
      createdAt: f('time', '创建时间', 'Created'),
      updatedAt: f('time', '更新时间', 'Updated'),
      resolvedAt: f('time', '解决时间', 'Resolved'),
      closedAt: f('time', '关闭时间', 'Closed'),
      open: f('boolean', '未关闭', 'Open'),
      resolved: f('boolean', '已解决', 'Resolved'),
      resolutionTime: f('duration', '解决用时', 'Time to resolve', true),
      age: f('duration', '已存在时长', 'Age', true),
      reassignments: f(
        'number',
        '转派次数（首次分派之后处理组或处理人的变更）',
        'Reassignments (group or assignee changes after the first assignment)',
      ),
      transfers: f(
        'number',
        '转组次数（首次分派之后转到其他处理组，即升级或转派；同组内换人不算）',
        'Transfers (moves to another group after the first; a hand-over within the group is not one)',
      ),
      reopens: f(
        'number',
        '重新打开次数（从完成类状态回到其他状态）',
        'Reopens (left a done status for another)',
      ),
    },
  },
  tasks: {
    label: t('任务（流程步骤）', 'Tasks (process steps)'),
    oneRowPerRecord: false,
    fields: {
      id: f('dimension', '任务', 'Task'),
      process: f('dimension', '流程', 'Process'),
      step: f('dimension', '步骤', 'Step'),
      status: f('dimension', '任务状态', 'Task status'),
      outcome: f('dimension', '处理结果', 'Outcome'),
      group: f('dimension', '处理组', 'Group'),
      assignee: f('dimension', '处理人', 'Assignee'),
      completedBy: f('dimension', '完成人', 'Completed by'),
      openedAt: f('time', '开始时间', 'Opened'),
      closedAt: f('time', '完成时间', 'Closed'),
      dueAt: f('time', '到期时间', 'Due'),
      open: f('boolean', '进行中', 'Open'),
      overdue: f('boolean', '已超期', 'Overdue'),
      timeInStep: f('duration', '步骤用时', 'Time in step', true),
      ...RECORD_OF_ROW,
    },
  },
  approvals: {
    label: t('审批（谁做了什么决定）', 'Approvals (who decided what)'),
    oneRowPerRecord: false,
    fields: {
      taskId: f('dimension', '任务', 'Task'),
      process: f('dimension', '流程', 'Process'),
      step: f('dimension', '步骤', 'Step'),
      approver: f('dimension', '审批人', 'Approver'),
      decision: f('dimension', '决定', 'Decision'),
      mode: f('dimension', '审批方式', 'Approval mode'),
      askedAt: f('time', '发起时间', 'Asked'),
      decidedAt: f('time', '决定时间', 'Decided'),
      pending: f('boolean', '待决定', 'Pending'),
      decisionTime: f('duration', '决定用时', 'Time to decide', true),
      ...RECORD_OF_ROW,
    },
  },
  slaMetrics: {
    label: t('SLA 指标', 'SLA metrics'),
    oneRowPerRecord: false,
    fields: {
      sla: f('dimension', 'SLA', 'SLA'),
      metric: f('dimension', '指标', 'Metric'),
      goal: f('dimension', '目标', 'Goal'),
      calendar: f('dimension', '工作日历', 'Calendar'),
      state: f('dimension', '计时状态', 'Clock state'),
      cycle: f('number', '轮次', 'Cycle'),
      ola: f('boolean', 'OLA（任务时限）', 'OLA (task deadline)'),
      outcome: f('dimension', '结果（达标 / 超时 / 未定）', 'Outcome (met / breached / pending)'),
      met: f('boolean', '达标', 'Met'),
      breached: f('boolean', '超时', 'Breached'),
      elapsed: f('duration', '已用工作时间', 'Business time used'),
      wallElapsed: f('duration', '已用自然时间', 'Wall-clock time used', true),
      target: f('duration', '时限', 'Target'),
      startedAt: f('time', '开始计时', 'Started'),
      stoppedAt: f('time', '停止计时', 'Stopped'),
      breachedAt: f('time', '超时时刻', 'Breached at'),
      group: f('dimension', '处理组', 'Group'),
      assignee: f('dimension', '处理人', 'Assignee'),
      ...RECORD_OF_ROW,
    },
  },
  ratings: {
    label: t('满意度评价', 'Satisfaction ratings'),
    oneRowPerRecord: true,
    fields: {
      attitude: f('number', '服务态度', 'Attitude'),
      speed: f('number', '响应速度', 'Speed'),
      quality: f('number', '解决质量', 'Quality'),
      overall: f('number', '综合（三项平均）', 'Overall (mean of three)'),
      rater: f('dimension', '评价人', 'Rated by'),
      ratedAt: f('time', '评价时间', 'Rated'),
      group: f('dimension', '处理组', 'Group'),
      assignee: f('dimension', '处理人', 'Assignee'),
      ...RECORD_OF_ROW,
    },
  },
  transitions: {
    label: t('状态变化（记录历史）', 'Status changes (record history)'),
    oneRowPerRecord: false,
    fields: {
      from: f('dimension', '原状态', 'From status'),
      status: f('dimension', '进入状态', 'Status entered'),
      actor: f('dimension', '操作人', 'Changed by'),
      at: f('time', '变化时间', 'Changed'),
      leftAt: f('time', '离开时间', 'Left'),
      current: f('boolean', '当前状态', 'Current status'),
      reopen: f('boolean', '重新打开', 'Reopen'),
      timeInStatus: f('duration', '停留时长', 'Time in status', true),
      group: f('dimension', '处理组', 'Group'),
      assignee: f('dimension', '处理人', 'Assignee'),
      ...RECORD_OF_ROW,
    },
  },
  formRows: {
    label: t('表格字段的行（如发布单的应用）', "Rows of a form's table field (a release's applications)"),
    oneRowPerRecord: false,
    fields: {
      row: f('number', '行号（从 1 起）', 'Row (from 1)'),
      ...RECORD_OF_ROW,
    },
  },
};

/** A field of a dataset, or undefined (a form field of a records report is not listed here). */
export function datasetField(source: unknown, name: unknown): ReportField | undefined {
  if (typeof source !== 'string' || typeof name !== 'string') return undefined;
  const dataset = (REPORT_DATASETS as Record<string, ReportDataset | undefined>)[source];
  return dataset && Object.hasOwn(dataset.fields, name) ? dataset.fields[name] : undefined;
}
