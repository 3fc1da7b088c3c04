/**
 * Who an alert is about, named from the kernel's own objects on the collecting host: the network
 * namespace, the container, pod or systemd service whose processes live in it, and the process
 * that owns the attacked local port. JSON-friendly: absent names are null, never left out, so a
 * receiver can tell "not resolvable" from "not sent". See docs/alerts.md ("The victim").
 */

/** The container runtimes whose cgroup layouts are recognized (docs/alerts.md lists the paths). */
export type ContainerRuntime = 'docker' | 'containerd' | 'cri-o' | 'podman';

export interface VictimContainer {
  /** Null when only the name the collector put on the events is known (engine role, another host). */
  runtime: ContainerRuntime | null;
  /** The container id: 64 hex digits; in the engine role its first 12 when that is all the events carry, or null. */
  id: string | null;
  /** The runtime's name for it where the host's runtime files give one, else null. */
  name: string | null;
}

export interface VictimPod {
  /** The Kubernetes pod uid, from the kubepods cgroup slice; null when only the flat event field is known. */
  uid: string | null;
  /** From /var/log/pods or /var/log/containers where they exist, else null. */
  name: string | null;
  namespace: string | null;
}

export interface VictimProcess {
  pid: number;
  comm: string;
  /** The command line, arguments joined by spaces, cut at 512 characters. */
  cmdline: string;
  /** Its cgroup v2 path (the `0::` line of /proc/PID/cgroup). */
  cgroup: string;
}

/**
 * What holds the local port: `listen` (a listening socket), `connected` (no listener, but a
 * connection with that local port), `closed` (nothing in the namespace has it: refused
 * connections, scans), `unknown` (not looked up: see `note`).
 */
export type PortState = 'listen' | 'connected' | 'closed' | 'unknown';

export interface Victim {
  netns: { inode: number; name: string | null } | null;
  container: VictimContainer | null;
  pod: VictimPod | null;
  /** The systemd service (`nginx.service`) whose processes live in the namespace or own the port. */
  service: string | null;
  /** The local port the alert is about, or null when it names none (or several). */
  port: number | null;
  portState: PortState;
  /** The process owning the port's socket; null when the port is closed or the owner was not found. */
  process: VictimProcess | null;
  /** Why a part could not be resolved, in a phrase; absent when everything asked for was found. */
  note?: string;
}
