#!/bin/bash
# A hot-add's memoryN/nodeK and nodeK/memoryN links come after its ADDs,
# as the kernel makes them: 6.12 add_memory_resource() (mm/memory_hotplug.c)
# sends every block's ADD from create_memory_block_devices(), registers a
# new node (its ADD), and only then links the blocks under their node
# (register_memory_blocks_under_node_hotplug(), drivers/base/node.c).
# hotmemfs linked each block with the block, before its ADD: an agent
# reading memoryN/ on the ADD always found the link.
#
# Deterministic, with the notifier held by a reader (tests/fusefs/uffd_hold.py):
#  1. a hot-add to a new node (a DIMM, a virtio-mem device): a reader holds
#     bus/node/devices/'s cached listing, whose invalidation the node's ADD
#     waits for -- after the blocks' ADDs, before the link event.  The
#     ADDs have arrived on the uevent socket, the links are not there;
#     the reader lets go: they are.
#  2. a hot-add to a node that is there (`probe`, a DIMM): a reader holds
#     node0/, and an earlier device_del's REMOVE waits for it, so the
#     hot-add's ADDs wait behind it: the blocks are there, their links not;
#     the reader lets go: the ADDs arrive, then the links are there.
# dax/kmem has no device in hotmemfs; it would add through
# add_memory_driver_managed(), virtio-mem's path, checked in 1.
. "$(dirname "$0")/lib.sh"
require_listing_fence
N=$MNT/sys/devices/system/node
mount_numa2_probe "hotmemfs mounts numa2 (nodes 0-1 with memory, 4 possible) with probe" nodeorder

# adds_of: the memory blocks whose ADD arrived, "memoryN ..." in order
adds_of() { awk '$1 == "add" && $3 == "memory" { sub(/.*\//, "", $2); print $2 }' "$TMP/ue.txt" | paste -sd' ' -; }
# wait_for SECONDS TEST...: TEST true within SECONDS (a bound against a hang)
wait_for() {
	local i
	for ((i = 0; i < $1 * 20; i++)); do
		"${@:2}" && return 0
		sleep 0.05
	done
	return 1
}
nr_adds() { [ "$(awk '$1 == "add" && $3 == "memory"' "$TMP/ue.txt" | wc -l)" -ge "$1" ]; }
# blocks: the memoryN there, their numbers (sorted as comm(1) wants them);
# added_since BEFORE: those not in BEFORE, by number, on one line
blocks() { ls "$M" | sed -n 's/^memory\([0-9]*\)$/\1/p' | sort; }
added_since() { comm -13 <(echo "$1") <(blocks) | sort -n | paste -sd' ' -; }
# unlinked ID NID: memoryID there, neither its nodeNID link nor any nodeK
# in its listing (nodeNID/ itself held or not there: not looked at)
unlinked() {
	[ -d "$M/memory$1" ] && [ ! -L "$M/memory$1/node$2" ] && ! ls "$M/memory$1" | grep -q '^node[0-9]'
}
# linked ID NID: both links, to each other, and in both listings
linked() {
	[ "$(readlink "$M/memory$1/node$2")" = "../../node/node$2" ] &&
		[ "$(readlink "$N/node$2/memory$1")" = "../../memory/memory$1" ] &&
		ls "$M/memory$1" | grep -qx "node$2" && ls "$N/node$2" | grep -qx "memory$1"
}
# check_links WHAT NID IDS...: TAP lines, one a block
check_links() {
	local what=$1 nid=$2 b
	shift 2
	for b in "$@"; do
		"$what" "$b" "$nid"
		tap_ok $? "memory$b: $what (node$nid)" || diag "memory$b/: $(ls "$M/memory$b" | paste -sd' ' -)"
	done
}

# 1. new nodes: a DIMM on node 2, a virtio-mem device on node 3
new_node() {
	local nid=$1 name=$2 want=$3 before new
	shift 3
	uevents_start
	before=$(blocks)
	must_hold_dir "$MNT/sys/bus/node/devices" "bn$nid"
	timeout 120 "$HMCTL" -s "$CTL" "$@" >/dev/null 2>"$TMP/add.err" &
	local add=$!
	wait_for 60 nr_adds "$want"
	tap_ok $? "$name on new node$nid: its $want ADD(s) arrived, the node's ADD held by the reader"
	new=$(added_since "$before")
	is "$(wc -w <<<"$new")" "$want" "... $want block(s) added: memory${new// /, memory}"
	# shellcheck disable=SC2086 # the block numbers
	check_links unlinked "$nid" $new
	[ ! -e "$N/node$nid/memory${new%% *}" ]
	tap_ok $? "... node$nid/memory${new%% *} not there either"
	holder_release
	tap_ok $? "the reader let go" || diag "$(cat "$TMP"/*.out)"
	wait_exit "$add" 60
	tap_ok $? "$name's command is done: $(cat "$TMP/add.err")"
	uevents_stop
	# shellcheck disable=SC2086
	check_links linked "$nid" $new
	is "$(awk '$1 == "add" { sub(/.*\//, "", $2); print $2 }' "$TMP/ue.txt" | grep -n "^node$nid$" | cut -d: -f1)" \
		"$((want + 1))" "... node$nid's ADD after the blocks' (__register_one_node() after create_memory_block_devices())"
	NEW=$new
}
new_node 2 "a DIMM" 2 device_add pc-dimm id=d2 size=256M node=2
D2=${NEW:-}
# virtio-mem adds a block at a time: the first one's ADD, then the node's
new_node 3 "a virtio-mem device" 1 device_add virtio-mem-pci id=vm3 size=1G requested-size=128M node=3

# 2. a node that is there: the hot-add's ADDs wait behind a REMOVE that
# waits for node0/ (d0 removed: memoryN's name invalidated in each node's
# directory before its REMOVE is sent).  Its blocks are looked up by name:
# memory/'s listing is not invalidated before the notifier gets there.
there() { local b; for b in "$@"; do [ -d "$M/memory$b" ] || return 1; done; }
old_node() {
	local name=$1 new=$2 del add
	shift 2
	removal_holds_notifier "n0${name// /_}" node=0
	del=$DEL
	uevents_start
	"$@" &
	add=$!
	# shellcheck disable=SC2086 # the block numbers
	wait_for 60 there $new
	tap_ok $? "$name: memory${new// /, memory} added"
	is "$(adds_of)" "" "... no ADD arrived yet (the notifier is held)"
	# shellcheck disable=SC2086
	check_links unlinked 0 $new
	holder_release
	tap_ok $? "the reader let go" || diag "$(cat "$TMP"/*.out)"
	wait_exit "$del" 60
	wait_exit "$add" 60
	tap_ok $? "$name is done"
	uevents_stop
	is "$(adds_of)" "memory${new// / memory}" "... its ADDs arrived"
	# shellcheck disable=SC2086
	check_links linked 0 $new
}
old_node probe 128 sh -c 'echo 0x400000000 >"$1"' - "$M/probe"
old_node "a DIMM on node0" "96 97" \
	timeout 120 "$HMCTL" -s "$CTL" device_add pc-dimm id=d1 size=256M node=0 addr=0x300000000
# its listing, read while the binding waited too (unlinked()), was kept by
# hotmemfs (tree.c kf_head_get()) and served without firmware_node after it
for b in 96 97; do
	ls "$M/memory$b" | grep -qx firmware_node
	tap_ok $? "memory$b/ lists its firmware_node once bound"
done

# the removal: the links go with (before) the block
ctl device_del d2 >/dev/null && ctl settle >/dev/null
tap_ok $? "device_del d2 (node2)"
# no block of d2 known (its check failed above): say so, not a shorter plan
[ -n "$D2" ] || nok "the removal's checks: the blocks of d2 known"
for b in $D2; do
	[ ! -e "$M/memory$b" ] && [ ! -L "$N/node2/memory$b" ]
	tap_ok $? "memory$b and node2/memory$b gone"
done
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
