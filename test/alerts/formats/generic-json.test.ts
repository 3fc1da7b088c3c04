import { genericJson } from '../../../src/alerts/formats/generic-json';
import { buildAlert } from '../../support/alert-builder';

test('the generic body carries every alert field, times as RFC 3339', () => {
  const alert = buildAlert({ id: 'g1', status: 'resolved', endsAt: Date.UTC(2026, 10, 25, 9, 1), loss: { events: 3, stages: { ring: 3 } } });
  const b = JSON.parse(genericJson(alert).body);
  expect(b).toEqual({
    version: 1,
    id: 'g1',
    dedupKey: alert.dedupKey,
    status: 'resolved',
    rule: alert.rule,
    group: alert.group,
    window: { start: '2026-11-25T09:00:00.000Z', end: '2026-11-25T09:00:10.000Z' },
    aggregates: alert.aggregates,
    summary: alert.summary,
    host: 'web-1',
    netns: [4026531840],
    samples: alert.samples,
    loss: { events: 3, stages: { ring: 3 } },
    startsAt: '2026-11-25T09:00:10.000Z',
    endsAt: '2026-11-25T09:01:00.000Z',
  });
});
