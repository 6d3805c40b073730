import { englishStringTranslator, replaceStringParameters, TranslatableString } from '@rjsf/utils';
import type { Locale } from './i18n.ts';

// rjsf's own texts (its buttons' names and tooltips, yes / no, an empty list) in Chinese. Strings
// only a developer sees (unsupported schemas) stay in English.
const ZH: Partial<Record<TranslatableString, string>> = {
  [TranslatableString.ArrayItemTitle]: '条目',
  [TranslatableString.EmptyArray]: '还没有条目，点下面的按钮添加。',
  [TranslatableString.YesLabel]: '是',
  [TranslatableString.NoLabel]: '否',
  [TranslatableString.CloseLabel]: '关闭',
  [TranslatableString.ErrorsLabel]: '错误',
  [TranslatableString.NewStringDefault]: '新值',
  [TranslatableString.AddButton]: '添加',
  [TranslatableString.AddItemButton]: '添加一项',
  [TranslatableString.CopyButton]: '复制',
  [TranslatableString.MoveDownButton]: '下移',
  [TranslatableString.MoveUpButton]: '上移',
  [TranslatableString.RemoveButton]: '删除',
  [TranslatableString.NowLabel]: '现在',
  [TranslatableString.ClearLabel]: '清除',
  [TranslatableString.AriaDateLabel]: '选择日期',
  [TranslatableString.PreviewLabel]: '预览',
  [TranslatableString.DecrementAriaLabel]: '减 1',
  [TranslatableString.IncrementAriaLabel]: '加 1',
  [TranslatableString.OptionalObjectAdd]: '填写这一可选项',
  [TranslatableString.OptionalObjectRemove]: '移除这一可选项',
  [TranslatableString.OptionalObjectEmptyMsg]: '这一可选项未填写',
  [TranslatableString.Type]: '类型',
  [TranslatableString.Value]: '值',
  [TranslatableString.ClearButton]: '清空',
  [TranslatableString.OptionPrefix]: '选项 %1',
  [TranslatableString.TitleOptionPrefix]: '%1 选项 %2',
  [TranslatableString.KeyLabel]: '%1 键',
  [TranslatableString.DeprecatedLabel]: '%1（已弃用）',
  [TranslatableString.FilesInfo]: '**%1**（%2，%3 字节）',
};

/** rjsf's `translateString` for the person's language. */
export function rjsfStrings(locale: Locale) {
  return (text: TranslatableString, params?: string[]): string => {
    const zh = locale === 'zh-CN' ? ZH[text] : undefined;
    return zh ? replaceStringParameters(zh, params) : englishStringTranslator(text, params);
  };
}
