#!/usr/bin/env bash
# Installs what tcpwarden needs on Debian 12 (or Ubuntu): the collector's build toolchain, the
# tools the tests and benchmarks drive, and the npm packages. Installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Node.js comes first: Debian 12's own is 18, too old; tcpwarden needs 20 or later.
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if ((node_major < 20)); then
  echo "install-deps: tcpwarden needs Node.js 20 or later with npm (found: $(node --version 2>/dev/null || echo none)); install it, then run this again" >&2
  exit 1
fi

# Debian packages: build (clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev make g++ pkg-config),
# tests (redis-server iproute2 iptables nftables; qemu-system-x86 busybox-static cpio file to run
# the BPF program on Debian's Linux 6.1 and 5.10 in a VM, curl xz-utils to fetch the 5.10 image;
# prometheus-alertmanager, run by the Alertmanager sink's tests, and prometheus for promtool, which
# checks deploy/prometheus-rules.yaml),
# benchmarks (bpftrace linux-perf).
PACKAGES=(clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev make g++ pkg-config python3
  redis-server iproute2 iptables nftables qemu-system-x86 busybox-static cpio file curl xz-utils
  prometheus-alertmanager prometheus bpftrace linux-perf)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing Debian packages: ${missing[*]}; run as root (sudo) to install them" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The tests run their own Alertmanager; the packages' services (ports 9090, 9093), started by apt
  # under systemd, are not wanted: stop and disable the ones installed just now.
  if [[ -d /run/systemd/system ]]; then
    for p in "${missing[@]}"; do
      case $p in prometheus | prometheus-alertmanager) systemctl disable --now "$p" >/dev/null 2>&1 || true ;; esac
    done
  fi
fi

# npm packages exactly as locked; this also builds the collector and the TypeScript.
npm ci --no-audit --no-fund
