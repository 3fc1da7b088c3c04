import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
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

/**
 * Stage 1 of the loader: YAML text to plain data, keeping source positions (the `yaml`
 * package's node ranges mapped to line/column by a LineCounter) so the later stages can point
 * at the exact place of each problem.
 */
export function readRuleSource(file: string, text: string): { source: RuleSource; diagnostics: Diagnostic[] } {
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
  const data = diagnostics.length > 0 ? undefined : doc.toJS({ maxAliasCount: 100 });
  return { source: { file, data, locate }, diagnostics };
}

/** The yaml package's messages end with "at line L, column C"; the location is printed separately. */
function yamlMessage(message: string): string {
  return message.replace(/ at line \d+, column \d+.*$/s, '').trim();
}
