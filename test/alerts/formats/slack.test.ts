import { slack } from '../../../src/alerts/formats/slack';
import { buildAlert } from '../../support/alert-builder';

test('a Slack incoming-webhook body: text fallback plus section and context blocks', () => {
  const b = JSON.parse(slack(buildAlert()).body);
  expect(Object.keys(b).sort()).toEqual(['blocks', 'text']);
  expect(b.text).toBe('[FIRING] CRITICAL SYN flood on a listening port: SYN flood on 10.0.0.1:80: 120 SYN-ACK retransmits from 40 peers in 10s');
  expect(b.blocks).toHaveLength(2);
  expect(b.blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: b.text } });
  expect(b.blocks[1].type).toBe('context');
  expect(b.blocks[1].elements).toEqual([
    { type: 'mrkdwn', text: 'host web-1' },
    { type: 'mrkdwn', text: 'netns=4026531840 laddr=10.0.0.1 lport=80' },
    { type: 'mrkdwn', text: 'count=120 distinct.raddr=40' },
    { type: 'mrkdwn', text: 'rule syn-flood' },
  ]);
  // Slack allows at most 10 elements in a context block and 3000 characters in a section text.
  expect(b.blocks[1].elements.length).toBeLessThanOrEqual(10);
});

test('escapes Slack control characters so alert data cannot make links or mentions', () => {
  const b = JSON.parse(slack(buildAlert({ status: 'resolved', summary: '<!channel> & <http://x|y>' })).body);
  expect(b.text).toBe('[RESOLVED] CRITICAL SYN flood on a listening port: &lt;!channel&gt; &amp; &lt;http://x|y&gt;');
});

test('a section text over the Slack 3000-character limit is cut, the fallback text kept whole', () => {
  const b = JSON.parse(slack(buildAlert({ summary: 'x'.repeat(5000) })).body);
  expect(b.blocks[0].text.text).toHaveLength(3000);
  expect(b.blocks[0].text.text.endsWith('…')).toBe(true);
  expect(b.text.length).toBeGreaterThan(5000);
});
