#!/bin/bash
# A probe that meets one of the firmware's reserved ranges without lying
# inside it is refused EEXIST, as 6.12's register_memory_resource():
# e820__reserve_resources() inserts the reserved ranges above 1 MiB not
# busy, and __request_region() descends into such a conflict and fails
# there when the range does not fit (kernel/resource.c
# __request_region_locked(): -EBUSY, "Unable to reserve System RAM
# region").  qemu-512m's e820 has 0xfffc0000-0xffffffff reserved (its
# BIOS): `echo 0xf8000000 > probe` was added over it, and /proc/iomem
# showed "f8000000-ffffffff : System RAM" beside "fffc0000-ffffffff :
# Reserved" (reread32b R1).  A block clear of it is added.
. "$(dirname "$0")/lib.sh"
require_env
cat >"$TMP/probe.profile" <<'PROF'
profile = qemu-512m
name = qemu-512m-probe
probe = yes
PROF
start_fs --fresh --profile "$TMP/probe.profile"
tap_ok $? "hotmemfs mounts qemu-512m with probe"
M=$MNT/sys/devices/system/memory
grep -q '^fffc0000-ffffffff : Reserved' "$MNT/proc/iomem"
tap_ok $? "its /proc/iomem has the firmware's fffc0000-ffffffff Reserved"
before=$(cat "$MNT/proc/iomem")
is "$(w "$M/probe" 0xf8000000)" EEXIST "probe 0xf8000000 (meets fffc0000-ffffffff): EEXIST"
[ ! -e "$M/memory31" ]
tap_ok $? "... memory31 not added"
same_output "$(cat "$MNT/proc/iomem")" "$before" "... /proc/iomem as before"
is "$(w "$M/probe" 0xf0000000)" ret=10 "probe 0xf0000000 (clear of it): added"
[ -e "$M/memory30" ]
tap_ok $? "... memory30 there"
grep -q '^f0000000-f7ffffff : System RAM' "$MNT/proc/iomem"
tap_ok $? "... its System RAM line in /proc/iomem"
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
