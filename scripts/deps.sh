#!/bin/bash
# Install what hotmem needs, idempotently.
#
#   scripts/deps.sh run     build + runtime packages (make run)
#   scripts/deps.sh check   those + test-only packages (make check, make bench)
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
