#!/bin/bash
# hotmemctl status shows what is armed and held (usereye9): a memory
# notifier error (inject), fail-nth-alloc and a virtio-mem device's
# vmem-inject answers (finalF F4), each with how to clear it
# (a forgotten one failed every later offline, status silent); the
# --netns claim hotmemfs holds (a second hotmemfs there is refused, 202);
# and a --uevent-socket another hotmemfs sends to as well, which its
# listener gets both machines' uevents on, mixed: warned at start and in
# both one's status (it was not; then the second one's only).
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

# a virtio-mem device's answers armed by vmem-inject: in status too, with
# the requests left (finalF F4: a forgotten BUSY failed every later
# set-size, status silent)
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=0 >/dev/null &&
	ctl vmem-inject vm0 plug BUSY >/dev/null && ctl vmem-inject vm0 unplug NACK count=3 >/dev/null
tap_ok $? "virtio-mem vm0: vmem-inject plug BUSY, unplug NACK count=3"
is "$(injected)" "injected:   vm0 answers the guest's next plug request BUSY (\`hotmemctl vmem-inject vm0 plug ACK count=0\` clears); vm0 answers the guest's next 3 unplug requests NACK (\`hotmemctl vmem-inject vm0 unplug ACK count=0\` clears)" \
	"status: each armed answer, the requests left, how it is cleared"
VMINJ='import json,sys; print(json.load(sys.stdin)["injections"].get("vmem-inject"))'
is "$(ctl --json status | python3 -c "$VMINJ")" \
	"[{'id': 'vm0', 'request': 'plug', 'response': 'BUSY', 'count': 1}, {'id': 'vm0', 'request': 'unplug', 'response': 'NACK', 'count': 3}]" \
	"--json: injections.vmem-inject"
ctl qom-set vm0 requested-size 128M >/dev/null 2>&1
is "$(ctl --json status | python3 -c "$VMINJ")" \
	"[{'id': 'vm0', 'request': 'unplug', 'response': 'NACK', 'count': 3}]" \
	"the plug's BUSY answered (qom-set requested-size 128M): the unplug's left"
ctl vmem-inject vm0 unplug ACK count=0 >/dev/null
is "$(injected)" "" "vmem-inject vm0 unplug ACK count=0: nothing armed"
is_like "$(ctl status | grep '^uevents:')" \
	"uevents:    netlink on: private network namespace $NS*; claimed: no other hotmemfs injects there; unix $TMP/listener.sock: *" \
	"uevents: the --netns claim held, said"

# warnings: NUMBER of "warning:" lines in the status of the hotmemfs at
# control socket SOCK, once it has them (the first learns of a second one
# from its claim's thread): waits 30 s at most, a hang's bound only
warnings() { # SOCK NUMBER
	local n
	for _ in $(seq 600); do
		n=$("$HMCTL" -s "$1" status | grep -c '^warning:')
		[ "$n" = "$2" ] && break
		sleep 0.05
	done
	echo "$n"
}
# start_two NAME SOCKPATH: a hotmemfs on $TMP/NAME, -u SOCKPATH; $pid its
# pid (timeout's child), $tpid timeout's
start_two() {
	mkdir -p "$TMP/$1"
	timeout 60 "$HMFS" -S none --control "$TMP/$1.sock" -u "$2" "$TMP/$1" >"$TMP/$1.log" 2>&1 &
	tpid=$!
	for _ in $(seq 600); do [ -S "$TMP/$1.sock" ] && break; sleep 0.05; done
	pid=$(pgrep -P "$tpid")
}
stop_two() { # TPID NAME
	kill "$1"
	wait_exit "$1" 60
	umount -l "$TMP/$2" 2>/dev/null
}
L=$TMP/listener.sock
MIXED="its listener gets both machines' uevents, mixed"

# a second hotmemfs sending to the same listener: each one warned, naming
# the other's pid, at start or as the other comes, and in status; the
# first one's said nothing, its status neither (reread17 A)
start_two two "$L"
two=$tpid two_pid=$pid
grep -qxF "hotmemfs: warning: --uevent-socket $L: the hotmemfs with pid $FS_PID sends its uevents there too: the listener gets both machines' uevents, mixed" "$TMP/two.log"
tap_ok $? "the second hotmemfs on the same -u: warned at start, the first's pid named" "$(cat "$TMP/two.log")"
is "$("$HMCTL" -s "$TMP/two.sock" status | grep '^warning:')" \
	"warning:    the hotmemfs with pid $FS_PID sends its uevents to $L too: $MIXED" \
	"... and in its status"
is "$(warnings "$CTL" 1):$(ctl status | grep '^warning:')" \
	"1:warning:    the hotmemfs with pid $two_pid sends its uevents to $L too: $MIXED" \
	"the first's status says the second one"
is "$(ctl --json status | python3 -c 'import json,sys; u=json.load(sys.stdin)["uevents"]; print(u["unix-shared"], u["unix-shared-pids"])')" \
	"['$L'] [$two_pid]" "--json: uevents.unix-shared, unix-shared-pids"
grep -qxF "hotmemfs: warning: --uevent-socket $L: the hotmemfs with pid $two_pid sends its uevents there too: the listener gets both machines' uevents, mixed" "$TMP/hotmemfs.log"
tap_ok $? "the first's log says it as the second comes"
stop_two "$two" two
is "$(warnings "$CTL" 0)" 0 "the second stopped: the first's status no longer warns"
grep -qxF "hotmemfs: --uevent-socket $L: the hotmemfs with pid $two_pid no longer sends there" "$TMP/hotmemfs.log"
tap_ok $? "... and its log says so"

# one hotmemfs started before its listener binds the socket, one after: the
# claim is named after the path made absolute, not the socket's inode
# (which the first never saw), so the second is warned (finalF #3: it was
# not)
start_two early "$TMP/late.sock"
early=$tpid early_pid=$pid
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).bind(sys.argv[1])' \
	"$TMP/late.sock"
cd "$TMP" && start_two later late.sock
later=$tpid later_pid=$pid
cd - >/dev/null || exit 1
grep -qF "hotmemfs: warning: --uevent-socket late.sock: the hotmemfs with pid $early_pid sends its uevents there too" "$TMP/later.log"
tap_ok $? "the listener bound between two starts, named relative the second time: warned" \
	"$(cat "$TMP/early.log" "$TMP/later.log")"
# the first one gone, the second holds the claim: a third is told of it
# (the second's status says no sharer only once it took the claim again:
# before, a third started at that word could take it first, reread19 R5)
stop_two "$early" early
is "$(warnings "$TMP/later.sock" 0)" 0 "the first stopped: the second's status no longer warns"
start_two third "$TMP/late.sock"
third=$tpid
grep -qF "hotmemfs: warning: --uevent-socket $TMP/late.sock: the hotmemfs with pid $later_pid sends its uevents there too" "$TMP/third.log"
tap_ok $? "a third one: warned of the second, which took the claim over" "$(cat "$TMP/third.log")"
is "$(warnings "$TMP/later.sock" 1)" 1 "... and the second's status says it"
stop_two "$third" third
stop_two "$later" later
stop_fs
done_testing
