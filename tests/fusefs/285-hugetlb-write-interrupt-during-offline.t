#!/bin/bash
# A HugeTLB pool write and a hard_offline_page write waited
# behind a guest's offline looping on pinned pages (6.12's offline_pages()
# until a signal, change_lock held) and a signal did not end the wait:
# the writer sat in D state until the offline ended (abuse24 A3).  The
# kernel's writers take none of the locks the offline holds
# (set_max_huge_pages(): h->resize_lock and hugetlb_lock, a signal stops
# its growth; memory_failure(): mf_mutex).  With a state file each still
# waits for change_lock (its record is journaled under it), but now ends
# at its FUSE_INTERRUPT as a state write does: EINTR, nothing changed.
# An nr_overcommit_hugepages write and a notifier-error-inject error write
# were among them; they answer at once now, with a state file too
# (journaled under journal_lock alone: tests/fusefs/310).  Each writer
# is killed -9 once it is seen waiting in its FUSE write (in_fuse_write,
# its kernel stack), and must be gone while the offline still loops (no time measured: a writer not gone within
# 20 s fails).  Without ch.task in attrs.c's stores the kills fail
# (9846c2ec checked it with the three writes 310 now covers among them;
# the kills left are checks 6, 9, 12 and 15).
# soft_offline_page is left out: its wait is the kernel's
# (get_online_mems(), uninterruptible).
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
printf 'profile = default\nmemory_failure = yes\n' >"$TMP/mf.profile"
HP=$MNT/sys/kernel/mm/hugepages/hugepages-2048kB
N0=$MNT/sys/devices/system/node/node0/hugepages/hugepages-2048kB
INJ=$MNT/sys/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error
VM=$MNT/proc/sys/vm
M=$MNT/sys/devices/system/memory


mount_fs "hotmemfs mounts a machine with memory_failure, a state file" \
	--fresh --profile "$TMP/mf.profile" --cmdline hotmem.kernel_alloc=off
before="$(cat "$HP/nr_hugepages") $(cat "$HP/nr_overcommit_hugepages") $(cat "$INJ")"
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=256M >/dev/null
tap_ok $? "a virtio-mem vm0, 256M plugged (memory32-33)"
memory33_offline_loops

killed_while_looping nr_hugepages "$HP/nr_hugepages" 4
killed_while_looping "node0 nr_hugepages" "$N0/nr_hugepages" 4
killed_while_looping vm.nr_hugepages "$VM/nr_hugepages" 4
# a free page of memory33's isolated range: the retirement must not happen
killed_while_looping hard_offline_page "$M/hard_offline_page" 0x108000000
is "$(cat "$HP/nr_hugepages") $(cat "$HP/nr_overcommit_hugepages") $(cat "$INJ")" "$before" \
	"the pool, its overcommit and the injected error as before"
is "$(awk '$1 == "HardwareCorrupted:" {print $2}' "$MNT/proc/meminfo")" 0 "no page retired"

ctl free-all >/dev/null
wait "$OFF"
tap_ok $? "the pins freed: the guest's offline of memory33 ends well"
is "$(cat "$M/memory33/state")" offline "memory33 offline"
echo 2 >"$HP/nr_overcommit_hugepages"
is "$(cat "$HP/nr_overcommit_hugepages")" 2 "nr_overcommit_hugepages written after it"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
