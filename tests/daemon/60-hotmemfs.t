#!/bin/bash
# End to end on hotmemfs: plug 32 DIMMs through hotmemctl, every block lands
# online in the zone the policy says; stop hotmemd, plug more, start it:
# coldplug onlines them.  uevents: netlink in a private netns when hotmemfs
# can inject there, else its Unix-socket fallback.
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_hotmemfs_in_netns "$@"
fs_paths
mount_hotmemfs "$mnt" "$ctl" "$sock"
if grep -q "uevents over netlink off" "$TMP/fs.log"; then
	echo "# hotmemfs netlink injection is off here: $(grep -m1 'netlink off' "$TMP/fs.log")"
	echo "# using its Unix-socket fallback"
fi

# start ARGS...: a hotmemd on the mount, its own log in $log (a run's
# "ready" is never an earlier run's); the log exists before the first grep,
# which the background shell's 2> may not have opened yet
nstart=0
start() {
	log=$TMP/log.$((++nstart))
	: >"$log"
	"$HOTMEMD" --config /dev/null --sysroot "$mnt" --state-dir "$TMP/state" \
		--uevent-source kernel "$@" 2>"$log" &
	dpid=$!
	_pids+=("$dpid")
	wait_for 10 grep -q "ready: sysroot" "$log"
}
blocks_of() { # hot-added block ids, ascending
	local b
	for b in "$mem"/memory*; do
		b=${b##*memory}
		[ "$b" -ge 32 ] && echo "$b"
	done | sort -n
}
zone_of() { cat "$mem/memory$1/valid_zones"; }

# the policy's expectation: Movable while movable <= 301% of early kernel pages
early=$(awk '/^Node/ {z=$4} /^ +present/ && z!="Movable" && z!="Device" {s+=$2} END {printf "%.0f\n", s}' \
	"$mnt/proc/zoneinfo")
limit=$((early * 301 / 100))
expect_zone() { # expect_zone K (0-based count of hot blocks before this one)
	if (((${1} + 1) * 32768 <= limit)); then echo Movable; else echo Normal; fi
}

check "hotmemd starts on the hotmemfs mount" start --uevent-socket "$sock"
check "plug 32 DIMMs of 128 MiB through hotmemctl" plug 1 32
all_online() { local b; for b in $(blocks_of); do [ "$(cat "$mem/memory$b/state")" = online ] || return 1; done; }
check "all 32 blocks online" wait_for 10 all_online
is "$(blocks_of | wc -l)" 32 "32 hot-added blocks"
# how many land in Movable is the policy's; which ones depends on the order
# hotmemd onlined them in, block order only when it took them in order (CI
# saw one block off block order once, 2026-11-29, cause not found: the
# per-block lines and the log's lines below say what happened)
want_movable=0 got_movable=0 k=0
for b in $(blocks_of); do
	[ "$(expect_zone $k)" = Movable ] && want_movable=$((want_movable + 1))
	[ "$(zone_of "$b")" = Movable ] && got_movable=$((got_movable + 1))
	[ "$(zone_of "$b")" = "$(expect_zone $k)" ] || echo "# memory$b: zone $(zone_of "$b"), $(expect_zone $k) in block order"
	k=$((k + 1))
done
is "$got_movable" "$want_movable" "as many blocks in Movable as auto-movable allows (early kernel $early pages, limit $limit), the rest Normal"
grep -h "lost\|rescan\|without an ADD" "$TMP"/log.* 2>/dev/null | head -3 | sed 's/^/# /'

kill "$dpid"
wait_exit "$dpid" 10 2>/dev/null
check "plug 4 more while hotmemd is stopped" plug 33 36
off=0
for b in $(blocks_of | tail -4); do [ "$(cat "$mem/memory$b/state")" = offline ] && off=$((off + 1)); done
is "$off" 4 "they stay offline (auto_online_blocks=offline)"
check "hotmemd restarts" start --uevent-socket "$sock"
check "coldplug onlines them" wait_for 10 all_online
is "$(for b in $(blocks_of | tail -4); do zone_of "$b"; done | sort -u)" "$(expect_zone 35)" \
	"in the zone the policy says"
cat "$TMP"/log.* | grep -q "gave up" && nok "no give-ups" || ok "no give-ups"

# netlink alone: hotmemfs injects through the kernel (port id 0) into this
# private network namespace; hotmemd accepts kernel senders only
kill "$dpid"
wait_exit "$dpid" 10 2>/dev/null
if grep -q "uevents over netlink on" "$TMP/fs.log"; then
	check "hotmemd starts without the Unix socket" start --log-level debug
	check "plug 2 more, uevents over netlink only" plug 37 38
	check "... online" wait_for 10 all_online
	check "... and they came over netlink" grep -q "uevent add seqnum" "$log"
	grep -q "without an ADD uevent" "$log" && nok "no ADD was lost" || ok "no ADD was lost"
else
	echo "# SKIP netlink part: hotmemfs cannot inject uevents here: $(grep -m1 netlink "$TMP/fs.log")"
fi

done_testing
