#!/bin/bash
# hotmemctl status shows what is armed and held (usereye9): a memory
# notifier error (inject) and fail-nth-alloc, each with how to clear it
# (a forgotten one failed every later offline, status silent); the
# --netns claim hotmemfs holds (a second hotmemfs there is refused, 202);
# and a --uevent-socket another hotmemfs sends to as well, which its
# listener gets both machines' uevents on, mixed: warned at start and in
# status (it was not).
. "$(dirname "$0")/lib.sh"
require_env
need_tool ip iproute2
NS=hotmemfs-inj$$
trap 'in_test_shell && { ip netns del "$NS" 2>/dev/null; cleanup; }' EXIT
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).bind(sys.argv[1])' \
	"$TMP/listener.sock"

mount_fs "hotmemfs mounts, --netns $NS, --uevent-socket" --fresh --netns "$NS" -u "$TMP/listener.sock"
injected() { ctl status | grep '^injected:' ; }
is "$(injected)" "" "nothing armed: no injected line"
ctl inject MEM_GOING_OFFLINE -16 >/dev/null && ctl fail-nth-alloc 5 >/dev/null
tap_ok $? "inject MEM_GOING_OFFLINE -16, fail-nth-alloc 5"
is "$(injected)" "injected:   MEM_GOING_OFFLINE fails every offline with -16 (EBUSY) (\`hotmemctl inject MEM_GOING_OFFLINE 0\` clears); the engine allocation 5 from now fails with ENOMEM (\`hotmemctl fail-nth-alloc 0\` clears)" \
	"status: both, and how each is cleared"
is "$(ctl --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["injections"])')" \
	"{'MEM_GOING_OFFLINE': -16, 'fail-nth-alloc': 5}" "--json: \"injections\""
ctl inject MEM_GOING_OFFLINE 0 >/dev/null && ctl fail-nth-alloc 1 >/dev/null
ctl hugetlb 4 >/dev/null 2>&1
is "$?:$(injected)" "1:" "the injection cleared, fail-nth-alloc 1 fired (hugetlb 4 failed): nothing armed"
is_like "$(ctl status | grep '^uevents:')" \
	"uevents:    netlink on: private network namespace $NS* (claimed: no other hotmemfs injects there); unix $TMP/listener.sock: *" \
	"uevents: the --netns claim held, said"

# a second hotmemfs sending to the same listener: warned, in status too
B2=$TMP/two
mkdir -p "$B2"
timeout 60 "$HMFS" -S none --control "$TMP/two.sock" -u "$TMP/listener.sock" "$B2" \
	>"$TMP/two.log" 2>&1 &
two=$!
for _ in $(seq 600); do [ -S "$TMP/two.sock" ] && break; sleep 0.05; done
grep -qxF "hotmemfs: warning: --uevent-socket $TMP/listener.sock: another hotmemfs sends its uevents there too: the listener gets both machines' uevents, mixed" "$TMP/two.log"
tap_ok $? "the second hotmemfs on the same -u: warned at start" "$(cat "$TMP/two.log")"
is "$("$HMCTL" -s "$TMP/two.sock" status | grep '^warning:')" \
	"warning:    another hotmemfs sends its uevents to $TMP/listener.sock too: its listener gets both machines' uevents, mixed" \
	"... and in its status"
is "$(ctl status | grep -c '^warning:')" 0 "the first's status: its claim, no warning"
kill "$two"
wait_exit "$two" 60
umount -l "$B2" 2>/dev/null

# one hotmemfs started before its listener binds the socket, one after: the
# claim is keyed on the path made absolute, not on the socket's inode (which
# the first never saw), so the second is warned (finalF #3: it was not)
start_two() { # NAME SOCKPATH: a hotmemfs on $TMP/NAME, -u SOCKPATH
	mkdir -p "$TMP/$1"
	timeout 60 "$HMFS" -S none --control "$TMP/$1.sock" -u "$2" "$TMP/$1" >"$TMP/$1.log" 2>&1 &
	for _ in $(seq 600); do [ -S "$TMP/$1.sock" ] && break; sleep 0.05; done
}
start_two early "$TMP/late.sock"
early=$!
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).bind(sys.argv[1])' \
	"$TMP/late.sock"
cd "$TMP" && start_two later late.sock
later=$!
cd - >/dev/null || exit 1
grep -qF "hotmemfs: warning: --uevent-socket late.sock: another hotmemfs sends its uevents there too" "$TMP/later.log"
tap_ok $? "the listener bound between two starts, named relative the second time: warned" \
	"$(cat "$TMP/early.log" "$TMP/later.log")"
kill "$early" "$later"
wait_exit "$early" 60
wait_exit "$later" 60
umount -l "$TMP/early" "$TMP/later" 2>/dev/null
stop_fs
done_testing
