import type { LocalizedMessage } from '../i18n.ts';

/**
 * Every problem Opsloom reports, by stable code. Codes never change meaning (the designer
 * and API clients switch on them); texts may be reworded freely. `{name}` placeholders are
 * filled from the problem's parameters. Each message says what is wrong AND names the thing
 * at fault (node, edge, field, id) so the admin knows where to click.
 */
export const MESSAGES = {
  // --- the envelope -------------------------------------------------------------------
  'definition.type': {
    'zh-CN': '定义必须是一个 JSON 对象，实际是 {got}',
    en: 'A definition must be a JSON object, got {got}',
  },
  'definition.kind': {
    'zh-CN': '未知的定义类型 “{kind}”，应为 {allowed} 之一',
    en: 'Unknown definition kind "{kind}"; expected one of {allowed}',
  },

  // --- JSON Schema shape (ajv; {detail} is ajv-i18n's text) ----------------------------
  'schema.type': { 'zh-CN': '{at}：{detail}', en: '{at}: {detail}' },
  'schema.required': {
    'zh-CN': '{at}：缺少必填属性 “{property}”',
    en: '{at}: required property "{property}" is missing',
  },
  'schema.additional': {
    'zh-CN': '{at}：不认识的属性 “{property}”，请删除或检查拼写',
    en: '{at}: unknown property "{property}"; remove it or check the spelling',
  },
  'schema.enum': {
    'zh-CN': '{at}：值 {value} 无效，应为 {allowed} 之一',
    en: '{at}: {value} is not allowed; expected one of {allowed}',
  },
  'schema.pattern': {
    'zh-CN': '{at}：值 “{value}” 格式不正确，应为{expected}',
    en: '{at}: "{value}" has the wrong format; expected {expected}',
  },
  'schema.format': {
    'zh-CN': '{at}：值 “{value}” 不是有效的 {format}',
    en: '{at}: "{value}" is not a valid {format}',
  },
  'schema.range': { 'zh-CN': '{at}：{detail}', en: '{at}: {detail}' },
  'schema.size': { 'zh-CN': '{at}：{detail}', en: '{at}: {detail}' },
  'schema.unique': { 'zh-CN': '{at}：{detail}', en: '{at}: {detail}' },
  'schema.discriminator': {
    'zh-CN': '{at}：“{tag}” 的值 {value} 无效，应为 {allowed} 之一',
    en: '{at}: "{tag}" {value} is not valid; expected one of {allowed}',
  },
  'schema.other': { 'zh-CN': '{at}：{detail}', en: '{at}: {detail}' },

  // --- expressions, templates, time zones (any kind) -------------------------------------
  'expression.syntax': {
    'zh-CN': '{at}：表达式 “{source}” 无法编译：{detail}',
    en: '{at}: expression "{source}" does not compile: {detail}',
  },
  'expression.cost': {
    'zh-CN':
      '{at}：表达式 “{source}” 预计需要约 {estimate} 步计算，超过每次求值的预算 {limit}，运行时必然失败',
    en: '{at}: expression "{source}" would take about {estimate} steps, more than the budget of {limit} one evaluation may spend; it would always fail',
  },
  'expression.unbounded': {
    'zh-CN':
      '{at}：表达式 “{source}” 在数据列表上嵌套了 {nesting} 层列表宏（最多 {limit} 层），耗时会随数据量成倍增长；请拆分条件或改用字段保存中间结果',
    en: '{at}: expression "{source}" nests {nesting} list macros over lists from data (at most {limit}): its time would grow with a power of their size; split it up or keep an intermediate result in a field',
  },
  'pattern.unsafe': {
    'zh-CN': '{at}：模式 “{pattern}” 无法使用：{detail}',
    en: '{at}: pattern "{pattern}": {detail}',
  },
  'template.syntax': {
    'zh-CN': '{at}：模板无法解析：{detail}',
    en: '{at}: the template does not parse: {detail}',
  },
  'timeZone.invalid': {
    'zh-CN': '时区 “{timeZone}” 不是有效的 IANA 时区名（例如 Asia/Shanghai）',
    en: 'Time zone "{timeZone}" is not a valid IANA zone name (e.g. Asia/Shanghai)',
  },
  'id.duplicate': {
    'zh-CN': '{collection} 中的 id “{id}” 重复，每个 id 只能用一次',
    en: 'Id "{id}" is used more than once in {collection}; ids must be unique',
  },

  // --- references (checked only when the lookup can answer) ------------------------------
  'ref.form': { 'zh-CN': '{at}：找不到表单 “{key}”', en: '{at}: form "{key}" does not exist' },
  'ref.process': { 'zh-CN': '{at}：找不到流程 “{key}”', en: '{at}: process "{key}" does not exist' },
  'ref.sla': { 'zh-CN': '{at}：找不到 SLA “{key}”', en: '{at}: SLA "{key}" does not exist' },
  'ref.calendar': { 'zh-CN': '{at}：找不到工作日历 “{key}”', en: '{at}: calendar "{key}" does not exist' },
  'ref.dashboard': { 'zh-CN': '{at}：找不到仪表盘 “{key}”', en: '{at}: dashboard "{key}" does not exist' },
  'ref.report': { 'zh-CN': '{at}：找不到报表 “{key}”', en: '{at}: report "{key}" does not exist' },
  'ref.rule': { 'zh-CN': '{at}：找不到规则 “{key}”', en: '{at}: rule "{key}" does not exist' },
  'ref.field': {
    'zh-CN': '{at}：表单 “{form}” 中没有字段 “{field}”',
    en: '{at}: form "{form}" has no field "{field}"',
  },
  'ref.status': {
    'zh-CN': '{at}：表单 “{form}” 没有声明状态 “{status}”（可用：{allowed}）',
    en: '{at}: form "{form}" declares no status "{status}" (it has: {allowed})',
  },
  'ref.group': { 'zh-CN': '{at}：找不到用户组 “{key}”', en: '{at}: group "{key}" does not exist' },
  'ref.user': { 'zh-CN': '{at}：找不到用户 “{key}”', en: '{at}: user "{key}" does not exist' },

  // --- actions, recipients, assignees (rules, OLA, SLA, process) ----------------------------
  'assignee.value': {
    'zh-CN': '{at}：处理人类型为 “{type}” 时必须填写 value',
    en: '{at}: an assignee of type "{type}" needs a value',
  },
  'action.recipient.value': {
    'zh-CN': '{at}：接收人类型为 “{type}” 时必须填写 value',
    en: '{at}: a recipient of type "{type}" needs a value',
  },
  'action.notify.url': {
    'zh-CN': '{at}：{channel} 通知必须填写 url',
    en: '{at}: a {channel} notification needs a url',
  },
  'action.notify.recipients': {
    'zh-CN': '{at}：{channel} 通知至少需要一个接收人',
    en: '{at}: a {channel} notification needs at least one recipient',
  },

  // --- secrets and outbound calls (service tasks, webhooks, IM robots) ------------------------
  'secret.literal': {
    'zh-CN':
      '{at}：{what} 是凭据，不能直接写在定义中（任何坐席都能读到定义）；请把它保存为密钥（PUT /api/v1/secrets/名称），在这里写 {{ secrets.名称 }}',
    en: '{at}: {what} is a credential and cannot be written into the definition (any agent can read it); store it as a secret (PUT /api/v1/secrets/NAME) and write {{ secrets.NAME }} here',
  },
  'secret.name': {
    'zh-CN':
      '{at}：“secrets.{name}” 不是有效的密钥名，应为大写字母开头、最多 64 位的大写字母、数字或 “_”（例如 CICD_TOKEN）',
    en: '{at}: "secrets.{name}" is not a valid secret name: up to 64 uppercase letters, digits or "_", starting with a letter (e.g. CICD_TOKEN)',
  },
  'secret.misplaced': {
    'zh-CN':
      '{at}：这里不能引用密钥 secrets.{name}：密钥只用于发往外部的调用（服务任务的 url、请求头和请求体，Webhook 与 IM 机器人的 url 和 secret），不会写进消息或记录',
    en: '{at}: secrets.{name} cannot be used here: secrets go only into calls that leave the server (a service task’s url, headers and body; a webhook’s or IM robot’s url and secret), never into messages or records',
  },
  'url.scheme': {
    'zh-CN': '{at}：URL 必须以 http:// 或 https:// 开头，这里是 “{scheme}”',
    en: '{at}: a URL must start with http:// or https://; this one starts with "{scheme}"',
  },

  // --- form ------------------------------------------------------------------------------
  'form.numberPrefix.taken': {
    'zh-CN': '编号前缀 “{prefix}” 已被表单 “{form}” 使用；每种记录类型需要自己的前缀，编号才不会重复',
    en: 'Number prefix "{prefix}" is already used by form "{form}"; each record type needs its own, so numbers never repeat',
  },
  'form.schema.invalid': {
    'zh-CN': '表单的 schema 不是有效的 JSON Schema：{schemaPath} 处的值 {value} 不正确（{detail}）',
    en: 'The form schema is not a valid JSON Schema: {value} at {schemaPath} is wrong ({detail})',
  },
  'form.schema.root': {
    'zh-CN': '表单 schema 的根必须是 "type": "object"，并在 properties 中至少定义一个字段',
    en: 'The form schema root must be "type": "object" with at least one field under properties',
  },
  'form.indexed.type': {
    'zh-CN': '字段 “{field}” 的类型是 {type}，只有字符串、数字、整数、布尔字段可以建立索引',
    en: 'Field "{field}" is of type {type}; only string, number, integer and boolean fields can be indexed',
  },
  'form.assignable': {
    'zh-CN':
      '字段 “{field}” 的 x-assignable 应为 {"roles": [...], "groups": [...]}（至少一项；角色为 admin、agent、manager、user 之一），且字段须保存用户名（字符串或字符串列表）',
    en: 'x-assignable of field "{field}" must be {"roles": [...], "groups": [...]} (at least one; roles among admin, agent, manager, user) on a field holding usernames (a string or a list of strings)',
  },
  'form.priorityMatrix.value': {
    'zh-CN': '{at}：优先级矩阵中的 “{value}” 不是字段 “{field}” 的可选值（{allowed}）',
    en: '{at}: "{value}" in the priority matrix is not an option of field "{field}" ({allowed})',
  },

  // --- process: graph --------------------------------------------------------------------
  'process.start.count': {
    'zh-CN': '流程必须有且只有一个开始节点，当前有 {count} 个{nodes}',
    en: 'A process needs exactly one start node; it has {count}{nodes}',
  },
  'process.start.incoming': {
    'zh-CN': '连线 “{edge}” 指向开始节点 {node}，开始节点不能有进入的连线',
    en: 'Edge "{edge}" leads into start node {node}; a start node cannot have incoming edges',
  },
  'process.end.outgoing': {
    'zh-CN': '连线 “{edge}” 从结束节点 {node} 出发，结束节点不能有流出的连线',
    en: 'Edge "{edge}" leaves end node {node}; an end node cannot have outgoing edges',
  },
  'process.node.duplicateId': {
    'zh-CN': '节点 id “{id}” 被多个节点使用，节点 id 必须唯一',
    en: 'Node id "{id}" is used by more than one node; node ids must be unique',
  },
  'process.edge.duplicateId': {
    'zh-CN': '连线 id “{id}” 被多条连线使用，连线 id 必须唯一',
    en: 'Edge id "{id}" is used by more than one edge; edge ids must be unique',
  },
  'process.edge.dangling': {
    'zh-CN': '连线 “{edge}” 的{end}指向不存在的节点 “{node}”',
    en: 'Edge "{edge}" has a {end} "{node}" that is not a node of this process',
  },
  'process.edge.duplicate': {
    'zh-CN': '连线 “{edge}” 与连线 “{other}” 重复：起点、终点和按钮都相同',
    en: 'Edge "{edge}" duplicates edge "{other}": same source, target and action',
  },
  'process.node.unreachable': {
    'zh-CN': '节点 {node} 无法从开始节点到达，请连线或删除它',
    en: 'Node {node} cannot be reached from the start node; connect it or delete it',
  },
  'process.node.deadEnd': {
    'zh-CN': '从节点 {node} 出发无法到达任何结束节点，流程会卡在这里',
    en: 'No end node can be reached from node {node}; work would get stuck there',
  },
  'process.gateway.outgoing': {
    'zh-CN': '排他网关 {node} 至少需要两条流出连线，当前有 {count} 条',
    en: 'Exclusive gateway {node} needs at least two outgoing edges; it has {count}',
  },
  'process.gateway.condition': {
    'zh-CN': '排他网关 {node} 的流出连线 “{edge}” 既没有条件也不是默认连线',
    en: 'Edge "{edge}" leaving exclusive gateway {node} has no condition and is not the default edge',
  },
  'process.gateway.defaults': {
    'zh-CN': '排他网关 {node} 有多条默认连线（{edges}），最多只能有一条',
    en: 'Exclusive gateway {node} has more than one default edge ({edges}); at most one is allowed',
  },
  'process.errorEdge.source': {
    'zh-CN': '连线 “{edge}” 是错误连线，但节点 {node} 不是调用外部系统的服务任务：只有 HTTP 调用会在之后失败',
    en: 'Edge "{edge}" is an error edge, but node {node} is not a service task that calls out: only an HTTP call can fail later',
  },
  'process.errorEdge.count': {
    'zh-CN': '服务任务 {node} 有多条错误连线（{edges}），最多只能有一条',
    en: 'Service task {node} has more than one error edge ({edges}); at most one is allowed',
  },
  'process.errorEdge.alone': {
    'zh-CN': '服务任务 {node} 只有错误连线：还需要一条调用成功时走的连线',
    en: 'Service task {node} has only an error edge; it also needs the edge its successful calls take',
  },
  'process.anyForm.status': {
    'zh-CN': '{at}：适用于任意表单的流程只能设置系统状态，“{status}” 不是（可用：{allowed}）',
    en: '{at}: a process for any form may set only system statuses, and "{status}" is not one (they are: {allowed})',
  },
  'process.userTask.action': {
    'zh-CN': '用户任务 {node} 有多条流出连线，连线 “{edge}” 必须设置按钮（action）',
    en: 'User task {node} has several outgoing edges, so edge "{edge}" needs an action (button)',
  },
  'process.userTask.actionKey': {
    'zh-CN': '用户任务 {node} 的按钮 key “{key}” 重复（连线 “{edge}”），同一任务的按钮 key 必须唯一',
    en: 'User task {node} has action key "{key}" twice (edge "{edge}"); action keys of a task must be unique',
  },
  'process.action.input': {
    'zh-CN':
      '连线 “{edge}” 的按钮参数（action.input）不是有效的 JSON Schema：{schemaPath} 处的值 {value} 不正确（{detail}）',
    en: 'The action input of edge "{edge}" is not a valid JSON Schema: {value} at {schemaPath} is wrong ({detail})',
  },
  'process.parallel.split': {
    'zh-CN': '并行分支 {node} 至少需要两条流出连线，当前有 {count} 条',
    en: 'Parallel split {node} needs at least two outgoing edges; it has {count}',
  },
  'process.parallel.join': {
    'zh-CN': '并行汇聚 {node} 至少需要两条进入连线，当前有 {count} 条',
    en: 'Parallel join {node} needs at least two incoming edges; it has {count}',
  },
  'process.parallel.unmatched': {
    'zh-CN': '并行分支 {node} 的所有分支必须汇聚到同一个并行汇聚节点：{reason}',
    en: 'All branches of parallel split {node} must meet at the same parallel join: {reason}',
  },
  'process.timer.spec': {
    'zh-CN': '定时节点 {node} 必须且只能设置 delay（时长）或 until（截止时间表达式）之一',
    en: 'Timer node {node} needs exactly one of delay (a duration) or until (a deadline expression)',
  },
  'process.ola.dueIn': {
    'zh-CN': '用户任务 {node} 设置了 OLA，但没有设置期限 dueIn',
    en: 'User task {node} has an OLA but no dueIn deadline to measure it against',
  },
  'process.subProcess.self': {
    'zh-CN': '子流程节点 {node} 调用了流程自身 “{key}”，会无限递归',
    en: 'Sub-process node {node} calls its own process "{key}", which would recurse forever',
  },

  // --- calendar ---------------------------------------------------------------------------
  'calendar.interval.overlap': {
    'zh-CN': '{at}：时间段 {interval} 与 {other} 重叠',
    en: '{at}: interval {interval} overlaps {other}',
  },
  'calendar.holiday.range': {
    'zh-CN': '节假日 {date} 的结束日期 {to} 早于开始日期',
    en: 'Holiday {date} ends on {to}, before it starts',
  },
  'calendar.workday.holiday': {
    'zh-CN': '调休工作日 {date} 落在节假日 “{holiday}” 之内，不能既放假又上班',
    en: 'Make-up working day {date} falls inside holiday "{holiday}"; a day cannot be both',
  },
  'calendar.week.empty': {
    'zh-CN': '工作日历一周内没有任何工作时间，SLA 计时将永远不会前进',
    en: 'The calendar has no working hours in the week, so SLA clocks would never run',
  },

  // --- SLA ---------------------------------------------------------------------------------
  'sla.target.metric': {
    'zh-CN': '目标 “{goal}” 为不存在的指标 “{metric}” 设置了时限；已有指标：{allowed}',
    en: 'Goal "{goal}" sets a target for metric "{metric}", which does not exist; metrics: {allowed}',
  },
  'sla.trigger.empty': {
    'zh-CN': '指标 “{metric}” 的 {trigger} 条件既没有事件也没有表达式，永远不会触发',
    en: 'The {trigger} trigger of metric "{metric}" has neither events nor a condition, so it never fires',
  },
  'sla.goal.shadowed': {
    'zh-CN': '目标 “{goal}” 永远不会生效：前面的目标 “{previous}” 没有 when 条件，总会先匹配',
    en: 'Goal "{goal}" never applies: the earlier goal "{previous}" has no when condition and always matches first',
  },

  // --- report & dashboard --------------------------------------------------------------------
  'report.measure.field': {
    'zh-CN': '度量 “{measure}” 使用 {agg} 汇总，必须指定字段 field',
    en: 'Measure "{measure}" aggregates with {agg} and needs a field',
  },
  'report.filter.value': {
    'zh-CN': '{at}：筛选条件（字段 “{field}”，运算 {op}）{reason}',
    en: '{at}: the filter on field "{field}" with op {op} {reason}',
  },
  'report.filter.param': {
    'zh-CN': '{at}：筛选条件使用了未声明的参数 “{param}”，请在 params 中声明',
    en: '{at}: the filter uses parameter "{param}", which is not declared in params',
  },
  'report.field.unknown': {
    'zh-CN': '{at}：数据集 {dataset} 没有字段 “{field}”{hint}；可用字段：{allowed}',
    en: '{at}: dataset {dataset} has no field "{field}"{hint}; fields: {allowed}',
  },
  'report.dimension.granularity': {
    'zh-CN': '{at}：维度字段 “{field}” {reason}',
    en: '{at}: dimension field "{field}" {reason}',
  },
  'report.dimension.buckets': {
    'zh-CN': '{at}：维度字段 “{field}” 的分段（buckets）无效：{reason}',
    en: '{at}: the buckets of dimension field "{field}" are not valid: {reason}',
  },
  'report.dataset.table': {
    'zh-CN': '{at}：dataset.{field} 无效：{reason}',
    en: '{at}: dataset.{field} is not valid: {reason}',
  },
  'report.dimension.valueLabels': {
    'zh-CN': '{at}：维度字段 “{field}” 不能使用 valueLabels：它{reason}',
    en: '{at}: dimension field "{field}" takes no valueLabels: it {reason}',
  },
  'report.dimension.top': {
    'zh-CN': '{at}：维度字段 “{field}” 是时间或分段维度，不能取前 N 名（top）',
    en: '{at}: dimension field "{field}" is a time or bucket dimension, which takes no top N',
  },
  'report.measure.kind': {
    'zh-CN':
      '{at}：度量 “{measure}” 不能对 {kind} 类型的字段 “{field}” 做 {agg} 汇总；{agg} 适用于：{accepted}',
    en: '{at}: measure "{measure}" cannot apply {agg} to field "{field}" of kind {kind}; {agg} takes: {accepted}',
  },
  'report.measure.ratio': {
    'zh-CN': '{at}：比率度量 “{measure}” 的 {side} 必须是本报表中另一个非比率度量的 id（当前为 “{ref}”）',
    en: '{at}: the {side} of ratio measure "{measure}" must be the id of another, non-ratio measure of this report (got "{ref}")',
  },
  'report.measure.business': {
    'zh-CN':
      '{at}：度量 “{measure}” 按工作时间计算，需要可按工作时间计量的时长字段和工作日历 calendar（缺少：{missing}；字段：{field}）',
    en: '{at}: measure "{measure}" counts business time, which needs a duration field measurable in business time and a calendar (missing: {missing}; field: {field})',
  },
  'report.measure.dateField': {
    'zh-CN': '{at}：度量 “{measure}” 的 dateField “{field}” 不是时间字段',
    en: '{at}: the dateField "{field}" of measure "{measure}" is not a time field',
  },
  'report.sort.by': {
    'zh-CN': '{at}：不能按 “{by}” 排序：它既不是维度字段也不是度量 id；可用：{allowed}',
    en: '{at}: cannot sort by "{by}", which is neither a dimension field nor a measure id; allowed: {allowed}',
  },
  'report.param.default': {
    'zh-CN': '{at}：参数 “{param}”（{type}）的默认值无效：{reason}',
    en: '{at}: the default of parameter "{param}" ({type}) is not valid: it {reason}',
  },
  'report.compare.param': {
    'zh-CN': '{at}：与上一周期对比需要一个已声明的 dateRange 参数，“{param}” 不是',
    en: '{at}: comparing with the previous period needs a declared dateRange parameter; "{param}" is not one',
  },
  'dashboard.playlist.self': {
    'zh-CN': '大屏轮播列表中不应包含仪表盘自身（{key}）：它本来就先显示',
    en: 'The wall screen playlist names this dashboard itself ({key}): it is shown first anyway',
  },
  'dashboard.widget.bounds': {
    'zh-CN': '组件 “{widget}” 超出了看板宽度：x + w = {right}，看板只有 {columns} 列',
    en: 'Widget "{widget}" does not fit: x + w = {right} but the dashboard has {columns} columns',
  },
  'dashboard.widget.overlap': {
    'zh-CN': '组件 “{widget}” 与组件 “{other}” 位置重叠',
    en: 'Widget "{widget}" overlaps widget "{other}"',
  },

  // --- schedule ------------------------------------------------------------------------------
  'schedule.cron': {
    'zh-CN': 'cron 表达式 “{cron}” 无效：{detail}',
    en: 'Cron expression "{cron}" is not valid: {detail}',
  },
  'schedule.cron.never': {
    'zh-CN': 'cron 表达式 “{cron}” 永远不会触发（例如 2 月 30 日）',
    en: 'Cron expression "{cron}" never fires (e.g. February 30th)',
  },
  'schedule.report.recipients': {
    'zh-CN': '{at}：定时报表至少需要一个接收人（用户、用户组或角色）',
    en: '{at}: a scheduled report needs at least one recipient (a user, a group or a role)',
  },
  'schedule.report.param': {
    'zh-CN': '{at}：报表 “{report}” 没有参数 “{param}”；可用参数：{allowed}',
    en: '{at}: report "{report}" has no parameter "{param}"; parameters: {allowed}',
  },
  'schedule.report.param.value': {
    'zh-CN': '{at}：报表 “{report}” 的参数 “{param}”（{type}）的值无效：{reason}',
    en: '{at}: the value of parameter "{param}" ({type}) of report "{report}" is not valid: it {reason}',
  },
  'schedule.report.role': {
    'zh-CN': '{at}：没有角色 “{role}”，应为 {allowed} 之一',
    en: '{at}: there is no role "{role}"; expected one of {allowed}',
  },

  // --- catalog -------------------------------------------------------------------------------
  'catalog.category.parent': {
    'zh-CN': '分类 “{category}” 的上级分类 “{parent}” 不存在',
    en: 'Category "{category}" has parent "{parent}", which does not exist',
  },
  'catalog.category.cycle': {
    'zh-CN': '分类 “{category}” 的上级关系形成了循环：{cycle}',
    en: 'The parents of category "{category}" form a cycle: {cycle}',
  },
  'catalog.item.category': {
    'zh-CN': '服务项 “{item}” 的分类 “{category}” 不存在',
    en: 'Catalog item "{item}" is in category "{category}", which does not exist',
  },
  'catalog.item.fixed': {
    'zh-CN': '服务项 “{item}” 固定了字段 “{field}”，但没有给它默认值',
    en: 'Catalog item "{item}" fixes field "{field}" but gives it no default',
  },
} as const satisfies Record<string, LocalizedMessage>;

export type ProblemCode = keyof typeof MESSAGES;

/** Every code validateDefinition can emit. */
export const PROBLEM_CODES: readonly ProblemCode[] = Object.freeze(Object.keys(MESSAGES) as ProblemCode[]);

/** A placeholder value: plain text, or text that differs per language (e.g. a node label). */
export type MessageParam = string | number | LocalizedMessage;
export type MessageParams = Record<string, MessageParam>;

export function formatMessage(code: ProblemCode, params: MessageParams = {}): LocalizedMessage {
  const template = MESSAGES[code];
  const fill = (text: string, locale: 'zh-CN' | 'en') =>
    text.replace(/\{(\w+)\}/g, (whole, name: string) => {
      const value = params[name];
      if (value === undefined) return whole;
      return typeof value === 'object' ? value[locale] : String(value);
    });
  return { 'zh-CN': fill(template['zh-CN'], 'zh-CN'), en: fill(template.en, 'en') };
}
