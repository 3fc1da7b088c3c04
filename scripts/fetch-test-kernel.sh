#!/usr/bin/env bash
# Fetches the kernel images the old-kernel tests boot under qemu (test/legacy-kernel/): Debian 12's
# own Linux 6.1 (pre-6.10 tracepoint layouts) and Debian 11's Linux 5.10 (pre-5.17 and pre-5.18:
# no kfree_skb drop reason, no `family` in the TCP tracepoints). Debian packages, unpacked,
# nothing installed; only the kernel images are kept, in .cache/kernels/. A kernel that cannot be
# fetched (no network) is left out, and its test is skipped saying why.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .cache/kernels

# unpack_kernel DEB DEST: keeps the package's kernel image as DEST.
unpack_kernel() {
  local tmp
  tmp=$(mktemp -d)
  dpkg -x "$1" "$tmp/x"
  cp "$tmp"/x/boot/vmlinuz-* "$2"
  rm -rf "$tmp"
}

dest=.cache/kernels/linux-6.1-cloud-amd64.vmlinuz
if [[ ! -f $dest ]]; then
  pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-6\.1/ { print $2; exit }')
  if [[ -z $pkg ]]; then
    echo "fetch-test-kernel: no linux-image-6.1 package known to apt (run apt-get update); the 6.1 test will be skipped" >&2
  else
    tmp=$(mktemp -d)
    (cd "$tmp" && apt-get download -q "$pkg" 2>/dev/null)
    unpack_kernel "$tmp"/*.deb "$dest"
    rm -rf "$tmp"
    echo "fetch-test-kernel: $pkg -> $dest"
  fi
fi

# Debian 11 is not in this machine's apt sources: its package index names the current 5.10 image.
dest=.cache/kernels/linux-5.10-cloud-amd64.vmlinuz
if [[ ! -f $dest ]]; then
  mirror=http://deb.debian.org/debian
  tmp=$(mktemp -d)
  file=$(curl -fsS --max-time 60 "$mirror/dists/bullseye/main/binary-amd64/Packages.xz" 2>/dev/null | xz -dc 2>/dev/null |
    awk '/^Package: linux-image-5\.10\.0-[0-9]+-cloud-amd64$/ { hit = 1; next } /^Package:/ { hit = 0 } hit && /^Filename:/ { print $2 }' |
    sort -V | tail -n 1) || true
  if [[ -n $file ]] && curl -fsS --max-time 300 -o "$tmp/k.deb" "$mirror/$file"; then
    unpack_kernel "$tmp/k.deb" "$dest"
    echo "fetch-test-kernel: $(basename "$file") -> $dest"
  else
    echo "fetch-test-kernel: could not fetch Debian 11's linux-image-5.10 from $mirror; the 5.10 test will be skipped" >&2
  fi
  rm -rf "$tmp"
fi
