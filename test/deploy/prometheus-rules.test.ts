/**
 * deploy/prometheus-rules.yaml: valid for Prometheus (`promtool check rules`), its alerts fire
 * and stay quiet as the cases in prometheus-rules.promtool.yaml say (`promtool test rules`), and
 * it names only metrics tcpwarden exports. promtool comes with Debian's `prometheus` package
 * (scripts/install-deps.sh installs it).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Metrics } from '../../src/metrics/metrics';

const ROOT = join(__dirname, '..', '..');
const RULES = join(ROOT, 'deploy', 'prometheus-rules.yaml');

function promtool(...args: string[]): string {
  try {
    return execFileSync('promtool', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new Error('promtool is missing: install the Debian package prometheus (scripts/install-deps.sh does)');
    throw new Error(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

test('promtool check rules accepts the rules', () => {
  expect(promtool('check', 'rules', RULES)).toMatch(/SUCCESS: \d+ rules found/);
});

test('promtool test rules: the cases pass', () => {
  expect(promtool('test', 'rules', join(__dirname, 'prometheus-rules.promtool.yaml'))).toContain('SUCCESS');
});

test('every tcpwarden_ metric the rules name is one tcpwarden exports', async () => {
  const metrics = new Metrics({ processMetrics: false });
  const exported = new Set((await metrics.registry.getMetricsAsJSON()).map((m) => m.name));
  const named = new Set(readFileSync(RULES, 'utf8').match(/\btcpwarden_[a-z_]+/g));
  expect(named.size).toBeGreaterThan(0);
  expect([...named].filter((n) => !exported.has(n))).toEqual([]);
});
