import { passwordWeakness } from './auth/password-policy.ts';
import { generatePassword } from './auth/passwords.ts';
import { findCatalogItem } from './catalog/items.ts';
import { ConfigError } from './config.ts';
import type { Actor, Services } from './context.ts';
import { isUniqueViolation } from './db/connect.ts';
import { DEFAULT_DAYS, type HistoryOptions, type HistorySummary, loadDemoHistory } from './demo/history.ts';
import { translate } from './i18n/translate.ts';
import { createGroup } from './people/groups.ts';
import { countAdmins, createUser, findUserRow } from './people/users.ts';
import { createRecord } from './records/service.ts';

/**
 * First start: make sure an admin exists. Its password comes from OPSLOOM_ADMIN_PASSWORD, or
 * is generated and printed once on the console (it is never logged or stored in clear).
 */
export async function ensureAdmin(services: Services, print: (line: string) => void): Promise<void> {
  if ((await countAdmins(services.db)) > 0) return;
  const password = services.config.adminPassword ?? generatePassword();
  // A weak chosen password stops the start with the reason, rather than a 400 from createUser.
  const weakness = passwordWeakness(password, ['admin', 'Administrator']);
  if (weakness) throw new ConfigError(translate('en', 'error.admin_password_weak', { problem: weakness }));
  try {
    await createUser(services.db, 'system:bootstrap', {
      username: 'admin',
      displayName: 'Administrator',
      password,
      roles: ['admin'],
    });
  } catch (err) {
    // A second runtime starting at the same moment created it.
    if ((err as { status?: number }).status === 409 || isUniqueViolation(err)) return;
    throw err;
  }
  if (!services.config.adminPassword) {
    print('');
    print('  Opsloom created the first admin account. Note the password: it is shown only now.');
    print('    username: admin');
    print(`    password: ${password}`);
    print('  (set OPSLOOM_ADMIN_PASSWORD before the first start to choose it yourself)');
    print('');
  }
}

/**
 * The account scheduled and automatic work is done as (a daily inspection ticket's requester).
 * It has no password, so nobody can log in as it.
 */
export async function ensureSystemUser(services: Services): Promise<void> {
  if (await findUserRow(services.db, 'system')) return;
  await createUser(services.db, 'system:bootstrap', {
    username: 'system',
    displayName: 'Opsloom',
    roles: ['user'],
  }).catch((err) => {
    if ((err as { status?: number }).status !== 409) throw err;
  });
}

export const DEMO_PASSWORD = 'opsloom-demo';

const DEMO_GROUPS = [
  { key: 'service-desk', name: { 'zh-CN': '服务台', en: 'Service desk' } },
  { key: 'second-line', name: { 'zh-CN': '二线支持', en: 'Second-line support' } },
  { key: 'network', name: { 'zh-CN': '网络组', en: 'Network team' } },
  { key: 'dc-ops', name: { 'zh-CN': '机房运维', en: 'Data-center operations' } },
  { key: 'cab', name: { 'zh-CN': '变更评审委员会', en: 'Change advisory board' } },
] as const;

const DEMO_USERS = [
  { username: 'zhangwei', displayName: '张伟', roles: ['agent'], groups: ['service-desk'] },
  { username: 'lina', displayName: '李娜', roles: ['agent'], groups: ['service-desk', 'cab'] },
  { username: 'wangfang', displayName: '王芳', roles: ['agent'], groups: ['second-line', 'network'] },
  { username: 'liuyang', displayName: '刘洋', roles: ['agent'], groups: ['dc-ops', 'cab'] },
  { username: 'chenjing', displayName: '陈静', roles: ['manager'], groups: ['cab'] },
  { username: 'zhaolei', displayName: '赵磊', roles: ['user'], groups: [] },
  { username: 'alice', displayName: 'Alice Smith', roles: ['user'], groups: [], locale: 'en' as const },
] as const;

/**
 * Demo people for a first look (`opsloom serve --demo`): the support groups the ITIL plugins
 * route to, agents in them, a manager and two requesters. Only what is missing is created.
 */
export async function ensureDemoData(services: Services, print: (line: string) => void): Promise<void> {
  const { db } = services;
  let created = 0;
  for (const g of DEMO_GROUPS) {
    if (await db('groups').where({ key: g.key }).first()) continue;
    await createGroup(db, 'system:demo', { key: g.key, name: g.name, type: 'support' }).catch((err) => {
      if ((err as { status?: number }).status !== 409) throw err;
    });
  }
  for (const u of DEMO_USERS) {
    if (await findUserRow(db, u.username)) continue;
    await createUser(db, 'system:demo', {
      ...u,
      roles: [...u.roles],
      groups: [...u.groups],
      password: DEMO_PASSWORD,
    }).catch((err) => {
      if ((err as { status?: number }).status !== 409) throw err;
    });
    created++;
  }
  if (created) {
    print(
      `  Demo users (password "${DEMO_PASSWORD}"): ${DEMO_USERS.map((u) => `${u.username} (${u.roles[0]})`).join(', ')}`,
    );
  }
}

const DEMO_RECORDS = [
  {
    requester: 'zhaolei',
    type: 'incident',
    catalogItem: 'incident-catalog/report-incident',
    data: {
      title: 'VPN 无法连接',
      description: '在家无法连接公司 VPN，提示证书错误',
      category: 'network',
      impact: 2,
      urgency: 1,
    },
  },
  {
    requester: 'alice',
    type: 'incident',
    catalogItem: 'incident-catalog/report-incident',
    data: {
      title: 'Printer on floor 3 jams',
      description: 'Every job jams after two pages',
      category: 'hardware',
      impact: 3,
      urgency: 3,
    },
  },
  {
    requester: 'zhaolei',
    type: 'incident',
    catalogItem: 'incident-catalog/report-incident',
    data: {
      title: 'ERP 系统登录超时',
      description: '财务部多人无法登录 ERP',
      category: 'software',
      impact: 1,
      urgency: 1,
    },
  },
  {
    requester: 'alice',
    type: 'service-request',
    catalogItem: 'service-catalog/password-reset',
    // Its title is the item's, in alice's language.
    data: {
      requestType: 'password-reset',
      account: 'alice',
    },
  },
  {
    requester: 'zhaolei',
    type: 'service-request',
    catalogItem: 'service-catalog/software-install',
    data: {
      title: '安装 Visio',
      requestType: 'software-install',
      manager: 'chenjing',
      software: 'Microsoft Visio',
    },
  },
] as const;

async function actorFor(services: Services, username: string): Promise<Actor | null> {
  const row = await services.db('users').where({ username }).first();
  if (!row) return null;
  return {
    userId: row.id,
    username,
    displayName: row.display_name,
    roles: JSON.parse(row.roles),
    locale: row.locale,
    via: 'session',
  };
}

/**
 * A few requests raised by the demo users, so a first look at the portal and the workspace
 * shows work in the queues. Only on an empty database, and only for types whose plugin is installed.
 * With `history`, first about ninety days of past tickets (demo/history.ts), so dashboards and
 * SLA views have real numbers; the few requests are then the newest, raised through the engine.
 * Returns what the history loaded (null: none).
 */
export async function ensureDemoRecords(
  services: Services,
  print: (line: string) => void,
  opts: { history?: HistoryOptions | false } = {},
): Promise<HistorySummary | null> {
  if (await services.db('records').first('id')) return null;
  let summary: HistorySummary | null = null;
  if (opts.history) {
    summary = await loadDemoHistory(services, DEMO_PASSWORD, opts.history);
    if (summary) {
      const types = Object.entries(summary.byType)
        .sort((a, b) => b[1] - a[1])
        .map(([type, n]) => `${n.toLocaleString('en')} ${type}`)
        .join(', ');
      print(
        `  Demo history: ${summary.records.toLocaleString('en')} tickets over ${opts.history.days ?? DEFAULT_DAYS} days (${types}; ${summary.open.toLocaleString('en')} open), loaded in ${(summary.ms / 1000).toFixed(1)} s`,
      );
    }
  }
  let created = 0;
  for (const r of DEMO_RECORDS) {
    const actor = await actorFor(services, r.requester);
    const form = await services
      .db('definitions')
      .where({ kind: 'form', key: r.type })
      .where('latest_version', '>', 0)
      .first('id');
    if (!actor || !form) continue;
    // Raised through the portal's catalog, as a requester would, where the catalog is installed.
    const item = (await findCatalogItem(services.db, r.catalogItem)) ? r.catalogItem : undefined;
    await createRecord(services, actor, { type: r.type, data: { ...r.data }, catalogItem: item });
    created++;
  }
  if (created) print(`  Demo requests created: ${created}`);
  return summary;
}
