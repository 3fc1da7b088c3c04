import { access } from 'node:fs/promises';
import { loadRules, ruleFiles } from '../rules/loader';
import type { LoadResult } from '../rules/load-result';
import { readRuleTestFile } from './read-rule-test-file';
import { runRuleTest, type RuleTestResult } from './run-rule-test';

/** The test file beside a rule file: `x.yaml` -> `x.test.yaml`. */
function testFileFor(ruleFile: string): string {
  return ruleFile.replace(/\.ya?ml$/, '.test.yaml');
}

/**
 * `tcpwarden rules test`: loads the rules of `paths` together, then runs every test file beside
 * them. A test's alerts are compared for the rules of its own rule file unless it names others.
 */
export async function runRuleTests(paths: string[]): Promise<{ load: LoadResult; results: RuleTestResult[]; testFiles: string[] }> {
  const load = await loadRules(paths);
  const results: RuleTestResult[] = [];
  const testFiles: string[] = [];
  if (!load.ok) return { load, results, testFiles };
  for (const ruleFile of (await ruleFiles(paths)).files) {
    const testFile = testFileFor(ruleFile);
    try {
      await access(testFile);
    } catch {
      continue;
    }
    testFiles.push(testFile);
    const own = load.rules.filter((r) => r.location.file === ruleFile).map((r) => r.id);
    for (const test of await readRuleTestFile(testFile, own)) results.push(await runRuleTest(test, load.rules));
  }
  return { load, results, testFiles };
}
