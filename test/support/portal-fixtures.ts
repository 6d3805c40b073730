import type { ApiClient } from './client.ts';
import { publishDefinitions } from './fixtures.ts';

// A small service catalog for the portal suites: a form with a required field, a two-step
// process (a 会签 approval of two approvers, then fulfilment by the service desk) and a
// catalog publishing one item to everybody and two to narrower audiences.

const pos = { x: 0, y: 0 };

export const PORTAL_FORM = {
  kind: 'form',
  key: 'laptop-request',
  name: { 'zh-CN': '笔记本申请', en: 'Laptop request' },
  numberPrefix: 'LAP',
  schema: {
    type: 'object',
    required: ['title', 'reason'],
    properties: {
      title: { type: 'string', title: '标题', 'x-title': { 'zh-CN': '标题', en: 'Title' }, maxLength: 200 },
      model: {
        type: 'string',
        title: '型号',
        'x-title': { 'zh-CN': '型号', en: 'Model' },
        enum: ['x1', 'mbp'],
      },
      reason: { type: 'string', title: '申请理由', 'x-title': { 'zh-CN': '申请理由', en: 'Reason' } },
      notes: { type: 'string', title: '交付说明', 'x-title': { 'zh-CN': '交付说明', en: 'Delivery notes' } },
    },
  },
  uiSchema: { reason: { 'ui:widget': 'textarea' } },
  titleField: 'title',
};

export function portalProcess(approvers: string) {
  return {
    kind: 'process',
    key: 'laptop-flow',
    name: { 'zh-CN': '笔记本申请流程', en: 'Laptop flow' },
    form: 'laptop-request',
    nodes: [
      { id: 'start', type: 'start', position: pos },
      {
        id: 'approval',
        type: 'userTask',
        name: { 'zh-CN': '会签审批', en: 'Approval' },
        position: pos,
        status: 'approving',
        assignee: { type: 'user', value: approvers },
        approval: { mode: 'all' },
        dueIn: 'PT8H',
      },
      {
        id: 'fulfil',
        type: 'userTask',
        name: { 'zh-CN': '交付', en: 'Fulfil' },
        position: pos,
        status: 'fulfilling',
        assignee: { type: 'group', value: 'service-desk' },
        distribution: 'claim',
        dueIn: 'PT4H',
        fieldAccess: { editable: ['notes'], required: ['notes'] },
      },
      { id: 'done', type: 'end', position: pos, outcome: 'resolved' },
      { id: 'rejected', type: 'end', position: pos, outcome: 'rejected' },
    ],
    edges: [
      { id: 'e1', source: 'start', target: 'approval' },
      {
        id: 'e2',
        source: 'approval',
        target: 'fulfil',
        action: { key: 'approve', label: { 'zh-CN': '同意', en: 'Approve' }, style: 'primary' },
      },
      {
        id: 'e3',
        source: 'approval',
        target: 'rejected',
        action: { key: 'reject', label: { 'zh-CN': '驳回', en: 'Reject' }, style: 'danger' },
      },
      {
        id: 'e4',
        source: 'fulfil',
        target: 'done',
        action: { key: 'resolve', label: { 'zh-CN': '已解决', en: 'Resolve' }, style: 'primary' },
      },
    ],
  };
}

export const PORTAL_CATALOG = {
  kind: 'catalog',
  key: 'it-catalog',
  name: { 'zh-CN': 'IT 服务', en: 'IT services' },
  categories: [
    { id: 'hardware', name: { 'zh-CN': '硬件', en: 'Hardware' }, order: 1 },
    { id: 'accounts', name: { 'zh-CN': '账号', en: 'Accounts' }, icon: 'key', order: 2 },
  ],
  items: [
    {
      id: 'laptop',
      name: { 'zh-CN': '笔记本申请', en: 'Laptop' },
      description: { 'zh-CN': '申请一台办公笔记本', en: 'Ask for a work laptop' },
      category: 'hardware',
      icon: 'laptop',
      form: 'laptop-request',
      process: 'laptop-flow',
      defaults: { model: 'x1' },
    },
    {
      id: 'password',
      name: { 'zh-CN': '密码重置', en: 'Password reset' },
      category: 'accounts',
      form: 'laptop-request',
      process: 'laptop-flow',
      defaults: { title: '密码重置' },
    },
    {
      id: 'desk-only',
      name: { 'zh-CN': '服务台工具', en: 'Desk tools' },
      category: 'hardware',
      form: 'laptop-request',
      process: 'laptop-flow',
      visibleTo: { groups: ['service-desk'] },
    },
    {
      id: 'managers-only',
      name: { 'zh-CN': '预算审批', en: 'Budget' },
      category: 'accounts',
      form: 'laptop-request',
      process: 'laptop-flow',
      visibleTo: { roles: ['manager'] },
    },
  ],
};

/** The item published to everybody, which requesters raise laptop requests through. */
export const LAPTOP_ITEM = 'it-catalog/laptop';

/** Creates and publishes the form, the process (approvers: "a,b") and the catalog as the admin. */
export async function publishPortalFixtures(admin: ApiClient, approvers: string): Promise<void> {
  await publishDefinitions(admin, [PORTAL_FORM, portalProcess(approvers), PORTAL_CATALOG]);
}
