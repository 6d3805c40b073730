import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type ConditionForm, describeCondition, shorten } from './condition-summary.ts';

const shipped = (plugin: string, form: string): ConditionForm =>
  JSON.parse(readFileSync(new URL(`../../plugins/${plugin}/forms/${form}.json`, import.meta.url), 'utf8'));

const change = shipped('itil-change', 'change');
const inspection = shipped('itil-inspection', 'inspection');
const release = shipped('itil-release', 'release');
const serviceRequest = shipped('itil-service-request', 'service-request');

/** A small form of every kind of field a condition tests. */
const form: ConditionForm = {
  schema: {
    properties: {
      priority: {
        type: 'string',
        'x-title': { 'zh-CN': '优先级', en: 'Priority' },
        enum: ['P1', 'P2', 'P3'],
      },
      category: {
        type: 'string',
        title: '类别',
        oneOf: [
          { const: 'hw', title: { 'zh-CN': '硬件', en: 'Hardware' } },
          { const: 'sw', title: { 'zh-CN': '软件', en: 'Software' } },
        ],
      },
      urgent: { type: 'boolean', 'x-title': { 'zh-CN': '紧急', en: 'Urgent' } },
      cost: { type: 'number', 'x-title': { 'zh-CN': '费用', en: 'Cost' } },
      note: { type: 'string', 'x-title': { 'zh-CN': '备注', en: 'Note' } },
      tags: {
        type: 'array',
        'x-title': { 'zh-CN': '标签', en: 'Tags' },
        items: { type: 'string', enum: ['vip', 'outage'] },
      },
      contact: {
        type: 'object',
        'x-title': { 'zh-CN': '联系人', en: 'Contact' },
        properties: { phone: { type: 'string', 'x-title': { 'zh-CN': '电话', en: 'Phone' } } },
      },
    },
  },
  uiSchema: {
    priority: { 'ui:enumNames': [{ 'zh-CN': '紧急', en: 'Critical' }, '高 High', { en: 'Normal' }] },
    tags: { items: { 'ui:options': { enumNames: [{ 'zh-CN': '重要客户', en: 'VIP' }, '故障'] } } },
  },
};

const both = (expression: string, f: ConditionForm | undefined = form) => ({
  zh: describeCondition(expression, 'zh-CN', f),
  en: describeCondition(expression, 'en', f),
});

describe('describeCondition', () => {
  it("reads the shipped flows' conditions with the forms' titles and choice labels", () => {
    expect(both('record.changeType == "standard"', change)).toEqual({
      zh: '变更类型 = 标准',
      en: 'Change type = Standard',
    });
    expect(both('record.requestType == "password-reset"', serviceRequest)).toEqual({
      zh: '请求类型 = 密码重置',
      en: 'Request type = Password reset',
    });
    expect(
      both(
        'record.upsStatus == "alarm" || record.coolingStatus == "alarm" || record.fireSystem == "alarm" || record.temperature > 27 || record.humidity > 60',
        inspection,
      ).en,
    ).toBe(
      'UPS status = Alarm or Cooling status = Alarm or Fire system = Alarm or Temperature (°C) > 27 or Humidity (%) > 60',
    );
    expect(both('record.apps.all(a, a.status == "SIT发布成功")', release)).toEqual({
      zh: '全部应用：CI/CD 状态 = SIT发布成功',
      en: 'All Applications: CI/CD status = SIT deployed',
    });
  });

  it('reads ==, !=, comparisons and literals on either side', () => {
    expect(both('record.priority != "P1"')).toEqual({ zh: '优先级 ≠ 紧急', en: 'Priority ≠ Critical' });
    expect(both('record.priority == "P2"').en).toBe('Priority = 高 High');
    // A label given in one language only stands for both.
    expect(both('record.priority == "P3"').zh).toBe('优先级 = Normal');
    expect(both('record.category == "sw"')).toEqual({ zh: '类别 = 软件', en: '类别 = Software' });
    expect(both('record.cost >= 1000').en).toBe('Cost ≥ 1000');
    expect(both('record.cost <= 2.5').en).toBe('Cost ≤ 2.5');
    expect(both('100 < record.cost').en).toBe('Cost > 100');
    expect(both('record.cost > -3').en).toBe('Cost > -3');
    expect(both('record.urgent == true')).toEqual({ zh: '紧急 = 是', en: 'Urgent = Yes' });
    expect(both('record.note == "n/a"').en).toBe('Note = n/a');
    expect(both('record.contact.phone == "110"').en).toBe('Contact · Phone = 110');
    expect(both('record["priority"] == "P1"').en).toBe('Priority = Critical');
    // A field the form does not have goes by its key.
    expect(both('record.unknownField == "x"').en).toBe('unknownField = x');
    // No form at hand: keys and values as written.
    expect(both('record.changeType == "standard"', undefined).en).toBe('changeType = standard');
  });

  it('reads in, contains and their negations', () => {
    expect(both('record.priority in ["P1", "P2"]')).toEqual({
      zh: '优先级 属于 紧急、高 High',
      en: 'Priority is one of Critical, 高 High',
    });
    expect(both('!(record.priority in ["P1"])')).toEqual({
      zh: '优先级 不属于 紧急',
      en: 'Priority is none of Critical',
    });
    expect(both('"vip" in record.tags')).toEqual({ zh: '标签 包含 重要客户', en: 'Tags contains VIP' });
    expect(both('!("outage" in record.tags)').en).toBe('Tags does not contain 故障');
    expect(both('record.note.contains("disk")').en).toBe('Note contains disk');
    expect(both('!record.note.contains("disk")').zh).toBe('备注 不包含 disk');
  });

  it('reads &&, || and ! with parentheses where they bind', () => {
    expect(both('record.priority == "P1" && record.cost > 10')).toEqual({
      zh: '优先级 = 紧急 且 费用 > 10',
      en: 'Priority = Critical and Cost > 10',
    });
    expect(both('record.urgent && (record.priority == "P1" || record.cost > 10)')).toEqual({
      zh: '紧急 = 是 且 （优先级 = 紧急 或 费用 > 10）',
      en: 'Urgent = Yes and (Priority = Critical or Cost > 10)',
    });
    expect(both('record.priority == "P1" || record.urgent && record.cost > 10').en).toBe(
      'Priority = Critical or Urgent = Yes and Cost > 10',
    );
    expect(both('!record.urgent')).toEqual({ zh: '紧急 = 否', en: 'Urgent = No' });
    expect(both('!(record.cost > 10 && record.urgent)')).toEqual({
      zh: '非（费用 > 10 且 紧急 = 是）',
      en: 'not (Cost > 10 and Urgent = Yes)',
    });
  });

  it('reads every spelling of "is empty"', () => {
    for (const e of [
      'record.note == ""',
      'record.note == null',
      'size(record.note) == 0',
      '!has(record.note)',
    ])
      expect(both(e), e).toEqual({ zh: '备注 为空', en: 'Note is empty' });
    for (const e of [
      'record.note != ""',
      'record.note != null',
      'size(record.tags) > 0',
      'record.tags.size() != 0',
      'has(record.note)',
      'record.tags != []',
    ])
      expect(both(e).en, e).toMatch(/^(Note|Tags) is not empty$/);
    expect(both('record.tags == []').zh).toBe('标签 为空');
  });

  it('keeps what it cannot read as written, shortened', () => {
    // A part it cannot read stays as written beside the parts it can.
    expect(both('record.priority == "P1" && timestamp(record.due) < now').en).toBe(
      'Priority = Critical and timestamp(record.due) < now',
    );
    expect(both('"manager" in user.roles').en).toBe('"manager" in user.roles');
    const long = `record.tags.exists_one(t, t == "vip") && ${'record.cost * 2 + record.cost * 3 > 10 && '.repeat(3)}true`;
    const summary = describeCondition(long, 'en', form);
    expect(Array.from(summary).length).toBe(60);
    expect(summary.endsWith('…')).toBe(true);
    expect(describeCondition(long, 'en', form, { maxLength: 20 })).toBe('record.tags.exists_…');
    // Not CEL at all.
    expect(describeCondition('record.priority ==', 'en', form)).toBe('record.priority ==');
    expect(describeCondition(`${'x'.repeat(80)} ==`, 'en', form, { maxLength: 10 })).toBe('xxxxxxxxx…');
  });

  it('shortens by characters, not UTF-16 units', () => {
    expect(shorten('变更类型等于标准变更', 5)).toBe('变更类型…');
    expect(shorten('short', 10)).toBe('short');
  });
});
