#!/usr/bin/env node
/*
 * Paced traffic for the attack scenarios (test/scenarios/), run inside a test's own network
 * namespace (`ip netns exec` or `nsenter`). Plain JavaScript so it runs without a build. Every
 * mode runs for MS milliseconds at RATE connections per second (paced every 10 ms, so the load is
 * steady rather than one burst), then prints one JSON line with what it did, including `started`
 * (epoch ms of the first packet) so a test can time detection from the traffic itself.
 *
 *   synflood HOST PORT RATE MS [SRC,SRC,...]  connects left half-open (the test drops the SYN-ACKs);
 *                                             each bound to the next source address when given
 *   churn HOST PORT RATE MS CLOSE             short connections: connect, send a line, then CLOSE:
 *                                             end (a clean FIN) | linger0 (SO_LINGER 0: a reset) |
 *                                             wait (until the server closes or resets)
 *   refuse HOST PORT RATE MS                  connects to a port with no listener
 *   download HOST PORT MS                     one connection reading everything a `serve source` sends
 *   reconnect HOST PORT CLIENTS MS RETRY_MS   CLIENTS connections kept open; a closed or refused one
 *                                             reconnects after RETRY_MS (clients of a restarting server)
 */
'use strict';
const net = require('node:net');

const [mode, host, portArg, ...rest] = process.argv.slice(2);
const port = Number(portArg);
const outcomes = {};
const count = (o) => (outcomes[o] = (outcomes[o] || 0) + 1);
let started = 0;
const done = (extra = {}) => {
  process.stdout.write(JSON.stringify({ started, ...extra, outcomes }) + '\n');
  process.exit(0);
};

/** Calls `one(i)` RATE times a second for MS, then `finish()`. */
function paced(rate, ms, one, finish) {
  started = Date.now();
  let issued = 0;
  const timer = setInterval(() => {
    const elapsed = Date.now() - started;
    const due = Math.min(Math.floor((rate * Math.min(elapsed, ms)) / 1000), Math.ceil((rate * ms) / 1000));
    while (issued < due) one(issued++);
    if (elapsed >= ms) {
      clearInterval(timer);
      finish(issued);
    }
  }, 10);
  one(issued++);
}

function synflood(rate, ms, sources) {
  const sockets = [];
  paced(
    rate,
    ms,
    (i) => {
      const s = net.connect({ host, port, ...(sources.length ? { localAddress: sources[i % sources.length] } : {}) });
      s.on('connect', () => count('connected'));
      s.on('error', (err) => count(err.code));
      sockets.push(s);
    },
    (issued) => {
      // Closing a socket still in SYN_SENT sends nothing: the listener is left with its half-open
      // requests, as after a spoofed flood.
      for (const s of sockets) s.destroy();
      done({ issued, sources: sources.length || 1 });
    },
  );
}

/**
 * Opens connections with `open(ended)` RATE times a second for MS; each calls `ended()` once its
 * connection is over. Prints the result once the last one issued has ended.
 */
function pacedConnections(rate, ms, open) {
  let live = 0;
  let issuedTotal = null;
  const ended = () => {
    live--;
    if (issuedTotal !== null && live === 0) done({ issued: issuedTotal });
  };
  paced(
    rate,
    ms,
    () => {
      live++;
      open(ended);
    },
    (issued) => {
      issuedTotal = issued;
      if (live === 0) done({ issued });
    },
  );
}

function churn(rate, ms, close) {
  pacedConnections(rate, ms, (ended) => {
    const s = net.connect({ host, port });
    const end = (o) => {
      if (s.counted) return;
      s.counted = true;
      count(o);
      ended();
    };
    s.setTimeout(5000, () => (s.destroy(), end('timeout')));
    s.once('connect', () => {
      s.write('hello tcpwarden\n');
      if (close === 'linger0') {
        s.resetAndDestroy();
        end('reset-sent');
      } else if (close === 'end') {
        s.end();
      }
    });
    s.on('data', () => undefined);
    s.once('error', (err) => end(err.code));
    s.once('close', () => end('closed'));
  });
}

function refuse(rate, ms) {
  pacedConnections(rate, ms, (ended) => {
    const s = net.connect({ host, port });
    s.once('connect', () => (s.destroy(), count('connected'), ended()));
    s.once('error', (err) => (count(err.code), ended()));
  });
}

function download(ms) {
  let bytes = 0;
  started = Date.now();
  const s = net.connect({ host, port });
  s.on('data', (d) => (bytes += d.length));
  s.on('error', (err) => count(err.code));
  setTimeout(() => {
    s.destroy();
    done({ bytes, seconds: ms / 1000 });
  }, ms);
}

function reconnect(clients, ms, retryMs) {
  started = Date.now();
  let stopping = false;
  const sockets = new Set();
  const open = () => {
    if (stopping) return;
    const s = net.connect({ host, port });
    sockets.add(s);
    s.on('connect', () => count('connected'));
    s.on('data', () => undefined);
    s.on('error', (err) => count(err.code));
    s.on('close', () => {
      sockets.delete(s);
      setTimeout(open, retryMs);
    });
  };
  for (let i = 0; i < clients; i++) open();
  setTimeout(() => {
    stopping = true;
    for (const s of sockets) s.end();
    setTimeout(() => done({ clients }), 200);
  }, ms);
}

switch (mode) {
  case 'synflood': synflood(Number(rest[0]), Number(rest[1]), rest[2] ? rest[2].split(',') : []); break;
  case 'churn': churn(Number(rest[0]), Number(rest[1]), rest[2]); break;
  case 'refuse': refuse(Number(rest[0]), Number(rest[1])); break;
  case 'download': download(Number(rest[0])); break;
  case 'reconnect': reconnect(Number(rest[0]), Number(rest[1]), Number(rest[2])); break;
  default:
    process.stderr.write(`attack-traffic.js: unknown mode ${mode}\n`);
    process.exit(2);
}
