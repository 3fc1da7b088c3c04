import { UserError } from '../../src/errors/user-error';
import { preflight, type Machine } from '../../src/collector/preflight';

const ROOT_CAPS = 0x1ffffffffffn;
const BPF_AND_PERFMON = (1n << 39n) | (1n << 38n);

/** A machine whose files are all there but `missing`; mounting tracefs adds its mount point back. */
function machine(over: Partial<Machine> & { missing?: string[]; mountFails?: string } = {}): Machine & { mounts: string[] } {
  const missing = new Set(over.missing ?? []);
  const mounts: string[] = [];
  return {
    mounts,
    platform: over.platform ?? 'linux',
    capabilities: over.capabilities ?? (() => ROOT_CAPS),
    exists: over.exists ?? ((p: string) => mounts.some((m) => p.startsWith(m)) || ![...missing].some((m) => p.startsWith(m))),
    mountTracefs(path: string) {
      if (over.mountFails) throw Object.assign(new Error(`mounting tracefs at ${path}: failed`), { code: over.mountFails });
      mounts.push(path);
    },
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

  test('tracefs mounted: nothing to do', () => {
    const m = machine();
    expect(preflight(m)).toEqual({});
    expect(m.mounts).toEqual([]);
  });

  test('no tracefs at either mount point: mounts it at /sys/kernel/tracing and says so', () => {
    const m = machine({ missing: ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'] });
    expect(preflight(m)).toEqual({ mountedTracefs: '/sys/kernel/tracing' });
    expect(m.mounts).toEqual(['/sys/kernel/tracing']);
  });

  test('no tracefs and the mount refused: says how to mount it', () => {
    const e = failure(machine({ missing: ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'], mountFails: 'EPERM' }));
    expect(e.code).toBe('COLLECTOR_NO_TRACEFS');
    expect(e.message).toMatch(/failed \(EPERM\): mount it with `mount -t tracefs nodev \/sys\/kernel\/tracing`/);
  });

  test('tracefs at the old debugfs mount point is enough', () => {
    const m = machine({ missing: ['/sys/kernel/tracing'] });
    expect(preflight(m)).toEqual({});
    expect(m.mounts).toEqual([]);
  });
});
