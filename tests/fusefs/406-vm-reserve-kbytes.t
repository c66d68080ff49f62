#!/bin/bash
# proc/sys/vm/user_reserve_kbytes and admin_reserve_kbytes, 6.12
# mm/mmap.c's (abuse30b V5): 1/32 of the free memory at boot (at most
# 128 MiB and 8 MiB), 0644 sysctls taking any unsigned number as
# proc_doulongvec_minmax() does (EINVAL for what it cannot parse);
# reserve_mem_notifier() resets a value above the free memory as a block
# goes offline, logging "mmap: vm.user_reserve_kbytes reset to N" (and
# admin's after it), and computes one in (0, max) again as a block comes
# online.  A written value and the notifier's are kept over kill -9.
# There were no such files (the host's, inside hotmem-enter).
. "$(dirname "$0")/lib.sh"
require_env

mount_fs "hotmemfs mounts qemu-512m" --profile qemu-512m --cmdline hotmem.kernel_alloc=off --fresh
V=$MNT/proc/sys/vm
M=$MNT/sys/devices/system/memory
reset_n() { ctl dmesg | sed -n "s/^<6>mmap: vm.$1_reserve_kbytes reset to //p" | tail -1; }

is "$(stat -c '%A %s %n' "$V"/*_reserve_kbytes | sed "s|$V/||" | tr '\n' ';')" \
	"-rw-r--r-- 0 admin_reserve_kbytes;-rw-r--r-- 0 user_reserve_kbytes;" \
	"proc/sys/vm: the two reserves, 0644, size 0 (procfs)"
user=$(cat "$V/user_reserve_kbytes")
tap_ok "$([ "$user" -gt 10000 ] && [ "$user" -lt 16384 ]; echo $?)" \
	"user_reserve_kbytes: 1/32 of a 512M machine's free memory at boot ($user)"
is "$(cat "$V/admin_reserve_kbytes")" 8192 "admin_reserve_kbytes: at its 8 MiB maximum"
# a read past the start is at the end: 6.12's handlers copy nothing at *ppos > 0
is "$(dd if="$V/admin_reserve_kbytes" bs=1 count=4 2>/dev/null)" 8 \
	"admin_reserve_kbytes read a byte at a time: the first byte, then the end (6.12 __do_proc_doulongvec_minmax())"
is "$(dd if="$V/admin_reserve_kbytes" bs=2 skip=1 count=1 2>/dev/null | wc -c)" 0 \
	"... a read at offset 2: nothing"
# `>>` after a write: procfs ignores O_APPEND, a fresh open's position is
# 0, where FUSE sends the cached size a write raised (reread31 R10)
echo 4096 >"$V/admin_reserve_kbytes" && echo 4000 >>"$V/admin_reserve_kbytes"
tap_ok $? "admin_reserve_kbytes <- 4096 (>), then 4000 (>>)"
is "$(cat "$V/admin_reserve_kbytes")" 4000 "... the appending write set it, as procfs's"
exec 3>>"$V/admin_reserve_kbytes"
printf 5000 >&3 && printf 6000 >&3
exec 3>&-
is "$(cat "$V/admin_reserve_kbytes")" 5000 "... one O_APPEND open's second write is past its start: nothing"
echo 8192 >"$V/admin_reserve_kbytes"

ulong_sysctl_refusals "$V/user_reserve_kbytes" vm.user_reserve_kbytes
ulong_sysctl_refusals "$V/admin_reserve_kbytes" vm.admin_reserve_kbytes
is "$(cat "$V/user_reserve_kbytes") $(cat "$V/admin_reserve_kbytes")" "$user 8192" "... both as they were"
is "$(w "$V/admin_reserve_kbytes" ' 0x10\n')" ret=6 "admin_reserve_kbytes <- ' 0x10' (base 0, spaces skipped)"
is "$(cat "$V/admin_reserve_kbytes")" 16 "... 16"

# past the free memory: the offline of memory2 resets both, user's first
is "$(w "$V/user_reserve_kbytes" 10485760)" ret=8 "user_reserve_kbytes <- 10485760 (10 GiB)"
is "$(w "$V/admin_reserve_kbytes" 5242880)" ret=7 "admin_reserve_kbytes <- 5242880"
is "$(w "$M/memory2/state" offline)" ret=7 "memory2 offline"
n=$(reset_n user)
tap_ok "$([ -n "$n" ] && [ "$n" -lt 16384 ]; echo $?)" "dmesg: mmap: vm.user_reserve_kbytes reset to $n"
is "$(reset_n admin)" 8192 "dmesg: mmap: vm.admin_reserve_kbytes reset to 8192"
ctl dmesg | grep -n '_reserve_kbytes reset' | cut -d: -f2- | sed 's/ reset to.*//' >"$TMP/order"
is "$(tr '\n' ' ' <"$TMP/order")" "<6>mmap: vm.user_reserve_kbytes <6>mmap: vm.admin_reserve_kbytes " \
	"... user's line, then admin's"
is "$(cat "$V/user_reserve_kbytes") $(cat "$V/admin_reserve_kbytes")" "$n 8192" "... the files read them"

kill9_fs
mount_fs "kill -9, restart from the state file" --profile qemu-512m --cmdline hotmem.kernel_alloc=off
is "$(cat "$V/user_reserve_kbytes") $(cat "$V/admin_reserve_kbytes")" "$n 8192" \
	"the notifier's values after the restart"
is "$(w "$V/user_reserve_kbytes" 0)" ret=1 "user_reserve_kbytes <- 0 (the operator turns it off)"
is "$(w "$M/memory2/state" online)" ret=6 "memory2 online again"
is "$(cat "$V/user_reserve_kbytes")" 0 "... 0 left alone at an online"
is "$(w "$V/user_reserve_kbytes" 1000)" ret=4 "user_reserve_kbytes <- 1000"
kill9_fs
mount_fs "kill -9 after the write, restart" --profile qemu-512m --cmdline hotmem.kernel_alloc=off
is "$(cat "$V/user_reserve_kbytes")" 1000 "the written 1000 after the restart"
is "$(w "$M/memory2/state" offline)" ret=7 "memory2 offline"
is "$(w "$M/memory2/state" online)" ret=6 "memory2 online"
u=$(cat "$V/user_reserve_kbytes")
tap_ok "$([ "$u" -gt 10000 ] && [ "$u" -lt 16384 ]; echo $?)" \
	"a value below the maximum is computed again at an online ($u)"
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
