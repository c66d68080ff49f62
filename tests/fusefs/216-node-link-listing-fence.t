#!/bin/bash
# When a hot-added block's node links show (after its ADDs: 6.12
# add_memory_resource(), tests/fusefs/214), the kernel's cached listing of
# memoryN/ is dropped only once every reader that began listing memoryN/
# before the links is done: a READDIR answered without the links but
# parsed after the drop would fill the listing cache anew without them,
# for good (fuse_add_dirent_to_cache() checks the cache's own version,
# which fuse_reverse_inval_inode() leaves alone) -- hotmemd then decided
# the block as node 0's at its settle.  hotmemfs fences first
# (events.c listing_fence(): a notify_inval_entry() of the new name waits
# for memoryN/'s lock, which a reader holds from its READDIR to its parse),
# then drops the listing; before, it dropped it again 100 ms later.
#
# Deterministic, with two readers held (tests/fusefs/uffd_hold.py): one
# holds node0/ so that DIMM d0's REMOVE, and the probe behind it, wait in
# the notifier; the other is inside memory128/'s first listing (its
# READDIRPLUS answered, no node0 link yet; the copy-out of its first entry
# faulting).  Let the first go: the probe's ADD arrives, and its link
# event waits for the second reader -- the probe's write has no reply yet
# (without the fence it had one at once: check 10 failed).  Let the second
# go: the write replies and memory128/ lists node0.
. "$(dirname "$0")/lib.sh"
require_listing_fence
N=$MNT/sys/devices/system/node
mount_numa2_probe "hotmemfs mounts numa2 with probe" nodelink-fence

# the uevents into $TMP/ue.txt ("ACTION DEVPATH SUBSYSTEM ..."), as they come
uevents_start 120
added() { awk '$1 == "add" && $2 ~ /\/memory128$/' "$TMP/ue.txt" | grep -q .; }

removal_holds_notifier n0 node=0
sh -c 'echo 0x400000000 >"$1"' - "$M/probe" 2>"$TMP/probe.err" &
PROBE=$!
for _ in $(seq 1200); do [ -d "$M/memory128" ] && break; sleep 0.05; done
[ -d "$M/memory128" ]
tap_ok $? "probe: memory128 added, its ADD behind the REMOVE"
N0_HOLDER=$HOLDER N0_JOB=$HOLDER_JOB

# the second reader: no ls before it, memory128/'s listing not cached
hold_first_listing "$M/memory128" r
tap_ok $? "a reader is inside memory128/'s first listing: $(cat "$TMP/r.out")"
R_HOLDER=$HOLDER R_JOB=$HOLDER_JOB

HOLDER=$N0_HOLDER HOLDER_JOB=$N0_JOB holder_release
tap_ok $? "node0/'s reader let go: $(cat "$TMP/n0.out")"
wait_exit "$DEL" 60
tap_ok $? "device_del d0 is done: $(cat "$TMP/del.err")"
for _ in $(seq 1200); do added && break; sleep 0.05; done
added
tap_ok $? "memory128's ADD arrived"
# (memory128/ is not looked at here: a lookup in it would queue behind the notifier)
kill -0 "$PROBE" 2>/dev/null
tap_ok $? "the probe's write waits: its link event waits for the reader inside memory128/'s listing"
HOLDER=$R_HOLDER HOLDER_JOB=$R_JOB holder_release
tap_ok $? "memory128/'s reader let go: $(cat "$TMP/r.out")"
wait_exit "$PROBE" 60
tap_ok $? "the probe's write is done: $(cat "$TMP/probe.err")"
ls "$M/memory128" | grep -qx node0
tap_ok $? "memory128/ lists node0" || diag "memory128/: $(ls "$M/memory128" | paste -sd' ' -)"
is "$(readlink "$N/node0/memory128")" "../../memory/memory128" "node0/memory128 is there"
uevents_stop
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
