import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Node } from 'yaml';
import { diagnostic, type Diagnostic, type SourceLocation } from './diagnostic';

/** A path into a rule file's data: `['rules', 0, 'window']`. */
export type DataPath = ReadonlyArray<string | number>;

/** One rule file as plain data, plus the way back from any part of that data to its place in the text. */
export interface RuleSource {
  file: string;
  /** The file's data as plain JavaScript (undefined when the YAML could not be parsed). */
  data: unknown;
  /**
   * The location of the node at `path`; with `key`, of the map key naming it (what an
   * "unknown key" error should point at). Falls back to the deepest node the path reaches.
   */
  locate(path: DataPath, part?: 'key' | 'value'): SourceLocation;
}

/** How many times aliases may be expanded in one file (yaml's own measure); rule files need few, an alias bomb needs millions. */
const MAX_ALIAS_COUNT = 100;
/**
 * How deep flow collections (`[ ]`, `{ }`) may nest. The yaml package reports deep block nesting
 * as an error, but flow nesting a few thousand deep aborted the whole process (out of memory in
 * V8's regular expression compiler), so it is measured before parsing.
 */
export const MAX_FLOW_DEPTH = 64;

/**
 * Stage 1 of the loader: YAML text to plain data, keeping source positions (the `yaml`
 * package's node ranges mapped to line/column by a LineCounter) so the later stages can point
 * at the exact place of each problem.
 */
export function readRuleSource(file: string, text: string): { source: RuleSource; diagnostics: Diagnostic[] } {
  const tooDeep = flowTooDeep(text);
  if (tooDeep !== undefined) {
    const where = { file, ...lineAndColumn(text, tooDeep) };
    const d = diagnostic('yaml.too-deep', where, `flow collections ('[' and '{') nest more than ${MAX_FLOW_DEPTH} levels deep here`, { accepted: `at most ${MAX_FLOW_DEPTH} levels of nesting` });
    return { source: { file, data: undefined, locate: () => where }, diagnostics: [d] };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): SourceLocation => {
    const pos = lineCounter.linePos(offset);
    return { file, line: pos.line, column: pos.col };
  };
  // Only the first syntax error: the parser's later ones are mostly echoes of it.
  const diagnostics = doc.errors.slice(0, 1).map((e) => diagnostic('yaml.syntax', at(e.pos[0]), yamlMessage(e.message)));
  const locate = (path: DataPath, part: 'key' | 'value' = 'value'): SourceLocation => {
    let node: unknown = doc.contents;
    let keyNode: unknown;
    for (const step of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(step));
        if (!pair) break;
        keyNode = pair.key;
        node = pair.value;
      } else if (isSeq(node) && typeof step === 'number' && step < node.items.length) {
        keyNode = undefined;
        node = node.items[step];
      } else break;
    }
    const target = (part === 'key' && keyNode ? keyNode : node) as Node | null | undefined;
    return at(target?.range ? target.range[0] : 0);
  };
  let data: unknown;
  if (diagnostics.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch {
      // yaml throws (a ReferenceError) when aliases expand past maxAliasCount: a "billion laughs" file.
      diagnostics.push(
        diagnostic('yaml.aliases', at(firstAliasOffset(doc)), `aliases (*name) expand to too much data: more than ${MAX_ALIAS_COUNT} expansions`, {
          accepted: 'a file that repeats a value with a few aliases, not aliases of aliases',
        }),
      );
    }
  }
  return { source: { file, data, locate }, diagnostics };
}

/** Where the first alias in a document is (where an alias bomb starts to expand). */
function firstAliasOffset(doc: ReturnType<typeof parseDocument>): number {
  let offset = 0;
  visit(doc, {
    Alias(_key, node) {
      if (isAlias(node) && node.range) offset = node.range[0];
      return visit.BREAK;
    },
  });
  return offset;
}

/**
 * The offset where `[`/`{` nesting first goes past MAX_FLOW_DEPTH, or undefined. Quoted strings
 * and comments are skipped; a bracket in a plain scalar is counted too, which can only make the
 * count higher than YAML's, and only a file far past any real rule file's nesting reaches the limit.
 */
function flowTooDeep(text: string): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[' || c === '{') {
      if (++depth > MAX_FLOW_DEPTH) return i;
    } else if (c === ']' || c === '}') {
      if (depth > 0) depth--;
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      const end = text.indexOf('\n', i);
      if (end < 0) break;
      i = end;
    } else if ((c === '"' || c === "'") && (i === 0 || /[\s[{,:]/.test(text[i - 1]))) {
      // A quoted scalar: in double quotes a backslash escapes the next character, in single quotes '' is a quote.
      let j = i + 1;
      for (; j < text.length; j++) {
        if (c === '"' && text[j] === '\\') j++;
        else if (text[j] === c) {
          if (c === "'" && text[j + 1] === "'") j++;
          else break;
        }
      }
      i = j;
    }
  }
  return undefined;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lastNewline = before.lastIndexOf('\n');
  return { line: before.split('\n').length, column: offset - lastNewline };
}

/** The yaml package's messages end with "at line L, column C"; the location is printed separately. */
function yamlMessage(message: string): string {
  return message.replace(/ at line \d+, column \d+.*$/s, '').trim();
}
