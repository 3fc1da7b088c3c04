import { Engine } from '../../src/engine/engine';
import { compile, ev, resetRule, spread, T0 } from '../support/rules';

describe('compileRules', () => {
  it('fills defaults: cooldown 5m, resolve one window, no group fields', () => {
    const [rule] = compile(resetRule().replace('    group_by: [raddr]\n', '').replace(' from {{raddr}}', ''));
    expect(rule).toMatchObject({ id: 'resets', windowMs: 10_000, cooldownMs: 300_000, resolveMs: 10_000, groupBy: [], kinds: ['rst_sent'], tags: [], description: '' });
  });

  it('counts distinct values of the fields named in when and in the summary', () => {
    const [rule] = compile(
      resetRule()
        .replace('value: 10 } ] }', 'value: 10 }, { fact: distinct.lport, operator: greaterThan, value: 2 } ] }')
        .replace('resets from {{raddr}}', 'resets from {{raddr}} on {{distinct.lport}} ports, {{distinct.rport}} source ports'),
    );
    expect(rule.distinctFields).toEqual(['lport', 'rport']);
  });

  it('indexes rules by the kinds their match accepts', () => {
    const kinds = (match: string) => compile(resetRule().replace('{ all: [ { fact: kind, operator: equal, value: rst_sent } ] }', match))[0].kinds;
    expect(kinds("{ any: [ { fact: kind, operator: equal, value: rst_sent }, { fact: kind, operator: in, value: [destroy] } ] }")).toEqual(['rst_sent', 'destroy']);
    expect(kinds("{ all: [ { fact: kind, operator: in, value: [rst_sent, destroy] }, { fact: kind, operator: notEqual, value: destroy } ] }")).toEqual(['rst_sent', 'destroy']);
    expect(kinds("{ any: [ { fact: kind, operator: equal, value: rst_sent }, { fact: lport, operator: equal, value: 1 } ] }")).toBeUndefined();
  });

  it('leaves disabled rules out', () => {
    expect(compile(resetRule('enabled: false'))).toEqual([]);
  });

  it('changes the fingerprint when a list the rule uses changes, not when its name does', () => {
    const withList = (nets: string, name = 'Resets') =>
      compile(`lists:\n  nets: [${nets}]\n` + resetRule().replace('name: Resets', `name: ${name}`).replace('value: rst_sent }', 'value: rst_sent }, { fact: raddr, operator: inCidr, value: { list: nets } }'))[0].fingerprint;
    expect(withList('10.0.0.0/8')).toBe(withList('10.0.0.0/8', 'Renamed'));
    expect(withList('10.0.0.0/8')).not.toBe(withList('10.0.0.0/16'));
  });

  it('gives when its shared conditions through json-rules-engine setCondition', async () => {
    const yaml = `conditions:\n  busy: { all: [ { fact: count, operator: greaterThanInclusive, value: 3 } ] }\n` + resetRule().replace('{ all: [ { fact: count, operator: greaterThanInclusive, value: 10 } ] }', '{ condition: busy }');
    const [rule] = compile(yaml);
    expect(rule.when).toEqual({ condition: 'busy' });
    expect(rule.sharedConditions).toEqual({ busy: { all: [{ fact: 'count', operator: 'greaterThanInclusive', value: 3 }] } });
    const engine = new Engine([rule]);
    engine.push(spread(3, 0, 1_000, (i, ts) => ev({ kind: 'rst_sent', ts, rport: i })));
    expect((await engine.advance(T0 + 10_000)).map((a) => a.aggregates.count)).toEqual([3]);
  });
});
