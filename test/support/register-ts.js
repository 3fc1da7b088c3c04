/**
 * `node -r ./test/support/register-ts.js child.ts`: lets a test spawn a real child process running
 * TypeScript sources (a worker to `kill -9`), compiled on load the same way ts-jest does, without build output.
 */
const { readFileSync } = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(outputText, filename);
};
