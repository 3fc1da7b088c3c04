import type { ContainerRuntime } from '../interfaces/victim';

/** The flat event fields filled from a namespace's names (docs/events.md, "Victim names"). */
export interface EventNames {
  netns_name?: string;
  container?: string;
  pod?: string;
  service?: string;
}

/** What one network namespace is called on this host, and which processes live in it. */
export interface NamespaceNames {
  inode: number;
  /** Its bind-mount name (`ip netns`, docker's sandbox id). */
  name?: string;
  /** The one container whose processes live in it (a pod's pause container aside). */
  container?: { runtime: ContainerRuntime; id: string; name?: string };
  pod?: { uid: string; name?: string; namespace?: string };
  /** The one systemd service whose processes live in it. */
  service?: string;
  /** Processes in the namespace at the last refresh, lowest first: the way into its sockets. */
  pids: number[];
  /** The same names as the flat event fields. */
  event: EventNames;
}

/** The flat field values: a container's name, else its id's first 12 digits; a pod's `namespace/name`, else its uid. */
export function eventNames(n: Omit<NamespaceNames, 'event' | 'pids' | 'inode'>): EventNames {
  const e: EventNames = {};
  if (n.name !== undefined) e.netns_name = n.name;
  if (n.container) e.container = n.container.name ?? n.container.id.slice(0, 12);
  if (n.pod) e.pod = n.pod.name !== undefined && n.pod.namespace !== undefined ? `${n.pod.namespace}/${n.pod.name}` : n.pod.uid;
  if (n.service !== undefined) e.service = n.service;
  return e;
}
