# shellcheck shell=bash
# Sourced by tests/docs/*.t: where the build and the source tree are, and
# TAP's ok/notok (notok's further arguments are printed as # lines).
set -u
B=${HOTMEM_BUILD:-build}
src=${HOTMEM_SRC:-.}
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
# need_strict, need_whole_skip: tests/need.sh (under make check or CI what
# it builds and installs is there: its absence a failure, not a skip)
. "$(dirname "${BASH_SOURCE[0]}")/../need.sh"
# skip_check NAME REASON: one check skipped by hand, failed under make check
skip_check() { if need_strict; then notok "$1 ($2; make check builds and installs it)"; else ok "$1 # SKIP $2"; fi; }
