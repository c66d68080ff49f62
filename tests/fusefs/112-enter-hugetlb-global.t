#!/bin/bash
# Inside hotmem-enter the global HugeTLB files are the machine's:
# /proc/sys/vm/nr_hugepages (sysctl vm.nr_hugepages), its mempolicy and
# overcommit siblings and /sys/kernel/mm/hugepages are bound from
# hotmemfs, so `echo 8 > /proc/sys/vm/nr_hugepages` grows the machine's
# pool (its nodeN counts and /proc/meminfo agree) and the host's pool is
# untouched.  They were the host's, read-only (EROFS), reading the host's
# count while the machine's meminfo said otherwise (usereye3 #14).
. "$(dirname "$0")/lib.sh"
need_enter
[ -e /proc/sys/vm/nr_hugepages ] && [ -d /sys/kernel/mm/hugepages ] ||
	skip_all "the host's kernel has no HugeTLB (nothing to bind over)"

host() {
	cat /proc/sys/vm/nr_hugepages /proc/sys/vm/nr_overcommit_hugepages
	cat /sys/kernel/mm/hugepages/hugepages-*/nr_hugepages
}
before=$(host)

nodes01_profile 2 "$TMP/two.profile"
"$ENTER" --profile "$TMP/two.profile" --cmdline hotmem.kernel_alloc=off -- bash -c '
	say() { echo "$1=$2"; }
	G=/sys/kernel/mm/hugepages/hugepages-2048kB
	nodes() { cat /sys/devices/system/node/node[01]/hugepages/hugepages-2048kB/nr_hugepages | tr "\n" " "; }
	say start "$(cat /proc/sys/vm/nr_hugepages)"
	echo 8 >/proc/sys/vm/nr_hugepages; say write $?
	say sysctl "$(cat /proc/sys/vm/nr_hugepages)"
	say sysfs "$(cat $G/nr_hugepages) $(cat $G/free_hugepages)"
	say nodes "$(nodes)"
	say meminfo "$(awk '"'"'$1 == "HugePages_Total:" {print $2}'"'"' /proc/meminfo)"
	say ls "$(ls /sys/kernel/mm/hugepages)"
	if command -v sysctl >/dev/null; then
		sysctl -q -w vm.nr_hugepages=2; say sysctl_w $?
		say sysctl_r "$(sysctl -n vm.nr_hugepages)"
	else
		echo 2 >/proc/sys/vm/nr_hugepages; say sysctl_w $?; say sysctl_r 2
	fi
	say nodes2 "$(nodes)"
	echo 1 >/proc/sys/vm/nr_overcommit_hugepages; say overcommit "$? $(cat /proc/sys/vm/nr_overcommit_hugepages) $(cat $G/nr_overcommit_hugepages)"
	(echo x >/proc/sys/vm/drop_caches) 2>&1 | grep -q "Read-only file system"; say ro_drop_caches $?
' >"$TMP/out" 2>"$TMP/err"
is "$?" 0 "hotmem-enter ran the command"
v() { sed -n "s/^$1=//p" "$TMP/out"; }
is "$(v start)" 0 "/proc/sys/vm/nr_hugepages inside reads the machine's empty pool"
is "$(v write)" 0 "echo 8 > /proc/sys/vm/nr_hugepages inside: written (no EROFS)"
is "$(v sysctl)" 8 "... /proc/sys/vm/nr_hugepages reads 8"
is "$(v sysfs)" "8 8" "... /sys/kernel/mm/hugepages/hugepages-2048kB nr_hugepages 8, free 8"
is "$(v nodes)" "4 4 " "... the machine's node0 and node1 pools 4 each (interleaved)"
is "$(v meminfo)" 8 "... the machine's /proc/meminfo HugePages_Total 8"
is "$(v ls)" hugepages-2048kB "/sys/kernel/mm/hugepages lists the machine's one hstate"
is "$(v sysctl_w) $(v sysctl_r)" "0 2" "sysctl -w vm.nr_hugepages=2 inside: written, reads 2"
is "$(v nodes2)" "1 1 " "... the machine's pool shrank to 2"
is "$(v overcommit)" "0 1 1" "echo 1 > /proc/sys/vm/nr_overcommit_hugepages inside: the machine's, stored and read back"
is "$(v ro_drop_caches)" 0 "the rest of /proc/sys stays the host's, read-only"
sed 's/^/# /' "$TMP/err" | grep -v "^# hotmemfs: " | head
is "$(host)" "$before" "the host's pool is untouched"
done_testing
