import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Where named network namespaces are bind-mounted: `ip netns add` and docker's sandboxes. */
export const NETNS_MOUNT_DIRS = ['/run/netns', '/var/run/docker/netns'];

/**
 * Namespace inode -> its bind-mount name (`ip netns add web` makes /run/netns/web; docker keeps
 * /var/run/docker/netns/<sandbox id>). A stat of each mount gives the namespace's inode. The
 * first directory wins when a namespace is mounted in several.
 */
export function netnsMountNames(dirs: readonly string[] = NETNS_MOUNT_DIRS): Map<number, string> {
  const names = new Map<number, string>();
  for (const dir of dirs) {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      continue; // no such directory on this host
    }
    for (const name of entries) {
      try {
        const ino = statSync(join(dir, name)).ino;
        if (!names.has(ino)) names.set(ino, name);
      } catch {
        // removed meanwhile
      }
    }
  }
  return names;
}
