#!/usr/bin/env bash
# Fetches Debian 12's own Linux 6.1 kernel image (a Debian package, unpacked, nothing installed)
# for the test that runs the collector's BPF program on the pre-6.10 tracepoint layouts in a VM
# (test/legacy-kernel/). Keeps only the kernel image, in .cache/kernels/.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.cache/kernels/linux-6.1-cloud-amd64.vmlinuz
[[ -f $dest ]] && exit 0
pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-6\.1/ { print $2; exit }')
if [[ -z $pkg ]]; then
  echo "fetch-test-kernel: no linux-image-6.1 package known to apt (run apt-get update); the old-kernel test will be skipped" >&2
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download -q "$pkg" 2>/dev/null && dpkg -x ./*.deb x)
mkdir -p "$(dirname "$dest")"
cp "$tmp"/x/boot/vmlinuz-* "$dest"
echo "fetch-test-kernel: $pkg -> $dest"
