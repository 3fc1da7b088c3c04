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
  // ...in one worker process, not in Jest's own (which a single worker would otherwise mean): a file
  // that leaks something in-process, such as a Redis client reconnecting for ever to a server the
  // file stopped, cannot keep Jest from exiting, because Jest ends its worker when the run is over.
  // The limit only restarts that worker if a file leaves it this large.
  workerIdleMemoryLimit: '4GB',
  testTimeout: 60000,
};
