import { attachBitsOf, untracedKindsOf } from '../../src/collector/kind-tracepoints';
import { Tracepoint } from '../../src/collector/record-layout';
import { collectorKindsOf } from '../../src/detector/collector-kinds';
import { loadRules, loadRuleTexts } from '../../src/rules/loader';
import { SHIPPED_RULES } from '../support/scenario-detector';

function rules(text: string) {
  const result = loadRuleTexts([{ file: 'r.yaml', text }]);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.rules;
}

const rule = (id: string, match: string) =>
  [`  - id: ${id}`, '    name: n', '    severity: low', `    match: ${match}`, '    window: 10s', '    when: { all: [ { fact: count, operator: greaterThanInclusive, value: 1 } ] }', '    summary: s', ''].join('\n');

const attached = (bits: number) => Object.values(Tracepoint).filter((tp): tp is Tracepoint => typeof tp === 'number' && (bits & (1 << tp)) !== 0);

describe('collectorKindsOf: the kinds the collector traces for the rules', () => {
  test('the shipped rules: resets, retransmits and counter samples; no state changes, no socket frees', async () => {
    const shipped = await loadRules([SHIPPED_RULES]);
    expect(shipped.ok).toBe(true);
    const kinds = collectorKindsOf(shipped.rules);
    expect(new Set(kinds)).toEqual(new Set(['connect_refused', 'retransmit', 'rst_sent', 'rst_received', 'synack_retransmit', 'syncookies_sent', 'syn_dropped']));
    expect(attached(attachBitsOf(kinds))).toEqual([Tracepoint.RetransmitSynack, Tracepoint.RetransmitSkb, Tracepoint.SendReset, Tracepoint.ReceiveReset, Tracepoint.KfreeSkb]);
  });

  test('the union of the rules, with the kinds the options add', () => {
    const two = rules(`rules:\n${rule('a', '{ all: [ { fact: kind, operator: equal, value: destroy } ] }')}${rule('b', '{ all: [ { fact: kind, operator: in, value: [retransmit, destroy] } ] }')}`);
    expect(collectorKindsOf(two)).toEqual(['destroy', 'retransmit']);
    expect(collectorKindsOf(two, ['probe'])).toEqual(['probe', 'destroy', 'retransmit']);
    expect(collectorKindsOf([])).toEqual([]);
  });

  test('a rule whose match leaves the kind open needs every tracepoint', () => {
    const open = rules(`rules:\n${rule('a', '{ all: [ { fact: kind, operator: equal, value: destroy } ] }')}${rule('b', '{ all: [ { fact: lport, operator: equal, value: 22 } ] }')}`);
    expect(collectorKindsOf(open)).toBeUndefined();
    expect(attached(attachBitsOf(undefined))).toHaveLength(8);
  });
});

describe('untracedKindsOf: the kinds a collector sends none of', () => {
  test('with the shipped rules attached: state changes, socket frees and tcp_probe; counter samples are always sampled', () => {
    const attached = ['tcp:tcp_retransmit_synack', 'tcp:tcp_retransmit_skb', 'tcp:tcp_send_reset', 'tcp:tcp_receive_reset'];
    expect(untracedKindsOf(attached)).toEqual(['state_change', 'destroy', 'probe']);
    // Before 6.10 a reset with no socket comes from kfree_skb alone: rst_sent is still traced.
    expect(untracedKindsOf(['skb:kfree_skb'])).not.toContain('rst_sent');
    expect(untracedKindsOf(['skb:kfree_skb'])).not.toContain('connect_refused');
  });
});

describe('attachBitsOf: the tracepoints kinds come from', () => {
  test('a refused connect comes from either reset, counter samples from none', () => {
    expect(attached(attachBitsOf(['connect_refused']))).toEqual([Tracepoint.SendReset, Tracepoint.ReceiveReset, Tracepoint.KfreeSkb]);
    expect(attachBitsOf(['syncookies_sent', 'syn_dropped'])).toBe(0);
    expect(attached(attachBitsOf(['state_change']))).toEqual([Tracepoint.SetState]);
  });
});
