import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/engine';
import { RuleReloader } from '../../src/engine/rule-reloader';
import { loadRules } from '../../src/rules/loader';
import { ev, resetRule, spread } from '../support/rules';

function recorder() {
  const lines: string[] = [];
  const log = (level: string) => (_obj: unknown, msg?: string) => {
    lines.push(`${level} ${msg ?? ''}`);
  };
  return { lines, log: { info: log('info'), warn: log('warn'), error: log('error') } as never };
}

const otherRule = resetRule().replace('id: resets', 'id: other').replace('value: rst_sent', 'value: destroy');

describe('RuleReloader', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tcpwarden-reload-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function started(): Promise<{ engine: Engine; reloader: RuleReloader; log: ReturnType<typeof recorder> }> {
    writeFileSync(join(dir, 'a.yaml'), resetRule());
    writeFileSync(join(dir, 'b.yaml'), otherRule);
    const engine = new Engine((await loadRules([dir])).rules);
    engine.push(spread(5, 0, 1000, (i, ts) => ev({ kind: 'rst_sent', ts, rport: i })));
    engine.push(spread(5, 0, 1000, (i, ts) => ev({ kind: 'destroy', ts, rport: i })));
    const log = recorder();
    return { engine, reloader: new RuleReloader([dir], engine, log.log), log };
  }

  it('applies a valid change, keeping the windows of unchanged rules only', async () => {
    const { engine, reloader, log } = await started();
    writeFileSync(join(dir, 'b.yaml'), otherRule.replace('value: 10 }', 'value: 20 }'));
    const result = await reloader.reload();
    expect(result.ok).toBe(true);
    expect(engine.stats().map((s) => [s.ruleId, s.windowGroups])).toEqual([
      ['resets', 1],
      ['other', 0],
    ]);
    expect(log.lines).toEqual(['info rules reloaded; unchanged rules kept their windows']);
  });

  it('rejects an invalid change, logging its errors, and keeps the old rules running', async () => {
    const { engine, reloader, log } = await started();
    const before = engine.rules.map((r) => r.fingerprint);
    writeFileSync(join(dir, 'b.yaml'), otherRule.replace('window: 10s', 'window: often'));
    const result = await reloader.reload();
    expect(result.ok).toBe(false);
    expect(engine.rules.map((r) => r.fingerprint)).toEqual(before);
    expect(engine.stats().map((s) => s.windowGroups)).toEqual([1, 1]);
    expect(log.lines).toEqual([
      `error ${join(dir, 'b.yaml')}:8:13: error duration.invalid [other]: window 'often' is not a duration (accepted: a number with a unit ms, s, m, h or d, e.g. 500ms, 10s, 1m30s)`,
      'error rule reload rejected: the running rules stay in force',
    ]);
  });

  it('rejects files that would have killed the engine (alias bomb, shared-condition chain, bad encoding), keeping the old rules', async () => {
    const { engine, reloader, log } = await started();
    const before = engine.rules.map((r) => r.fingerprint);
    const bomb = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]', ...'bcdefg'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdef'[i]}`).join(', ')}]`)].join('\n');
    const chain = 'conditions:\n  c0: { fact: rport, operator: equal, value: 22 }\n' + Array.from({ length: 1500 }, (_, i) => `  c${i + 1}: { all: [ { condition: c${i} } ] }\n`).join('');
    writeFileSync(join(dir, 'bomb.yaml'), bomb);
    writeFileSync(join(dir, 'chain.yaml'), chain + otherRule.replace('id: other', 'id: chained').replace('value: destroy }', 'value: destroy }, { condition: c1500 }'));
    writeFileSync(join(dir, 'utf16.yaml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(resetRule(), 'utf16le')]));
    const result = await reloader.reload();
    expect(result.ok).toBe(false);
    expect(result.errors.map((e) => [e.code, e.location.file])).toEqual([
      ['yaml.aliases', join(dir, 'bomb.yaml')],
      ['condition.too-deep', join(dir, 'chain.yaml')],
      ['file.encoding', join(dir, 'utf16.yaml')],
    ]);
    expect(engine.rules.map((r) => r.fingerprint)).toEqual(before);
    expect(engine.stats().map((s) => s.windowGroups)).toEqual([1, 1]);
    expect(log.lines.at(-1)).toBe('error rule reload rejected: the running rules stay in force');
  });

  it('reloads by itself when a watched file changes', async () => {
    const { engine, reloader } = await started();
    reloader.watch();
    try {
      writeFileSync(join(dir, 'c.yaml'), resetRule().replace('id: resets', 'id: third'));
      const deadline = Date.now() + 5000;
      while (engine.rules.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(engine.rules.map((r) => r.id)).toEqual(['resets', 'other', 'third']);
    } finally {
      reloader.close();
    }
  });

  it('reloads on SIGHUP until closed', async () => {
    const { engine, reloader } = await started();
    reloader.reloadOnSighup();
    writeFileSync(join(dir, 'c.yaml'), resetRule().replace('id: resets', 'id: third'));
    process.emit('SIGHUP', 'SIGHUP');
    const deadline = Date.now() + 5000;
    while (engine.rules.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(engine.rules.map((r) => r.id)).toEqual(['resets', 'other', 'third']);
    reloader.close();
    expect(process.listenerCount('SIGHUP')).toBe(0);
  });
});
