import { PassThrough } from 'node:stream';
import { createLogger, parseLogLevel } from '../../src/logging/create-logger';

function capture(): { stream: PassThrough; lines: () => string[] } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d) => (text += d));
  return { stream, lines: () => text.trim().split('\n').filter(Boolean) };
}

describe('createLogger', () => {
  test('json: one object per line with level, time, message and fields', async () => {
    const out = capture();
    const log = createLogger({ format: 'json', stream: out.stream });
    log.info({ rule: 'syn-flood' }, 'alert fired');
    await new Promise((r) => setImmediate(r));
    const [line] = out.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(line).toMatchObject({ level: 30, name: 'tcpwarden', msg: 'alert fired', rule: 'syn-flood' });
    expect(typeof line.time).toBe('number');
  });

  test('pretty: readable, not JSON', async () => {
    const out = capture();
    createLogger({ format: 'pretty', stream: out.stream }).warn('ring buffer overflowed');
    await new Promise((r) => setImmediate(r));
    expect(out.lines()[0]).toMatch(/WARN.*ring buffer overflowed/);
    expect(() => JSON.parse(out.lines()[0])).toThrow();
  });

  test('the level filters', async () => {
    const out = capture();
    const log = createLogger({ format: 'json', level: 'warn', stream: out.stream });
    log.info('hidden');
    log.error('shown');
    await new Promise((r) => setImmediate(r));
    expect(out.lines()).toHaveLength(1);
  });

  test('a bad level names the accepted ones', () => {
    expect(() => parseLogLevel('loud')).toThrow("log level 'loud' is not one of trace, debug, info, warn, error, fatal, silent");
  });
});
