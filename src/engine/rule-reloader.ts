import { watch, type FSWatcher } from 'node:fs';
import type { Logger } from 'pino';
import { formatDiagnostic } from '../rules/diagnostic';
import type { LoadResult } from '../rules/load-result';
import { loadRules } from '../rules/loader';
import type { CompiledRule } from '../rules/compiled-rule';

/** How long file changes are gathered before one reload: editors write a file in several steps. */
const SETTLE_MS = 200;

/** What a reload replaces the rules of: an Engine or a PartitionedEngine. */
export interface RuleHolder {
  readonly rules: CompiledRule[];
  setRules(rules: CompiledRule[]): void;
}

/**
 * Hot reload of rule files into a running engine. `reload()` (what SIGHUP calls) loads the paths
 * again: a valid set replaces the engine's rules, keeping the windows and alerts of every rule
 * whose fingerprint did not change; an invalid set is rejected with its errors logged, and the
 * old rules keep running. `watch()` reloads when the files change, `reloadOnSighup()` on SIGHUP.
 * Reloads never overlap.
 */
export class RuleReloader {
  private watchers: FSWatcher[] = [];
  private readonly onSighup = (): void => void this.reload();
  private timer: NodeJS.Timeout | undefined;
  private last: Promise<LoadResult> | undefined;

  constructor(
    private readonly paths: string[],
    private readonly engine: RuleHolder,
    private readonly log: Pick<Logger, 'info' | 'warn' | 'error'>,
  ) {}

  reload(): Promise<LoadResult> {
    const run = async (): Promise<LoadResult> => {
      const result = await loadRules(this.paths);
      for (const w of result.warnings) this.log.warn({ code: w.code }, formatDiagnostic(w));
      if (!result.ok) {
        for (const e of result.errors) this.log.error({ code: e.code }, formatDiagnostic(e));
        this.log.error({ errors: result.errors.length }, 'rule reload rejected: the running rules stay in force');
        return result;
      }
      const before = new Map(this.engine.rules.map((r) => [r.id, r.fingerprint]));
      this.engine.setRules(result.rules);
      const kept = result.rules.filter((r) => before.get(r.id) === r.fingerprint).map((r) => r.id);
      this.log.info({ rules: result.rules.length, kept: kept.length }, 'rules reloaded; unchanged rules kept their windows');
      return result;
    };
    this.last = (this.last ?? Promise.resolve(undefined)).then(run, run);
    return this.last;
  }

  /** Reloads whenever a file under the paths changes. */
  watch(): void {
    for (const path of this.paths) {
      const watcher = watch(path, { recursive: true }, () => {
        clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.reload(), SETTLE_MS);
      });
      watcher.on('error', (err) => this.log.error({ err, path }, 'watching rule files failed; use reload (SIGHUP)'));
      this.watchers.push(watcher);
    }
  }

  /** Reloads on SIGHUP, the usual "reread your configuration" signal. */
  reloadOnSighup(): void {
    process.on('SIGHUP', this.onSighup);
  }

  /** Stops watching and listening for SIGHUP. */
  close(): void {
    process.off('SIGHUP', this.onSighup);
    clearTimeout(this.timer);
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }
}
