#!/bin/bash
# Inside hotmem-enter /proc/vmstat is the machine's, as /proc/meminfo,
# zoneinfo and buddyinfo are: nr_free_pages is the machine's zoneinfo's
# free pages summed and its MemFree, before and after a DIMM comes online
# and pages are allocated.  It was the host's (usereye3 #15): vmstat and
# agents reading nr_free_pages saw a second machine.
. "$(dirname "$0")/lib.sh"
need_enter

"$ENTER" --profile qemu-512m --cmdline hotmem.kernel_alloc=off -- bash -c '
	say() { echo "$1=$2"; }
	free3() {
		echo "$(awk '"'"'$1 == "nr_free_pages" { print $2 }'"'"' /proc/vmstat)" \
			"$(awk '"'"'$1 == "pages" && $2 == "free" { s += $3 } END { printf "%.0f\n", s }'"'"' /proc/zoneinfo)" \
			"$(awk '"'"'$1 == "MemFree:" { printf "%.0f\n", $2 / 4 }'"'"' /proc/meminfo)"
	}
	say mounted "$(grep -c " /proc/vmstat fuse.hotmemfs " /proc/self/mounts)"
	say boot "$(free3)"
	hotmemctl device_add pc-dimm size=256M id=d1 >/dev/null && hotmemctl online 32 online_movable >/dev/null
	say online $?
	say online_free "$(free3)"
	hotmemctl alloc movable 1000 >/dev/null; say alloc $?
	say alloc_free "$(free3)"
	say memmap "$(awk '"'"'$1 == "nr_memmap_pages" { print $2 }'"'"' /proc/vmstat)"
' >"$TMP/out" 2>"$TMP/err"
is "$?" 0 "hotmem-enter ran the command"
v() { sed -n "s/^$1=//p" "$TMP/out"; }
same3() { read -r a b c <<<"$1"; [ -n "$a" ] && [ "$a" = "$b" ] && [ "$a" = "$c" ]; }
is "$(v mounted)" 1 "/proc/vmstat inside is hotmemfs's"
same3 "$(v boot)"
tap_ok $? "nr_free_pages inside is the machine's zoneinfo free sum and MemFree ($(v boot))"
is "$(v online) $(v alloc)" "0 0" "a DIMM online_movable inside, 1000 pages allocated"
same3 "$(v online_free)"
tap_ok $? "... after the online: still one count ($(v online_free))"
same3 "$(v alloc_free)"
tap_ok $? "... after the allocation: still one count ($(v alloc_free))"
is "$(v memmap)" 1024 "nr_memmap_pages inside: the DIMM's memmap, the machine's"
sed 's/^/# /' "$TMP/err" | grep -v "^# hotmemfs: " | head
done_testing
