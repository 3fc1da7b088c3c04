import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UserError } from '../errors/user-error';
import type { TcpEvent } from '../interfaces/tcp-event';
import { parseEventLine } from '../replay/read-jsonl-events';
import { diagnostic } from '../rules/diagnostic';
import { DURATION_SYNTAX, parseDuration } from '../rules/duration';
import { readTextFile } from '../rules/read-text-file';
import { readRuleSource, type DataPath, type RuleSource } from '../rules/reader';
import type { EventSequence, ExpectedAlert, RuleTestCase } from './rule-test-case';

/** Tests start at a round time so windows of any usual length line up with offsets in the file. */
const DEFAULT_START = Date.parse('2026-01-01T00:00:00Z');
const TEST_KEYS = ['name', 'start', 'rules', 'generate', 'events', 'expect'];
const SEQUENCE_KEYS = ['from', 'to', 'rate', 'event'];
const EXPECT_KEYS = ['at', 'rule', 'status', 'group', 'aggregates'];
/** The most events one `generate` sequence may make (the shipped tests make at most a few tens of thousands). */
export const MAX_GENERATED_EVENTS = 1_000_000;

/**
 * Reads a rule test file (`<rules>.test.yaml` beside a rule file). Bad test files are the user's
 * mistake: a UserError at file:line:column saying what is expected.
 */
export async function readRuleTestFile(file: string, defaultRules: string[]): Promise<RuleTestCase[]> {
  // Read as rule files are: at most 1 MiB of UTF-8.
  const loaded = await readTextFile(file, (errno) => diagnostic('file.unreadable', { file, line: 1, column: 1 }, `cannot read: ${errno}`));
  const { source, diagnostics } = readRuleSource(file, 'text' in loaded ? loaded.text : '');
  if ('error' in loaded) diagnostics.unshift(loaded.error);
  const fail = (path: DataPath, message: string, part: 'key' | 'value' = 'value'): never => {
    const at = diagnostics[0]?.location ?? source.locate(path, part);
    throw new UserError('RULE_TEST_INVALID', `${at.file}:${at.line}:${at.column}: ${diagnostics[0]?.message ?? message}`, 2);
  };
  if (diagnostics.length > 0) fail([], '');
  const data = source.data as { tests?: unknown } | null;
  if (!data || !Array.isArray(data.tests)) return fail([], "a rule test file needs 'tests:', a list of tests");
  const cases: RuleTestCase[] = [];
  for (let i = 0; i < data.tests.length; i++) cases.push(await readCase(source, ['tests', i], data.tests[i], defaultRules, fail));
  return cases;
}

type Fail = (path: DataPath, message: string, part?: 'key' | 'value') => never;

function mapping(value: unknown, path: DataPath, keys: string[], fail: Fail): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail(path, `expected a mapping with ${keys.join(', ')}`);
  for (const k of Object.keys(value)) if (!keys.includes(k)) fail([...path, k], `unknown key '${k}'; expected ${keys.join(', ')}`, 'key');
  return value as Record<string, unknown>;
}

function duration(value: unknown, path: DataPath, fail: Fail): number {
  if (value === '0s' || value === 0) return 0;
  const ms = typeof value === 'string' ? parseDuration(value) : undefined;
  return ms ?? fail(path, `${JSON.stringify(value)} is not a duration; expected ${DURATION_SYNTAX}`);
}

async function readCase(source: RuleSource, path: DataPath, raw: unknown, defaultRules: string[], fail: Fail): Promise<RuleTestCase> {
  const t = mapping(raw, path, TEST_KEYS, fail);
  if (typeof t.name !== 'string') fail(path, "a test needs a 'name'");
  if (t.expect === undefined) fail(path, "a test needs 'expect': the alerts it expects, in order ([] for silence)");
  let startMs = DEFAULT_START;
  if (t.start !== undefined) {
    startMs = Date.parse(String(t.start));
    if (Number.isNaN(startMs)) fail([...path, 'start'], `'start' must be an ISO 8601 time, got ${JSON.stringify(t.start)}`);
  }
  const sequences: EventSequence[] = [];
  const generate = t.generate ?? [];
  if (!Array.isArray(generate)) fail([...path, 'generate'], "'generate' must be a list of sequences");
  (generate as unknown[]).forEach((g, j) => {
    const at: DataPath = [...path, 'generate', j];
    const s = mapping(g, at, SEQUENCE_KEYS, fail);
    if (typeof s.rate !== 'number' || s.rate <= 0) fail([...at, 'rate'], "'rate' must be a positive number of events per second");
    if (s.event === null || typeof s.event !== 'object') fail(at, "a sequence needs 'event', the fields of its events");
    const seq = { fromMs: s.from === undefined ? 0 : duration(s.from, [...at, 'from'], fail), toMs: duration(s.to, [...at, 'to'], fail), rate: s.rate as number, event: s.event as Record<string, unknown> };
    // The events are built in memory: `{ to: 7d, rate: 100000 }` would take the heap.
    const count = ((seq.toMs - seq.fromMs) / 1000) * seq.rate;
    if (count > MAX_GENERATED_EVENTS) fail(at, `the sequence generates ${Math.floor(count)} events, more than ${MAX_GENERATED_EVENTS}; lower 'rate' or shorten from..to`);
    sequences.push(seq);
  });
  const recorded: TcpEvent[] = [];
  if (t.events !== undefined) {
    const jsonl = resolve(dirname(source.file), String(t.events));
    let text = '';
    try {
      text = await readFile(jsonl, 'utf8');
    } catch {
      fail([...path, 'events'], `cannot read ${jsonl}`);
    }
    text.split('\n').forEach((line, n) => {
      if (line.trim() !== '') recorded.push(parseEventLine(line, `${jsonl}:${n + 1}`));
    });
  }
  if (!Array.isArray(t.expect)) fail([...path, 'expect'], "'expect' must be a list of alerts ([] for silence)");
  const expect: ExpectedAlert[] = (t.expect as unknown[]).map((x, j) => {
    const at: DataPath = [...path, 'expect', j];
    const e = mapping(x, at, EXPECT_KEYS, fail);
    if (e.status !== undefined && e.status !== 'firing' && e.status !== 'resolved') fail([...at, 'status'], "'status' is firing or resolved");
    return {
      atMs: e.at === undefined ? undefined : duration(e.at, [...at, 'at'], fail),
      rule: e.rule as string | undefined,
      status: e.status as ExpectedAlert['status'],
      group: e.group as ExpectedAlert['group'],
      aggregates: e.aggregates as ExpectedAlert['aggregates'],
    };
  });
  const rules = t.rules === undefined ? defaultRules : Array.isArray(t.rules) ? t.rules.map(String) : fail([...path, 'rules'], "'rules' must be a list of rule ids");
  return { name: t.name as string, file: source.file, line: source.locate(path).line, startMs, rules, sequences, recorded, expect };
}
