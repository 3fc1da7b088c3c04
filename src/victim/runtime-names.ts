import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerRuntime } from '../interfaces/victim';

/** At most this many container names are remembered (a name is read once per container id). */
const NAMES_MAX = 4096;

/**
 * Names the container runtimes keep in files on the host, read where they exist (docs/alerts.md,
 * "Where the names come from"); a missing file or directory just means no name:
 *   /var/log/pods/<namespace>_<pod>_<uid>/                 kubelet: pod uid -> pod name and namespace
 *   /var/log/containers/<pod>_<namespace>_<name>-<id>.log  kubelet: CRI container id -> container name
 *   /var/lib/docker/containers/<id>/config.v2.json          docker: "Name": "/web"
 *   /var/lib/containers/storage/overlay-containers/containers.json   podman: [{ id, names }]
 * Directory listings are re-read on refresh(); a docker container's file once per id.
 */
export class RuntimeNames {
  private pods = new Map<string, { name: string; namespace: string }>();
  private criNames = new Map<string, string>();
  private podmanNames = new Map<string, string>();
  private podmanMtime = -1;
  private readonly dockerNames = new Map<string, string | null>();

  /** `root` prefixes every path (tests point it at a directory of their own). */
  constructor(private readonly root = '/') {}

  refresh(): void {
    const pods = new Map<string, { name: string; namespace: string }>();
    for (const entry of list(join(this.root, 'var/log/pods'))) {
      const parts = entry.split('_');
      if (parts.length === 3) pods.set(parts[2], { namespace: parts[0], name: parts[1] });
    }
    this.pods = pods;
    const cri = new Map<string, string>();
    for (const entry of list(join(this.root, 'var/log/containers'))) {
      const m = /^([^_]+)_([^_]+)_(.+)-([0-9a-f]{64})\.log$/.exec(entry);
      if (m) cri.set(m[4], m[3]);
    }
    this.criNames = cri;
    this.refreshPodman();
  }

  private refreshPodman(): void {
    const file = join(this.root, 'var/lib/containers/storage/overlay-containers/containers.json');
    let mtime: number;
    try {
      mtime = statSync(file).mtimeMs;
    } catch {
      this.podmanNames = new Map();
      return;
    }
    if (mtime === this.podmanMtime) return;
    this.podmanMtime = mtime;
    const names = new Map<string, string>();
    try {
      const list = JSON.parse(readFileSync(file, 'utf8')) as Array<{ id?: unknown; names?: unknown }>;
      for (const c of Array.isArray(list) ? list : []) {
        if (typeof c.id === 'string' && Array.isArray(c.names) && typeof c.names[0] === 'string') names.set(c.id, c.names[0]);
      }
    } catch {
      // half-written or not ours: no names until it reads
    }
    this.podmanNames = names;
  }

  pod(uid: string): { name: string; namespace: string } | undefined {
    return this.pods.get(uid);
  }

  containerName(runtime: ContainerRuntime, id: string): string | undefined {
    if (runtime === 'podman') return this.podmanNames.get(id);
    if (runtime !== 'docker') return this.criNames.get(id);
    let name = this.dockerNames.get(id);
    if (name === undefined) {
      name = null;
      try {
        const config = JSON.parse(readFileSync(join(this.root, 'var/lib/docker/containers', id, 'config.v2.json'), 'utf8')) as { Name?: unknown };
        if (typeof config.Name === 'string' && config.Name !== '') name = config.Name.replace(/^\//, '');
      } catch {
        // no docker state here (or not readable): the id stands for the container
      }
      if (this.dockerNames.size >= NAMES_MAX) this.dockerNames.clear();
      this.dockerNames.set(id, name);
    }
    return name ?? undefined;
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
