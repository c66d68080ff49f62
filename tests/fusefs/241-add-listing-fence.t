#!/bin/bash
# A hot-added block's ADD drops the kernel's cached listing of memory/ (and
# bus/memory/devices/) only once every reader that began listing it before
# is done (events.c block_dirs_changed(): a fence of the run's first added
# name, listing_fence(), as a REMOVE's name already was): a READDIR of
# memory/ answered before the block was made, parsed after a bare drop,
# kept memory/ listed without the new block until the next ADD or REMOVE.
# Before, the ADD's write replied with the reader still inside memory/'s
# listing (checks 3-6 failed).
#
# Deterministic, with a reader held (tests/fusefs/uffd_hold.py) inside
# memory/'s first listing (its READDIRPLUS answered, the copy-out of its
# first entry faulting).  memory/ is not looked at while the notifier waits
# for it: a lookup there would queue behind the notifier's exclusive wait.
. "$(dirname "$0")/lib.sh"
require_listing_fence

mount_numa2_probe "hotmemfs mounts numa2 with probe" add-fence
uevents_start 120
added() { awk '$1 == "add" && $2 ~ /\/memory128$/' "$TMP/ue.txt" | grep -q .; }

# probe opened first: an open with O_CREAT (a shell's >) takes memory/'s
# lock exclusively and would wait for the reader
exec 3>"$M/probe"
hold_first_listing "$M" r
tap_ok $? "a reader is inside memory/'s first listing: $(cat "$TMP/r.out")"
sh -c 'echo 0x400000000 >&3' 2>"$TMP/probe.err" &
PROBE=$!
exec 3>&-
notifier_stalled
tap_ok $? "probe: memory128's ADD is queued"
# a bound against a notifier merely slow: without the fence it was settled
# at once; with it the ADD waits for the reader however long
! ctl settle --timeout 3 >/dev/null 2>&1
tap_ok $? "the ADD waits in the notifier: for the reader inside memory/'s listing"
! added
tap_ok $? "... memory128's ADD not sent yet"
kill -0 "$PROBE" 2>/dev/null
tap_ok $? "... the probe's write has no reply yet"
holder_release
tap_ok $? "the reader let go: $(cat "$TMP/r.out")"
wait_exit "$PROBE" 60
tap_ok $? "the probe's write is done: $(cat "$TMP/probe.err")"
uevents_stop
added
tap_ok $? "memory128's ADD arrived"
ls "$M" | grep -qx memory128
tap_ok $? "memory/ lists memory128"
ls "$MNT/sys/bus/memory/devices" | grep -qx memory128
tap_ok $? "bus/memory/devices/ lists memory128"
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
