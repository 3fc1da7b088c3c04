import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserError } from '../errors/user-error';
import type { Metrics } from './metrics';

export interface MetricsServerOptions {
  /** `HOST:PORT`, `:PORT` or `PORT`; the host defaults to 127.0.0.1 so metrics are not exposed by accident. */
  address: string;
  metrics: Metrics;
  /** Whether the detector is ready to judge traffic (collector attached, rules loaded). */
  ready: () => boolean;
}

export interface ListenAddress {
  host: string;
  port: number;
}

/** Parses `HOST:PORT`, `[V6]:PORT`, `:PORT` or `PORT`. */
export function parseListenAddress(address: string): ListenAddress {
  const text = address.trim();
  const m = /^\d+$/.test(text) ? [text, undefined, '', text] : /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d+)$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !Number.isInteger(port) || port > 65535) {
    throw new UserError('METRICS_ADDRESS_INVALID', `metrics address '${address}' is not HOST:PORT, :PORT or PORT (e.g. 127.0.0.1:9464)`, 2);
  }
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

/** Serves /metrics (Prometheus text), /healthz (the process is up) and /readyz (ready to judge traffic). */
export class MetricsServer {
  private server?: Server;

  constructor(private readonly options: MetricsServerOptions) {}

  async listen(): Promise<ListenAddress> {
    const { host, port } = parseListenAddress(this.options.address);
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
      } else if (path === '/metrics') {
        this.options.metrics.text().then(
          (text) => res.writeHead(200, { 'content-type': this.options.metrics.registry.contentType }).end(text),
          (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err.message}\n`),
        );
      } else if (path === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      } else if (path === '/readyz') {
        const ready = this.options.ready();
        res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ? 'ready\n' : 'not ready\n');
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics, /healthz or /readyz\n');
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(new UserError('METRICS_LISTEN_FAILED', `cannot serve metrics on ${host}:${port}: ${err.code ?? err.message}`)),
      );
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    const addr = server.address() as AddressInfo;
    return { host: addr.address, port: addr.port };
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    // A scraper's keep-alive connection would otherwise hold the close open until it times out.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }
}
