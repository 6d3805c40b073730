// Every text the form kit shows itself (its widgets' hints, values' labels, the required
// message), in both languages. The apps' own texts are in their own catalogues.

export const messages = {
  'form.required': { 'zh-CN': '此项为必填项', en: 'Required' },
  'widget.searching': { 'zh-CN': '搜索中…', en: 'Searching…' },
  'widget.nothingFound': { 'zh-CN': '没有匹配项', en: 'Nothing matches' },
  'widget.userPlaceholder': { 'zh-CN': '输入姓名或用户名搜索', en: 'Type a name or username' },
  'widget.groupPlaceholder': { 'zh-CN': '选择组', en: 'Choose a group' },
  'widget.recordPlaceholder': { 'zh-CN': '输入编号或标题搜索', en: 'Type a number or title' },
  'widget.ciPlaceholder': {
    'zh-CN': '配置项标识，如 srv-db-01',
    en: 'Configuration item key, e.g. srv-db-01',
  },
  'widget.bold': { 'zh-CN': '加粗', en: 'Bold' },
  'widget.italic': { 'zh-CN': '斜体', en: 'Italic' },
  'widget.bulletList': { 'zh-CN': '项目符号列表', en: 'Bulleted list' },
  'widget.numberedList': { 'zh-CN': '编号列表', en: 'Numbered list' },
  'widget.link': { 'zh-CN': '链接', en: 'Link' },
  'widget.markdownHint': { 'zh-CN': '支持 Markdown 格式', en: 'Markdown formatting works here' },
  'widget.chooseFiles': { 'zh-CN': '选择文件', en: 'Choose files' },
  'widget.uploadAfterSubmit': {
    'zh-CN': '提交后自动上传到此请求',
    en: 'Uploaded to the request once you submit',
  },
  'value.yes': { 'zh-CN': '是', en: 'Yes' },
  'value.no': { 'zh-CN': '否', en: 'No' },
  'value.download': { 'zh-CN': '下载 {name}', en: 'Download {name}' },
  'value.fileMissing': {
    'zh-CN': '{name}（文件未找到）',
    en: '{name} (file not found)',
  },
  'value.rating': { 'zh-CN': '{n} / {max} 星', en: '{n} of {max} stars' },
} as const satisfies Record<string, { 'zh-CN': string; en: string }>;
