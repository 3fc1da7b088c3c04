#!/usr/bin/env node
/*
 * Builds the collector: the BPF object (bpf/Makefile: clang + bpftool) and the N-API addon
 * (node-gyp). Runs as the package's install script. The collector is optional: when it cannot
 * be built (not Linux, a tool missing), the install still succeeds and the reason is written to
 * native/build-status.json, which the collector reports when asked to start. `--strict` makes a
 * failed build fail the command (for development and CI).
 */
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

const root = join(__dirname, '..');
const statusFile = join(root, 'native', 'build-status.json');
const strict = process.argv.includes('--strict');

function finish(ok, reason) {
  writeFileSync(statusFile, JSON.stringify({ ok, reason, builtAt: new Date().toISOString() }, null, 2) + '\n');
  if (ok) {
    console.log('tcpwarden: collector built');
    return;
  }
  console.warn(`tcpwarden: collector not built: ${reason}`);
  console.warn('tcpwarden: everything that does not need the kernel (replay, rules) still works.');
  if (strict) process.exit(1);
}

function which(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(r.stderr || '');
    const last = (r.stderr || '').trim().split('\n').filter(Boolean).pop() || `exit ${r.status}`;
    return `${cmd} ${args.join(' ')} failed: ${last}`;
  }
  return null;
}

function nodeGyp() {
  // npm passes its bundled node-gyp to install scripts; outside npm, find the one npm ships.
  if (process.env.npm_config_node_gyp) return process.env.npm_config_node_gyp;
  const bundled = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  return existsSync(bundled) ? bundled : null;
}

// Build against the running Node's own headers when they are installed beside it (no download).
function nodeHeaders() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = join(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node.h')) ? [`--nodedir=${prefix}`] : [];
}

function main() {
  if (process.platform !== 'linux') return finish(false, `the collector needs Linux (this is ${process.platform})`);
  const missing = [
    ['clang', which('clang'), 'clang'],
    ['bpftool', which('bpftool') || existsSync('/usr/sbin/bpftool'), 'bpftool'],
    ['libbpf headers', existsSync('/usr/include/bpf/libbpf.h'), 'libbpf-dev'],
    ['a C++ compiler', which('g++') || which('c++'), 'g++'],
    ['make', which('make'), 'make'],
  ].filter(([, ok]) => !ok);
  if (missing.length > 0) {
    const pkgs = missing.map(([, , pkg]) => pkg).join(' ');
    return finish(false, `${missing.map(([what]) => what).join(', ')} not found: install with 'apt-get install ${pkgs}', then run 'npm rebuild tcpwarden'`);
  }
  if (!existsSync('/sys/kernel/btf/vmlinux')) {
    return finish(false, 'this kernel has no BTF (/sys/kernel/btf/vmlinux): the BPF program is built against it; use a kernel built with CONFIG_DEBUG_INFO_BTF=y');
  }
  const gyp = nodeGyp();
  if (!gyp) return finish(false, "node-gyp not found: run the install through npm, or 'npm install -g node-gyp'");
  const err =
    run('make', ['-s', '-C', 'bpf', `PATH=${process.env.PATH}:/usr/sbin:/sbin`]) ||
    run(process.execPath, [gyp, 'rebuild', '--directory', 'native', ...nodeHeaders()]);
  return err ? finish(false, err) : finish(true, null);
}

main();
