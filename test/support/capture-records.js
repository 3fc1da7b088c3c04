#!/usr/bin/env node
/*
 * Records raw ring-buffer records from this kernel for the decoder's unit tests:
 *   sudo node test/support/capture-records.js > test/collector/fixtures/records-<kernel>.json
 * Makes loopback traffic in a namespace of its own (refused v4/v6/v4-mapped connects, a reset
 * on an established connection) and writes each record as hex with the tracepoint that wrote it,
 * and the kernel's reset-reason enum the decoder needs to name them.
 * Needs a build (npm run build).
 */
'use strict';
const { execFileSync } = require('node:child_process');
const { statSync } = require('node:fs');
const { release } = require('node:os');
const { Collector } = require('../../dist/src/collector/collector');
const { TRACEPOINT_NAMES, RECORD_SIZE, OFFSET } = require('../../dist/src/collector/record-layout');
const { loadAddon } = require('../../dist/src/collector/native-addon');

const ns = `twcap${process.pid}`;
const inNs = (cmd, args) => execFileSync('ip', ['netns', 'exec', ns, cmd, ...args], { encoding: 'utf8' });
const script = `
const net = require('net');
const refuse = (o) => new Promise((r) => net.connect(o).on('error', r));
(async () => {
  await refuse({ host: '127.0.0.1', port: 7 });
  await refuse({ host: '::1', port: 7 });
  await refuse({ host: '::ffff:127.0.0.1', port: 7 });
  const srv = net.createServer({ pauseOnConnect: true }, (s) => setTimeout(() => s.destroy(), 50)).listen(9000, '127.0.0.1');
  await new Promise((r) => srv.on('listening', r));
  await new Promise((r) => { const c = net.connect(9000, '127.0.0.1', () => c.write('x')); c.on('error', r); c.on('close', r); });
  srv.close();
})();`;

async function main() {
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    const collector = new Collector({ netns: statSync(`/run/netns/${ns}`).ino });
    const records = [];
    collector.on('records', (buf) => {
      for (let at = 0; at < buf.length; at += RECORD_SIZE) {
        records.push({ tracepoint: TRACEPOINT_NAMES[buf[at + OFFSET.tracepoint]], hex: buf.subarray(at, at + RECORD_SIZE).toString('hex') });
      }
    });
    collector.start();
    inNs(process.execPath, ['-e', script]);
    await new Promise((r) => setTimeout(r, 300));
    await collector.stop();
    process.stdout.write(JSON.stringify({ kernel: release(), resetReasons: loadAddon().btfEnum('sk_rst_reason'), records }, null, 1) + '\n');
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
  }
}

main().catch((err) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
