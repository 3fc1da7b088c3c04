/**
 * A TCP server on 127.0.0.1 that takes connections and never answers: a hung Redis, or a wrong
 * port that happens to be listening. `close()` drops the connections it holds.
 */
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface SilentServer {
  port: number;
  /** Connections taken so far. */
  connections: number;
  close(): Promise<void>;
}

export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    silent.connections++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const silent: SilentServer = {
    port: (server.address() as AddressInfo).port,
    connections: 0,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return silent;
}
