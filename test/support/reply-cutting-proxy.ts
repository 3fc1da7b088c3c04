/**
 * A TCP proxy in front of a test Redis that can lose a reply: after `cutNextReply()`, the next
 * request is forwarded to Redis (which executes it) and the client's connection is dropped before
 * the answer comes back. The client sees a failure for a command that took effect: the ambiguous
 * case a retry must survive without duplicating.
 */
import { createServer, Socket, type Server } from 'node:net';

export interface ReplyCuttingProxy {
  url: string;
  cutNextReply(): void;
  /** Requests forwarded whose reply was lost. */
  cuts: number;
  close(): Promise<void>;
}

export async function startReplyCuttingProxy(redisPort: number): Promise<ReplyCuttingProxy> {
  let cutArmed = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = new Socket().connect(redisPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    let cutting = false;
    client.on('data', (chunk) => {
      upstream.write(chunk);
      if (cutArmed) {
        cutArmed = false;
        cutting = true;
        proxy.cuts++;
        // Give Redis time to execute what it was sent, then drop the client side without the reply.
        setTimeout(() => client.destroy(), 50);
      }
    });
    upstream.on('data', (chunk) => {
      if (!cutting) client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const proxy: ReplyCuttingProxy = {
    url: `redis://127.0.0.1:${port}`,
    cuts: 0,
    cutNextReply: () => (cutArmed = true),
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  return proxy;
}
