import { AggregateLedger } from '../../src/detector/aggregate-ledger';
import { tcpEvent } from '../support/tcp-events';

describe('AggregateLedger', () => {
  test('counts the values of aggregates by kind and time, not full events nor SYN-cookie samples', () => {
    const ledger = new AggregateLedger(60_000);
    const t = 1_764_000_000_000;
    ledger.record([
      tcpEvent(0, { kind: 'connect_refused', ts: t + 100, value: 40 }),
      tcpEvent(0, { kind: 'rst_sent', ts: t + 100, value: 40 }),
      tcpEvent(0, { kind: 'connect_refused', ts: t + 1500 }),
      tcpEvent(0, { kind: 'syncookies_sent', ts: t + 1500, value: 7 }),
      tcpEvent(0, { kind: 'connect_refused', ts: t + 2500, value: 3 }),
    ]);
    expect(ledger.between(t, t + 10_000, ['connect_refused'])).toBe(43);
    expect(ledger.between(t, t + 10_000, undefined)).toBe(83);
    expect(ledger.between(t + 2000, t + 10_000, ['connect_refused'])).toBe(3);
    expect(ledger.between(t, t + 2000, ['synack_retransmit'])).toBe(0);
  });

  test('puts each aggregate in its own second when a batch goes back and forth between seconds', () => {
    const ledger = new AggregateLedger(60_000);
    const t = 1_764_000_000_000;
    ledger.record([
      tcpEvent(0, { kind: 'rst_sent', ts: t + 100, value: 1 }),
      tcpEvent(0, { kind: 'rst_sent', ts: t + 1100, value: 2 }),
      tcpEvent(0, { kind: 'rst_sent', ts: t + 200, value: 4 }),
      tcpEvent(0, { kind: 'connect_refused', ts: t + 1200, value: 8 }),
    ]);
    expect(ledger.between(t, t + 1000, undefined)).toBe(5);
    expect(ledger.between(t + 1000, t + 2000, ['rst_sent'])).toBe(2);
    expect(ledger.between(t + 1000, t + 2000, ['connect_refused'])).toBe(8);
  });

  test('forgets buckets older than it keeps', () => {
    const ledger = new AggregateLedger(5_000);
    const t = 1_764_000_000_000;
    ledger.record([tcpEvent(0, { kind: 'rst_sent', ts: t, value: 5 })]);
    ledger.record([tcpEvent(0, { kind: 'rst_sent', ts: t + 60_000, value: 1 })]);
    expect(ledger.between(t - 1000, t + 120_000, undefined)).toBe(1);
  });
});
