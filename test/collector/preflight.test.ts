import { UserError } from '../../src/errors/user-error';
import { preflight, type Machine } from '../../src/collector/preflight';

const ROOT_CAPS = 0x1ffffffffffn;
const BPF_AND_PERFMON = (1n << 39n) | (1n << 38n);

function machine(over: Partial<Machine> & { missing?: string[] } = {}): Machine {
  const missing = new Set(over.missing ?? []);
  return {
    platform: over.platform ?? 'linux',
    capabilities: over.capabilities ?? (() => ROOT_CAPS),
    exists: over.exists ?? ((p: string) => ![...missing].some((m) => p.startsWith(m))),
  };
}

function failure(m: Machine): UserError {
  try {
    preflight(m);
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  throw new Error('preflight passed');
}

describe('preflight', () => {
  test('passes on Linux as root with BTF and tracefs', () => {
    expect(() => preflight(machine())).not.toThrow();
  });

  test('passes with CAP_BPF and CAP_PERFMON instead of root', () => {
    expect(() => preflight(machine({ capabilities: () => BPF_AND_PERFMON }))).not.toThrow();
  });

  test('not Linux', () => {
    const e = failure(machine({ platform: 'darwin' }));
    expect(e.code).toBe('COLLECTOR_NOT_LINUX');
    expect(e.message).toMatch(/this is darwin\. Replay and rules work anywhere/);
  });

  test('neither root nor CAP_BPF+CAP_PERFMON', () => {
    const e = failure(machine({ capabilities: () => 1n << 39n }));
    expect(e.code).toBe('COLLECTOR_NO_PRIVILEGE');
    expect(e.message).toMatch(/run it with sudo/);
  });

  test('no BTF', () => {
    const e = failure(machine({ missing: ['/sys/kernel/btf'] }));
    expect(e.code).toBe('COLLECTOR_NO_BTF');
    expect(e.message).toMatch(/CONFIG_DEBUG_INFO_BTF=y/);
  });

  test('no tracefs at either mount point', () => {
    const e = failure(machine({ missing: ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'] }));
    expect(e.code).toBe('COLLECTOR_NO_TRACEFS');
    expect(e.message).toMatch(/mount -t tracefs nodev \/sys\/kernel\/tracing/);
  });

  test('tracefs at the old debugfs mount point is enough', () => {
    expect(() => preflight(machine({ missing: ['/sys/kernel/tracing'] }))).not.toThrow();
  });
});
