import { groupKeyOf } from '../../src/engine/group-key';
import { GroupKeyCache } from '../../src/engine/group-key-cache';
import { compile, ev, resetRule } from '../support/rules';

describe('groupKeyOf', () => {
  const [perPeer] = compile(resetRule());
  const [perListener] = compile(resetRule().replace('group_by: [raddr]', 'group_by: [netns, laddr, lport, state]').replace(' from {{raddr}}', ''));

  it("is the rule's group_by values joined by |, empty for absent fields", () => {
    expect(groupKeyOf(perPeer, ev({ kind: 'rst_sent', ts: 0, raddr: '192.0.2.9' }))).toBe('192.0.2.9');
    expect(groupKeyOf(perListener, ev({ kind: 'rst_sent', ts: 0, netns: 7, laddr: '10.0.0.1', lport: 443 }))).toBe('7|10.0.0.1|443|');
  });

  it('is undefined for events the rule does not match', () => {
    expect(groupKeyOf(perPeer, ev({ kind: 'destroy', ts: 0 }))).toBeUndefined();
  });

  it('agrees with the interned keys the engine uses, before and after the intern table is rebuilt', () => {
    const cache = new GroupKeyCache();
    const slot = cache.slotFor(perListener.groupBy);
    for (let i = 0; i < 70_000; i += 997) {
      const e = ev({ kind: 'rst_sent', ts: 0, netns: i % 3, lport: i, state: i % 2 ? 'ESTABLISHED' : undefined });
      expect(cache.key(slot, e)).toBe(groupKeyOf(perListener, e));
      expect(cache.key(slot, e)).toBe(groupKeyOf(perListener, e));
    }
  });
});
