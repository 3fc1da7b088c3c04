import { Engine } from '../../src/engine/engine';
import type { Alert } from '../../src/interfaces/alert';
import { compile, ev, resetRule, spread, T0 } from '../support/rules';

const rst = (i: number, ts: number, raddr = '192.0.2.1') => ev({ kind: 'rst_sent', ts, raddr, rport: 40000 + i });

/** Plays `events` live: batches of `size`, each followed by a tick that judges boundaries `lateness` behind the newest event and looks up to it. */
async function live(engine: Engine, events: ReturnType<typeof rst>[], size: number, lateness = 250): Promise<Alert[]> {
  const out: Alert[] = [];
  for (let i = 0; i < events.length; i += size) {
    const batch = events.slice(i, i + size);
    engine.push(batch);
    const newest = batch[batch.length - 1].ts;
    out.push(...(await engine.advance(newest - lateness, newest)));
  }
  out.push(...(await engine.flush()));
  return out;
}

async function replay(engine: Engine, events: ReturnType<typeof rst>[]): Promise<Alert[]> {
  engine.push(events);
  return engine.flush();
}

describe('Engine looking into the open slice', () => {
  it('fires a rising rule the moment its condition holds, before the slice closes, with the boundary judgement holding it', async () => {
    const engine = new Engine(compile(resetRule('', 10)));
    // 10 resets in [3.1 s, 3.5 s): the condition holds at the tenth, inside the slice [3 s, 4 s).
    engine.push(spread(10, 3_100, 3_500, (i, ts) => rst(i, ts)));
    const early = await engine.advance(T0 + 3_000, T0 + 3_500);
    expect(early).toHaveLength(1);
    expect(early[0]).toMatchObject({ status: 'firing', startsAt: T0 + 3_000, window: { start: T0 - 6_000, end: T0 + 3_500 }, aggregates: { count: 10 } });
    // The boundary at 4 s finds it firing already: no second notification.
    engine.push(spread(5, 3_600, 3_900, (i, ts) => rst(10 + i, ts)));
    expect(await engine.advance(T0 + 4_000, T0 + 4_000)).toEqual([]);
  });

  it('gives the alerts a replay gives: the same ids, transitions and boundaries, only sooner', async () => {
    const rules = resetRule('cooldown: 10s\nresolve: 10s', 40);
    const events = [...spread(30, 0, 10_000, (i, ts) => rst(i, ts)), ...spread(400, 10_000, 20_000, (i, ts) => rst(i, ts)), ...spread(20, 20_000, 40_000, (i, ts) => rst(i, ts))];
    const replayed = await replay(new Engine(compile(rules)), events);
    const looked = await live(new Engine(compile(rules)), events, 7);
    const view = (list: Alert[]) => list.map((a) => `${a.id} ${a.status} ${a.startsAt}`);
    expect(replayed.map((a) => a.status)).toEqual(['firing', 'firing', 'resolved']);
    expect(view(looked)).toEqual(view(replayed));
    // The first firing came inside its slice, on the part of it seen so far.
    expect(looked[0].window.end).toBeLessThan(replayed[0].window.end);
    expect(looked[0].aggregates.count).toBeLessThanOrEqual(replayed[0].aggregates.count);
    expect(looked[0].aggregates.count).toBeGreaterThanOrEqual(40);
  });

  it('waits for the boundary with a condition that can turn false again as events come in', async () => {
    const engine = new Engine(compile(resetRule().replace('operator: greaterThanInclusive, value: 10', 'operator: equal, value: 10')));
    engine.push(spread(10, 3_100, 3_500, (i, ts) => rst(i, ts)));
    expect(await engine.advance(T0 + 3_000, T0 + 3_500)).toEqual([]);
    const alerts = await engine.advance(T0 + 4_000, T0 + 4_000);
    expect(alerts.map((a) => [a.status, a.window.end - T0])).toEqual([['firing', 4_000]]);
  });

  it('fires a spike rule early against the baseline of the blocks before, and keeps the attack out of that baseline', async () => {
    const rules = resetRule('baseline: { windows: 3, min_count: 5 }', 1).replace(
      '{ fact: count, operator: greaterThanInclusive, value: 1 }',
      '{ fact: count, operator: greaterThanInclusive, value: 30 }, { fact: spike, operator: greaterThanInclusive, value: 3 }',
    );
    // A quiet peer (3 resets per block for 30 s), then a burst of 50 in half a second.
    const events = [...spread(9, 0, 30_000, (i, ts) => rst(i, ts)), ...spread(50, 31_000, 31_500, (i, ts) => rst(i, ts))];
    const replayed = await replay(new Engine(compile(rules)), events);
    const looked = await live(new Engine(compile(rules)), events, 5);
    expect(replayed.map((a) => a.status)).toEqual(['firing', 'resolved']);
    expect(looked.map((a) => `${a.id} ${a.status}`)).toEqual(replayed.map((a) => `${a.id} ${a.status}`));
    expect(looked[0].window.end).toBeLessThan(T0 + 32_000);
    expect(looked[0].aggregates).toMatchObject({ baseline: 5 });
  });

  it('does not look without an instant to look up to: a replay judges at boundaries only', async () => {
    const engine = new Engine(compile(resetRule('', 10)));
    engine.push(spread(10, 3_100, 3_500, (i, ts) => rst(i, ts)));
    expect(await engine.advance(T0 + 3_000)).toEqual([]);
  });
});
