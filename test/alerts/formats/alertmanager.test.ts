import { alertmanager } from '../../../src/alerts/formats/alertmanager';
import { buildAlert } from '../../support/alert-builder';

test('a firing alert as an Alertmanager v4 webhook body, field by field', () => {
  const { body, contentType } = alertmanager(buildAlert({ id: 'a1' }), 'am');
  expect(contentType).toBe('application/json');
  const b = JSON.parse(body);
  expect(Object.keys(b).sort()).toEqual(
    ['alerts', 'commonAnnotations', 'commonLabels', 'externalURL', 'groupKey', 'groupLabels', 'receiver', 'status', 'truncatedAlerts', 'version'].sort(),
  );
  expect(b.version).toBe('4');
  expect(b.groupKey).toBe('{}:{alertname="syn-flood"}');
  expect(b.status).toBe('firing');
  expect(b.receiver).toBe('am');
  expect(b.truncatedAlerts).toBe(0);
  expect(b.groupLabels).toEqual({ alertname: 'syn-flood' });
  expect(b.alerts).toHaveLength(1);
  const a = b.alerts[0];
  expect(a.status).toBe('firing');
  expect(a.labels).toEqual({ alertname: 'syn-flood', severity: 'critical', host: 'web-1', netns: '4026531840', laddr: '10.0.0.1', lport: '80' });
  // Alertmanager requires string label and annotation values.
  for (const v of [...Object.values(a.labels), ...Object.values(a.annotations)]) expect(typeof v).toBe('string');
  expect(a.annotations.summary).toBe('SYN flood on 10.0.0.1:80: 120 SYN-ACK retransmits from 40 peers in 10s');
  expect(a.annotations.description).toBe('SYN flood on a listening port');
  expect(a.annotations.aggregates).toBe('count=120 distinct.raddr=40');
  expect(a.annotations.dedup_key).toBe('syn-flood|4026531840|10.0.0.1|80');
  expect(a.startsAt).toBe('2026-11-25T09:00:10.000Z');
  expect(a.endsAt).toBe('0001-01-01T00:00:00Z');
  expect(a.generatorURL).toBe('');
  expect(a.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  expect(b.commonLabels).toEqual(a.labels);
  expect(b.commonAnnotations).toEqual(a.annotations);
});

test('resolved: status and endsAt set; same labels give the same fingerprint', () => {
  const firing = JSON.parse(alertmanager(buildAlert(), 'am').body);
  const resolved = JSON.parse(alertmanager(buildAlert({ status: 'resolved', endsAt: Date.UTC(2026, 10, 25, 9, 5) }), 'am').body);
  expect(resolved.status).toBe('resolved');
  expect(resolved.alerts[0].status).toBe('resolved');
  expect(resolved.alerts[0].endsAt).toBe('2026-11-25T09:05:00.000Z');
  expect(resolved.alerts[0].fingerprint).toBe(firing.alerts[0].fingerprint);
  const other = JSON.parse(alertmanager(buildAlert({ group: { laddr: '10.0.0.2' } }), 'am').body);
  expect(other.alerts[0].fingerprint).not.toBe(firing.alerts[0].fingerprint);
});
