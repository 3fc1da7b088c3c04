import type { TcpEvent } from '../interfaces/tcp-event';

export type FieldGetter = (e: TcpEvent) => string | number | undefined;

/**
 * One reader function per event field. Reading `event[field]` with a variable `field` is a keyed
 * load that turns megamorphic in the per-event paths (match, grouping, distinct counts) and costs
 * several times a named load; a function per field keeps each load a named one. The `Record`
 * makes a field added to TcpEvent without a getter a compile error.
 */
export const FIELD_GETTERS: Record<keyof TcpEvent, FieldGetter> = {
  kind: (e) => e.kind,
  ts: (e) => e.ts,
  family: (e) => e.family,
  laddr: (e) => e.laddr,
  lport: (e) => e.lport,
  raddr: (e) => e.raddr,
  rport: (e) => e.rport,
  state: (e) => e.state,
  oldstate: (e) => e.oldstate,
  newstate: (e) => e.newstate,
  reason: (e) => e.reason,
  direction: (e) => e.direction,
  netns: (e) => e.netns,
  sock: (e) => e.sock,
  pid: (e) => e.pid,
  comm: (e) => e.comm,
  host: (e) => e.host,
  value: (e) => e.value,
  netns_name: (e) => e.netns_name,
  container: (e) => e.container,
  pod: (e) => e.pod,
  service: (e) => e.service,
};
