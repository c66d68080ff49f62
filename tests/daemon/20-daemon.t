#!/bin/bash
# hotmemd as a daemon on a fake sysroot, uevents over the Unix-socket
# fallback: coldplug, ADD, kernel auto-online respected, restart, SIGHUP.
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_built "$UEVENT_SEND"
need_tool python3 python3

root=$TMP/root
sock=$TMP/uevent.sock
conf=$TMP/hotmemd.conf
log=$TMP/log
mk_sysroot "$root"
mk_blocks "$root" 0 7 online Normal		# 1 GiB boot memory
zone_add "$root" 0 Normal 262144
zone_add "$root" 0 Movable 0
mk_blocks "$root" 8 11 offline "Normal Movable"
: >"$conf"

start() {
	"$HOTMEMD" --config "$conf" --sysroot "$root" --state-dir "$TMP/state" \
		--netlink=no --uevent-socket "$sock" --retry-initial-ms 1 \
		--log-level debug "$@" 2>>"$log" &
	pid=$!
	_pids+=("$pid")
	wait_for 5 test -S "$sock"
}
is_state() { [[ "$(state "$root" "$1")" == $2 ]]; }
all_state() { # all_state FIRST LAST STATE
	local i
	for ((i = $1; i <= $2; i++)); do is_state "$i" "$3" || return 1; done
}
send() { "$UEVENT_SEND" --unix "$sock" "$@"; }
# said L PATTERN: the log says PATTERN (grep -E) from its line L on
said() { tail -n "+$1" "$log" | grep -qE "$2"; }
. "$(dirname "$0")/settle.sh"
# rescanned L: a settle logged from line L on relisted memory/ and that
# listing is over.  The settle's line comes before its listing, and
# "uevents settled" can be the settle of an earlier uevent's burst:
# neither says which blocks a listing met, its end after its start does.
rescanned() {
	tail -n "+$1" "$log" | awk '/uevents settled: .*rescanning memory\//{s = 1}
		s && /rescan after uevents: no new blocks|new block\(s\) without an ADD uevent/{f = 1}
		END {exit !f}'
}

check "daemon starts and binds its uevent socket" start
check "coldplug onlines memory8-11 Movable" wait_for 5 all_state 8 11 online_movable
check "boot blocks untouched (no same-state write)" all_state 0 7 online

mk_blocks "$root" 12 15 offline "Normal Movable"
send add 12-15
check "ADD uevents: memory12-15 online Movable" wait_for 5 all_state 12 15 online_movable

mk_blocks "$root" 50 59 offline "Normal Movable"
send add 50			# the other nine ADDs were "lost"
check "lost ADDs: new blocks found by the rescan after the burst" wait_for 5 all_state 50 59 online_movable
check "... and logged" grep -q "new block(s) without an ADD uevent" "$log"

mk_block "$root" 16 online Normal		# the kernel auto-onlined it
touch -d '2000-01-01' "$root/sys/devices/system/memory/memory16/state"
l=$(lines)
send add 16
check "ADD of a block the kernel onlined: logged, left alone" \
	wait_for 5 grep -q "memory16: already online, left alone" "$log"
is "$(stat -c %Y "$root/sys/devices/system/memory/memory16/state")" \
	"$(date -d 2000-01-01 +%s)" "memory16/state never written"

settled "$l" 16		# else the rescan would find memory17 below
mk_block "$root" 17 offline "Normal Movable"
uevents() { grep -c ": uevent " "$log"; }
u=$(uevents)
send --raw 'add@/devices/system/cpu/cpu1|ACTION=add|DEVPATH=/devices/system/cpu/cpu1|SUBSYSTEM=cpu|'
send --raw 'add@/devices/system/memory/memory17|ACTION=add|DEVPATH=/devices/system/memory/memory17|SUBSYSTEM=block|'
send add 999
check "ADD of a missing block: it went away, no crash" \
	wait_for 5 bash -c "grep -q 'memory999: went away before its state was read' '$log' && kill -0 $pid"
# one socket, datagrams in order: once memory999's ADD is handled, the two
# sent before it were read; a uevent taken logs "memoryN: uevent add"
# (debug) before anything is done with it, so memory999's line is the only
# new one (memory17's state says nothing here: the rescan 20 ms after
# memory999's ADD onlines it)
is "$(($(uevents) - u))" 1 "uevents of other subsystems are ignored"
check "... and the rescan after it finds memory17" wait_for 5 is_state 17 online_movable

kill -TERM "$pid"
wait_exit "$pid" 10
is "$?" 0 "SIGTERM: clean exit"
check "socket removed at exit" test ! -e "$sock"

mk_blocks "$root" 18 20 offline "Normal Movable"
start
check "restart: coldplug onlines what was plugged meanwhile" wait_for 5 all_state 17 20 online_movable

# 1 GiB boot memory, ratio 301: 24 blocks Movable in all, then Normal
mk_blocks "$root" 21 40 offline "Normal Movable"
send add 21-40
check "burst of 20: all online" wait_for 5 all_state 21 40 'online_*'
movable=$(cat "$root"/sys/devices/system/memory/memory{8..15}/state \
	"$root"/sys/devices/system/memory/memory{17..40}/state \
	"$root"/sys/devices/system/memory/memory{50..59}/state | grep -c online_movable)
is "$movable" 24 "auto-movable stops at 301% of boot memory (24 of 42 blocks)"
check "the rest went Normal" all_state 23 40 online_kernel

printf '[hotmemd]\npolicy = online_kernel\n[node1]\npolicy = offline\n' >"$conf"
kill -HUP "$pid"
check "SIGHUP: reloaded" wait_for 5 grep -q "configuration reloaded" "$log"
mk_block "$root" 41 offline "Normal Movable"
mk_block "$root" 42 offline "Normal Movable" 1
send add 41 42
check "new policy online_kernel applies" wait_for 5 is_state 41 online_kernel
check "per-node override: node1 observe only (memory42 left offline)" \
	wait_for 5 grep -q "memory42: left offline: node1's policy offline: observe only" "$log"
is "$(state "$root" 42)" offline "... memory42 is offline"

printf '[hotmemd]\npolicy = online_movable\nretry_max = many\n' >"$conf"
kill -HUP "$pid"
check "SIGHUP with a bad file: refused with file:line" \
	wait_for 5 grep -q "$conf:3: 'many' is not a number" "$log"
check "... and the old configuration is kept" grep -q "reload refused" "$log"
mk_block "$root" 43 offline "Normal Movable"
send add 43
check "still online_kernel after the refused reload" wait_for 5 is_state 43 online_kernel
check "daemon still running" kill -0 "$pid"

# sysfs shows a block's directory before all its files: a rescan that
# meets it half-created leaves it for later instead of judging it
mkdir -p "$root/sys/devices/system/memory/memory60"
echo offline >"$root/sys/devices/system/memory/memory60/state"
# a listing that begins from here on meets memory60 half-created; one that
# meets memory61 in the making too still names memory60, the lowest
# (hmd_missed_half_created(), not readdir's order)
l=$(lines)
mk_block "$root" 61 offline "Normal Movable"
send add 61
check "half-created memory60 beside a new memory61: memory61 onlined" \
	wait_for 5 all_state 61 61 online_kernel
# memory61's send is a new SEQNUM series: its settle relists memory/ (if
# an earlier burst's settle did not already); memory60 is made whole only
# once a listing has met it half-created, not at the settle's line
check "... a rescan met memory60 half-created" wait_for 5 rescanned "$l"
is "$(state "$root" 60)" "offline" "... memory60 (no valid_zones yet) left for later"
mk_block "$root" 60 offline "Normal Movable"
mk_block "$root" 62 offline "Normal Movable"
l62=$(lines)
send add 62
check "... and onlined by the next rescan once complete" wait_for 5 all_state 60 60 online_kernel
settled "$l62" 62
# the relisting is for memory60's own sake, not only this send's new
# SEQNUM series (a gap too): the half-created block is a sign of its own.
# The settle that onlined memory60 was due to the listing before it,
# which met memory60 half-created and made that the settle's first sign
check "... the settle names the half-created block as its reason" \
	said "$l" "uevents settled: memory60 was half-created at the last rescan"

# A settle relists memory/ only when a uevent may have been lost
# (daemon/missed.c): a gap in the sender's SEQNUMs, or memory/'s link
# count (2 + its subdirectories) against the blocks the uevents brought.
# One sender numbering its uevents, as hotmemfs does (seq_sender_start:
# one process; each uevent_send run is a sender of its own, whose first
# datagram has no previous).
mem=$root/sys/devices/system/memory
if [ "$(stat -c %h "$mem")" -lt 3 ]; then
	ok "# SKIP the settle's lost-uevent signs: $(stat -f -c %T "$mem")'s directories do not count their subdirectories, so every settle relists"
else
	check "a sender of its own" seq_sender_start
	l=$(lines)
	mk_blocks "$root" 63 64 offline "Normal Movable"
	seq_send 1 add 63 64
	settled "$l" 64
	check "one sender's ADDs (SEQNUM 1, 2): onlined" wait_for 5 all_state 63 64 online_kernel
	check "... their settle relists nothing: a sender's first SEQNUM has no previous" \
		said "$l" "uevents settled: nothing missed"
	l=$(lines)
	mk_block "$root" 65 offline "Normal Movable"
	seq_send 3 add 65
	settled "$l" 65
	check "its next ADD (SEQNUM 3) onlined" wait_for 5 is_state 65 online_kernel
	check "... and its settle relists nothing: nothing was missed" \
		said "$l" "uevents settled: nothing missed"
	check "... not one rescan" bash -c "! tail -n +$l '$log' | grep -qE 'rescanning memory/|rescan after uevents|without an ADD'"

	# the last four ADDs of a burst dropped (SEQNUM 5-8): no gap to see
	l=$(lines)
	mk_blocks "$root" 66 70 offline "Normal Movable"
	seq_send 4 add 66
	settled "$l" 66
	check "ADDs dropped at a burst's end: memory/'s links tell, the rescan onlines them" \
		wait_for 5 all_state 66 70 online_kernel
	check "... its settle says why" said "$l" \
		"uevents settled: memory/ has [0-9]+ links, the [0-9]+ blocks hotmemd knows of make [0-9]+: rescanning memory/"
	check "... and what it found" said "$l" "4 new block\(s\) without an ADD uevent"

	# an ADD lost (SEQNUM 9) while a block went without its REMOVE: the
	# links agree with the model, the gap alone tells
	l=$(lines)
	mk_block "$root" 71 offline "Normal Movable"
	rm -r "$mem/memory12"
	mk_block "$root" 72 offline "Normal Movable"
	seq_send 10 add 72
	settled "$l" 72
	check "an ADD lost in a gap of SEQNUMs: the rescan onlines its block" \
		wait_for 5 all_state 71 72 online_kernel
	check "... its settle names the gap" said "$l" "uevents settled: SEQNUM 10 after 4 on .*: rescanning memory/"
	check "... and the rescan forgets memory12, gone without its REMOVE" \
		said "$l" "1 block\(s\) gone without a REMOVE uevent, from memory12 on: forgotten"
	# the model holds what memory/ holds again: the next ADD relists nothing
	l=$(lines)
	mk_block "$root" 73 offline "Normal Movable"
	seq_send 11 add 73
	settled "$l" 73
	check "... the next ADD onlined" wait_for 5 is_state 73 online_kernel
	check "... and its settle finds nothing missed" said "$l" "uevents settled: nothing missed"
fi

done_testing
