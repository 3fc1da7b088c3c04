import { cgroupOwner, cgroupV2Path } from '../../src/victim/cgroup-owner';

const ID = 'a'.repeat(60) + '0123';
const UID = '2c1e7a4f-93b5-4d0e-8f6a-0c9d1b2e3f40';

describe('cgroupOwner: what the runtimes and systemd write into cgroup v2 paths', () => {
  test.each([
    ['docker, systemd driver', `/system.slice/docker-${ID}.scope`, { container: { runtime: 'docker', id: ID } }],
    ['docker, cgroupfs driver', `/docker/${ID}`, { container: { runtime: 'docker', id: ID } }],
    ['a sub-cgroup a container made for itself', `/system.slice/docker-${ID}.scope/init.scope`, { container: { runtime: 'docker', id: ID } }],
    [
      'containerd/CRI under a kubepods pod slice',
      `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID.replace(/-/g, '_')}.slice/cri-containerd-${ID}.scope`,
      { container: { runtime: 'containerd', id: ID }, podUid: UID },
    ],
    ['guaranteed QoS pod, CRI-O', `/kubepods.slice/kubepods-pod${UID.replace(/-/g, '_')}.slice/crio-${ID}.scope`, { container: { runtime: 'cri-o', id: ID }, podUid: UID }],
    ['kubelet cgroupfs driver: the pod, no runtime in the path', `/kubepods/burstable/pod${UID}/${ID}`, { podUid: UID }],
    ['podman', `/machine.slice/libpod-${ID}.scope`, { container: { runtime: 'podman', id: ID } }],
    ['rootless podman', `/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID}.scope`, { container: { runtime: 'podman', id: ID } }],
    ['a systemd service', '/system.slice/nginx.service', { service: 'nginx.service' }],
    ['a user service', '/user.slice/user-1000.slice/user@1000.service/app.slice/syncthing.service', { service: 'syncthing.service' }],
    ['a service in a container is not the host\'s', `/system.slice/docker-${ID}.scope/system.slice/nginx.service`, { container: { runtime: 'docker', id: ID } }],
    ['the root', '/', {}],
    ['a session scope', '/user.slice/user-0.slice/session-3.scope', {}],
    ['a short id is no container id', '/docker/abc123', {}],
    ['a pod-like name outside kubepods', `/pod${UID}`, {}],
  ])('%s', (_what, path, owner) => {
    expect(cgroupOwner(path)).toEqual(owner);
  });
});

describe('cgroupV2Path', () => {
  test('the 0:: line of a hybrid host, and none on a v1-only process', () => {
    expect(cgroupV2Path('9:name=systemd:/\n4:memory:/x\n0::/system.slice/a.service\n')).toBe('/system.slice/a.service');
    expect(cgroupV2Path('4:memory:/x\n')).toBeUndefined();
  });
});
