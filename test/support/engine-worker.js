#!/usr/bin/env node
/*
 * An engine-role detector as its own process, for scale-out tests: judges the partitions it owns
 * on the Redis at argv[2] (argv[3] partitions) with the rules at argv[4...] and prints one JSON line per alert, plus
 * {"owned":[...]} whenever its partitions change. SIGTERM stops it gracefully. Needs a build.
 */
'use strict';
const { createDetector } = require('../../dist/src');
const { createLogger } = require('../../dist/src/logging/create-logger');

const [url, partitions, ...rules] = process.argv.slice(2);
const detector = createDetector({
  role: 'engine',
  rules,
  redisUrl: url,
  queue: { partitions: Number(partitions) },
  engine: { tickMs: 200, latenessMs: 3000 },
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
