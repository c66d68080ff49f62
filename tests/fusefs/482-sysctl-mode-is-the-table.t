#!/bin/bash
# A /proc/sys/vm file's mode and owner are its sysctl table's: 6.12's
# proc_sys_setattr() (fs/proc/proc_sysctl.c) refuses a chmod, chown or
# chgrp with EPERM before any other check, root's too, and a truncate
# (`: >`) goes through.  hotmemfs took a chmod: after `chmod 0000` root's
# open of hugetlb_optimize_vmemmap was EACCES (it went the sysfs open
# check, missing from the /proc/sys open list), its siblings' not
# (small40 item 1).  Its directories (/proc/sys, vm, kernel,
# kernel/random) and kernel/random/boot_id are /proc/sys's too: the same
# setattr, EPERM (reread40 R5: their chmod and chown went through).
. "$(dirname "$0")/lib.sh"
require_env
mount_fs "hotmemfs mounts default" --profile default --fresh
# eperm NAME CMD...: CMD fails with EPERM, the check NAME
eperm() {
	local name=$1 rc
	shift
	"$@" 2>"$TMP/err"
	rc=$?
	grep -q "Operation not permitted" "$TMP/err" && [ "$rc" != 0 ]
	tap_ok $? "$name: EPERM"
}
V=$MNT/proc/sys/vm
for f in "$V"/*; do
	n=${f##*/}
	eperm "chmod of vm/$n" chmod 0000 "$f"
	eperm "chown of vm/$n" chown 1:1 "$f"
	is "$(stat -c %a "$f")" 644 "vm/$n: mode still 644"
	python3 -c 'import os, sys; os.close(os.open(sys.argv[1], os.O_RDWR))' "$f"
	tap_ok $? "vm/$n: root opens it for reading and writing"
done
P=$MNT/proc/sys
for f in "$P" "$P/vm" "$P/kernel" "$P/kernel/random" "$P/kernel/random/boot_id"; do
	n=${f#"$MNT/"}
	mode=$(stat -c %a "$f")
	eperm "chmod of $n" chmod 0700 "$f"
	eperm "chown of $n" chown 1:1 "$f"
	is "$(stat -c '%a %u:%g' "$f")" "$mode 0:0" "$n: mode and owner as they were"
done
: >"$V/min_free_kbytes"
tap_ok $? "a truncate of vm/min_free_kbytes goes through"
stop_fs
done_testing
