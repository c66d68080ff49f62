#!/bin/bash
# tests/daemon/lib.sh's done_testing checks, as tests/fusefs/lib.sh's
# does (one function, tests/host_run_hotmemd.sh), that no hotmemd of the
# test wrote the host's /run/hotmemd -- a line only when it fails or
# cannot look, the plans as they were: a hotmemd started without
# --state-dir by a daemon, reliability or systemd test wrote the host's
# records there unseen.  Each case is a test of its own (lib.sh sourced,
# its /run/hotmemd pointed at a directory here), its TAP matched; the
# host's /run/hotmemd is not touched.
. "$(dirname "$0")/lib.sh"
FAKE=$TMP/run-hotmemd
NAME="the host's /run/hotmemd untouched"

# host_files: what a host's own hotmemd keeps there (sysroot /)
host_files() {
	rm -rf "$FAKE" && mkdir -p "$FAKE" &&
		printf 'machine block_size 134217728 boot_id b1 sysroot /\n0-7\n' >"$FAKE/boot-blocks" &&
		printf 'boot_id b1 sysroot /\n16\n' >"$FAKE/offlined"
}
# sub CODE: CODE run by a test of its own (lib.sh sourced, its
# HOST_RUN_HOTMEMD the one here), then its done_testing; its TAP
sub() {
	HOTMEM_TEST_HOST_RUN_HOTMEMD="$FAKE" \
		bash -c '. "$(dirname "$0")/lib.sh"; ok "a check"; '"$1"'; done_testing' \
		"$HOTMEM_SRC/tests/daemon/probe.t" 2>&1
}
# expect DESC WANT-REGEX OUTPUT: OUTPUT matches
expect() {
	if [[ $3 =~ $2 ]]; then ok "$1"; else nok "$1"; sed 's/^/#   /' <<<"$3"; fi
}

host_files
expect "a host's hotmemd's files: not this test's, the check passes (no line)" \
	"^ok 1 - a check"$'\n'"1..1$" "$(sub :)"
host_files
expect "this test's hotmemd there (its sysroot in \$TMP): the check fails, naming the file" \
	"not ok 2 - $NAME .*# .*/offlined.*"$'\n'"1..2" \
	"$(sub 'printf "boot_id b1 sysroot %s/root\n" "$TMP" >"$HOST_RUN_HOTMEMD/offlined"')"
expect "... and the test fails" "^1$" "$(sub 'printf "boot_id b1 sysroot %s/root\n" "$TMP" >"$HOST_RUN_HOTMEMD/offlined"' >/dev/null; echo $?)"
expect "no /run/hotmemd at all: the check passes (no line)" "^ok 1 - a check"$'\n'"1..1$" "$(rm -rf "$FAKE"; sub :)"
done_testing
