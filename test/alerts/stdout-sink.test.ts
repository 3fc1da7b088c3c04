import { PassThrough } from 'node:stream';
import { StdoutSink } from '../../src/alerts/stdout-sink';
import { buildAlert } from '../support/alert-builder';

async function lines(json: boolean, ...alerts: ReturnType<typeof buildAlert>[]): Promise<string[]> {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (d: Buffer) => chunks.push(d.toString()));
  const sink = new StdoutSink({ type: 'stdout', id: 'stdout', json }, out);
  for (const a of alerts) await sink.send(a);
  return chunks.join('').split('\n').filter(Boolean);
}

test('one readable line per alert, loss said when there was some', async () => {
  expect(
    await lines(false, buildAlert(), buildAlert({ status: 'resolved', endsAt: Date.UTC(2026, 10, 25, 9, 2), loss: { events: 7, stages: { ring: 7 } } })),
  ).toEqual([
    '2026-11-25T09:00:10.000Z FIRING critical syn-flood host=web-1 netns=4026531840 laddr=10.0.0.1 lport=80 count=120 distinct.raddr=40: SYN flood on 10.0.0.1:80: 120 SYN-ACK retransmits from 40 peers in 10s',
    '2026-11-25T09:02:00.000Z RESOLVED critical syn-flood host=web-1 netns=4026531840 laddr=10.0.0.1 lport=80 count=120 distinct.raddr=40: SYN flood on 10.0.0.1:80: 120 SYN-ACK retransmits from 40 peers in 10s (7 events lost upstream)',
  ]);
});

test('--json: the generic JSON body, one per line', async () => {
  const [line] = await lines(true, buildAlert({ id: 'j1' }));
  expect(JSON.parse(line)).toMatchObject({ id: 'j1', status: 'firing', rule: { id: 'syn-flood' } });
});
