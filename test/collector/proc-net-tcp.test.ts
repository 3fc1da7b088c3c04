import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeEndpoint, emptyListenQueues, tallyListenQueues } from '../../src/collector/proc-net-tcp';

const recorded = (name: string) => readFileSync(join(__dirname, 'fixtures', 'listen-queues', name), 'latin1');

describe('tallyListenQueues on recorded /proc/PID/net/tcp and tcp6', () => {
  it('counts a flooded listener’s request sockets under the address the SYNs were sent to', () => {
    const q = emptyListenQueues();
    tallyListenQueues(recorded('tcp-flood'), q);
    // The listener is bound to 0.0.0.0:8443; its 17 requests carry 10.231.0.1:8443.
    expect(q.halfOpen).toEqual(new Map([['0100E70A:20FB', 17]]));
    expect(q.acceptQueue.size).toBe(0);
  });

  it('reads a listener’s accept queue from its LISTEN line', () => {
    const q = emptyListenQueues();
    tallyListenQueues(recorded('tcp6-overflow'), q);
    expect(q.acceptQueue).toEqual(new Map([['310200FD000000000000000001000000:2328', 3]]));
    // Its three accepted connections are ESTABLISHED, not half-open.
    expect(q.halfOpen.size).toBe(0);
  });

  it('adds files together and ignores a header alone or a torn last line', () => {
    const q = emptyListenQueues();
    const flood = recorded('tcp-flood');
    tallyListenQueues(flood, q);
    tallyListenQueues(flood.slice(0, flood.indexOf('\n') + 1), q);
    tallyListenQueues(flood.slice(0, flood.lastIndexOf(' 03 ') - 10), q);
    expect(q.halfOpen.get('0100E70A:20FB')).toBe(17 + 16);
  });
});

describe('decodeEndpoint', () => {
  it.each([
    ['0100E70A:20FB', { family: 4, addr: '10.231.0.1', port: 8443 }],
    ['310200FD000000000000000001000000:2328', { family: 6, addr: 'fd00:231::1', port: 9000 }],
    ['0000000000000000FFFF00000100E70A:01BB', { family: 4, addr: '10.231.0.1', port: 443 }],
    ['00000000000000000000000000000000:0016', { family: 6, addr: '::', port: 22 }],
  ])('%s is %j', (key, endpoint) => {
    expect(decodeEndpoint(key)).toEqual(endpoint);
  });

  it('refuses what is no endpoint', () => {
    expect(decodeEndpoint('0100E7:20FB')).toBeUndefined();
  });
});
