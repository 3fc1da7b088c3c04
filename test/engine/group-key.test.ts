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

  it('agrees with the interned keys the engine uses: hits, misses, the table rebuilt, and bypassed under a flood', () => {
    const cache = new GroupKeyCache();
    const slot = cache.slotFor(perListener.groupBy);
    const at = (i: number) => ev({ kind: 'rst_sent', ts: 0, netns: i % 3, lport: i, state: i % 2 ? 'ESTABLISHED' : undefined });
    const wrong: number[] = [];
    for (let i = 0; i < 150_000; i++) {
      // Every event is a new group (a flood), with a repeat of an old one now and then.
      const e = at(i % 1000 === 999 ? i - 500 : i);
      if (cache.key(slot, e) !== groupKeyOf(perListener, e)) wrong.push(i);
    }
    expect(wrong).toEqual([]);
  });
});
