import type { Alert } from '../../interfaces/alert';

/** `laddr=10.0.0.1 lport=80`: the group values in a line a person reads. */
export function groupText(group: Alert['group']): string {
  return Object.entries(group)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}
