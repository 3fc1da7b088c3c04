import { alertLine } from '../../../src/alerts/alert-line';
import { alertmanager } from '../../../src/alerts/formats/alertmanager';
import { genericJson } from '../../../src/alerts/formats/generic-json';
import { slack } from '../../../src/alerts/formats/slack';
import { victimLabels, victimText } from '../../../src/alerts/formats/victim-text';
import type { Victim } from '../../../src/interfaces/victim';
import { buildAlert } from '../../support/alert-builder';

const ID = '3f2a1b9c0d4e' + 'f'.repeat(52);
const listening: Victim = {
  netns: { inode: 4026532177, name: 'web' },
  container: { runtime: 'containerd', id: ID, name: 'api' },
  pod: { uid: '2c1e7a4f-93b5-4d0e-8f6a-0c9d1b2e3f40', name: 'api-0', namespace: 'shop' },
  service: null,
  port: 443,
  portState: 'listen',
  process: { pid: 4242, comm: 'nginx', cmdline: 'nginx: master process /usr/sbin/nginx', cgroup: '/kubepods.slice/x/cri-containerd-3f2a.scope' },
};

describe('the victim in the readable formats', () => {
  test('a listener with its owner', () => {
    expect(victimText(listening)).toBe('netns=web container=containerd:api pod=shop/api-0 port=443:listen process=4242/nginx');
    expect(victimLabels(listening)).toEqual({ netns_name: 'web', container: 'api', pod: 'shop/api-0' });
  });

  test('a closed port says that nothing owns it; an unnamed namespace shows its inode', () => {
    const closed: Victim = { netns: { inode: 7, name: null }, container: null, pod: null, service: 'tw.service', port: 9, portState: 'closed', process: null };
    expect(victimText(closed)).toBe('netns=7 service=tw.service port=9:closed process=none');
    expect(victimLabels(closed)).toEqual({ service: 'tw.service' });
    expect(victimText({ ...closed, port: null })).toBe('netns=7 service=tw.service port=*:closed process=none');
  });

  test("another host's names: an id prefix, a pod uid; nothing looked up shows no port", () => {
    const remote: Victim = { netns: { inode: 7, name: 'web' }, container: { runtime: null, id: ID.slice(0, 12), name: null }, pod: { uid: 'u-1', name: null, namespace: null }, service: null, port: null, portState: 'unknown', process: null, note: 'n' };
    expect(victimText(remote)).toBe('netns=web container=3f2a1b9c0d4e pod=u-1');
    expect(victimLabels(remote)).toEqual({ netns_name: 'web', container: '3f2a1b9c0d4e', pod: 'u-1' });
  });

  test('alert line, Slack, Alertmanager and generic JSON carry it; without a victim they are as before', () => {
    const alert = buildAlert({ victim: listening });
    expect(alertLine(alert)).toContain(' [victim netns=web container=containerd:api pod=shop/api-0 port=443:listen process=4242/nginx]: SYN flood');
    expect(alertLine(buildAlert())).not.toContain('victim');

    const blocks = (JSON.parse(slack(alert).body) as { blocks: Array<{ type: string; text?: { text: string } }> }).blocks;
    expect(blocks.map((b) => b.type)).toEqual(['section', 'section', 'context']);
    expect(blocks[1].text?.text).toBe('victim netns=web container=containerd:api pod=shop/api-0 port=443:listen process=4242/nginx | cmdline nginx: master process /usr/sbin/nginx');
    expect((JSON.parse(slack(buildAlert()).body) as { blocks: unknown[] }).blocks).toHaveLength(2);

    const am = JSON.parse(alertmanager(alert, 'am').body) as { alerts: Array<{ labels: Record<string, string>; annotations: Record<string, string> }> };
    expect(am.alerts[0].labels).toMatchObject({ netns_name: 'web', container: 'api', pod: 'shop/api-0', alertname: 'syn-flood' });
    expect(am.alerts[0].annotations).toMatchObject({ victim: victimText(listening), victim_cmdline: 'nginx: master process /usr/sbin/nginx' });
    expect(am.alerts[0].annotations.victim_note).toBeUndefined();

    expect((JSON.parse(genericJson(alert).body) as { victim: Victim }).victim).toEqual(listening);
    expect(JSON.parse(genericJson(buildAlert()).body)).not.toHaveProperty('victim');
  });
});
