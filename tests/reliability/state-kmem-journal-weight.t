#!/bin/bash
# The journal's "kmem" bytes weigh a quarter toward compaction
# (journal_weight()), after a restart too: a restart whose start save
# failed (a full disk) keeps the journal, and the replay counted its
# records' "kmem" as nothing, so their bytes weighed in full and the next
# change compacted at once, up to 4x early (reread19-fusefs F2).  Now the
# replay adds up each record's "kmem" as its append did: the heavy
# kernel's ~360 KiB of records (~70% kmem: ~180 KiB of weight) and
# 30 changes more compact nothing.  (360 changes before restart42's
# f8a3ab29 made an online's record ~110 bytes longer: 390 weigh more
# than 256 KiB now.)
. "$(dirname "$0")/lib.sh"
require_env
OPTS=(--profile qemu-512m --cmdline hotmem.kernel_alloc=heavy)
records() { journal_text | wc -c; }
state_on_small_tmpfs hmkmemweight 2m

start_fs_netns "${OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m with hotmem.kernel_alloc=heavy and a fresh state file on a 2m tmpfs"
ctl device_add pc-dimm size=1G id=dimm1 >/dev/null
tap_ok $? "a 1G DIMM, memory32-39"
seq0=$(state_seq)
flips 250 >/dev/null
[ "$(records)" -gt $((256 * 1024)) ] && [ "$(state_seq)" = "$seq0" ]
tap_ok $? "250 changes: $(records) bytes of records (over 256 KiB), not compacted (their kmem weighs a quarter)"
restart_start_save_fails
rm -f "$SD/fill" "$SD/fill2"
seq1=$(state_seq)
flips 30 >/dev/null
# a compaction those changes asked for runs in the background: given
# time to end (a pass does not depend on it: none is asked for)
for ((i = 0; i < 50; i++)); do
	[ "$(state_seq)" != "$seq1" ] && break
	sleep 0.1
done
is "$(state_seq)" "$seq1" "with room again, 30 changes compact nothing (the replayed records' kmem weighs a quarter)"
done_testing
