import { Deadline } from '../../src/lifecycle/deadline';

describe('Deadline', () => {
  test('settles: true for work that ends in time, fulfilled or rejected', async () => {
    const d = Deadline.after(5000);
    expect(await d.settles(Promise.resolve(1))).toBe(true);
    expect(await d.settles(Promise.reject(new Error('failed')))).toBe(true);
  });

  test('settles: false for work that never ends, once the deadline passes; later steps wait no more', async () => {
    const d = Deadline.after(50);
    expect(await d.settles(new Promise(() => undefined))).toBe(false);
    expect(d.passed).toBe(true);
    expect(d.remaining()).toBe(0);
    expect(await d.settles(new Promise(() => undefined))).toBe(false);
  });

  test('a rejection after the deadline goes unhandled nowhere', async () => {
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      let fail: (err: Error) => void = () => undefined;
      const work = new Promise((_, reject) => (fail = reject));
      expect(await Deadline.after(10).settles(work)).toBe(false);
      fail(new Error('late'));
      await new Promise((r) => setImmediate(r));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});
