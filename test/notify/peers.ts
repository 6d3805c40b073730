import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * Real peers for notification tests, on 127.0.0.1: an SMTP server (the `smtp-server` package,
 * with AUTH and STARTTLS) and an HTTP server that records what webhooks and robots post.
 */

export interface ReceivedMail {
  envelopeTo: string[];
  parsed: ParsedMail;
  raw: string;
}

export interface SmtpPeer {
  port: number;
  mails: ReceivedMail[];
  /** While set, every message is refused with this transient error (451). */
  refuse: string | null;
  listen(): Promise<void>;
  close(): Promise<void>;
}

export const SMTP_USER = 'mailer';
export const SMTP_PASSWORD = 'mailer-secret';

/** An SMTP server that requires login; `port` is fixed at the first listen so it can come back on it. */
export async function startSmtp(opts: { listen?: boolean } = {}): Promise<SmtpPeer> {
  let server: SMTPServer | null = null;
  const peer: SmtpPeer = {
    port: 0,
    mails: [],
    refuse: null,
    async listen() {
      server = new SMTPServer({
        authOptional: false,
        logger: false,
        onAuth(auth, _session, cb) {
          if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD)
            cb(null, { user: auth.username });
          else cb(new Error('Invalid username or password'));
        },
        onData(stream, session, cb) {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', async () => {
            if (peer.refuse) {
              const err = new Error(peer.refuse) as Error & { responseCode: number };
              err.responseCode = 451;
              cb(err);
              return;
            }
            const raw = Buffer.concat(chunks).toString('utf8');
            peer.mails.push({
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
              parsed: await simpleParser(raw),
              raw,
            });
            cb();
          });
        },
      });
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(peer.port, '127.0.0.1', () => resolve());
      });
      // smtp-server keeps its net.Server as `server`
      peer.port = ((server as any).server.address() as AddressInfo).port;
    },
    async close() {
      if (!server) return;
      const s = server;
      server = null;
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
  await peer.listen();
  if (opts.listen === false) await peer.close();
  return peer;
}

export interface HttpRequestSeen {
  path: string;
  url: string;
  headers: IncomingMessage['headers'];
  raw: string;
  json: any;
}

export interface HttpPeer {
  url: string;
  requests: HttpRequestSeen[];
  /** What to answer: status and body (e.g. 500 while "down", or a vendor's error code). */
  answer: { status: number; body: string };
  close(): Promise<void>;
}

export async function startHttpPeer(): Promise<HttpPeer> {
  const requests: HttpRequestSeen[] = [];
  const peer = { requests, answer: { status: 200, body: '{"errcode":0,"code":0}' } } as HttpPeer;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const { status, body } = peer.answer;
      if (status < 300) {
        let json: unknown = null;
        try {
          json = JSON.parse(raw);
        } catch {
          json = null;
        }
        requests.push({
          path: new URL(req.url!, 'http://x').pathname,
          url: req.url!,
          headers: req.headers,
          raw,
          json,
        });
      }
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  peer.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  peer.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return peer;
}
