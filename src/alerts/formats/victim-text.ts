import type { Victim, VictimContainer, VictimPod } from '../../interfaces/victim';

function containerText(c: VictimContainer): string {
  const label = c.name ?? c.id?.slice(0, 12) ?? '?';
  return c.runtime ? `${c.runtime}:${label}` : label;
}

function podText(p: VictimPod): string {
  return p.name !== null && p.namespace !== null ? `${p.namespace}/${p.name}` : (p.uid ?? p.name ?? '?');
}

/**
 * `netns=web container=docker:web port=8443:listen process=4242/node`: the victim in a line a
 * person reads (the alert line, Slack, the Alertmanager annotation). `process=none` says a closed
 * port has no owner; no `process` means it was not looked up (see the victim's note).
 */
export function victimText(v: Victim): string {
  const parts: string[] = [];
  if (v.netns) parts.push(`netns=${v.netns.name ?? v.netns.inode}`);
  if (v.container) parts.push(`container=${containerText(v.container)}`);
  if (v.pod) parts.push(`pod=${podText(v.pod)}`);
  if (v.service !== null) parts.push(`service=${v.service}`);
  if (v.port !== null || v.portState !== 'unknown') parts.push(`port=${v.port ?? '*'}:${v.portState}`);
  if (v.process) parts.push(`process=${v.process.pid}/${v.process.comm}`);
  else if (v.portState === 'closed') parts.push('process=none');
  return parts.join(' ');
}

/**
 * The victim's names as flat labels, the same values as the events' fields of those names
 * (netns_name, container, pod, service): stable for an alert episode, so usable as Alertmanager
 * labels. The process is not a label (its pid changes on a restart).
 */
export function victimLabels(v: Victim): Record<string, string> {
  const labels: Record<string, string> = {};
  if (v.netns?.name) labels.netns_name = v.netns.name;
  if (v.container) labels.container = v.container.name ?? v.container.id?.slice(0, 12) ?? '';
  if (v.pod) labels.pod = v.pod.name !== null && v.pod.namespace !== null ? `${v.pod.namespace}/${v.pod.name}` : (v.pod.uid ?? '');
  if (v.service !== null) labels.service = v.service;
  for (const k of Object.keys(labels)) if (labels[k] === '') delete labels[k];
  return labels;
}
