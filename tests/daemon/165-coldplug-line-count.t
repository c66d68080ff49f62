#!/bin/bash
# hotmemd(8): the coldplug's first line counts the offline blocks it found,
# "1 offline block" for one, "2 offline blocks" for two, "0 offline
# blocks" for none (it said "1 offline blocks": user42 U2).
. "$(dirname "$0")/lib.sh"
need_hotmemd

for n in 0 1 2; do
	root=$TMP/m$n
	mk_boot_512m "$root"
	[ "$n" -eq 0 ] || mk_blocks "$root" 4 $((3 + n)) offline "Normal Movable"
	oneshot_run "$root" "$TMP/log$n"
	is "$?" 0 "$n offline block(s): --oneshot exits 0"
	want="$n offline blocks"
	[ "$n" -eq 1 ] && want="1 offline block"
	check "... its coldplug line says \"$want,\"" grep -q "coldplug: $want, block size 128 MiB" "$TMP/log$n"
	grep "coldplug:" "$TMP/log$n" | sed 's/^/# log: /'
done

done_testing
