/**
 * A real HTTP receiver on 127.0.0.1 for webhook tests and benchmarks: records every request (raw
 * body, headers, arrival time) and answers from a script of statuses, delays and headers.
 * `stop()`/`start()` take it away and bring it back on the same port, like a receiver outage.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Epoch ms when the body was complete. */
  at: number;
  /** The status this request was answered with. */
  status: number;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  /** Wait this long before answering (a slow receiver). */
  delayMs?: number;
  /** Take the request and never answer (a hung receiver); stop() drops the connection. */
  hang?: boolean;
}

export interface WebhookReceiver {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  /** The answers for the next requests, in order; once used up, every request gets 200. */
  script(...answers: (number | Answer)[]): void;
  /** Called on each request as it arrives (benchmarks time with it). */
  onRequest?: (req: ReceivedRequest) => void;
  /** Resolves once `count` requests have arrived; rejects after `timeoutMs`. */
  waitForRequests(count: number, timeoutMs?: number): Promise<void>;
  /** Resolves with the first request (from index `from` on) that `match` accepts; rejects after `timeoutMs`. */
  waitForRequest(match: (req: ReceivedRequest) => boolean, timeoutMs?: number, from?: number): Promise<ReceivedRequest>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  let server: Server | null = null;
  let answers: Answer[] = [];
  let port = 0;
  const receiver: WebhookReceiver = {
    url: '',
    port: 0,
    requests: [],
    script(...a) {
      answers = a.map((x) => (typeof x === 'number' ? { status: x } : x));
    },
    async waitForRequests(count, timeoutMs = 10000) {
      const until = Date.now() + timeoutMs;
      while (receiver.requests.length < count) {
        if (Date.now() > until) throw new Error(`expected ${count} requests, got ${receiver.requests.length} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async waitForRequest(match, timeoutMs = 10000, from = 0) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const found = receiver.requests.slice(from).find(match);
        if (found) return found;
        if (Date.now() > until) throw new Error(`no matching request among ${receiver.requests.length - from} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async start() {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const answer = answers.shift() ?? { status: 200 };
          const got: ReceivedRequest = {
            path: req.url ?? '',
            headers: req.headers,
            body: Buffer.concat(chunks).toString(),
            at: Date.now(),
            status: answer.status,
          };
          receiver.requests.push(got);
          receiver.onRequest?.(got);
          if (answer.hang) return;
          setTimeout(() => {
            res.writeHead(answer.status, answer.headers);
            res.end();
          }, answer.delayMs ?? 0);
        });
      });
      await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
      port = (server!.address() as AddressInfo).port;
      receiver.port = port;
      receiver.url = `http://127.0.0.1:${port}/hook`;
    },
    async stop() {
      const s = server;
      server = null;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
  await receiver.start();
  return receiver;
}
