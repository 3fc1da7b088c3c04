import { MemoryTransport } from '../../src/queue/memory-transport';
import { describeTransportContract } from '../support/transport-contract';
import { tcpEvents } from '../support/tcp-events';

describeTransportContract('MemoryTransport', async (producerOptions, consumerOptions) => {
  const t = new MemoryTransport(producerOptions, consumerOptions);
  return { producer: t.producer, consumer: t, close: () => t.close() };
});

describe('MemoryTransport', () => {
  it('holds an engine that is not taking batches back with the bounded buffer, counting what overflows', async () => {
    const t = new MemoryTransport({ batchSize: 10, lingerMs: 1, capacity: 30 });
    t.producer.publish(tcpEvents(0, 100));
    expect(t.producer.metrics()).toMatchObject({ published: 100, buffered: 30, dropped: 70 });
    await t.start(() => undefined);
    await t.producer.flush();
    expect(t.metrics()).toMatchObject({ ackedEvents: 30, upstreamLost: 70 });
    await t.close();
  });
});
