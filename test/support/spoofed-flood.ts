/**
 * A spoofed SYN flood between a test's two namespaces (bench/gen/syn-flood.c): raw SYNs from
 * many addresses of a private prefix that the server routes back over the veth, where the client
 * namespace (not a router) drops the replies. Nothing leaves the test's namespaces.
 */
import { routeSpoofedPrefix } from './attack-setup';
import { buildGenerator } from './generators';
import { createNetnsPair, type NetnsPair } from './netns';

/** What the generator printed. */
export interface FloodResult {
  sent: number;
  sources: number;
  perSourceMin: number;
  perSourceMax: number;
}

export interface SpoofedFloodSetup {
  pair: NetnsPair;
  /** The first spoofed source address; the others count up from it. */
  firstSource: string;
  /**
   * Floods `port` on the server from `sources` addresses for `seconds` at `rate` SYNs/s (0: as
   * fast as it can). Runs as a child, so the test's collector keeps draining meanwhile.
   */
  flood(port: number, seconds: number, sources: number, rate: number): Promise<FloodResult>;
  /** SYNs each source sent, by address: the generator sends round-robin from the first source on. */
  perSource(result: FloodResult): Map<string, number>;
  destroy(): void;
}

export function setUpSpoofedFlood(): SpoofedFloodSetup {
  const pair = createNetnsPair();
  try {
    const gen = buildGenerator('syn-flood');
    const firstSource = routeSpoofedPrefix(pair);
    return {
      pair,
      firstSource,
      flood(port, seconds, sources, rate) {
        const child = pair.spawn(pair.client, gen, [pair.server.v4, String(port), String(seconds), firstSource, String(sources), String(rate)]);
        let out = '';
        let err = '';
        child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
        return new Promise((resolve, reject) => {
          child.on('error', reject);
          child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as FloodResult) : reject(new Error(`syn-flood exited ${code}: ${err}`))));
        });
      },
      perSource({ sent, sources }) {
        const counts = new Map<string, number>();
        const first = firstSource.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
        for (let j = 0; j < sources; j++) {
          const n = first + j;
          const addr = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
          counts.set(addr, Math.floor(sent / sources) + (j < sent % sources ? 1 : 0));
        }
        return counts;
      },
      destroy() {
        pair.destroy();
      },
    };
  } catch (err) {
    pair.destroy();
    throw err;
  }
}
