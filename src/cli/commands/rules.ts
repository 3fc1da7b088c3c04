import { UserError } from '../../errors/user-error';
import { formatLoadResult } from '../../rules/load-result';
import { loadRules } from '../../rules/loader';
import { runRuleTests } from '../../rule-test/run-rule-tests';
import type { Command } from '../command';

const USAGE = `usage: tcpwarden rules validate [--json] PATH...
       tcpwarden rules test PATH...

  validate  load rule files and directories together; print every error and warning
            (file:line:column, rule id, what is wrong, what is accepted). Exit 0 when the
            rules are valid, 2 when any has an error.
  test      validate, then run the fixture tests beside the rules (x.test.yaml beside x.yaml).
            Exit 0 when all pass, 1 when any fails, 2 when the rules or tests are invalid.`;

function paths(args: string[]): string[] {
  const unknown = args.find((a) => a.startsWith('-') && a !== '--json');
  if (unknown) throw new UserError('CLI_USAGE', `unknown option '${unknown}' (see 'tcpwarden rules --help')`, 2);
  const found = args.filter((a) => !a.startsWith('-'));
  if (found.length === 0) throw new UserError('CLI_USAGE', `name at least one rule file or directory (see 'tcpwarden rules --help')`, 2);
  return found;
}

async function validate(args: string[]): Promise<number> {
  const result = await loadRules(paths(args));
  if (args.includes('--json')) {
    process.stdout.write(JSON.stringify({ ok: result.ok, files: result.files, rules: result.rules.map((r) => r.id), errors: result.errors, warnings: result.warnings }) + '\n');
  } else {
    const text = formatLoadResult(result);
    if (text) process.stderr.write(text + '\n');
    if (result.ok) process.stdout.write(`ok: ${result.rules.length} rules in ${result.files.length} files\n`);
    else process.stderr.write(`${result.errors.length} error(s) in ${result.files.length} files\n`);
  }
  return result.ok ? 0 : 2;
}

async function test(args: string[]): Promise<number> {
  const { load, results, testFiles } = await runRuleTests(paths(args));
  if (!load.ok) {
    process.stderr.write(formatLoadResult(load) + '\n');
    return 2;
  }
  for (const r of results) {
    process.stdout.write(`${r.passed ? 'PASS' : 'FAIL'} ${r.test.file}:${r.test.line} ${r.test.name}\n`);
    for (const f of r.failures) process.stdout.write(`     ${f}\n`);
  }
  const failed = results.filter((r) => !r.passed).length;
  const alerts = results.reduce((n, r) => n + r.alerts.length, 0);
  process.stdout.write(`${results.length - failed} passed, ${failed} failed (${testFiles.length} test files, ${alerts} alerts)\n`);
  return failed === 0 ? 0 : 1;
}

export const rulesCommand: Command = {
  name: 'rules',
  summary: 'validate rule files, run their fixture tests',
  usage: USAGE,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === 'validate') return validate(rest);
    if (sub === 'test') return test(rest);
    throw new UserError('CLI_USAGE', `unknown subcommand '${sub ?? ''}' (see 'tcpwarden rules --help')`, 2);
  },
};
