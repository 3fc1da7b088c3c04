import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { compileRules } from './compiler';
import { diagnostic, type Diagnostic } from './diagnostic';
import { loadResult, type LoadResult } from './load-result';
import { readTextFile } from './read-text-file';
import { readRuleSource, type RuleSource } from './reader';
import { checkSchema, type SchemaCheck } from './schema-check';
import { validateMeaning } from './validator';

/** Rule tests sit beside the rules as `<name>.test.yaml`; they are not rule files. */
const RULE_TEST_SUFFIX = /\.test\.ya?ml$/;
const RULE_FILE = /\.ya?ml$/;

/** The rule files a list of paths names: files as given, directories searched recursively, in a stable order. */
export async function ruleFiles(paths: string[]): Promise<{ files: string[]; diagnostics: Diagnostic[] }> {
  const files: string[] = [];
  const diagnostics: Diagnostic[] = [];
  const unreadable = (path: string, err: unknown) =>
    diagnostic('file.unreadable', { file: path, line: 1, column: 1 }, `cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { accepted: 'a rule file or a directory of *.yaml rule files' });
  const loop = (path: string, message: string) =>
    diagnostic('file.loop', { file: path, line: 1, column: 1 }, message, { accepted: 'symbolic links that do not lead back into a directory above them' });
  /** `above`: the real paths of the directories being searched, to catch a link back to one of them. */
  const visit = async (path: string, explicit: boolean, above: string[]): Promise<void> => {
    let info;
    try {
      info = await stat(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ELOOP') diagnostics.push(loop(path, 'a symbolic link loop: the link leads back to itself'));
      else diagnostics.push(unreadable(path, err));
      return;
    }
    if (info.isDirectory()) {
      let real: string;
      let names: string[];
      try {
        real = await realpath(path);
        names = (await readdir(path)).sort();
      } catch (err) {
        diagnostics.push(unreadable(path, err));
        return;
      }
      if (above.includes(real)) {
        diagnostics.push(loop(path, `a symbolic link loop: this is ${real} again, a directory it is inside of`));
        return;
      }
      for (const name of names) await visit(join(path, name), false, [...above, real]);
    } else if (explicit || (RULE_FILE.test(path) && !RULE_TEST_SUFFIX.test(path))) {
      files.push(path);
    }
  };
  for (const p of paths) await visit(p, true, []);
  return { files: [...new Set(files)], diagnostics };
}

/** Runs the three stages over texts already in memory (the file-reading `loadRules` and tests use it). */
export function loadRuleTexts(texts: Array<{ file: string; text: string }>, extra: Diagnostic[] = []): LoadResult {
  const diagnostics = [...extra];
  const checked: Array<{ source: RuleSource; schema: SchemaCheck }> = [];
  for (const { file, text } of texts) {
    const read = readRuleSource(file, text);
    diagnostics.push(...read.diagnostics);
    const schema = checkSchema(read.source);
    diagnostics.push(...schema.diagnostics);
    checked.push({ source: read.source, schema });
  }
  const meaning = validateMeaning(checked);
  diagnostics.push(...meaning.diagnostics);
  const compiled = compileRules(meaning.catalog);
  diagnostics.push(...compiled.diagnostics);
  return loadResult(
    texts.map((t) => t.file),
    compiled.rules,
    diagnostics,
  );
}

/** Loads rule files and directories together (ids, lists and conditions are shared across them). Never throws for bad input. */
export async function loadRules(paths: string[]): Promise<LoadResult> {
  const found = await ruleFiles(paths);
  const texts: Array<{ file: string; text: string }> = [];
  for (const file of found.files) {
    const read = await readTextFile(file, (errno) => diagnostic('file.unreadable', { file, line: 1, column: 1 }, `cannot read: ${errno}`));
    if ('text' in read) texts.push({ file, text: read.text });
    else found.diagnostics.push(read.error);
  }
  return loadRuleTexts(texts, found.diagnostics);
}
