import { generatePassword } from './auth/passwords.ts';
import type { Services } from './context.ts';
import { isUniqueViolation } from './db/connect.ts';
import { createGroup } from './people/groups.ts';
import { countAdmins, createUser, findUserRow } from './people/users.ts';

/**
 * First start: make sure an admin exists. Its password comes from OPSLOOM_ADMIN_PASSWORD, or
 * is generated and printed once on the console (it is never logged or stored in clear).
 */
export async function ensureAdmin(services: Services, print: (line: string) => void): Promise<void> {
  if ((await countAdmins(services.db)) > 0) return;
  const password = services.config.adminPassword ?? generatePassword();
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
