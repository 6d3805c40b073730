import { createHmac } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Config } from '../config.ts';
import { answeredError, OutboundError, outboundClient } from '../outbound/client.ts';
import type { SmtpSettings } from './settings.ts';

/**
 * The wire formats of the outgoing channels. Everything here is pure or does one network call;
 * retries, dead letters and idempotency belong to the delivery job (deliver.ts).
 */

export type ImFormat = 'dingtalk' | 'feishu' | 'wecom' | 'slack';

export interface ImMessage {
  subject: string;
  body: string;
  link: string;
  /** Record number, used as the link text. */
  number: string;
  locale: 'zh-CN' | 'en';
}

/** `sha256=<hex>` of the raw body, keyed with the rule's secret: the receiver recomputes and compares. */
export const webhookSignature = (secret: string, rawBody: string): string =>
  `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;

const linkText = (m: ImMessage) => (m.locale === 'en' ? `Open ${m.number}` : `查看 ${m.number}`);

/** The robot message body each vendor expects. */
export function imBody(format: ImFormat, m: ImMessage): Record<string, unknown> {
  switch (format) {
    case 'dingtalk':
      // https://open.dingtalk.com/document/robots/custom-robot-access — msgtype markdown
      return {
        msgtype: 'markdown',
        markdown: { title: m.subject, text: `### ${m.subject}\n\n${m.body}\n\n[${linkText(m)}](${m.link})` },
      };
    case 'wecom':
      // https://developer.work.weixin.qq.com/document/path/91770 — msgtype markdown
      return {
        msgtype: 'markdown',
        markdown: { content: `**${m.subject}**\n${m.body}\n[${linkText(m)}](${m.link})` },
      };
    case 'feishu': {
      // https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot — rich text (post)
      const lang = m.locale === 'en' ? 'en_us' : 'zh_cn';
      const lines = m.body.split('\n').map((text) => [{ tag: 'text', text }]);
      return {
        msg_type: 'post',
        content: {
          post: {
            [lang]: {
              title: m.subject,
              content: [...lines, [{ tag: 'a', text: linkText(m), href: m.link }]],
            },
          },
        },
      };
    }
    case 'slack':
      // https://api.slack.com/messaging/webhooks — text is the fallback, blocks the layout
      return {
        text: `${m.subject}\n${m.body}`,
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: m.subject.slice(0, 150) || m.number } },
          { type: 'section', text: { type: 'mrkdwn', text: m.body.slice(0, 3000) || ' ' } },
          {
            type: 'context',
            elements: [{ type: 'mrkdwn', text: `<${m.link}|${linkText(m)}>` }],
          },
        ],
      };
  }
}

/**
 * Vendors that sign robot calls with a secret: DingTalk puts `timestamp` and `sign` in the URL,
 * Feishu puts them in the body. The timestamp must be fresh, so this runs at send time.
 */
export function signIm(
  format: ImFormat,
  url: string,
  body: Record<string, unknown>,
  secret: string | undefined,
  now = Date.now(),
): { url: string; body: Record<string, unknown> } {
  if (!secret) return { url, body };
  if (format === 'dingtalk') {
    const sign = createHmac('sha256', secret).update(`${now}\n${secret}`).digest('base64');
    const u = new URL(url);
    u.searchParams.set('timestamp', String(now));
    u.searchParams.set('sign', sign);
    return { url: u.toString(), body };
  }
  if (format === 'feishu') {
    const timestamp = String(Math.floor(now / 1000));
    const sign = createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64');
    return { url, body: { timestamp, sign, ...body } };
  }
  return { url, body };
}

/**
 * Posts JSON through the outbound policy (outbound/client.ts: http(s) only, no private or
 * metadata addresses unless allow-listed, answers read up to a cap). A non-2xx answer, a
 * redirect (not followed: a webhook that moved is a failure to look at), or a vendor's error
 * code in a 200 answer is a failure to retry. Errors name no URL: the caller says what it called.
 */
export async function postJson(
  config: Config,
  url: string,
  rawBody: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<number> {
  const res = await outboundClient(config).request({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: rawBody,
    timeoutMs,
    followRedirects: false,
  });
  const text = res.text;
  if (!res.ok) throw answeredError(res);
  let answer: Record<string, unknown> | null = null;
  try {
    answer = text ? (JSON.parse(text) as Record<string, unknown>) : null;
  } catch {
    // plain-text answers (Slack's "ok") are fine
  }
  const code = answer?.errcode ?? answer?.code ?? answer?.StatusCode;
  if (typeof code === 'number' && code !== 0)
    throw new OutboundError('outbound.vendor_refused', {
      detail: String(answer?.errmsg ?? answer?.msg ?? code).slice(0, 300),
    });
  return res.status;
}

/** Robot URLs carry their access token in the query: keep it out of errors and logs. */
export const redact = (url: string): string => {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return '(invalid URL)';
  }
};

export interface Mail {
  to: string;
  subject: string;
  text: string;
  /** An HTML alternative to `text` (multipart/alternative). */
  html?: string;
  attachments?: { filename: string; contentType: string; content: Buffer }[];
  messageId: string;
  headers?: Record<string, string>;
}

/** Sends one message through the configured SMTP server; resolves when the server accepted it. */
export async function sendMail(smtp: SmtpSettings, mail: Mail): Promise<string> {
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: !smtp.secure && smtp.startTls === 'required',
    ignoreTLS: !smtp.secure && smtp.startTls === 'never',
    auth: smtp.username ? { user: smtp.username, pass: smtp.password ?? '' } : undefined,
    tls: { rejectUnauthorized: smtp.tlsRejectUnauthorized },
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  try {
    const info = await transport.sendMail({
      from: smtp.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      ...(mail.html !== undefined ? { html: mail.html } : {}),
      ...(mail.attachments?.length ? { attachments: mail.attachments } : {}),
      messageId: mail.messageId,
      headers: mail.headers,
    });
    return String(info.response ?? '');
  } finally {
    transport.close();
  }
}
