# shellcheck shell=bash
# Sourced by tests/docs/*.t: where the build and the source tree are, and
# TAP's ok/notok (notok's further arguments are printed as # lines).
set -u
B=${HOTMEM_BUILD:-build}
src=${HOTMEM_SRC:-.}
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
