import { newAlertEpisode, stepAlert } from '../../src/engine/alert-state-machine';

describe('stepAlert', () => {
  it('fires at the first judgement that holds (the episode starting with the slice that judgement ends), repeats after the cooldown, resolves after the resolve period without it', () => {
    const episode = newAlertEpisode();
    const steps = [
      [1000, false],
      [2000, true],
      [3000, true],
      [12_000, true],
      [13_000, false],
      [17_000, false],
      [18_000, false],
      [19_000, true],
      [20_000, false],
    ].map(([at, holds]) => stepAlert(episode, holds as boolean, at as number, 1000, 10_000, 5000));
    expect(steps).toEqual([undefined, 'fire', undefined, 'repeat', undefined, 'resolve', undefined, 'fire', undefined]);
    expect(episode).toEqual({ firing: true, startsAt: 18_000, lastSentAt: 19_000, lastTrueAt: 19_000 });
  });
});
