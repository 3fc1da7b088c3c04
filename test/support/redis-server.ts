/**
 * A real redis-server for one test file, on a free loopback port, never assuming one is already
 * running. `stop()`/`start()` let a test take Redis away and bring it back on the same port.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { fileTempDir } from './file-temp-dir';
import { freePort } from './free-port';

export interface RedisServerOptions {
  password?: string;
  /** Serve TLS only, with a fresh self-signed certificate for 127.0.0.1 (its PEM is `ca`). */
  tls?: boolean;
  /** More redis-server arguments, e.g. `['--maxmemory', '4mb']`. */
  args?: string[];
}

export interface TestRedis {
  port: number;
  /** `redis://[:password@]127.0.0.1:port`, or `rediss://...` with `tls`. */
  url: string;
  /** With `tls`: the certificate to trust. */
  ca?: string;
  /** The running redis-server's process id (benchmarks read its CPU time); undefined while stopped. */
  pid(): number | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A self-signed certificate and key for 127.0.0.1, made with openssl in a fresh temporary directory. */
function selfSignedCertificate(): { certFile: string; keyFile: string } {
  // Kept while the file runs: start() after stop() reads them again.
  const dir = fileTempDir('tcpwarden-redis-tls-');
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  return { certFile, keyFile };
}

async function waitForPing(port: number, password: string | undefined, tls: boolean, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const hello = () => s.write((password ? `AUTH ${password}\r\n` : '') + 'PING\r\n');
      const s = tls ? tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false }, hello) : new Socket().connect(port, '127.0.0.1', hello);
      s.setTimeout(500);
      s.once('error', () => resolve(false));
      s.once('timeout', () => (s.destroy(), resolve(false)));
      s.on('data', (d) => {
        if (d.toString().includes('PONG')) {
          s.destroy();
          resolve(true);
        }
      });
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`redis-server on port ${port} did not answer PING within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startRedis(options: RedisServerOptions = {}): Promise<TestRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const args = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const cert = options.tls ? selfSignedCertificate() : undefined;
  if (cert) args.push('--port', '0', '--tls-port', String(port), '--tls-cert-file', cert.certFile, '--tls-key-file', cert.keyFile, '--tls-auth-clients', 'no');
  else args.push('--port', String(port));
  if (options.password) args.push('--requirepass', options.password);
  args.push(...(options.args ?? []));
  const scheme = cert ? 'rediss' : 'redis';

  const server: TestRedis = {
    port,
    url: options.password ? `${scheme}://:${encodeURIComponent(options.password)}@127.0.0.1:${port}` : `${scheme}://127.0.0.1:${port}`,
    ca: cert ? readFileSync(cert.certFile, 'utf8') : undefined,
    pid: () => (child && child.exitCode === null && child.signalCode === null ? child.pid : undefined),
    async start() {
      child = spawn('redis-server', args, { stdio: 'ignore' });
      try {
        await waitForPing(port, options.password, Boolean(cert), 10000);
      } catch (err) {
        // A server that does not answer is not left running behind the error.
        await server.stop();
        throw err;
      }
    },
    async stop() {
      const c = child;
      child = null;
      // A child killed by a signal has a signalCode and no exitCode.
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGKILL');
      });
    },
  };
  await server.start();
  return server;
}
