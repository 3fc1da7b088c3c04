/**
 * The namespace directory and the port owner against real network namespaces, real processes and
 * real cgroup v2 directories in the layouts docker, containerd/CRI, podman and systemd make; the
 * runtimes' name files live in a directory of the test's own (their layout, not a mock of /proc).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetnsDirectory } from '../../src/victim/netns-directory';
import { findPortOwner } from '../../src/victim/port-owner';
import { cgroupSkipReason, containerId, podUid } from '../support/cgroups';
import { describeUnless } from '../support/kernel-access';
import { createNamespacedProcesses, until, type NamedNetns, type NamespacedProcesses } from '../support/namespaced-processes';
import { TRAFFIC } from '../support/run-traffic';

describeUnless(cgroupSkipReason, 'namespace directory and port owner: real namespaces, processes and cgroups', () => {
  let world: NamespacedProcesses;
  let runtimeRoot: string;
  const netns = () => world.netns();
  /** A long-running process in namespace `ns`, moved into `cgroup` when given. */
  const process_ = (ns: NamedNetns, cgroup: string | undefined, cmd: string, args: string[], ready?: RegExp) => world.start(ns, cgroup, cmd, args, ready);
  let cgroups: NamespacedProcesses['cgroups'];

  beforeAll(() => {
    world = createNamespacedProcesses();
    cgroups = world.cgroups;
    runtimeRoot = mkdtempSync(join(tmpdir(), 'tw-runtime-'));
  });
  afterAll(async () => {
    await world?.destroy();
    rmSync(runtimeRoot, { recursive: true, force: true });
  });

  test('names each namespace after the one container, pod or service whose processes live in it', async () => {
    // docker, systemd driver, with its name in docker's config file
    const dockerId = containerId();
    mkdirSync(join(runtimeRoot, 'var/lib/docker/containers', dockerId), { recursive: true });
    writeFileSync(join(runtimeRoot, 'var/lib/docker/containers', dockerId, 'config.v2.json'), JSON.stringify({ Name: '/web' }));
    const docker = netns();
    await process_(docker, cgroups.dockerScope(dockerId), 'sleep', ['300']);

    // docker, cgroupfs driver, no config file: named by its id
    const fsId = containerId();
    const dockerFs = netns();
    await process_(dockerFs, cgroups.make(`docker/${fsId}`), 'sleep', ['300']);

    // a CRI pod: the pause container and the workload share the namespace; the kubelet's log dirs name them
    const uid = podUid();
    const appId = containerId();
    mkdirSync(join(runtimeRoot, 'var/log/pods', `shop_cart-0_${uid}`), { recursive: true });
    mkdirSync(join(runtimeRoot, 'var/log/containers'), { recursive: true });
    writeFileSync(join(runtimeRoot, 'var/log/containers', `cart-0_shop_cart-${appId}.log`), '');
    const pause = join(runtimeRoot, 'pause');
    copyFileSync('/usr/bin/sleep', pause);
    execFileSync('chmod', ['755', pause]);
    const pod = netns();
    await process_(pod, cgroups.kubepodsScope(uid), pause, ['300']);
    await process_(pod, cgroups.kubepodsScope(uid, appId), 'sleep', ['300']);

    // podman, named in its containers.json
    const podmanId = containerId();
    mkdirSync(join(runtimeRoot, 'var/lib/containers/storage/overlay-containers'), { recursive: true });
    writeFileSync(join(runtimeRoot, 'var/lib/containers/storage/overlay-containers/containers.json'), JSON.stringify([{ id: podmanId, names: ['db'] }]));
    const podman = netns();
    await process_(podman, cgroups.libpodScope(podmanId), 'sleep', ['300']);

    // a systemd service with a private network
    const unit = `tw-test-${process.pid}.service`;
    const service = netns();
    await process_(service, cgroups.service(unit), 'sleep', ['300']);

    // one process in a container, one outside: the namespace is no one container's
    const mixed = netns();
    await process_(mixed, cgroups.dockerScope(), 'sleep', ['300']);
    await process_(mixed, undefined, 'sleep', ['300']);

    // a named namespace with no process in it
    const empty = netns();

    const dir = new NetnsDirectory({ runtimeRoot });
    dir.refresh();
    expect(dir.get(docker.inode)).toMatchObject({ name: docker.name, container: { runtime: 'docker', id: dockerId, name: 'web' }, event: { netns_name: docker.name, container: 'web' } });
    expect(dir.get(docker.inode)?.service).toBeUndefined();
    expect(dir.get(dockerFs.inode)).toMatchObject({ container: { runtime: 'docker', id: fsId }, event: { container: fsId.slice(0, 12) } });
    expect(dir.get(dockerFs.inode)?.container?.name).toBeUndefined();
    expect(dir.get(pod.inode)).toMatchObject({
      container: { runtime: 'containerd', id: appId, name: 'cart' },
      pod: { uid, name: 'cart-0', namespace: 'shop' },
      event: { netns_name: pod.name, container: 'cart', pod: 'shop/cart-0' },
    });
    expect(dir.get(pod.inode)?.pids).toHaveLength(2);
    expect(dir.get(podman.inode)).toMatchObject({ container: { runtime: 'podman', id: podmanId, name: 'db' }, event: { container: 'db' } });
    expect(dir.get(service.inode)).toMatchObject({ service: unit, event: { netns_name: service.name, service: unit } });
    expect(dir.get(service.inode)?.container).toBeUndefined();
    expect(dir.get(mixed.inode)).toMatchObject({ name: mixed.name, event: { netns_name: mixed.name } });
    expect(dir.get(mixed.inode)?.container).toBeUndefined();
    expect(dir.get(empty.inode)).toEqual({ inode: empty.inode, name: empty.name, pids: [], event: { netns_name: empty.name } });
    // The host's own namespace is shared by everything: no container, pod or service.
    const host = statSync('/proc/self/ns/net').ino;
    expect(dir.get(host)).toMatchObject({ inode: host, event: {} });
    expect(dir.get(host)?.pids).toContain(process.pid);
  });

  test('an unknown namespace is looked up soon after it is first asked for, not at the next periodic refresh', async () => {
    const dir = new NetnsDirectory({ runtimeRoot, refreshMs: 600_000 });
    dir.start();
    try {
      const late = netns();
      await process_(late, cgroups.dockerScope(), 'sleep', ['300']);
      expect(dir.get(late.inode)).toBeUndefined(); // a map lookup: nothing read on this path
      await until(() => dir.get(late.inode) !== undefined);
      expect(dir.get(late.inode)).toMatchObject({ name: late.name, container: { runtime: 'docker' } });
      expect(dir.stats.refreshes).toBe(2);
    } finally {
      dir.stop();
    }
  });

  test('the port owner: the listener process with its command line and cgroup; a closed port has none', async () => {
    const id = containerId();
    const scope = cgroups.dockerScope(id);
    const space = netns();
    const listener = await process_(space, scope, process.execPath, [TRAFFIC, 'serve', '127.0.0.1', '8443', 'sink'], /ready/);
    // A process of the namespace that owns nothing: the owner is told apart from its neighbours.
    await process_(space, scope, 'sleep', ['300']);
    const dir = new NetnsDirectory({ runtimeRoot });
    dir.refresh();
    const pids = dir.get(space.inode)!.pids;
    expect(pids).toContain(listener.pid);

    expect(findPortOwner(8443, pids)).toEqual({
      state: 'listen',
      process: { pid: listener.pid, comm: 'node', cmdline: `${process.execPath} ${TRAFFIC} serve 127.0.0.1 8443 sink`, cgroup: scope },
    });
    expect(findPortOwner(8444, pids)).toEqual({ state: 'closed', process: null });

    // A connection from inside the namespace: its client side holds a port with no listener.
    const client = await process_(space, scope, process.execPath, ['-e', "const s=require('net').connect(8443,'127.0.0.1',()=>console.log('up:'+s.localPort));setInterval(()=>{},1e6)"], /up:/);
    const dir2 = new NetnsDirectory({ runtimeRoot });
    dir2.refresh();
    const clientPort = Number(/ 127\.0\.0\.1:(\d+) +127\.0\.0\.1:8443 /.exec(execFileSync('ip', ['netns', 'exec', space.name, 'ss', '-Htn'], { encoding: 'utf8' }))![1]);
    expect(findPortOwner(clientPort, dir2.get(space.inode)!.pids)).toMatchObject({ state: 'connected', process: { pid: client.pid, comm: 'node' } });
    // No process left to read the namespace's sockets through.
    expect(findPortOwner(8443, [])).toBeUndefined();
  });
});
