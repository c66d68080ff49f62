#!/bin/bash
# A DIMM's binding (6.12 acpi_memory_enable_device(): acpi_bind_memory_blocks()
# after __add_memory(); hotmemfs binds once the notifier has sent the ADDs)
# drops the kernel's cached listings of the slot's PNP0C80:xx/ and of each
# memoryN/ only once every reader that began listing them before the
# binding is done, as the node links' drop does (events.c listing_fence(),
# tests/fusefs/216): a READDIR answered without physical_node but parsed
# after a bare drop fills the listing cache anew without it, for good --
# where hotmemd finds a DIMM's blocks (physical_nodeK).  Before,
# inval_acpi_bound() dropped them bare: the DIMM's device_add replied with
# the reader still inside the listing (checks 5-6 failed).
#
# Deterministic, with a reader held (tests/fusefs/uffd_hold.py) inside
# PNP0C80:00/'s first listing (its READDIRPLUS answered: the slot empty,
# no physical_node; the copy-out of its first entry faulting).
. "$(dirname "$0")/lib.sh"
require_listing_fence
S=$MNT/sys/devices/LNXSYSTM:00/LNXSYBUS:00/PNP0A06:04/PNP0C80:00

mount_fs "hotmemfs mounts" --state none
[ -d "$S" ] && [ ! -e "$S/physical_node" ]
tap_ok $? "slot 0's PNP0C80:00/ is there, empty"

# the reader: no ls before it, PNP0C80:00/'s listing not cached
hold_first_listing "$S" r
tap_ok $? "a reader is inside PNP0C80:00/'s first listing: $(cat "$TMP/r.out")"

timeout 120 "$HMCTL" -s "$CTL" device_add pc-dimm id=d1 size=256M slot=0 addr=0x100000000 \
	>/dev/null 2>"$TMP/add.err" &
ADD=$!
# its node links there: the link event, queued after the ADDs, is delivered;
# only the binding and the container's online are left
linked() { [ -L "$M/memory32/node0" ] && [ -L "$M/memory33/node0" ]; }
for _ in $(seq 1200); do linked && break; sleep 0.05; done
linked
tap_ok $? "d1 added: memory32, memory33 there, linked under node0"
# a bound against a notifier merely slow: without the fence it was settled
# at once; with it the binding waits for the reader however long
! ctl settle --timeout 3 >/dev/null 2>&1
tap_ok $? "the binding waits in the notifier: for the reader inside PNP0C80:00/'s listing"
kill -0 "$ADD" 2>/dev/null
tap_ok $? "... d1's device_add has no reply yet"
holder_release
tap_ok $? "the reader let go: $(cat "$TMP/r.out")"
wait_exit "$ADD" 60
tap_ok $? "device_add d1 is done: $(cat "$TMP/add.err")"
ctl settle --timeout 60 >/dev/null
tap_ok $? "settled"
ls "$S" | grep -qx physical_node && ls "$S" | grep -qx physical_node1
tap_ok $? "PNP0C80:00/ lists physical_node, physical_node1" ||
	diag "PNP0C80:00/: $(ls "$S" | paste -sd' ' -)"
for b in 32 33; do
	ls "$M/memory$b" | grep -qx firmware_node
	tap_ok $? "memory$b/ lists firmware_node" || diag "memory$b/: $(ls "$M/memory$b" | paste -sd' ' -)"
done
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
