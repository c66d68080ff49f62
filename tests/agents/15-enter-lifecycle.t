#!/bin/bash
# hotmem-enter's own lifecycle: a hotmemfs that exits before mounting is
# reaped once and never signalled afterwards (its pid is free for reuse);
# --rules DIR under /run is bound although the private /run hides /run.
. "$(dirname "$0")/../fusefs/lib.sh"
need_enter
need_tool strace strace

# hotmemfs "exits before mounting": hotmem-enter gives up (125) and sends
# no signal at all -- the only kill() it could make is to the reaped pid
HOTMEMFS=/bin/false strace -f -qq -e trace=kill -e signal=none -o "$TMP/strace" \
	"$ENTER" -- true 2>"$TMP/err"
is "$?" 125 "hotmemfs exiting before it mounts: exit status 125"
grep -q "hotmemfs exited (status 1) before mounting" "$TMP/err"
tap_ok $? "and says hotmemfs exited before mounting"
grep -q 'kill(' "$TMP/strace"
tap_ok $((!$?)) "no signal to the already reaped hotmemfs pid"
[ "$T_FAIL" -gt 0 ] && sed 's/^/# strace: /' "$TMP/strace"

# a rules directory under /run, which the private /run hides
RULES=$(mktemp -d /run/hotmem-enter-rules.XXXXXX)
trap 'in_test_shell && { rm -rf "$RULES"; cleanup; }' EXIT # and lib.sh's
echo 'SUBSYSTEM=="memory", ACTION=="add", ATTR{state}=="offline", ATTR{state}="online"' >"$RULES/80-t.rules"
out=$("$ENTER" --rules "$RULES" --profile qemu-512m -- sh -c '
	ls /etc/udev/rules.d; ls -d /run/hotmem-enter-rules.* 2>/dev/null || true' 2>"$TMP/err")
is "$?" 0 "--rules under /run: entered"
is "$out" "80-t.rules" "its rule is in /etc/udev/rules.d, /run stays private"
out=$("$ENTER" --rules "$RULES/80-t.rules" --profile qemu-512m -- ls /etc/udev/rules.d 2>"$TMP/err")
is "$?" 0 "--rules naming a file under /run: entered (a rules file, as hotmem-conform takes)"
is "$out" "80-t.rules" "... the file alone in /etc/udev/rules.d"
"$ENTER" --rules "$RULES/none" -- true 2>"$TMP/err"
grep -q -- "--rules $RULES/none: No such file or directory" "$TMP/err"
tap_ok $? "a missing --rules directory: ENOENT's message"
done_testing
