#!/usr/bin/env node
/*
 * Traffic for the kernel tests, run inside a test's own network namespace (`ip netns exec`).
 * Plain JavaScript so it runs without a build. Prints one JSON line with what it did.
 *
 *   refuse HOST PORT COUNT           COUNT connects to a port with no listener, one at a time
 *   scan HOST FROM TO                one connect to each port FROM..TO (closed ports: refused)
 *   serve HOST PORT MODE [BACKLOG]   listen; MODE: echo | abort (close with unread data: RST)
 *                                    | sink (read everything) | reset (SO_LINGER 0 close after the
 *                                    first data: RST) | source (send bulk data until the peer goes)
 *                                    | source:MBIT (the same, paced to MBIT megabits per second);
 *                                    prints {"ready":true}; runs until killed
 *   hello HOST PORT                  connect, send a line, read until the peer closes or resets
 *   bulk HOST PORT BYTES             connect and send BYTES, then close
 *   halfopen HOST PORT COUNT MS      COUNT connects left pending for MS (their SYN-ACKs are dropped)
 */
'use strict';
const net = require('node:net');

const [mode, host, portArg, ...rest] = process.argv.slice(2);
const port = Number(portArg);
const done = (result) => {
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(0);
};

function connectOnce() {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => (s.destroy(), resolve('connected')));
    s.once('error', (err) => resolve(err.code));
  });
}

async function refuse(count) {
  const outcomes = {};
  for (let i = 0; i < count; i++) {
    const o = await connectOnce();
    outcomes[o] = (outcomes[o] || 0) + 1;
  }
  done(outcomes);
}

async function scan(from, to) {
  const outcomes = {};
  for (let p = from; p <= to; p++) {
    const s = net.connect({ host, port: p });
    const o = await new Promise((resolve) => {
      s.once('connect', () => (s.destroy(), resolve('connected')));
      s.once('error', (err) => resolve(err.code));
    });
    outcomes[o] = (outcomes[o] || 0) + 1;
  }
  done(outcomes);
}

/**
 * Sends until the peer goes: as fast as TCP takes it, or paced to `mbit` (a link's speed: an
 * unpaced transfer over a veth runs at CPU speed, and the two CPUs reordering its segments make
 * the sender retransmit thousands of them per second with no loss at all).
 */
function pumpForever(s, mbit) {
  if (!mbit) {
    const chunk = Buffer.alloc(65536, 0x62);
    const pump = () => {
      while (!s.destroyed && s.write(chunk));
    };
    s.on('drain', pump);
    return pump();
  }
  const tick = 10;
  const slice = Buffer.alloc(Math.max(1, Math.round((mbit * 1e6) / 8 / (1000 / tick))), 0x62);
  const timer = setInterval(() => {
    if (s.destroyed) return clearInterval(timer);
    if (s.writableLength < slice.length * 4) s.write(slice);
  }, tick);
  s.once('close', () => clearInterval(timer));
}

function serve(kind, backlog) {
  const server = net.createServer({ pauseOnConnect: kind === 'abort' }, (s) => {
    s.on('error', () => undefined);
    if (kind === 'echo') s.pipe(s);
    else if (kind === 'sink') s.resume();
    else if (kind === 'abort') setTimeout(() => s.destroy(), 100); // unread data in the receive queue
    else if (kind === 'reset') s.once('data', () => s.resetAndDestroy());
    else if (kind.startsWith('source')) pumpForever(s, Number(kind.split(':')[1] ?? 0));
  });
  server.listen({ port, host, backlog }, () => process.stdout.write(JSON.stringify({ ready: true }) + '\n'));
}

function hello() {
  const s = net.connect({ host, port }, () => s.write('hello tcpwarden\n'));
  let bytes = 0;
  s.on('data', (d) => {
    bytes += d.length;
    if (bytes >= 16) s.end();
  });
  s.on('error', (err) => done({ error: err.code, bytes }));
  s.on('close', () => done({ closed: true, bytes }));
}

function bulk(total) {
  const chunk = Buffer.alloc(65536, 0x61);
  const s = net.connect({ host, port }, () => {
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        sent += chunk.length;
        if (!s.write(chunk)) return s.once('drain', pump);
      }
      s.end();
    };
    pump();
  });
  s.on('error', (err) => done({ error: err.code }));
  s.on('close', () => done({ sent: total }));
}

function halfopen(count, ms) {
  const sockets = [];
  for (let i = 0; i < count; i++) {
    const s = net.connect({ host, port });
    s.on('error', () => undefined);
    sockets.push(s);
  }
  setTimeout(() => {
    for (const s of sockets) s.destroy();
    done({ opened: count });
  }, ms);
}

switch (mode) {
  case 'refuse': refuse(Number(rest[0])); break;
  case 'scan': scan(port, Number(rest[0])); break;
  case 'serve': serve(rest[0], rest[1] === undefined ? 511 : Number(rest[1])); break;
  case 'hello': hello(); break;
  case 'bulk': bulk(Number(rest[0])); break;
  case 'halfopen': halfopen(Number(rest[0]), Number(rest[1])); break;
  default:
    process.stderr.write(`traffic.js: unknown mode ${mode}\n`);
    process.exit(2);
}
