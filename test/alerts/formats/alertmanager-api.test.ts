import { generatorUrl, postableAlerts } from '../../../src/alerts/formats/alertmanager-api';
import { buildAlert } from '../../support/alert-builder';

test('one postableAlert: the labels and annotations of the webhook body, startsAt, the given endsAt, no generatorURL without a link', () => {
  const { body, contentType } = postableAlerts(buildAlert(), Date.UTC(2026, 10, 25, 9, 3));
  expect(contentType).toBe('application/json');
  expect(JSON.parse(body)).toEqual([
    {
      labels: { alertname: 'syn-flood', severity: 'critical', host: 'web-1', netns: '4026531840', laddr: '10.0.0.1', lport: '80' },
      annotations: {
        summary: 'SYN flood on 10.0.0.1:80: 120 SYN-ACK retransmits from 40 peers in 10s',
        description: 'SYN flood on a listening port',
        tags: 'dos,syn-flood',
        aggregates: 'count=120 distinct.raddr=40',
        netns: '4026531840',
        window: '2026-11-25T09:00:00.000Z/2026-11-25T09:00:10.000Z',
        dedup_key: 'syn-flood|4026531840|10.0.0.1|80',
        lost_events: '0',
      },
      startsAt: '2026-11-25T09:00:10.000Z',
      endsAt: '2026-11-25T09:03:00.000Z',
    },
  ]);
});

test('an end before the start (Alertmanager answers 400 to it) is moved to the start; a link goes to generatorURL and the link annotation', () => {
  const alert = buildAlert();
  const [a] = JSON.parse(postableAlerts(alert, alert.startsAt - 1000, 'https://x.example/').body);
  expect(a.endsAt).toBe(a.startsAt);
  expect(a.generatorURL).toBe('https://x.example/');
  expect(a.annotations.link).toBe('https://x.example/');
});

test('generatorUrl placeholders are URL-encoded alert fields', () => {
  const alert = buildAlert({ group: { laddr: '10.0.0.1', note: 'a b&c' } });
  expect(generatorUrl(alert, 'https://g.example/d?rule={{rule.id}}&ip={{group.laddr}}&n={{group.note}}&none={{group.missing}}')).toBe(
    'https://g.example/d?rule=syn-flood&ip=10.0.0.1&n=a%20b%26c&none=',
  );
});
