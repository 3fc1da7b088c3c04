import { RecordDecoder } from '../../src/collector/record-decoder';
import type { TcpEvent } from '../../src/interfaces/tcp-event';
import { describeUnless } from '../support/kernel-access';
import { KERNELS, runHarnessInVm, vmSkipReason } from './vm';

/** What the harness printed in the VM, and its records decoded by the collector's own decoder. */
export interface VmRun {
  lines: string[];
  events: TcpEvent[];
}

/**
 * Describes the tests of one run of the harness on one of the old kernels: booted once before
 * them, or skipped (failed, when kernel tests are required), saying why, where the VM cannot run here. `run` is filled in before the tests.
 */
export function describeKernelVm(version: keyof typeof KERNELS, title: string, tests: (run: VmRun) => void): void {
  const kernel = KERNELS[version];
  describeUnless(vmSkipReason(kernel), title, () => {
    const run: VmRun = { lines: [], events: [] };
    beforeAll(() => {
      run.lines = runHarnessInVm(kernel);
      const records = run.lines.filter((l) => l.startsWith('record ')).map((l) => Buffer.from(l.slice(7), 'hex'));
      // No enum sk_rst_reason in these kernels' BTF: no reason names, as the addon would find.
      run.events = new RecordDecoder({ host: 'vm', resetReasons: {} }).decode(Buffer.concat(records));
    }, 240000);
    tests(run);
  });
}
