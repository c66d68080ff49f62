#!/bin/bash
# proc/sys/vm/hugetlb_optimize_vmemmap is 6.12's run-time switch
# (mm/hugetlb_vmemmap.c: 0644, proc_dobool() on vmemmap_optimize_enabled;
# reread30 R11): it was read-only here (EACCES).  A write is
# proc_dointvec()'s one int stored as a bool -- "2" and "-1" are 1, junk,
# "1junk", "+1", past INT_MAX, nothing but spaces EINVAL, as a 6.12.117
# guest answers them (/tmp/hvo31/s1, s2) -- and changes only the pages the
# pool takes from then on: /proc/vmstat's nr_memmap_pages and
# nr_memmap_boot_pages read as that guest's, toggled between growths
# (qemu-512m booted without hugetlb_free_vmemmap: 0/2048, +8 on 8/1984,
# +8 off 8/1984, a shrink of 8 with the switch off restores the 4
# optimised among them all the same, 36/1984).  An acknowledged value is
# kept over kill -9 and a clean restart (a "param" record).
. "$(dirname "$0")/lib.sh"
require_env

F=$MNT/proc/sys/vm/hugetlb_optimize_vmemmap
P=$MNT/proc
start() { mount_fs "$1" --profile qemu-512m --cmdline "memhp_default_state=offline" "${@:2}"; }

start "hotmemfs mounts qemu-512m (hugetlb_free_vmemmap not given: off)" --fresh
is "$(stat -c '%A %s' "$F")" "-rw-r--r-- 0" "0644, size 0 (procfs)"
is "$(cat "$F")" 0 "reads 0: the command line's"
for v in junk 1junk +1 99999999999 2147483648 '\n' '   '; do
	is "$(w "$F" "$v")" EINVAL "<- '${v/\\n/newline}': EINVAL (proc_dointvec())"
done
is "$(cat "$F")" 0 "... still 0"
# VALUE:BYTES written
for v in 2:1 -1:2 '1\n:2' '  1:3' 0x1:3 -2147483648:11; do
	is "$(w "$F" "${v%:*}") $(cat "$F")" "ret=${v##*:} 1" "<- '${v%:*}': taken, reads 1 (a bool: not 0)"
	w "$F" 0 >/dev/null
done
is "$(w "$F" ' 0 ') $(cat "$F")" "ret=3 0" "<- ' 0 ': 0"

is "$(memmap_counts)" "0 2048" "boot: nr_memmap_pages 0, nr_memmap_boot_pages 2048"
w "$P/sys/vm/nr_hugepages" 8 >/dev/null
is "$(memmap_counts)" "0 2048" "pool 8 with the switch 0: nothing optimised"
is "$(w "$F" 1)" ret=1 "<- 1"
is "$(memmap_counts)" "0 2048" "... the 8 in the pool stay as they are"
w "$P/sys/vm/nr_hugepages" 16 >/dev/null
is "$(memmap_counts)" "8 1984" "pool 16: the 8 new ones optimised (6.12: 8 1984)"
is "$(w "$F" 0)" ret=1 "<- 0"
w "$P/sys/vm/nr_hugepages" 24 >/dev/null
is "$(memmap_counts)" "8 1984" "pool 24: the 8 new ones not (6.12: 8 1984)"
w "$P/sys/vm/nr_hugepages" 12 >/dev/null
is "$(memmap_counts)" "36 1984" "pool 12 with the switch 0: 4 optimised freed, their tails' pages again (6.12: 36 1984)"

is "$(w "$F" 1)" ret=1 "<- 1"
kill9_fs
start "kill -9 after the acknowledged write, restart from the state file"
is "$(cat "$F")" 1 "the switch reads 1"
is "$(w "$F" 0)" ret=1 "<- 0"
stop_fs
start "a clean restart"
is "$(cat "$F")" 0 "the switch reads 0"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
