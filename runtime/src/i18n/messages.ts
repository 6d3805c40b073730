/**
 * Every text the server shows a person, in both languages. Keys are stable; `{name}`
 * placeholders are filled by `translate`.
 */
export const messages = {
  'error.not_found': { en: 'Not found: {what}', 'zh-CN': '未找到：{what}' },
  'error.route_not_found': {
    en: 'No such API route: {method} {path}',
    'zh-CN': '没有此接口：{method} {path}',
  },
  'error.method_not_allowed': {
    en: 'Method {method} is not allowed on {path}',
    'zh-CN': '{path} 不支持 {method} 方法',
  },
  'error.internal': {
    en: 'Internal error; it has been logged with id {id}',
    'zh-CN': '服务器内部错误，已记录，编号 {id}',
  },
  'error.database_unavailable': {
    en: 'The database cannot be reached just now; try again in a few seconds',
    'zh-CN': '暂时无法连接数据库，请几秒后重试',
  },
  'error.database_busy': {
    en: 'The database is too busy with conflicting changes just now; try again in a moment',
    'zh-CN': '数据库正忙于处理冲突的修改，请稍后重试',
  },
  'error.malformed_json': {
    en: 'The request body is not valid JSON: {detail}',
    'zh-CN': '请求体不是合法的 JSON：{detail}',
  },
  'error.forbidden_property': {
    en: 'The request body has a key named "__proto__" or "constructor.prototype", which is not allowed',
    'zh-CN': '请求体中含有不允许的键名 “__proto__” 或 “constructor.prototype”',
  },
  'error.body_incomplete': {
    en: 'The request body ended before the length it announced',
    'zh-CN': '请求体不完整：在声明的长度之前就结束了',
  },
  'error.not_assignable': {
    en: 'This person may not be chosen: {detail}',
    'zh-CN': '不能选择此人员：{detail}',
  },
  'error.catalog_item_required': {
    en: 'Requests are raised through the service catalog: pick the catalog item for {type} (catalogItem)',
    'zh-CN': '请通过服务目录提交请求：请选择{type}对应的服务目录项（catalogItem）',
  },
  'error.type_not_worked': {
    en: 'None of your groups works {type} records: raise one through its catalog item (catalogItem)',
    'zh-CN': '您所在的组不处理{type}类记录：请通过其服务目录项（catalogItem）提交',
  },
  'error.expression': {
    en: 'An expression of {where} could not be evaluated on this data: {detail}',
    'zh-CN': '{where} 中的表达式无法在这些数据上求值：{detail}',
  },
  'error.upload_stalled': {
    en: 'The upload sent nothing for {seconds} seconds and was abandoned; try again',
    'zh-CN': '上传已 {seconds} 秒没有收到数据，已中止，请重试',
  },
  'error.body_too_large': {
    en: 'The request body is larger than the limit of {limit}',
    'zh-CN': '请求体超过大小上限 {limit}',
  },
  'error.unsupported_media_type': {
    en: 'Send the request body as application/json',
    'zh-CN': '请以 application/json 格式发送请求体',
  },
  'error.validation_body': { en: 'Invalid request body: {detail}', 'zh-CN': '请求体无效：{detail}' },
  'error.validation_query': { en: 'Invalid query parameters: {detail}', 'zh-CN': '查询参数无效：{detail}' },
  'error.validation_params': { en: 'Invalid path parameters: {detail}', 'zh-CN': '路径参数无效：{detail}' },
  'error.unauthenticated': { en: 'Log in first', 'zh-CN': '请先登录' },
  'error.bad_credentials': { en: 'Wrong username or password', 'zh-CN': '用户名或密码错误' },
  'error.throttled': {
    en: 'Too many failed logins; try again in {seconds} seconds',
    'zh-CN': '登录失败次数过多，请 {seconds} 秒后再试',
  },
  'error.forbidden_role': {
    en: 'This needs one of the roles: {roles}',
    'zh-CN': '此操作需要以下角色之一：{roles}',
  },
  'error.csrf': {
    en: 'Missing or wrong CSRF token: send the X-CSRF-Token header from GET /api/v1/auth/session',
    'zh-CN': '缺少或错误的 CSRF 令牌：请在 X-CSRF-Token 头中携带 GET /api/v1/auth/session 返回的令牌',
  },
  'error.bad_token': {
    en: 'The API token is invalid, expired or revoked',
    'zh-CN': 'API 令牌无效、已过期或已吊销',
  },
  'error.conflict_exists': { en: '{what} already exists', 'zh-CN': '{what} 已存在' },
  'error.stale_revision': {
    en: '{what} was changed by someone else (you read revision {read}, it is now {current}); reload and retry',
    'zh-CN': '{what} 已被他人修改（您读取的版本为 {read}，当前为 {current}），请刷新后重试',
  },
  'error.invalid_definition': {
    en: 'The definition has {count} problem(s); first: {first}',
    'zh-CN': '定义存在 {count} 个问题；第一个：{first}',
  },
  'error.definition_mismatch': {
    en: 'The body describes {bodyKind}/{bodyKey} but the URL names {kind}/{key}',
    'zh-CN': '请求体中的定义为 {bodyKind}/{bodyKey}，与 URL 中的 {kind}/{key} 不一致',
  },
  'error.nothing_to_publish': {
    en: '{what} has no draft changes since version {version}',
    'zh-CN': '{what} 自版本 {version} 以来没有草稿修改',
  },
  'error.no_draft': { en: '{what} has no draft to publish', 'zh-CN': '{what} 没有可发布的草稿' },
  'error.import_conflict': {
    en: 'Cannot import {what} version {version}: the database holds a different version {version}',
    'zh-CN': '无法导入 {what} 的版本 {version}：数据库中已有内容不同的版本 {version}',
  },
  'error.bad_bundle': {
    en: 'Not an Opsloom definitions bundle: {detail}',
    'zh-CN': '不是 Opsloom 定义包：{detail}',
  },
  'error.last_admin': {
    en: 'The last active admin cannot lose the admin role or be deactivated',
    'zh-CN': '不能移除最后一个有效管理员的管理员角色或停用该账号',
  },
  'error.record_invalid': {
    en: 'The record has {count} invalid field(s); first: {first}',
    'zh-CN': '记录有 {count} 个字段无效；第一个：{first}',
  },
  // Reports (runtime/src/reports, @opsloom/reports): {detail} is the engine's text in both languages.
  'error.report_input': {
    en: 'The report cannot run with this input: {detail}',
    'zh-CN': '报表无法按此输入运行：{detail}',
  },
  'error.report_cannot_run': {
    en: 'The report cannot run: {detail}',
    'zh-CN': '报表无法运行：{detail}',
  },
  // Record lists, comments, attachments, watchers and links (runtime/src/records/*).
  'error.unknown_record_type': {
    en: 'There is no record type "{type}"',
    'zh-CN': '没有记录类型“{type}”',
  },
  'error.field_needs_type': {
    en: 'Filtering or sorting on the form field {field} needs a record type (add type=…)',
    'zh-CN': '按表单字段 {field} 筛选或排序时需要指定记录类型（添加 type=…）',
  },
  'error.field_not_indexed': {
    en: '{field} is not an indexed field of "{type}", so lists cannot filter or sort on it; indexed fields: {indexed}',
    'zh-CN': '{field} 不是“{type}”的索引字段，列表不能按它筛选或排序；索引字段：{indexed}',
  },
  'error.bad_filter_value': {
    en: '{param} must be {expected}, got "{value}"',
    'zh-CN': '{param} 应为{expected}，实际为“{value}”',
  },
  'expected.number': { en: 'a number', 'zh-CN': '数字' },
  'expected.instant': {
    en: 'epoch milliseconds or an ISO 8601 date',
    'zh-CN': '毫秒时间戳或 ISO 8601 日期',
  },
  'error.bad_sort': {
    en: 'Cannot sort by "{sort}"; sort by one of {allowed} (prefix - for descending)',
    'zh-CN': '不能按“{sort}”排序；可用排序：{allowed}（前缀 - 表示降序）',
  },
  'error.bad_cursor': {
    en: 'The cursor is not valid for this list (it belongs to another sort, or was altered)',
    'zh-CN': '游标对此列表无效（属于其他排序方式，或已被修改）',
  },
  'error.cursor_and_offset': {
    en: 'Page with either offset or cursor, not both',
    'zh-CN': '分页时只能使用 offset 或 cursor 之一',
  },
  'error.internal_comment_staff': {
    en: 'Only agents, managers and admins can write or read internal comments',
    'zh-CN': '只有处理人、经理和管理员可以填写或查看内部备注',
  },
  'error.attachment_too_large': {
    en: 'The file is larger than the limit of {limit}',
    'zh-CN': '文件超过大小上限 {limit}',
  },
  'error.attachment_type': {
    en: 'Files of type {type} are not accepted; accepted types: {allowed}',
    'zh-CN': '不接受类型为 {type} 的文件；可接受的类型：{allowed}',
  },
  'error.attachment_missing': {
    en: 'Send exactly one file, in the form field "file" of a multipart/form-data body',
    'zh-CN': '请以 multipart/form-data 格式在表单字段“file”中上传且仅上传一个文件',
  },
  'error.malformed_multipart': {
    en: 'The upload could not be read: {detail}',
    'zh-CN': '无法读取上传内容：{detail}',
  },
  'error.not_uploader': {
    en: 'Only the person who uploaded {what}, or an agent, manager or admin, can delete it',
    'zh-CN': '只有 {what} 的上传者，或处理人、经理、管理员可以删除它',
  },
  'error.watch_others': {
    en: 'Only agents, managers and admins can add or remove other watchers',
    'zh-CN': '只有处理人、经理和管理员可以添加或移除其他关注人',
  },
  'error.link_target': {
    en: 'Give either "to" (a record number or id) or "ci" (a configuration item key)',
    'zh-CN': '请提供“to”（记录编号或 ID）或“ci”（配置项键）之一',
  },
  'error.link_self': { en: 'A record cannot be linked to itself', 'zh-CN': '记录不能关联到自身' },
  'what.link': { en: 'link {key}', 'zh-CN': '关联 {key}' },
  'what.attachment': { en: 'attachment {key}', 'zh-CN': '附件 {key}' },
  'what.comment': { en: 'comment {key}', 'zh-CN': '评论 {key}' },
  'what.record_type': { en: 'record type "{key}"', 'zh-CN': '记录类型“{key}”' },
  'what.record': { en: 'record {key}', 'zh-CN': '记录 {key}' },
  'what.catalog_item': { en: 'catalog item "{key}"', 'zh-CN': '服务目录项“{key}”' },
  'what.task': { en: 'task {key}', 'zh-CN': '任务 {key}' },
  'error.engine': { en: 'The process cannot go on: {detail}', 'zh-CN': '流程无法继续：{detail}' },
  'error.task_closed': {
    en: '{what} is no longer open (it is {status})',
    'zh-CN': '{what} 已不是待办状态（当前为 {status}）',
  },
  'error.unknown_action': {
    en: 'This task has no action "{action}"; available: {available}',
    'zh-CN': '此任务没有操作“{action}”；可用操作：{available}',
  },
  'error.not_your_task': {
    en: 'Only the assignee of this task (or an admin) can do this; claim it first if it is in your queue',
    'zh-CN': '只有此任务的处理人（或管理员）可以执行此操作；若在您的队列中，请先认领',
  },
  'error.guard_failed': { en: '{message}', 'zh-CN': '{message}' },
  'error.already_decided': { en: 'You have already decided on {what}', 'zh-CN': '您已对 {what} 做出决定' },
  'error.already_claimed': {
    en: '{what} was already claimed by someone else',
    'zh-CN': '{what} 已被他人认领',
  },
  'error.already_approver': {
    en: '{user} is already an approver of this task',
    'zh-CN': '{user} 已是此任务的审批人',
  },
  'error.unassigned_task': {
    en: '{what} has no assignee yet; claim it first',
    'zh-CN': '{what} 尚无处理人，请先认领',
  },
  'error.bad_return_target': {
    en: 'Cannot return to step "{node}"; earlier steps: {available}',
    'zh-CN': '不能退回到步骤“{node}”；可退回的步骤：{available}',
  },
  'error.bad_signature': {
    en: 'The callback signature is missing or wrong',
    'zh-CN': '回调签名缺失或错误',
  },
  'error.callback_not_waiting': {
    en: 'Record {record} is not waiting for callback "{name}" (item {item})',
    'zh-CN': '记录 {record} 当前不在等待回调“{name}”（条目 {item}）',
  },
  'error.catalog_item_mismatch': {
    en: '{field} must be "{expected}" for catalog item "{item}", not "{sent}"',
    'zh-CN': '通过服务目录项“{item}”提交时，{field} 应为“{expected}”，而不是“{sent}”',
  },
  'error.process_required': {
    en: 'Record type "{type}" has several processes ({processes}); say which one to run',
    'zh-CN': '记录类型“{type}”有多个流程（{processes}），请指定要运行的流程',
  },
  'notice.form_default_lifecycle': {
    en: 'No process runs on form "{form}": its records follow the default lifecycle "{process}" (New → In progress → Resolved → Closed), {handled}',
    'zh-CN':
      '没有流程适用于表单“{form}”：其记录将按默认生命周期“{process}”流转（新建 → 处理中 → 已解决 → 已关闭），{handled}',
  },
  'notice.handled_by_group': {
    en: 'handled by group {group}.',
    'zh-CN': '由用户组“{group}”处理。',
  },
  'notice.handled_by_managers': {
    en: 'dispatched by a manager: the form names no handling group ("group"); name one to give its work to a team.',
    'zh-CN': '由经理分派：表单未指定处理组（group），请指定一个处理组，把工作交给对应的团队。',
  },
  'notice.handling_group_missing': {
    en: 'dispatched by a manager: its handling group "{group}" does not exist yet.',
    'zh-CN': '由经理分派：其处理组“{group}”尚不存在。',
  },
  'notice.form_no_process': {
    en: 'No process runs on form "{form}" and no default lifecycle is installed: its records will stay "New" with no task until a process for it is published.',
    'zh-CN':
      '没有流程适用于表单“{form}”，也没有安装默认生命周期：其记录将停留在“新建”，没有任何待办，直到发布适用于它的流程。',
  },
  'error.notification_not_dead': {
    en: '{what} is not dead-lettered (it is {status}); only dead letters can be retried',
    'zh-CN': '{what} 不在死信中（当前状态：{status}），只有死信可以重试',
  },
  'error.template_invalid': {
    en: 'The template cannot be rendered: {detail}',
    'zh-CN': '模板无法渲染：{detail}',
  },
  'what.notification': { en: 'notification {key}', 'zh-CN': '通知 {key}' },
  'error.test_message_failed': {
    en: 'The test message was not delivered: {detail}',
    'zh-CN': '测试消息未能送达：{detail}',
  },
  'error.smtp_not_configured': {
    en: 'No SMTP server is set: save the mail settings first',
    'zh-CN': '尚未设置 SMTP 服务器：请先保存邮件设置',
  },
  'error.job_not_dead': {
    en: '{what} is not dead (it is {status})',
    'zh-CN': '{what} 不是失败状态（当前为 {status}）',
  },
  'what.job': { en: 'job {key}', 'zh-CN': '作业 {key}' },
  'what.user': { en: 'user "{key}"', 'zh-CN': '用户“{key}”' },
  'what.group': { en: 'group "{key}"', 'zh-CN': '组“{key}”' },
  'what.definition': { en: '{kind} "{key}"', 'zh-CN': '{kind}“{key}”' },
  'what.version': { en: 'version {version} of {kind} "{key}"', 'zh-CN': '{kind}“{key}”的版本 {version}' },
  'what.token': { en: 'API token {key}', 'zh-CN': 'API 令牌 {key}' },
  'what.dashboard': { en: 'dashboard "{key}"', 'zh-CN': '仪表盘“{key}”' },
  'what.share': { en: 'dashboard link {key}', 'zh-CN': '仪表盘分享链接 {key}' },
  'error.bad_share': {
    en: 'This wall-screen link is not valid (revoked, expired, or for another dashboard); ask an admin for a new one',
    'zh-CN': '此大屏链接无效（已撤销、已过期或不属于该仪表盘），请联系管理员重新生成',
  },
  'error.not_requester': {
    en: 'Only the requester of {what} can do this',
    'zh-CN': '只有 {what} 的申请人可以执行此操作',
  },
  'error.record_closed': {
    en: '{what} is already closed (it is {status})',
    'zh-CN': '{what} 已关闭（当前为 {status}）',
  },
  'error.not_resolved': {
    en: '{what} can be rated once it is resolved',
    'zh-CN': '{what} 解决后才能评价',
  },
  'error.already_rated': { en: '{what} has already been rated', 'zh-CN': '{what} 已评价过' },
  // --- secrets and outbound calls (runtime/src/secrets, runtime/src/outbound) ---------------
  'what.secret': { en: 'secret "{key}"', 'zh-CN': '密钥“{key}”' },
  'secret.not_set': {
    en: 'secret {name} is not set (an admin sets it with PUT /api/v1/secrets/{name})',
    'zh-CN': '密钥 {name} 未设置（管理员可通过 PUT /api/v1/secrets/{name} 设置）',
  },
  'secret.wrong_key': {
    en: "secret {name} was encrypted with key {stored}, but this runtime's key is {current}: every runtime on one database needs the same OPSLOOM_SECRET_KEY (or a copy of the same key file); otherwise set the secret again",
    'zh-CN':
      '密钥 {name} 是用密钥 {stored} 加密的，而本运行实例的密钥是 {current}：共用一个数据库的所有运行实例必须使用相同的 OPSLOOM_SECRET_KEY（或同一个密钥文件的副本），否则请重新设置该密钥',
  },
  'secret.damaged': {
    en: 'secret {name} cannot be decrypted with key {current}: the stored value was changed or damaged; set it again',
    'zh-CN': '无法用密钥 {current} 解密密钥 {name}：存储的值已被改动或损坏，请重新设置',
  },
  'secret.filtered': {
    en: 'secret {name} went through a template filter; write {{ secrets.{name} }} on its own (store the value in the form the call needs)',
    'zh-CN':
      '密钥 {name} 在模板中经过了过滤器；请单独写 {{ secrets.{name} }}（按调用需要的形式保存密钥的值）',
  },
  'outbound.bad_url': { en: '"{url}" is not a valid URL', 'zh-CN': '“{url}” 不是有效的 URL' },
  'outbound.scheme': {
    en: 'only http and https calls are allowed, not {scheme}',
    'zh-CN': '只允许 http 和 https 调用，不允许 {scheme}',
  },
  'outbound.refused': {
    en: '{host} resolves to {address}, a {range} address: calls to it are refused unless OPSLOOM_OUTBOUND_ALLOW lists it',
    'zh-CN': '{host} 解析到 {address}，属于{range}地址：除非 OPSLOOM_OUTBOUND_ALLOW 允许，否则拒绝调用',
  },
  'outbound.refused_ip': {
    en: '{address} is a {range} address: calls to it are refused unless OPSLOOM_OUTBOUND_ALLOW lists it',
    'zh-CN': '{address} 属于{range}地址：除非 OPSLOOM_OUTBOUND_ALLOW 允许，否则拒绝调用',
  },
  'outbound.unresolved': {
    en: 'host {host} cannot be resolved ({detail})',
    'zh-CN': '无法解析主机 {host}（{detail}）',
  },
  'outbound.redirects': {
    en: 'more than {max} redirects; the call is refused',
    'zh-CN': '重定向超过 {max} 次，调用被拒绝',
  },
  'outbound.redirect_location': {
    en: 'answered {status} without a valid Location to follow',
    'zh-CN': '返回 {status}，但没有可跟随的有效 Location',
  },
  'outbound.too_large': {
    en: 'the answer is larger than {max} bytes (OPSLOOM_OUTBOUND_MAX_BYTES)',
    'zh-CN': '应答超过 {max} 字节（OPSLOOM_OUTBOUND_MAX_BYTES）',
  },
  'outbound.timeout': { en: 'no answer within {ms} ms', 'zh-CN': '{ms} 毫秒内没有应答' },
  'outbound.failed': { en: 'the call failed: {detail}', 'zh-CN': '调用失败：{detail}' },
  'outbound.answered': { en: 'answered {status}: {excerpt}', 'zh-CN': '对方返回 {status}：{excerpt}' },
  'outbound.vendor_refused': { en: 'refused the message: {detail}', 'zh-CN': '对方拒收消息：{detail}' },
  'outbound.range.loopback': { en: 'loopback', 'zh-CN': '回环' },
  'outbound.range.private': { en: 'private (RFC 1918)', 'zh-CN': '私有（RFC 1918）' },
  'outbound.range.uniqueLocal': { en: 'unique local (fc00::/7)', 'zh-CN': '唯一本地（fc00::/7）' },
  'outbound.range.linkLocal': {
    en: 'link-local (including cloud metadata)',
    'zh-CN': '链路本地（含云元数据服务）',
  },
  'outbound.range.unspecified': { en: 'unspecified', 'zh-CN': '未指定' },
  'outbound.range.carrierGradeNat': { en: 'carrier-grade NAT', 'zh-CN': '运营商级 NAT' },
  'outbound.range.multicast': { en: 'multicast', 'zh-CN': '组播' },
  'outbound.range.broadcast': { en: 'broadcast', 'zh-CN': '广播' },
  'outbound.range.other': {
    en: 'reserved or special-purpose ({range})',
    'zh-CN': '保留或特殊用途（{range}）',
  },
  // --- login policy (runtime/src/auth/throttle.ts, runtime/src/auth/password-policy.ts) --------
  'password.too_weak': {
    en: 'is too easy to guess: {reason}; choose a longer one, for example a few unrelated words',
    'zh-CN': '太容易被猜到：{reason}；请换一个更长的密码，例如几个互不相关的词',
  },
  'password.reason.common': {
    en: 'it is one of the most common passwords',
    'zh-CN': '这是最常见的密码之一',
  },
  'password.reason.similar_to_common': {
    en: 'it is a common password with small changes',
    'zh-CN': '它只是把常见密码稍作改动',
  },
  'password.reason.user_inputs': {
    en: "it contains the person's username or name",
    'zh-CN': '它包含用户名或姓名',
  },
  'password.reason.keyboard': { en: 'it is a run of neighbouring keys', 'zh-CN': '它是键盘上相邻按键的组合' },
  'password.reason.repeat': { en: 'it repeats the same characters', 'zh-CN': '它由重复的字符组成' },
  'password.reason.sequence': {
    en: 'it is a sequence such as abcd or 1234',
    'zh-CN': '它是 abcd、1234 这样的序列',
  },
  'password.reason.date': { en: 'it is a date or a year', 'zh-CN': '它是日期或年份' },
  'password.reason.word': { en: 'it is a single word or name', 'zh-CN': '它只是一个单词或人名' },
  'password.reason.short': { en: 'it is too short and simple', 'zh-CN': '它太短、太简单' },
  'error.password_weak': { en: 'The password {problem}', 'zh-CN': '密码{problem}' },
  'error.admin_password_weak': {
    en: 'OPSLOOM_ADMIN_PASSWORD {problem}. Choose another, or unset it to have a strong one generated and printed once',
    'zh-CN': 'OPSLOOM_ADMIN_PASSWORD {problem}。请换一个，或不设置它，由系统生成强密码并只显示一次',
  },
  // Scheduled reports (reports/scheduled.ts): the mail around the table.
  'scheduledReport.period': { 'zh-CN': '统计周期', en: 'Period' },
  'scheduledReport.asOf': { 'zh-CN': '生成时间', en: 'Generated' },
  'scheduledReport.empty': { 'zh-CN': '此周期内没有数据。', en: 'No data for this period.' },
  'scheduledReport.truncated': {
    'zh-CN': '此处只列出前 {shown} 行（共 {total} 行），完整数据见附件。',
    en: 'The first {shown} of {total} rows are shown here; the attachment has them all.',
  },
  'scheduledReport.attached': { 'zh-CN': '附件：{file}', en: 'Attached: {file}' },
  'scheduledReport.tooLarge': {
    'zh-CN': '表格文件大小 {size} MB，超过邮件附件上限 {limit} MB，未附上；请在 Opsloom 中导出此报表。',
    en: 'The spreadsheet ({size} MB) is over the {limit} MB an e-mail may carry and is not attached; export the report in Opsloom.',
  },
  'scheduledReport.footer': {
    'zh-CN': '此报表只包含您有权查看的记录。由定时任务“{schedule}”发送，打开 Opsloom：{link}',
    en: 'This report shows only the records you may see. Sent by schedule "{schedule}"; open Opsloom: {link}',
  },
} as const satisfies Record<string, { en: string; 'zh-CN': string }>;

export type MessageKey = keyof typeof messages;
