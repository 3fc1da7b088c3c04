/**
 * Embedding tcpwarden: a detector with the shipped rules, its alerts handled in code.
 *
 *   sudo npx ts-node examples/embedded-detector.ts      (or, built: sudo node dist/examples/embedded-detector.js)
 *
 * Runs for DURATION seconds (default 30; 0 = until Ctrl-C), printing each alert as it fires and
 * the loss figures at the end. Needs root for the kernel collector.
 */
import { createDetector, type Alert } from '../src';

async function main(): Promise<void> {
  const seconds = Number(process.env.DURATION ?? 30);
  const detector = createDetector({
    // The shipped rules, plus a webhook (Slack-compatible here) for high and critical alerts.
    alerts: {
      sinks: process.env.SLACK_WEBHOOK_URL ? [{ type: 'webhook', id: 'slack', url: process.env.SLACK_WEBHOOK_URL, format: 'slack', minSeverity: 'high' }] : [],
      delivery: { stateDir: process.env.STATE_DIR ?? '/var/lib/tcpwarden' },
    },
  });

  detector.on('alert', (alert: Alert) => {
    console.log(`${alert.status} ${alert.rule.severity} ${alert.rule.id}: ${alert.summary}`);
  });
  detector.on('loss', ({ stage, events }) => console.error(`lost ${events} events at ${stage}`));
  detector.on('error', (err) => console.error(`detector error: ${err.message}`));

  await detector.start();
  console.log(`watching with ${detector.rules.length} rules`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    if (seconds > 0) setTimeout(resolve, seconds * 1000);
  });
  await detector.stop();
  console.log('stopped');
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exitCode = 1;
});
