#!/bin/sh
# mkinitramfs.sh HOTMEM_TRACE_STATIC OUT.cpio.gz [INIT [FILE...]]
# A busybox initramfs: busybox-static, INIT (default guest-init) as /init,
# scenario.sh and vmem-scenario.sh, hotmem-trace, each FILE in / (e.g. a
# decompressed guest module).
# Rebuilt only when one of those changed (cache key next to OUT).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tracer=$1
out=$2
init=${3:-$here/guest-init}
[ $# -gt 3 ] && shift 3 || set --
busybox=$(command -v busybox)
key=$(cat "$busybox" "$init" "$here/scenario.sh" "$here/vmem-scenario.sh" "$tracer" "$@" |
	sha256sum | cut -d' ' -f1)
if [ -f "$out" ] && [ "$(cat "$out.key" 2>/dev/null)" = "$key" ]; then
	exit 0
fi
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
mkdir -p "$d/bin" "$d/proc" "$d/sys" "$d/dev" "$d/tmp"
cp "$busybox" "$d/bin/busybox"
cp "$init" "$d/init"
cp "$here/scenario.sh" "$here/vmem-scenario.sh" "$d/"
for f in "$@"; do cp "$f" "$d/"; done
cp "$tracer" "$d/bin/hotmem-trace"
strip "$d/bin/hotmem-trace" 2>/dev/null || true
mkdir -p "$(dirname "$out")"
# a temporary name of this run's own: two runs at once never write one file
(cd "$d" && find . | cpio -o -H newc --quiet) | gzip -1 > "$out.tmp.$$"
mv "$out.tmp.$$" "$out"
echo "$key" > "$out.key.$$" && mv "$out.key.$$" "$out.key"
