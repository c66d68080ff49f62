#!/bin/bash
# A HugeTLB pool grown under a lowered vm.min_free_kbytes over kill -9
# (reread31 R7): the pool grows only as far as the watermarks let it,
# and a restart regrew it before it put the operator's min_free_kbytes
# back, under the value its onlines had computed, so it came back short
# ("node 0's HugeTLB pool has 248 of its 249 pages").  Lowering
# min_free_kbytes to fit more huge pages is the common reason to write
# it.  Now the watermark sysctls are back before the pool.
. "$(dirname "$0")/lib.sh"
require_env

# qemu-512m without its boot reservations (2026-12-03: with them its pool
# stops at 194 pages with 9.5 MiB free in no whole 2 MiB block, whatever
# min_free_kbytes says -- the watermarks no longer bound it there)
printf 'profile = qemu-512m\nkernel_image = none\ninitrd = none\nrealmode = no\nswiotlb = 0\nboot_reserved = 0\n' \
	>"$TMP/p.profile"
ARGS=(--profile "$TMP/p.profile" --cmdline hotmem.kernel_alloc=off)
mount_fs "hotmemfs mounts qemu-512m without its boot reservations" "${ARGS[@]}" --fresh
V=$MNT/proc/sys/vm

boot=$(cat "$V/min_free_kbytes")
is "$(w "$V/nr_hugepages" 100000)" ret=6 "nr_hugepages <- 100000 at boot's min_free_kbytes $boot"
full=$(cat "$V/nr_hugepages")
is "$(w "$V/nr_hugepages" 0)" ret=1 "nr_hugepages <- 0"
is "$(w "$V/min_free_kbytes" 128)" ret=3 "min_free_kbytes <- 128"
is "$(w "$V/nr_hugepages" 100000)" ret=6 "nr_hugepages <- 100000"
n=$(cat "$V/nr_hugepages")
tap_ok "$([ "$n" -gt "$full" ]; echo $?)" "... $n huge pages, more than the $full at $boot"
kill9_fs
mount_fs "kill -9, restart" "${ARGS[@]}"
is "$(cat "$V/min_free_kbytes")" 128 "min_free_kbytes 128 after the restart"
is "$(cat "$V/nr_hugepages")" "$n" "nr_hugepages $n: the pool as acknowledged"
ctl check >/dev/null
tap_ok $? "invariants hold"

# the other way round (reread31 R13): a pool grown, then min_free_kbytes
# raised (6.12 keeps the pool: a watermark write frees nothing); the
# restore regrows it whatever the marks are now, as it was acknowledged
is "$(w "$V/min_free_kbytes" 40000)" ret=5 "min_free_kbytes <- 40000 over the pool of $n"
is "$(cat "$V/nr_hugepages")" "$n" "... the pool kept"
kill9_fs
mount_fs "kill -9, restart again" "${ARGS[@]}"
is "$(cat "$V/min_free_kbytes") $(cat "$V/nr_hugepages")" "40000 $n" \
	"min_free_kbytes 40000, nr_hugepages $n: the pool as acknowledged"
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
