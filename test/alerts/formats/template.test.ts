import { template } from '../../../src/alerts/formats/template';
import { templateProblems } from '../../../src/alerts/template-paths';
import { buildAlert } from '../../support/alert-builder';

test('substitutes field paths, array indexes and objects; JSON-escapes values in a JSON body', () => {
  const src = '{"t":"{{rule.id}} {{ group.lport }}","s":"{{summary}}","p":"{{samples.0.raddr}}","agg":{{aggregates}},"none":"{{endsAt}}"}';
  const { body } = template(buildAlert({ summary: 'say "hi"\n' }), src);
  expect(JSON.parse(body)).toEqual({ t: 'syn-flood 80', s: 'say "hi"\n', p: '10.0.0.9', agg: { count: 120, 'distinct.raddr': 40 }, none: '' });
});

test('inserts raw text for a non-JSON content type', () => {
  expect(template(buildAlert(), '{{rule.severity}}: {{summary}}', 'text/plain').body).toBe(
    'critical: SYN flood on 10.0.0.1:80: 120 SYN-ACK retransmits from 40 peers in 10s',
  );
});

test('reads own fields only: no prototype, no code', () => {
  expect(template(buildAlert(), '{{rule.constructor}}|{{summary.length}}|{{group.__proto__}}', 'text/plain').body).toBe('||');
});

test('config-time check rejects expressions and unknown roots', () => {
  expect(templateProblems('{{summary}} {{rule.tags.0}}')).toEqual([]);
  expect(templateProblems('{{process.env.SECRET}}')).toEqual([expect.stringContaining('unknown alert field')]);
  expect(templateProblems('{{summary.toUpperCase()}}')).toEqual([expect.stringContaining('not a field path')]);
});
