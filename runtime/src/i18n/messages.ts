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
  'error.malformed_json': {
    en: 'The request body is not valid JSON: {detail}',
    'zh-CN': '请求体不是合法的 JSON：{detail}',
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
  'what.user': { en: 'user "{key}"', 'zh-CN': '用户“{key}”' },
  'what.group': { en: 'group "{key}"', 'zh-CN': '组“{key}”' },
  'what.definition': { en: '{kind} "{key}"', 'zh-CN': '{kind}“{key}”' },
  'what.version': { en: 'version {version} of {kind} "{key}"', 'zh-CN': '{kind}“{key}”的版本 {version}' },
  'what.token': { en: 'API token {key}', 'zh-CN': 'API 令牌 {key}' },
} as const satisfies Record<string, { en: string; 'zh-CN': string }>;

export type MessageKey = keyof typeof messages;
