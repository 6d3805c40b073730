import type { Services } from '../context.ts';
import { createGroup } from '../people/groups.ts';
import { createUser, findUserRow } from '../people/users.ts';

/**
 * The people the demo history's tickets come from, beside bootstrap's demo users: a company with
 * a few departments (org units), their staff, two department managers who approve their people's
 * requests, and the developers who ask for releases. Created only with the history, the way
 * bootstrap creates the demo users (same password), so a newcomer may log in as any of them.
 */

export const ORG_UNITS = [
  { key: 'company', name: { 'zh-CN': '星河科技', en: 'Xinghe Technology' }, parent: null },
  { key: 'finance', name: { 'zh-CN': '财务部', en: 'Finance' }, parent: 'company' },
  { key: 'hr', name: { 'zh-CN': '人力资源部', en: 'Human resources' }, parent: 'company' },
  { key: 'sales', name: { 'zh-CN': '销售部', en: 'Sales' }, parent: 'company' },
  { key: 'rd', name: { 'zh-CN': '研发中心', en: 'R&D' }, parent: 'company' },
] as const;

export type Department = (typeof ORG_UNITS)[number]['key'];

export interface DemoPerson {
  username: string;
  displayName: string;
  roles: ('user' | 'manager')[];
  dept: Department;
  locale?: 'en';
}

export const DEMO_REQUESTERS: readonly DemoPerson[] = [
  { username: 'zhouqiang', displayName: '周强', roles: ['manager'], dept: 'finance' },
  { username: 'sunli', displayName: '孙丽', roles: ['user'], dept: 'finance' },
  { username: 'hejun', displayName: '何军', roles: ['user'], dept: 'finance' },
  { username: 'fengxue', displayName: '冯雪', roles: ['manager'], dept: 'hr' },
  { username: 'tangmin', displayName: '唐敏', roles: ['user'], dept: 'hr' },
  { username: 'chenming', displayName: '陈明', roles: ['user'], dept: 'sales' },
  { username: 'luojia', displayName: '罗佳', roles: ['user'], dept: 'sales' },
  { username: 'bob', displayName: 'Bob Lee', roles: ['user'], dept: 'sales', locale: 'en' },
  { username: 'wuhao', displayName: '吴昊', roles: ['user'], dept: 'rd' },
  { username: 'zhengyu', displayName: '郑宇', roles: ['user'], dept: 'rd' },
  { username: 'songtao', displayName: '宋涛', roles: ['user'], dept: 'rd' },
  { username: 'maria', displayName: 'Maria Garcia', roles: ['user'], dept: 'rd', locale: 'en' },
];

/** Where bootstrap's own two requesters sit. */
export const BOOTSTRAP_REQUESTER_DEPTS: Record<string, Department> = { zhaolei: 'sales', alice: 'rd' };

/** Who approves a department's requests (the request form's manager field must hold a manager). */
export const DEPT_MANAGER: Record<Department, string> = {
  company: 'chenjing',
  finance: 'zhouqiang',
  hr: 'fengxue',
  sales: 'zhouqiang',
  rd: 'chenjing',
};

const ignoreExisting = (err: unknown) => {
  if ((err as { status?: number }).status !== 409) throw err;
};

/** Creates the org units and requesters that are missing; returns how many people were created. */
export async function ensureDemoRequesters(services: Services, password: string): Promise<number> {
  const { db } = services;
  for (const g of ORG_UNITS) {
    if (await db('groups').where({ key: g.key }).first('id')) continue;
    await createGroup(db, 'system:demo', { key: g.key, name: g.name, type: 'org', parent: g.parent }).catch(
      ignoreExisting,
    );
  }
  const missing: DemoPerson[] = [];
  for (const p of DEMO_REQUESTERS) if (!(await findUserRow(db, p.username))) missing.push(p);
  // scrypt runs on libuv's thread pool: a few at a time instead of one after another.
  for (let i = 0; i < missing.length; i += 4)
    await Promise.all(
      missing.slice(i, i + 4).map((p) =>
        createUser(db, 'system:demo', {
          username: p.username,
          displayName: p.displayName,
          roles: [...p.roles],
          groups: [p.dept],
          password,
          ...(p.locale ? { locale: p.locale } : {}),
        }).catch(ignoreExisting),
      ),
    );
  return missing.length;
}
