/**
 * The victim of an alert, resolved against a real listener in a real namespace and docker-like
 * cgroup: the port owner on this host, closed ports, several ports, and another host's events.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alert } from '../../src/interfaces/alert';
import type { TcpEvent } from '../../src/interfaces/tcp-event';
import { NetnsDirectory } from '../../src/victim/netns-directory';
import { VictimResolver } from '../../src/victim/victim-resolver';
import { buildAlert } from '../support/alert-builder';
import { cgroupSkipReason, containerId } from '../support/cgroups';
import { describeUnless } from '../support/kernel-access';
import { createNamespacedProcesses, type NamedNetns, type NamespacedProcesses } from '../support/namespaced-processes';
import { TRAFFIC } from '../support/run-traffic';

const HOST = 'this-host';

function sample(netns: number, fields: Partial<TcpEvent> = {}): TcpEvent {
  return { kind: 'synack_retransmit', ts: Date.now(), family: 4, laddr: '127.0.0.1', lport: 8443, raddr: '127.0.0.2', rport: 40000, netns, host: HOST, ...fields };
}

describeUnless(cgroupSkipReason, 'VictimResolver: the victim of an alert', () => {
  let world: NamespacedProcesses;
  let runtimeRoot: string;
  let ns: NamedNetns;
  let scope: string;
  let listenerPid: number;
  let resolver: VictimResolver;
  const id = containerId();

  beforeAll(async () => {
    world = createNamespacedProcesses();
    runtimeRoot = mkdtempSync(join(tmpdir(), 'tw-runtime-'));
    ns = world.netns();
    scope = world.cgroups.dockerScope(id);
    listenerPid = (await world.start(ns, scope, process.execPath, [TRAFFIC, 'serve', '127.0.0.1', '8443', 'sink'], /ready/)).pid!;
    resolver = new VictimResolver({ host: HOST, directory: new NetnsDirectory({ runtimeRoot }) });
  });
  afterAll(async () => {
    await world?.destroy();
    rmSync(runtimeRoot, { recursive: true, force: true });
  });

  const alertOn = (overrides: Partial<Alert>): Alert =>
    buildAlert({ dedupKey: `r|${Math.random()}`, group: { netns: ns.inode, laddr: '127.0.0.1', lport: 8443 }, netns: [ns.inode], samples: [sample(ns.inode)], ...overrides });

  test('a SYN flood on a listener: the namespace, the container and the process that owns the port', () => {
    const named = resolver.name(alertOn({}));
    expect(named.victim).toEqual({
      netns: { inode: ns.inode, name: ns.name },
      container: { runtime: 'docker', id, name: null },
      pod: null,
      service: null,
      port: 8443,
      portState: 'listen',
      process: { pid: listenerPid, comm: 'node', cmdline: `${process.execPath} ${TRAFFIC} serve 127.0.0.1 8443 sink`, cgroup: scope },
    });
  });

  test('refused connections: the kernel said the port is closed, and no process is named', () => {
    const refused = sample(ns.inode, { kind: 'connect_refused', direction: 'inbound', lport: 9 });
    const one = resolver.name(alertOn({ group: { netns: ns.inode, raddr: '127.0.0.2' }, samples: [refused, { ...refused, rport: 40001 }] }));
    expect(one.victim).toMatchObject({ port: 9, portState: 'closed', process: null, container: { id } });
    const scan = resolver.name(alertOn({ group: { netns: ns.inode, raddr: '127.0.0.2' }, samples: [refused, { ...refused, lport: 10 }] }));
    expect(scan.victim).toMatchObject({ port: null, portState: 'closed', process: null });
    // A port named by the group but with nothing on it: looked up, found closed.
    expect(resolver.name(alertOn({ group: { netns: ns.inode, laddr: '127.0.0.1', lport: 8444 } })).victim).toMatchObject({ port: 8444, portState: 'closed', process: null });
  });

  test('an alert about several ports, or none: the names, and why no owner', () => {
    const spread = resolver.name(alertOn({ group: { netns: ns.inode, raddr: '127.0.0.2' }, samples: [sample(ns.inode), sample(ns.inode, { lport: 8000 })] }));
    expect(spread.victim).toMatchObject({ netns: { name: ns.name }, port: null, portState: 'unknown', process: null, note: "the alert's events are on 2 local ports" });
    const cookies = resolver.name(alertOn({ group: { netns: ns.inode, host: HOST }, samples: [sample(ns.inode, { kind: 'syncookies_sent', laddr: '', raddr: '', lport: 0, rport: 0, value: 300 })] }));
    expect(cookies.victim).toMatchObject({ container: { id }, port: null, portState: 'unknown', note: 'the alert is about no local port' });
  });

  test("another host's events: the names its collector put on them, no port owner, and a note saying why", () => {
    const remote = sample(ns.inode, { host: 'web-7', netns_name: 'web', container: 'shop-api', pod: 'shop/api-0', service: undefined });
    const named = resolver.name(alertOn({ samples: [remote] }));
    expect(named.victim).toEqual({
      netns: { inode: ns.inode, name: 'web' },
      container: { runtime: null, id: null, name: 'shop-api' },
      pod: { uid: null, name: 'api-0', namespace: 'shop' },
      service: null,
      port: 8443,
      portState: 'unknown',
      process: null,
      note: 'the events came from host web-7: the port\'s owner is looked up only on the collecting host',
    });
  });

  test('an episode keeps the victim it was first named with, through its resolution; event-loss alerts get none', () => {
    const key = `ep|${ns.inode}`;
    const firing = resolver.name(alertOn({ dedupKey: key }));
    const resolved = resolver.name(alertOn({ dedupKey: key, status: 'resolved', group: { netns: ns.inode, laddr: '127.0.0.1', lport: 1 } }));
    expect(resolved.victim).toBe(firing.victim);
    // After the resolution the episode is forgotten: a new one is named afresh.
    expect(resolver.name(alertOn({ dedupKey: key, group: { netns: ns.inode, laddr: '127.0.0.1', lport: 1 } })).victim?.port).toBe(1);
    const loss = buildAlert({ rule: { id: 'event-loss', name: 'Events lost', severity: 'high', tags: [] }, group: {}, netns: [], samples: [] });
    expect(resolver.name(loss).victim).toBeUndefined();
  });
});
