/** A complete, valid Alert for tests, with any field overridden. */
import type { Alert } from '../../src/interfaces/alert';

let seq = 0;

export function buildAlert(overrides: Partial<Alert> = {}): Alert {
  seq++;
  return {
    dedupKey: 'syn-flood|4026531840|10.0.0.1|80',
    id: `alert-${seq}`,
    status: 'firing',
    rule: { id: 'syn-flood', name: 'SYN flood on a listening port', severity: 'critical', tags: ['dos', 'syn-flood'] },
    group: { netns: 4026531840, laddr: '10.0.0.1', lport: 80 },
    window: { start: Date.UTC(2026, 10, 25, 9, 0, 0), end: Date.UTC(2026, 10, 25, 9, 0, 10) },
    aggregates: { count: 120, 'distinct.raddr': 40 },
    summary: 'SYN flood on 10.0.0.1:80: 120 SYN-ACK retransmits from 40 peers in 10s',
    host: 'web-1',
    netns: [4026531840],
    samples: [
      {
        kind: 'synack_retransmit', ts: Date.UTC(2026, 10, 25, 9, 0, 1), family: 4, laddr: '10.0.0.1', lport: 80,
        raddr: '10.0.0.9', rport: 40000, state: 'SYN_RECV', netns: 4026531840, host: 'web-1',
      },
    ],
    loss: { events: 0, stages: {} },
    startsAt: Date.UTC(2026, 10, 25, 9, 0, 10),
    ...overrides,
  };
}
