/** Tests mirror src/: test/<area>/<file>.test.ts tests src/<area>/<file>.ts. */
module.exports = {
  // Node's environment plus a guard that fails a test file which leaves a child process or a
  // network namespace behind (and removes it, so the next file starts clean and Jest exits).
  testEnvironment: '<rootDir>/test/support/leftover-guard-environment.ts',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // Kernel tests share the machine's tracepoints and network namespaces; run files one at a time
  // on this 2-core machine so one test's traffic never lands in another's assertions.
  maxWorkers: 1,
  testTimeout: 60000,
};
