#!/bin/bash
# Inside hotmem-enter /proc/pagetypeinfo and vm.min_free_kbytes are the
# machine's, beside its buddyinfo and zoneinfo, and /proc/kpageflags and
# /proc/kpagecount are the machine's, not the host's: they were (usereye5
# #5), so the host's Normal zone's pageblocks and page-types' flags of the
# host's pfns read as the machine's.
. "$(dirname "$0")/lib.sh"
need_enter

"$ENTER" --profile qemu-512m -- bash -c '
	say() { echo "$1=$2"; }
	for f in pagetypeinfo kpageflags kpagecount sys/vm/min_free_kbytes \
		sys/vm/watermark_scale_factor sys/vm/lowmem_reserve_ratio; do
		say "mounted_${f##*/}" "$(grep -c " /proc/$f fuse.hotmemfs " /proc/self/mounts)"
	done
	say zones "$(awk '"'"'NF == 9 && $1 == "Node" { printf "%s ", $4 }'"'"' /proc/pagetypeinfo)"
	say buddyzones "$(awk '"'"'{ printf "%s ", $4 }'"'"' /proc/buddyinfo)"
	say mfk "$(cat /proc/sys/vm/min_free_kbytes)"
	say machine_mfk "$(cat "$HOTMEM_ENTERED/proc/sys/vm/min_free_kbytes")"
	say kpageflags "$(od -An -tx8 -N8 /proc/kpageflags | tr -d " ")"
' >"$TMP/out" 2>"$TMP/err"
is "$?" 0 "hotmem-enter ran the command"
v() { sed -n "s/^$1=//p" "$TMP/out"; }
is "$(v mounted_pagetypeinfo) $(v mounted_kpageflags) $(v mounted_kpagecount) $(v mounted_min_free_kbytes)" \
	"1 1 1 1" "/proc/pagetypeinfo, kpageflags, kpagecount, sys/vm/min_free_kbytes inside are hotmemfs's"
# the other watermark sysctls, writable: a write would have changed the host's (tests/fusefs/410)
is "$(v mounted_watermark_scale_factor) $(v mounted_lowmem_reserve_ratio)" "1 1" \
	"sys/vm/watermark_scale_factor and lowmem_reserve_ratio inside are hotmemfs's"
is "$(v zones)" "$(v buddyzones)" "pagetypeinfo's zones are buddyinfo's: the machine's ($(v zones))"
is "$(v mfk)" "$(v machine_mfk)" "vm.min_free_kbytes is the machine's ($(v mfk))"
is "$(v kpageflags)" 0000000100000000 \
	"kpageflags: the machine's pfn 0, KPF_RESERVED (they were not served: EOPNOTSUPP)"
sed 's/^/# /' "$TMP/err" | grep -v "^# hotmemfs: " | head

# vm.hugetlb_optimize_vmemmap is the machine's switch, booted from
# hugetlb_free_vmemmap= (abuse30c K3: it was the host's file, 0 on this
# host, and a write changed the host's); writable, as 6.12's (reread30 R11)
host_hvo=$(cat /proc/sys/vm/hugetlb_optimize_vmemmap 2>/dev/null)
# the write is of the host's own value: were the file the host's, nothing changes
HOST_HVO=${host_hvo:-0} "$ENTER" --profile qemu-512m --cmdline "hugetlb_free_vmemmap=on" -- bash -c '
	echo "mounted=$(grep -c " /proc/sys/vm/hugetlb_optimize_vmemmap fuse.hotmemfs " /proc/self/mounts)"
	echo "hvo=$(cat /proc/sys/vm/hugetlb_optimize_vmemmap)"
	echo "$HOST_HVO" 2>/dev/null >/proc/sys/vm/hugetlb_optimize_vmemmap && echo written=yes || echo written=no
	echo "machine=$(cat "$HOTMEM_ENTERED/proc/sys/vm/hugetlb_optimize_vmemmap")"
' >"$TMP/out2" 2>"$TMP/err2"
w() { sed -n "s/^$1=//p" "$TMP/out2"; }
is "$(w mounted) $(w hvo) $(w written)" "1 1 yes" \
	"hugetlb_free_vmemmap=on: vm.hugetlb_optimize_vmemmap inside is hotmemfs's, 1, writable"
is "$(w machine)" "${host_hvo:-0}" "... the write went to the machine's switch"
is "$(cat /proc/sys/vm/hugetlb_optimize_vmemmap 2>/dev/null)" "$host_hvo" "... the host's left as it was"
done_testing
