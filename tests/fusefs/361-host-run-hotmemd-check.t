#!/bin/bash
# The check every fusefs test ends with (done_testing): no hotmemd of the
# test wrote the host's /run/hotmemd.  It compared the directory's mtimes
# and sizes before and after, so a host running its own hotmemd (which
# rewrites offlined on every host offline and online) failed every test,
# and a directory it could not read gave the same error twice and passed
# without looking (reread38 R7).  It now looks for what a test's hotmemd
# writes there -- a key line naming a sysroot in the test's $TMP -- and
# skips, saying why, where it cannot read.  Each case is a test of its own
# (lib.sh sourced, its /run/hotmemd pointed at a directory here), its TAP
# matched; nothing is mounted, the host's /run/hotmemd is not touched.
. "$(dirname "$0")/lib.sh"
FAKE=$TMP/run-hotmemd
NAME="the host's /run/hotmemd untouched"

# host_files: what a host's own hotmemd keeps there (sysroot /)
host_files() {
	rm -rf "$FAKE" && mkdir -p "$FAKE" &&
		printf 'machine block_size 134217728 boot_id b1 sysroot /\n0-7\n' >"$FAKE/boot-blocks" &&
		printf 'boot_id b1 sysroot /\n16\n' >"$FAKE/offlined"
}
# sub [RUNAS...] -- CODE: CODE run by a test of its own (bash, lib.sh
# sourced, its $HOST_RUN_HOTMEMD the one here), then its done_testing;
# its TAP
sub() {
	local as=()
	while [ "$1" != -- ]; do as+=("$1"); shift; done
	"${as[@]}" env HOTMEM_TEST_HOST_RUN_HOTMEMD="$FAKE" \
		bash -c '. "$(dirname "$0")/lib.sh"; '"$2"'; done_testing' \
		"$HOTMEM_SRC/tests/fusefs/probe.t" 2>&1
}
# expect NAME WANT-REGEX OUTPUT: OUTPUT matches
expect() {
	[[ $3 =~ $2 ]]
	tap_ok $? "$1" || sed 's/^/#   /' <<<"$3"
}

host_files
expect "a host's hotmemd rewriting its files meanwhile: no test's doing, the check passes" \
	"^ok 1 - $NAME" \
	"$(sub -- 'sleep 0.02; printf "boot_id b1 sysroot /\n16-17\n" >"$HOST_RUN_HOTMEMD/offlined"')"
host_files
expect "another test's hotmemd there meanwhile: not this test's, the check passes" \
	"^ok 1 - $NAME" \
	"$(sub -- 'printf "boot_id b1 sysroot /tmp/hotmemfs-test.zzzzzz/mnt\n" >"$HOST_RUN_HOTMEMD/offlined"')"
host_files
expect "this test's hotmemd there: the check fails, naming the file" \
	"not ok 1 - $NAME.*# .*/boot-blocks" \
	"$(sub -- 'printf "machine block_size 1 boot_id b1 sysroot %s/mnt\n0\n" "$TMP" >"$HOST_RUN_HOTMEMD/boot-blocks"')"
host_files
expect "this test's hotmemd making the directory: the check fails" \
	"not ok 1 - $NAME" \
	"$(rm -rf "$FAKE"; sub -- 'mkdir "$HOST_RUN_HOTMEMD" && printf "boot_id b1 sysroot %s/mnt\n" "$TMP" >"$HOST_RUN_HOTMEMD/offlined"')"
expect "an empty /run/hotmemd appearing during the test: the check fails, saying it appeared" \
	"not ok 1 - $NAME \\(it appeared during this test" \
	"$(rm -rf "$FAKE"; sub -- 'mkdir "$HOST_RUN_HOTMEMD"')"
host_files
expect "no /run/hotmemd at all: the check passes" "^ok 1 - $NAME" "$(rm -rf "$FAKE"; sub -- :)"

# a directory it cannot read: a skip saying so (as nobody: root reads any)
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
# as_nobody_ok: root, setpriv, and a tree nobody can read
as_nobody_ok() {
	[ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null &&
		"${NOBODY[@]}" test -r "$HOTMEM_SRC/tests/fusefs/lib.sh"
}
host_files
if as_nobody_ok; then
	chmod 711 "$TMP" && chmod 700 "$FAKE"
	expect "a /run/hotmemd it cannot read: a skip saying so, not a pass" \
		"^ok 1 # SKIP $NAME: cannot read .*Permission denied" \
		"$(sub "${NOBODY[@]}" -- :)"
else
	T_N=$((T_N + 1))
	echo "ok $T_N # SKIP an unreadable /run/hotmemd: needs root, setpriv and a tree nobody can read"
fi
done_testing
