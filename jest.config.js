/** Tests mirror src/: test/<area>/<file>.test.ts tests src/<area>/<file>.ts. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // Kernel tests share the machine's tracepoints and network namespaces; run files one at a time
  // on this 2-core machine so one test's traffic never lands in another's assertions.
  maxWorkers: 1,
  testTimeout: 60000,
};
