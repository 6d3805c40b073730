import { DateTime } from 'luxon';
import type { Data } from '../records/store.ts';
import { addBusinessMs, type BusinessCalendar } from '../time/index.ts';
import type { Department } from './people.ts';
import type { Random } from './random.ts';
import type { Person, RecState, Replay, Task } from './replay.ts';

/**
 * What happens to each demo ticket, as a story: an async generator that yields the instant it
 * wants to go on at, and in between takes the steps people take (raise, claim, accept, ask the
 * customer, escalate, resolve, confirm, rate…) through the replay. The loader (history.ts) runs
 * every story and every due checker pass, rule and job in time order; a story that finds its
 * ticket moved meanwhile (an OLA closed it, an SLA breach handed it to second line) goes along
 * with that, as people would. The end of the history (`now`) cuts every story where it is: what
 * was open then is the demo's backlog.
 */
export type Story = AsyncGenerator<number, void, undefined>;

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export interface Requester {
  person: Person;
  dept: Department;
  weight: number;
}

export interface Staff {
  desk: Person[];
  second: Person[];
  network: Person[];
  dc: Person[];
  cab: Person[];
  managers: Person[];
}

/** What every story shares: the replay, the clock, people and working time. */
export interface Env {
  replay: Replay;
  /** The instant the current step runs at (set by the loader before each resume). */
  at: number;
  /** The end of the history. */
  now: number;
  /** When people work: the installation's working calendar (holidays off, make-up days on). */
  work: BusinessCalendar;
  /** The installation's time zone (OPSLOOM_TIME_ZONE). */
  zone: string;
  staff: Staff;
  requesters: Requester[];
  developers: Person[];
  managerOf(dept: Department, requester: Person): string;
  /** Starts another story (a problem raised from an incident) at `at`. */
  spawn(story: Story, at: number): void;
  /** Tells the loader the story's record(s), so they are written once the story has ended. */
  own(rec: RecState): void;
}

/** `minutes` of working time after `from`: what people take, at work. */
const workAfter = (env: Env, from: number, minutes: number) =>
  addBusinessMs(env.work, from, Math.max(0, Math.round(minutes * MIN)));

const person = (env: Env, id: number | null) =>
  id === null ? null : (env.replay.world.people.get(id) ?? null);

/**
 * Who works a task now: its assignee, or a member of its group who claims it first (a P1 whose
 * resolution breached was handed to second line, unassigned).
 */
function holder(env: Env, task: Task, rnd: Random, prefer?: Person): Person | null {
  const assignee = person(env, task.row.assignee_id);
  if (assignee) return assignee;
  if (task.row.group_id === null || task.row.approval_mode) return null;
  const members = (env.replay.world.members.get(task.row.group_id) ?? [])
    .map((id) => env.replay.world.people.get(id)!)
    .filter(Boolean);
  if (!members.length) return null;
  const who = prefer && members.includes(prefer) ? prefer : rnd.pick(members);
  env.replay.claim(env.at, task, who);
  return who;
}

function firstOpen(env: Env, rec: RecState, ...nodes: string[]): Task | null {
  for (const n of nodes) {
    const t = env.replay.openTasks(rec, n)[0];
    if (t) return t;
  }
  return null;
}

/** The three stars a requester gives: mostly content, less so when it took long. */
function stars(rnd: Random, late: boolean) {
  const base = rnd.weighted([
    [5, 46],
    [4, 34],
    [3, 12],
    [2, 5],
    [1, 3],
  ] as const);
  const clamp = (n: number) => Math.max(1, Math.min(5, n));
  return {
    attitude: clamp(
      base +
        rnd.weighted([
          [0, 70],
          [1, 20],
          [-1, 10],
        ] as const),
    ),
    speed: clamp(
      base -
        (late
          ? rnd.int(1, 2)
          : rnd.weighted([
              [0, 80],
              [-1, 20],
            ] as const)),
    ),
    quality: clamp(
      base +
        rnd.weighted([
          [0, 75],
          [-1, 15],
          [1, 10],
        ] as const),
    ),
  };
}

const breachedAny = (rec: RecState) => rec.clocks.some((c) => c.task_id === null && !!c.breached);

/** The requester rates, some time after the end, if the ticket is still theirs to rate. */
async function* rateLater(env: Env, rnd: Random, rec: RecState, p: number, delayMinutes: number): Story {
  if (!rnd.chance(p)) return;
  yield workAfter(env, env.at, delayMinutes);
  if (rec.resolvedAt === null || rec.rating) return;
  const s = stars(rnd, breachedAny(rec));
  const comment =
    s.quality <= 2
      ? rnd.pick(['处理太慢了', '问题没有彻底解决', '希望下次能更快响应'])
      : s.quality === 5 && rnd.chance(0.2)
        ? rnd.pick(['很快就解决了，谢谢！', '服务很专业', 'Thanks, quick fix!'])
        : undefined;
  env.replay.rate(env.at, rec, { ...s, ...(comment ? { comment } : {}) });
}

// ------------------------------------------------------------------------------------ incidents

const INCIDENT_TEXTS: Record<string, { zh: string[]; en: string[]; fixes: string[] }> = {
  hardware: {
    zh: [
      '笔记本电脑无法开机',
      '显示器频繁闪屏',
      '三楼打印机卡纸',
      '扫描仪无法识别',
      '键盘部分按键失灵',
      '会议室投影仪无信号',
      '台式机频繁蓝屏',
      '耳机麦克风没有声音',
    ],
    en: [
      'Laptop does not power on',
      'Monitor keeps flickering',
      'Printer on floor 3 jams',
      'Headset microphone is silent',
    ],
    fixes: [
      '更换电源适配器后恢复',
      '更换显示器数据线',
      '清理卡纸并更换搓纸轮',
      '重装驱动程序',
      '更换键盘',
      '更换投影仪 HDMI 线',
      '更换内存条后运行稳定',
    ],
  },
  software: {
    zh: [
      'ERP 系统登录超时',
      'Outlook 无法收发邮件',
      'Excel 打开大文件崩溃',
      'OA 审批页面空白',
      '财务报表导出失败',
      'CRM 客户列表加载缓慢',
      '视频会议无法共享屏幕',
      'WPS 激活失败',
    ],
    en: [
      'ERP login times out',
      'Outlook cannot send mail',
      'Excel crashes on large files',
      'CRM customer list is very slow',
    ],
    fixes: [
      '清理客户端缓存后恢复',
      '重建 Outlook 配置文件',
      '安装最新补丁',
      '重启应用服务后恢复',
      '调整浏览器兼容模式',
      '重新激活许可证',
    ],
  },
  network: {
    zh: [
      'VPN 无法连接',
      '无线网络频繁掉线',
      '访问内网系统很慢',
      '会议室网口没有网络',
      '无法访问共享盘',
      'DNS 解析失败，部分网站打不开',
    ],
    en: ['VPN does not connect', 'Wi-Fi keeps dropping', 'Shared drive unreachable'],
    fixes: ['更新 VPN 客户端证书', '调整无线 AP 信道', '更换交换机端口', '修正 DNS 配置', '重新映射共享盘'],
  },
  account: {
    zh: [
      '域账号被锁定',
      '无法登录域账号',
      '邮箱密码过期无法修改',
      '门户单点登录失败',
      '权限不足无法打开报表',
    ],
    en: ['Account locked out', 'Single sign-on fails'],
    fixes: ['解锁账号并重置密码', '同步账号属性后恢复', '修正单点登录配置', '补充报表查看权限'],
  },
  security: {
    zh: ['收到可疑钓鱼邮件', '电脑提示发现病毒', '疑似账号异地登录', 'U 盘被杀毒软件拦截'],
    en: ['Suspicious phishing e-mail', 'Antivirus reports a virus'],
    fixes: [
      '已隔离邮件并提醒全员',
      '全盘查杀后清除',
      '强制修改密码并开启二次验证',
      '确认 U 盘安全后加入白名单',
    ],
  },
  other: {
    zh: ['工位电话无法拨出', '会议室预订系统异常', '需要协助配置手机邮箱'],
    en: ['Desk phone cannot dial out', 'Help setting up mail on my phone'],
    fixes: ['更换电话线', '重启预订系统服务', '远程协助完成配置'],
  },
};

const CATEGORY_WEIGHTS = [
  ['software', 30],
  ['hardware', 20],
  ['network', 18],
  ['account', 17],
  ['other', 10],
  ['security', 5],
] as const;

const PRIORITY_COMBOS: Record<string, [number, number][]> = {
  P1: [[1, 1]],
  P2: [
    [1, 2],
    [2, 1],
  ],
  P3: [
    [1, 3],
    [2, 2],
    [3, 1],
  ],
  P4: [
    [2, 3],
    [3, 2],
    [3, 3],
  ],
};

/** Handling times per priority: first response and the work until resolved (minutes; P1 on the wall clock). */
const INCIDENT_TIMES: Record<string, { respond: number; work: number; sigma: number }> = {
  P1: { respond: 6, work: 80, sigma: 0.7 },
  P2: { respond: 12, work: 170, sigma: 0.8 },
  P3: { respond: 35, work: 460, sigma: 0.85 },
  P4: { respond: 70, work: 700, sigma: 0.9 },
};

export interface Storm {
  category: string;
  service: string;
  title: string;
  problem: RecState | null;
  /** When the problem's workaround was found: the storm's incidents can then be resolved. */
  fixedAt: number | null;
}

export interface IncidentPlan {
  at: number;
  requester: Requester;
  priority?: string;
  storm?: Storm;
  leader?: boolean;
}

export async function* incidentStory(env: Env, rnd: Random, plan: IncidentPlan): Story {
  const { replay } = env;
  yield plan.at;
  const storm = plan.storm;
  const category = storm?.category ?? rnd.weighted(CATEGORY_WEIGHTS);
  const priority =
    plan.priority ??
    (storm
      ? plan.leader
        ? 'P2'
        : rnd.weighted([
            ['P2', 30],
            ['P3', 70],
          ] as const)
      : rnd.weighted([
          ['P1', 3],
          ['P2', 12],
          ['P3', 45],
          ['P4', 40],
        ] as const));
  const [impact, urgency] = rnd.pick(PRIORITY_COMBOS[priority]!);
  const req = plan.requester.person;
  const texts = INCIDENT_TEXTS[category]!;
  const en = req.locale === 'en';
  const title = storm ? storm.title : en ? rnd.pick(texts.en) : rnd.pick(texts.zh);
  const data: Data = {
    title,
    description: storm
      ? `${storm.service} 从 ${DateTime.fromMillis(env.at, { zone: env.zone }).toFormat('HH:mm')} 起无法使用，部门同事都受影响`
      : en
        ? `${title}. It started this morning; I tried restarting without luck.`
        : `${title}，今天开始出现，重启后问题依旧，影响日常工作。`,
    category,
    impact,
    urgency,
    ...(storm || rnd.chance(0.3)
      ? { affectedService: storm?.service ?? rnd.pick(['ERP', 'OA', '邮件', 'CRM', 'VPN', '办公网']) }
      : {}),
  };
  const phone = !storm && rnd.chance(0.18);
  const logger = phone ? rnd.pick(env.staff.desk) : req;
  const rec = await replay.create(env.at, logger, {
    type: 'incident',
    catalogItem: 'incident-catalog/report-incident',
    ...(phone ? { requester: req.username } : {}),
    data,
  });
  env.own(rec);
  const p1 = () => rec.priority === 'P1';
  const times = INCIDENT_TIMES[priority]!;
  const soon = (minutes: number) => (p1() ? env.at + minutes * MIN : workAfter(env, env.at, minutes));

  // Triage: the desk claims and accepts (or cancels what is no incident).
  yield soon(rnd.logNormal(times.respond, 0.9));
  let task = firstOpen(env, rec, 'triage');
  if (!task) return;
  holder(env, task, rnd, phone ? logger : undefined);
  yield env.at + rnd.int(1, 9) * MIN + rnd.int(0, 59_000);
  task = firstOpen(env, rec, 'triage');
  if (!task) return;
  const agent = holder(env, task, rnd)!;
  if (!storm && rnd.chance(0.03)) {
    replay.act(env.at, task, agent, 'cancel', { comment: '经确认不是故障，已指导用户自行处理' });
    return;
  }
  const regrade = !storm && rnd.chance(0.06);
  const change = regrade
    ? priority === 'P4'
      ? { impact: 2, urgency: 2 }
      : priority === 'P3' && rnd.chance(0.5)
        ? { impact: 3, urgency: 3 }
        : undefined
    : undefined;
  replay.act(env.at, task, agent, 'accept', change ? { data: change } : {});

  if (storm && plan.leader) {
    yield env.at + rnd.int(8, 20) * MIN;
    task = firstOpen(env, rec, 'inProgress');
    if (task) {
      const who = holder(env, task, rnd)!;
      replay.comment(env.at, rec, who, `${storm.service} 大面积故障，已创建问题单跟进根因`, 'internal');
      replay.act(env.at, task, who, 'createProblem');
      const problem = replay.byNumber.get(String(rec.data.problemNumber))!;
      storm.problem = problem;
      env.spawn(problemStory(env, rnd.fork(7), problem, storm), env.at);
    }
  }

  let reopened = false;
  for (;;) {
    // The work: sometimes a question for the customer, a second line, another agent, a note.
    const work = rnd.logNormal(times.work, times.sigma);
    const partial = rnd.next();
    yield soon(work * partial * 0.5);
    task = firstOpen(env, rec, 'inProgress', 'secondLine');
    if (!task) return;
    if (!storm && rnd.chance(0.22)) {
      const who = holder(env, task, rnd);
      if (who)
        replay.comment(
          env.at,
          rec,
          who,
          rnd.pick(['正在排查，请稍候', '已远程查看，初步判断是客户端问题', '已联系厂商确认']),
          rnd.chance(0.4) ? 'internal' : 'public',
        );
    }
    if (!storm && task.row.node_id === 'inProgress' && rnd.chance(0.1)) {
      const from = holder(env, task, rnd)!;
      const to =
        category === 'network' && !env.staff.network.includes(from)
          ? rnd.pick(env.staff.network)
          : rnd.pick(
              env.staff.desk
                .filter((p) => p !== from)
                .concat(env.staff.desk.length > 1 ? [] : env.staff.second),
            );
      if (to && to !== from) replay.transfer(env.at, task, from, to.username);
    }
    if (!storm && task.row.node_id === 'inProgress' && rnd.chance(0.18)) {
      const who = holder(env, task, rnd)!;
      replay.comment(
        env.at,
        rec,
        who,
        rnd.pick(['请问是从什么时候开始的？', '麻烦提供一下报错截图', '请确认是否所有同事都有这个问题？']),
      );
      replay.act(env.at, task, who, 'askCustomer');
      yield workAfter(env, env.at, rnd.logNormal(150, 1.0));
      const waiting = firstOpen(env, rec, 'pendingCustomer');
      if (!waiting) return;
      const answer = rnd.next();
      if (answer < 0.04) return; // never answers: waits for the customer still
      if (answer < 0.6) {
        // A public reply: the customer-replied rule sends it back to work.
        replay.comment(
          env.at,
          rec,
          req,
          rnd.pick([
            '昨天下午开始的，截图已经发到邮箱',
            '只有我这台电脑有问题',
            'Since yesterday, only on my laptop',
          ]),
        );
        yield env.at + 10_000;
        if (!firstOpen(env, rec, 'inProgress'))
          replay.act(env.at, firstOpen(env, rec, 'pendingCustomer')!, req, 'reply');
      } else {
        replay.act(env.at, waiting, req, 'reply', {
          data: {
            description: `${rec.description ?? ''}\n补充：重启后仍然出现，错误码 0x${rnd.int(4096, 65535).toString(16)}`,
          },
        });
      }
    }
    task = firstOpen(env, rec, 'inProgress', 'secondLine');
    if (!task) return;
    if (
      !storm &&
      task.row.node_id === 'inProgress' &&
      rnd.chance(category === 'network' || category === 'software' ? 0.16 : 0.08)
    ) {
      const who = holder(env, task, rnd)!;
      yield soon(rnd.logNormal(30, 0.6));
      task = firstOpen(env, rec, 'inProgress');
      if (!task) return;
      replay.act(env.at, task, holder(env, task, rnd) ?? who, 'escalate');
      yield workAfter(env, env.at, rnd.logNormal(40, 0.8));
      task = firstOpen(env, rec, 'secondLine');
      if (!task) return;
      holder(env, task, rnd);
      if (rnd.chance(0.06)) {
        yield workAfter(env, env.at, rnd.logNormal(60, 0.6));
        task = firstOpen(env, rec, 'secondLine');
        if (!task) return;
        replay.act(env.at, task, holder(env, task, rnd)!, 'returnToFirstLine', {
          comment: '不是二线问题，请一线继续处理',
        });
        // The first line takes it back (the step goes to whoever held the record: second line).
        const back = firstOpen(env, rec, 'inProgress');
        const original = env.staff.desk.includes(who) ? who : env.staff.desk[0];
        const holding = back && holder(env, back, rnd);
        if (back && holding && original && holding !== original)
          replay.transfer(env.at, back, holding, original.username);
      }
    }
    if (!storm && !reopened && task.row.node_id === 'inProgress' && rnd.chance(0.025)) {
      task = firstOpen(env, rec, 'inProgress');
      if (task) {
        const who = holder(env, task, rnd)!;
        replay.act(env.at, task, who, 'createProblem');
        const problem = replay.byNumber.get(String(rec.data.problemNumber));
        if (problem) env.spawn(problemStory(env, rnd.fork(11), problem, null), env.at);
      }
    }
    if (storm) {
      // Storm incidents wait for the problem's workaround, then are resolved with it.
      while (storm.fixedAt === null) {
        yield env.at + 20 * MIN;
        if (env.at > env.now) return;
      }
      yield Math.max(env.at, storm.fixedAt) + rnd.int(5, 90) * MIN;
    } else yield soon(work * (1 - partial * 0.5));
    task = firstOpen(env, rec, 'inProgress', 'secondLine');
    if (!task) return;
    const resolver = holder(env, task, rnd);
    if (!resolver) return;
    if (storm?.problem && !reopened && !rec.links.length && !storm.problem.flushed)
      replay.link(env.at, storm.problem, rec, resolver, 'caused-by');
    replay.act(env.at, task, resolver, 'resolve', {
      data: storm
        ? {
            resolutionCode: 'workaround',
            resolutionNotes: `按问题单 ${storm.problem?.number ?? ''} 的临时方案恢复`,
          }
        : {
            resolutionCode: rnd.weighted([
              ['fixed', 62],
              ['workaround', 16],
              ['user-error', 10],
              ['no-fault-found', 8],
              ['duplicate', 4],
            ] as const),
            resolutionNotes: rnd.pick(texts.fixes),
          },
    });

    // The requester confirms, reopens, or lets it close by itself after three days.
    const reaction = rnd.next();
    if (reaction < 0.52) {
      yield workAfter(env, env.at, rnd.logNormal(90, 1.1));
      const confirm = firstOpen(env, rec, 'resolved');
      if (!confirm) break;
      replay.act(env.at, confirm, req, 'confirm');
      yield* rateLater(env, rnd, rec, 0.75, rnd.logNormal(20, 1));
      return;
    }
    if (reaction < 0.58 && !reopened && !storm) {
      yield workAfter(env, env.at, rnd.logNormal(240, 0.8));
      const confirm = firstOpen(env, rec, 'resolved');
      if (!confirm) break;
      replay.comment(
        env.at,
        rec,
        req,
        rnd.pick(['问题又出现了', '还是不行，今天早上又复现了', 'It is happening again']),
      );
      replay.act(env.at, confirm, req, 'reopen');
      reopened = true;
      continue;
    }
    break;
  }
  // Closed by the OLA after three days, or still waiting: some rate it anyway.
  yield env.at + 3 * DAY + rnd.int(1, 48) * HOUR;
  yield* rateLater(env, rnd, rec, 0.3, rnd.logNormal(60, 1));
}

// ------------------------------------------------------------------------------------- problems

export async function* problemStory(env: Env, rnd: Random, rec: RecState, storm: Storm | null): Story {
  const { replay } = env;
  env.own(rec);
  const fast = storm !== null;
  yield fast ? env.at + rnd.int(10, 30) * MIN : workAfter(env, env.at, rnd.logNormal(240, 0.8));
  let task = firstOpen(env, rec, 'new');
  if (!task) return;
  const analyst = holder(env, task, rnd)!;
  if (!fast && rnd.chance(0.08)) {
    replay.act(env.at, task, analyst, 'reject', { comment: '与已有问题单重复，不再单独跟进' });
    return;
  }
  replay.act(env.at, task, analyst, 'accept');
  yield fast ? env.at + rnd.int(60, 200) * MIN : workAfter(env, env.at, rnd.logNormal(1200, 0.7));
  task = firstOpen(env, rec, 'investigation');
  if (!task) return;
  const who = holder(env, task, rnd)!;
  const cause = rnd.pick([
    '核心交换机固件缺陷导致端口间歇性丢包',
    '数据库连接池配置过小，高峰期耗尽',
    '证书过期导致客户端握手失败',
    '存储控制器缓存电池老化',
    '应用内存泄漏，运行数天后响应变慢',
  ]);
  if (fast || rnd.chance(0.7)) {
    replay.act(env.at, task, who, 'knownError', {
      data: {
        rootCause: cause,
        workaround: rnd.pick(['重启相关服务可临时恢复', '切换到备用线路', '临时扩大连接池并重启']),
      },
    });
    if (storm) storm.fixedAt = env.at;
    yield workAfter(env, env.at, rnd.logNormal(2400, 0.7));
    task = firstOpen(env, rec, 'knownError');
    if (!task) return;
    replay.act(env.at, task, holder(env, task, rnd)!, 'resolve', {
      data: {
        permanentFix: rnd.pick([
          '升级固件到厂商修复版本',
          '调整配置并纳入变更管理',
          '更换硬件部件',
          '发布修复版本',
        ]),
      },
    });
  } else {
    replay.act(env.at, task, who, 'resolve', {
      data: { rootCause: cause, permanentFix: rnd.pick(['调整配置并纳入变更管理', '发布修复版本']) },
    });
  }
  // Verified and closed, or (a week later) closed by the housekeeping.
  if (rnd.chance(0.75)) {
    yield workAfter(env, env.at, rnd.logNormal(900, 0.8));
    task = firstOpen(env, rec, 'resolved');
    if (!task) return;
    replay.act(env.at, task, holder(env, task, rnd)!, 'close');
  }
}

// ------------------------------------------------------------------------------ service requests

const SOFTWARE = [
  'Microsoft Visio 2021',
  'Adobe Acrobat Pro',
  'XMind',
  'Navicat Premium 16',
  'PyCharm Professional',
  'Photoshop 2024',
  'SPSS 29',
  'Tableau Desktop',
];
const ACCESS = [
  '财务共享盘（只读）',
  'CRM 系统 销售经理角色',
  'BI 报表平台',
  'Git 仓库 erp-web 写权限',
  'HR 系统 考勤模块',
  '合同管理系统',
];
const NEW_HIRES = ['林晓', '高远', '许静', '马超', '韩雪', '邓磊', '曹颖', '彭飞'];
const DEPT_NAMES: Record<Department, string> = {
  company: '总经办',
  finance: '财务部',
  hr: '人力资源部',
  sales: '销售部',
  rd: '研发中心',
};

const FULFIL_MINUTES: Record<string, number> = {
  'password-reset': 25,
  'access-request': 200,
  'software-install': 560,
  onboarding: 1100,
};

export interface RequestPlan {
  at: number;
  requester: Requester;
  item: 'password-reset' | 'software-install' | 'access-request' | 'onboarding';
}

export async function* requestStory(env: Env, rnd: Random, plan: RequestPlan): Story {
  const { replay } = env;
  yield plan.at;
  const req = plan.requester.person;
  const manager = env.managerOf(plan.requester.dept, req);
  let data: Data;
  switch (plan.item) {
    case 'password-reset':
      data = { account: req.username };
      break;
    case 'software-install': {
      const sw = rnd.pick(SOFTWARE);
      data = { title: `安装 ${sw}`, software: sw, manager, description: '工作需要，请协助安装正版软件' };
      break;
    }
    case 'access-request': {
      const what = rnd.pick(ACCESS);
      data = {
        title: `申请${what}权限`,
        account: req.username,
        manager,
        description: `因项目需要申请${what}`,
      };
      break;
    }
    case 'onboarding': {
      const name = rnd.pick(NEW_HIRES);
      const start = DateTime.fromMillis(env.at + rnd.int(5, 20) * DAY, { zone: env.zone }).toISODate()!;
      data = {
        title: `新员工入职：${name}`,
        newHireName: name,
        startDate: start,
        department: DEPT_NAMES[plan.requester.dept],
        manager,
        description: '请准备笔记本电脑、域账号、邮箱和门禁卡',
      };
      break;
    }
  }
  const rec = await replay.create(env.at, req, {
    type: 'service-request',
    catalogItem: `service-catalog/${plan.item}`,
    data,
  });
  env.own(rec);
  if (firstOpen(env, rec, 'managerApproval')) {
    yield workAfter(env, env.at, rnd.logNormal(200, 1.1));
    const approval = firstOpen(env, rec, 'managerApproval');
    if (!approval) return;
    const approver = env.replay.person(manager);
    if (rnd.chance(0.08)) {
      replay.act(env.at, approval, approver, 'reject', {
        comment: rnd.pick(['请先走部门预算审批', '已有同类授权，无需重复申请', '请说明具体业务需要']),
      });
      yield* rateLater(env, rnd, rec, 0.25, rnd.logNormal(120, 1));
      return;
    }
    replay.act(env.at, approval, approver, 'approve');
  }
  let reopened = false;
  for (;;) {
    const fulfil = firstOpen(env, rec, 'fulfil');
    if (!fulfil) return;
    yield workAfter(env, env.at, rnd.logNormal(FULFIL_MINUTES[plan.item]!, 0.8));
    const task = firstOpen(env, rec, 'fulfil');
    if (!task) return;
    const agent = holder(env, task, rnd);
    if (!agent) return;
    if (rnd.chance(0.15))
      replay.comment(
        env.at,
        rec,
        agent,
        rnd.pick(['已开始处理，预计今天完成', '需要您在工位上配合一下，稍后联系您']),
      );
    replay.act(env.at, task, agent, 'fulfil', {
      data: {
        fulfilmentNotes:
          plan.item === 'password-reset'
            ? '已重置密码，临时密码已短信发送'
            : plan.item === 'software-install'
              ? `已远程安装 ${String(rec.data.software)} 并激活`
              : plan.item === 'access-request'
                ? '已开通权限，请重新登录后使用'
                : '电脑、账号、邮箱和门禁卡已准备好',
      },
    });
    const reaction = rnd.next();
    if (reaction < 0.55) {
      yield workAfter(env, env.at, rnd.logNormal(120, 1));
      const confirm = firstOpen(env, rec, 'confirm');
      if (!confirm) break;
      replay.act(env.at, confirm, req, 'confirm');
      yield* rateLater(env, rnd, rec, 0.7, rnd.logNormal(15, 1));
      return;
    }
    if (reaction < 0.6 && !reopened) {
      yield workAfter(env, env.at, rnd.logNormal(200, 0.8));
      const confirm = firstOpen(env, rec, 'confirm');
      if (!confirm) break;
      replay.comment(env.at, rec, req, rnd.pick(['还是登录不了', '软件打开提示未激活', '权限好像没有生效']));
      replay.act(env.at, confirm, req, 'reopen');
      reopened = true;
      continue;
    }
    break;
  }
  yield env.at + 3 * DAY + rnd.int(1, 48) * HOUR;
  yield* rateLater(env, rnd, rec, 0.3, rnd.logNormal(60, 1));
}

// -------------------------------------------------------------------------------------- changes

const CHANGES: Record<string, { title: string; ci: string }[]> = {
  network: [
    { title: '核心交换机固件升级', ci: 'SW-CORE-01' },
    { title: '防火墙策略调整：开放 CRM 访问', ci: 'FW-01' },
    { title: '办公网无线 AP 更换', ci: 'AP-3F' },
    { title: 'VPN 网关证书更新', ci: 'VPN-GW-01' },
    { title: '出口带宽扩容至 1G', ci: 'ISP-LINK-01' },
  ],
  dc: [
    { title: '机房 UPS 电池更换', ci: 'UPS-IDC-A' },
    { title: 'IDC-A 新增 2 台服务器上架', ci: 'RACK-A07' },
    { title: '存储阵列扩容', ci: 'SAN-01' },
    { title: '数据库服务器内存扩容', ci: 'DB-PROD-01' },
    { title: '备份策略调整为每日增量', ci: 'BACKUP-01' },
  ],
  app: [
    { title: 'ERP 系统安全补丁安装', ci: 'ERP-APP-01' },
    { title: '邮件系统升级', ci: 'MAIL-01' },
  ],
};

/** `hour`:00 local time, `addDays` days after the local day of `at`. */
const localAt = (env: Env, at: number, hour: number, addDays = 0) =>
  DateTime.fromMillis(at, { zone: env.zone }).startOf('day').plus({ days: addDays }).set({ hour }).toMillis();

/** An instant as a form's date-time field holds it: ISO 8601 with the zone's offset. */
const isoLocal = (env: Env, ms: number) =>
  DateTime.fromMillis(ms, { zone: env.zone }).toISO({ suppressMilliseconds: true }) ??
  new Date(ms).toISOString();

export interface ChangePlan {
  at: number;
}

export async function* changeStory(env: Env, rnd: Random, plan: ChangePlan): Story {
  const { replay } = env;
  yield plan.at;
  const raiser = rnd.weighted([
    [env.staff.network[0], 45],
    [env.staff.dc[0], 35],
    [env.staff.cab.find((p) => env.staff.desk.includes(p)) ?? env.staff.cab[0], 20],
  ] as const);
  if (!raiser) return;
  const area = env.staff.network.includes(raiser) ? 'network' : env.staff.dc.includes(raiser) ? 'dc' : 'app';
  const pick = rnd.pick(CHANGES[area]!);
  const changeType = rnd.weighted([
    ['standard', 35],
    ['normal', 55],
    ['emergency', 10],
  ] as const);
  const risk =
    changeType === 'standard'
      ? 'low'
      : rnd.weighted([
          ['low', 35],
          ['medium', 45],
          ['high', 20],
        ] as const);
  const start =
    changeType === 'emergency'
      ? env.at + rnd.int(2, 6) * HOUR
      : changeType === 'standard'
        ? localAt(env, env.at, rnd.pick([20, 21, 22]), 1)
        : localAt(env, env.at, 22, rnd.int(3, 9));
  const data: Data = {
    title: pick.title,
    description: `${pick.title}，${rnd.pick(['以消除已知隐患', '以满足业务增长', '按年度计划执行', '应厂商安全通告要求'])}`,
    changeType,
    risk,
    affectedCi: pick.ci,
    plan: '1. 通知相关用户 2. 备份配置 3. 实施变更 4. 验证业务',
    backoutPlan: '恢复备份的配置，回退到变更前版本',
    ...(risk === 'high' || rnd.chance(0.4) ? { testPlan: '核心业务冒烟测试，监控 30 分钟无告警' } : {}),
    windowStart: isoLocal(env, start),
    windowEnd: isoLocal(env, start + rnd.pick([1, 2, 3]) * HOUR),
  };
  const rec = await replay.create(env.at, raiser, { type: 'change', data });
  env.own(rec);
  const cab = firstOpen(env, rec, 'cabApproval');
  if (cab) {
    const voters = [...cab.approvers].sort((a, b) => a.seq - b.seq);
    for (const v of voters) {
      yield changeType === 'emergency'
        ? env.at + rnd.int(10, 50) * MIN
        : workAfter(env, env.at, rnd.logNormal(300, 0.9));
      const task = firstOpen(env, rec, 'cabApproval');
      if (!task) break;
      const voter = env.replay.world.people.get(v.user_id)!;
      if (rnd.chance(0.05)) {
        replay.act(env.at, task, voter, 'reject', {
          comment: rnd.pick(['回退方案不充分，请补充', '窗口与月结冲突，请改期', '请先完成测试环境验证']),
        });
        return;
      }
      replay.act(env.at, task, voter, 'approve');
    }
  }
  // The window's timer starts the implementation (the replay runs it when it falls due).
  while (!firstOpen(env, rec, 'implement')) {
    if (rec.closedAt !== null || env.at > env.now) return;
    yield Math.max(env.at + 10 * MIN, Date.parse(String(rec.data.windowStart)) + 2_000);
  }
  yield env.at + rnd.int(2, 25) * MIN;
  let task = firstOpen(env, rec, 'implement');
  if (!task) return;
  const implementer = holder(env, task, rnd)!;
  yield env.at + rnd.int(40, 150) * MIN;
  task = firstOpen(env, rec, 'implement');
  if (!task) return;
  const outcome = rnd.next();
  if (outcome < 0.07)
    replay.act(env.at, task, implementer, 'rollback', { comment: '验证未通过，已按回退计划恢复' });
  else
    replay.act(env.at, task, implementer, 'complete', {
      data: { implementationResult: outcome < 0.13 ? 'partial' : 'successful' },
    });
  yield workAfter(env, env.at, rnd.logNormal(900, 0.8));
  task = firstOpen(env, rec, 'review');
  if (!task) return;
  const reviewer = holder(env, task, rnd)!;
  yield workAfter(env, env.at, rnd.int(10, 60));
  task = firstOpen(env, rec, 'review');
  if (!task) return;
  replay.act(env.at, task, reviewer, 'close', {
    data: {
      reviewNotes:
        rec.data.implementationResult === 'successful'
          ? '按计划完成，业务验证正常'
          : '部分完成，剩余工作另提变更',
    },
  });
}

// ------------------------------------------------------------------------------------- releases

const APPS = [
  'erp-web',
  'erp-api',
  'hr-portal',
  'crm-api',
  'order-service',
  'payment-gateway',
  'report-center',
  'mobile-bff',
];

export async function* releaseStory(env: Env, rnd: Random, plan: { at: number }): Story {
  const { replay } = env;
  yield plan.at;
  const dev = rnd.pick(env.developers);
  const apps = [...APPS]
    .sort(() => rnd.next() - 0.5)
    .slice(
      0,
      rnd.weighted([
        [1, 40],
        [2, 40],
        [3, 20],
      ] as const),
    );
  const rec = await replay.create(env.at, dev, {
    type: 'release',
    catalogItem: 'release-catalog/request-release',
    data: {
      title: `${apps.join(' / ')} ${DateTime.fromMillis(env.at, { zone: env.zone }).toISODate()} 版本发布`,
      description: rnd.pick([
        '修复若干缺陷，优化性能',
        '新增报表导出功能',
        '配合财务月结需求调整',
        '安全漏洞修复',
      ]),
      plannedAt: isoLocal(env, localAt(env, env.at, 20, rnd.int(5, 12))),
      apps: apps.map((name) => ({ name })),
    },
  });
  env.own(rec);
  // Calls to CI/CD run a few seconds after the step: no step that calls out near the end, so no
  // call is left pending for the runtime to make at its start.
  const callsOutSafely = () => env.at + 15 * MIN < env.now;
  for (const app of apps) {
    yield workAfter(env, env.at, rnd.logNormal(60, 0.8));
    const open = firstOpen(env, rec, 'open');
    if (!open || !callsOutSafely()) return;
    replay.act(env.at, open, dev, 'raiseMr', { input: { app } });
    yield workAfter(env, env.at, rnd.logNormal(180, 0.9));
    replay.callback(env.at, rec, 'mrApproved', app, { merged: true, mr: `${app}!${rnd.int(100, 999)}` });
  }
  yield workAfter(env, env.at, rnd.int(10, 90));
  let task = firstOpen(env, rec, 'open');
  if (!task) return;
  replay.act(env.at, task, dev, 'submit');
  for (const stage of ['sit', 'uat'] as const) {
    const check = stage === 'sit' ? 'confirming' : 'uatCheck';
    yield workAfter(env, env.at, rnd.logNormal(240, 0.8));
    task = firstOpen(env, rec, check);
    if (!task) return;
    const cab = holder(env, task, rnd)!;
    yield env.at + rnd.int(5, 40) * MIN;
    task = firstOpen(env, rec, check);
    if (!task || !callsOutSafely()) return;
    replay.act(env.at, task, cab, stage === 'sit' ? 'confirm' : 'admit');
    // Deployments: the calls, then each application's result through its callback.
    for (let round = 0; round < 3; round++) {
      yield env.at + rnd.int(10, 40) * MIN;
      const targets = (rec.data.deployTargets as string[] | undefined) ?? [];
      for (const app of targets) {
        const ok = round > 0 || rnd.chance(0.88);
        replay.callback(env.at, rec, stage === 'sit' ? 'sitDeployed' : 'uatDeployed', app, {
          status: ok ? 'success' : 'failed',
        });
        yield env.at + rnd.int(1, 6) * MIN;
      }
      const failed = firstOpen(env, rec, stage === 'sit' ? 'sitFailed' : 'uatFailed');
      if (!failed) break;
      yield workAfter(env, env.at, rnd.logNormal(90, 0.7));
      if (!callsOutSafely()) return;
      replay.act(env.at, failed, dev, 'redeploy', { comment: '修复配置后重新部署' });
    }
    const testing = stage === 'sit' ? 'sitTest' : 'uatTest';
    yield workAfter(env, env.at, rnd.logNormal(stage === 'sit' ? 900 : 700, 0.6));
    task = firstOpen(env, rec, testing);
    if (!task) return;
    if (stage === 'sit') {
      replay.act(env.at, task, dev, 'passSit');
      yield workAfter(env, env.at, rnd.int(10, 120));
      task = firstOpen(env, rec, 'awaitUat');
      if (!task) return;
      replay.act(env.at, task, dev, 'submitUat');
    } else replay.act(env.at, task, dev, 'finish');
  }
}

// ---------------------------------------------------------------------------------- inspections

export interface InspectionPlan {
  at: number;
  schedule: string;
  data: Data;
}

export async function* inspectionStory(env: Env, rnd: Random, plan: InspectionPlan): Story {
  const { replay } = env;
  yield plan.at;
  const rec = await replay.scheduled(env.at, plan.schedule, { type: 'inspection', data: { ...plan.data } });
  env.own(rec);
  // On site in the morning of the next working day (weekends and holidays wait: the OLA breaches).
  yield workAfter(env, env.at, rnd.int(10, 80));
  let task = firstOpen(env, rec, 'inspect');
  if (!task) return;
  const who = holder(env, task, rnd)!;
  yield env.at + rnd.int(30, 100) * MIN;
  task = firstOpen(env, rec, 'inspect');
  if (!task) return;
  const anomaly = rnd.next();
  const results: Data = {
    temperature: Math.round((anomaly < 0.03 ? 27.5 + rnd.next() * 3 : 21 + rnd.next() * 5) * 10) / 10,
    humidity: Math.round(anomaly >= 0.03 && anomaly < 0.06 ? 61 + rnd.next() * 8 : 40 + rnd.next() * 17),
    upsStatus: anomaly >= 0.06 && anomaly < 0.075 ? 'alarm' : 'normal',
    coolingStatus: anomaly >= 0.075 && anomaly < 0.09 ? 'alarm' : 'normal',
    fireSystem: 'normal',
    accessLogChecked: true,
  };
  if (anomaly < 0.09)
    results.findings = rnd.pick([
      '机柜 A07 温度偏高，空调出风口被遮挡',
      '湿度偏高，除湿机未开启',
      'UPS 电池自检告警',
      '2 号空调压缩机告警',
    ]);
  replay.act(env.at, task, who, 'submit', { data: results });
  if (anomaly >= 0.09) return;
  yield workAfter(env, env.at, rnd.logNormal(300, 0.7));
  task = firstOpen(env, rec, 'followUp');
  if (!task) return;
  const fixer = holder(env, task, rnd)!;
  yield env.at + rnd.int(30, 120) * MIN;
  task = firstOpen(env, rec, 'followUp');
  if (!task) return;
  replay.act(env.at, task, fixer, 'fixed', { data: { followUpNotes: '已处理并复查正常' } });
}
