#!/bin/bash
# Install what hotmem needs, idempotently.
#
#   scripts/deps.sh run     build + runtime packages (make run)
#   scripts/deps.sh check   those + test-only packages (make check, make bench),
#                           and the QEMU guest kernels of tests/kernel (unpacked)
#
# Package lists live in scripts/deps/*.list, one Debian package a line;
# files named *-test.list are only needed by the tests.  Missing packages
# are installed with apt-get when we are root; otherwise we print the
# command to run and stop.
set -euo pipefail
mode=${1:-check}
here=$(cd "$(dirname "$0")" && pwd)

lists=()
for f in "$here"/deps/*.list; do
	case "$f" in
	*-test.list) [ "$mode" = check ] && lists+=("$f") ;;
	*) lists+=("$f") ;;
	esac
done
# Guest kernels (scripts/deps/*.unpack, "NAME META-PACKAGE" a line): the
# meta-package's current linux-image, its -unsigned build, downloaded and
# unpacked into tests/kernel/cache/NAME/ -- never installed.  A failure
# only warns: tests/kernel skips loudly without the kernel.
unpack_kernels() {
	local cache=$here/../tests/kernel/cache name meta img tmp
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here"/deps/*.unpack 2>/dev/null |
	while read -r name meta; do
		img=$(apt-cache depends "$meta" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -1)
		[ -n "$img" ] || { echo "hotmem: $meta: no linux-image in the archive (apt-get update?)" >&2; continue; }
		img=$img-unsigned
		[ "$(cat "$cache/$name/.package" 2>/dev/null)" = "$img" ] && continue
		echo "hotmem: fetching $img into tests/kernel/cache/$name (dpkg -x, not installed)" >&2
		tmp=$(mktemp -d)
		# stale package lists name a version the archive dropped: update once
		if ! (cd "$tmp" && apt-get download "$img" >&2 2>&1) && [ "$(id -u)" -eq 0 ]; then
			apt-get update >&2 || true
			img=$(apt-cache depends "$meta" | sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -1)-unsigned
		fi
		if { ls "$tmp"/*.deb >/dev/null 2>&1 || (cd "$tmp" && apt-get download "$img" >&2 2>&1); } &&
		   dpkg -x "$tmp"/"$img"_*.deb "$tmp/x"; then
			rm -rf "$cache/$name"
			mkdir -p "$cache"
			echo "$img" > "$tmp/x/.package"
			mv "$tmp/x" "$cache/$name"
		else
			echo "hotmem: could not fetch $img (tests/kernel will skip its guest)" >&2
		fi
		rm -rf "$tmp"
	done
}
[ "$mode" = check ] && unpack_kernels

mapfile -t pkgs < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "${lists[@]}" | tr -s ' \t' '\n' | sed '/^$/d' | sort -u)

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "hotmem: missing packages: ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
	echo "hotmem: not root; install them with:" >&2
	echo "  sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "hotmem: installing with apt-get (as root)..." >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends "${missing[@]}" >&2; then
	apt-get update >&2
	apt-get install -y --no-install-recommends "${missing[@]}" >&2
fi
