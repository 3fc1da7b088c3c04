#!/usr/bin/env node
/*
 * An engine-role detector as its own process, for scale-out and failover tests. argv[2] is JSON:
 * { url, partitions, rules: [...], webhook?: URL, worker?: DetectorOptions.worker }. It judges the
 * partitions it owns and prints one JSON line per alert, plus {"owned":[...]} whenever its
 * partitions change. With `webhook`, alerts also go there, delivered through the same Redis.
 * SIGTERM stops it gracefully. Needs a build.
 */
'use strict';
const { createDetector } = require('../../dist/src');
const { createLogger } = require('../../dist/src/logging/create-logger');
const { webhookSinksFromUrls } = require('../../dist/src/alerts/webhook-sinks-from-urls');

const { url, partitions, rules, webhook, worker } = JSON.parse(process.argv[2]);
const detector = createDetector({
  role: 'engine',
  rules,
  redisUrl: url,
  queue: { partitions },
  worker,
  engine: { tickMs: 200, latenessMs: 3000 },
  ...(webhook ? { alerts: { sinks: webhookSinksFromUrls([webhook]), delivery: { redisUrl: url } } } : {}),
  logger: createLogger({ level: 'silent' }),
});
const print = (o) => process.stdout.write(JSON.stringify(o) + '\n');
detector.on('alert', (alert) => print({ alert }));
let owned = '';
detector.start().then(() => {
  setInterval(() => {
    const now = JSON.stringify(detector.ownedPartitions());
    if (now !== owned) print({ owned: JSON.parse((owned = now)) });
  }, 100);
});
process.on('SIGTERM', () => detector.stop().then(() => process.exit(0)));
