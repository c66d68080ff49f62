#!/bin/bash
# The unsigned-long vm sysctls -- nr_hugepages, nr_hugepages_mempolicy,
# nr_overcommit_hugepages, user_reserve_kbytes, admin_reserve_kbytes,
# 6.12's proc_doulongvec_minmax() handlers -- answer each write as a
# 6.12.117 guest did (tests/fixtures/sysctl-writes): the bytes the handler
# took (*lenp: the number and the spaces after it, so `echo "5 6"` is
# answered 2 and its "6" then dropped at position 2), the errno, or
# nothing set at a position past the start; and hold what it set.
# tests/fixtures/sysctl-writes/scripts/sysctl_writes.c, the guest's own
# probe, runs here on hotmemfs's files, line for line against its lines.
# The three HugeTLB ones answered the whole write ("5 6": 4, then 5 held).
. "$(dirname "$0")/lib.sh"
require_env
need_tool cc gcc
FIX=$HOTMEM_SRC/tests/fixtures/sysctl-writes
need_file "$FIX/qemu-6.12-ulong-sysctl-writes.txt"
cc -O2 -Wall -Werror "$FIX/scripts/sysctl_writes.c" -o "$TMP/sysctl_writes" 2>"$TMP/cc.err" ||
	need_end_fail "sysctl_writes.c builds: $(head -1 "$TMP/cc.err")"

mount_fs "hotmemfs mounts qemu-512m" --profile qemu-512m --cmdline hotmem.kernel_alloc=off --fresh
V=$MNT/proc/sys/vm
# file BASE [big]: as the guest's /init ran it
while read -r file base big; do
	"$TMP/sysctl_writes" "$V/$file" "$base" $big | sed 's/^CAP //' >"$TMP/$file.out"
	grep "^$file " "$FIX/qemu-6.12-ulong-sysctl-writes.txt" >"$TMP/$file.want"
	is "$(grep -c . "$TMP/$file.want")" "$(grep -c . "$TMP/$file.out")" \
		"vm.$file: as many writes as the guest's"
	while IFS= read -r want <&3 && IFS= read -r got <&4; do
		is "$got" "$want" "$want"
	done 3<"$TMP/$file.want" 4<"$TMP/$file.out"
done <<'LIST'
nr_hugepages 2
nr_hugepages_mempolicy 2
nr_overcommit_hugepages 3 big
user_reserve_kbytes 1000 big
admin_reserve_kbytes 2000 big
LIST
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
