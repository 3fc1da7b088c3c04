import type { ContainerRuntime } from '../interfaces/victim';

/** What a cgroup v2 path says about the processes in it. */
export interface CgroupOwner {
  container?: { runtime: ContainerRuntime; id: string };
  /** Kubernetes pod uid with dashes, from a kubepods slice. */
  podUid?: string;
  /** The innermost systemd service unit (`nginx.service`). */
  service?: string;
}

const ID = '([0-9a-f]{64})';
/** systemd-driver scopes: `docker-<id>.scope`, `cri-containerd-<id>.scope`, `crio-<id>.scope`, `libpod-<id>.scope`. */
const SCOPES: Array<[RegExp, ContainerRuntime]> = [
  [new RegExp(`^docker-${ID}\\.scope$`), 'docker'],
  [new RegExp(`^cri-containerd-${ID}\\.scope$`), 'containerd'],
  [new RegExp(`^crio-${ID}\\.scope$`), 'cri-o'],
  [new RegExp(`^libpod-${ID}\\.scope$`), 'podman'],
];
const BARE_ID = new RegExp(`^${ID}$`);
/** `kubepods-besteffort-pod<uid with _>.slice` (systemd driver) or `pod<uid>` (cgroupfs driver). */
const POD = /^(?:kubepods(?:-[a-z]+)*-)?pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})(?:\.slice)?$/;
const SERVICE = /^[^/]+\.service$/;

/**
 * Reads the layouts the runtimes make (docs/alerts.md, "Where the names come from"):
 *   docker, systemd driver:    /system.slice/docker-<id>.scope
 *   docker, cgroupfs driver:   /docker/<id>
 *   containerd / CRI:          /kubepods.slice/kubepods-<qos>.slice/kubepods-<qos>-pod<uid_>.slice/cri-containerd-<id>.scope
 *   CRI-O:                     ... /crio-<id>.scope
 *   kubelet, cgroupfs driver:  /kubepods/<qos>/pod<uid>/<id>   (the pod only: no runtime in the path)
 *   podman:                    /machine.slice/libpod-<id>.scope (rootless: under user@UID.service)
 *   systemd service:           /system.slice/<name>.service
 * The innermost container wins (a container's own sub-cgroups sit below its scope).
 */
export function cgroupOwner(path: string): CgroupOwner {
  const owner: CgroupOwner = {};
  const parts = path.split('/').filter((p) => p !== '');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    let matched = false;
    for (const [re, runtime] of SCOPES) {
      const m = re.exec(part);
      if (m) {
        owner.container = { runtime, id: m[1] };
        matched = true;
        break;
      }
    }
    if (matched) continue;
    const pod = POD.exec(part);
    if (pod && parts.slice(0, i).some((p) => p.startsWith('kubepods'))) {
      owner.podUid = pod[1].replace(/_/g, '-');
      continue;
    }
    if (BARE_ID.test(part)) {
      const parent = parts[i - 1] ?? '';
      // docker's cgroupfs driver. (kubelet's cgroupfs layout, /kubepods/<qos>/pod<uid>/<id>, does
      // not say which runtime made the container: that pod is named, its container is not.)
      if (parent === 'docker') owner.container = { runtime: 'docker', id: part };
      continue;
    }
    // Services outside containers only: a unit inside a container's cgroup is the container's business.
    if (SERVICE.test(part) && owner.container === undefined && !/^user@\d+\.service$/.test(part)) owner.service = part;
  }
  return owner;
}

/** The `0::` (cgroup v2) path in the text of /proc/PID/cgroup, or undefined on a v1-only process. */
export function cgroupV2Path(text: string): string | undefined {
  for (const line of text.split('\n')) if (line.startsWith('0::')) return line.slice(3);
  return undefined;
}
