#!/bin/bash
# hotmemctl export DIR -> hotmem profile --from-sysfs DIR gives back what
# the machine booted with and its HugeTLB pool (note29): export writes
# proc/cmdline and sys/kernel/mm/hugepages -- it wrote neither, and a
# machine booted with movablecore=, hugepages=, hugetlb_free_vmemmap came
# back without them, its pool empty -- and from-sysfs carries
# proc/cmdline's words hotmem models and sysfs does not show as they are
# now, and the pool: a boot pool as it was, one changed at run time as a
# boot pool of the counts the dump shows, said.  A machine nothing was
# changed on comes back with the command line it booted with (the dump's
# values that its boot words give are not written again): the same tree,
# proc/cmdline too.
. "$(dirname "$0")/lib.sh"
require_env
HM=$HOTMEM_BUILD/hotmem
HP=hugepages/hugepages-2048kB

pool() {	# pool DIR: "TOTAL NODE0 NODE1 ..." nr_hugepages of a mount or a dump
	local out n
	out=$(cat "$1/sys/kernel/mm/$HP/nr_hugepages" 2>&1)
	for n in "$1"/sys/devices/system/node/node[0-9]*; do
		out="$out $(cat "$n/$HP/nr_hugepages" 2>&1)"
	done
	echo "$out"
}
profile() {	# profile DIR NAME: hotmem profile --from-sysfs DIR into $TMP/NAME.profile, notes $TMP/NAME.notes
	"$HM" profile --from-sysfs "$1" -o "$TMP/$2.profile" 2>"$TMP/$2.notes"; profile_notes "$TMP/$2.profile" "$TMP/$2.notes"
}
cmdline_of() { sed -n 's/^cmdline = "\(.*\)"$/\1/p' "$TMP/$1.profile"; }

# a boot pool: qemu-512m booted with it, ZONE_MOVABLE and HVO
mount_fs "qemu-512m boots with movablecore=256M hugepages=8 hugetlb_free_vmemmap=on" --fresh \
	--profile qemu-512m --cmdline "movablecore=256M hugepages=8 hugetlb_free_vmemmap=on hotmem.kernel_alloc=off"
is "$(pool "$MNT")" "8 8" "... its pool: 8 pages"
ctl export "$TMP/a" >/dev/null
tap_ok $? "exported"
cmp -s "$MNT/proc/cmdline" "$TMP/a/proc/cmdline"
tap_ok $? "... with its proc/cmdline"
is "$(pool "$TMP/a")" "8 8" "... and sys/kernel/mm/hugepages (node0's pool as before)"
is "$(cat "$TMP/a/proc/sys/vm/hugetlb_optimize_vmemmap")" 1 "... and proc/sys/vm/hugetlb_optimize_vmemmap"
stop_fs
profile "$TMP/a" a
tap_ok $? "hotmem profile --from-sysfs"
is "$(cmdline_of a)" "movablecore=256M hugepages=8 hugetlb_free_vmemmap=on hotmem.kernel_alloc=off" \
	"... its command line the one the machine booted with: nothing was changed at run time"
! grep -q "HugeTLB" "$TMP/a.notes"
tap_ok $? "... nothing said of the pool: the boot pool comes back as it was"
mount_fs "the profile mounts" --fresh --profile "$TMP/a.profile"
is "$(pool "$MNT") $(cat "$MNT/proc/sys/vm/hugetlb_optimize_vmemmap") $(cat "$MNT/sys/devices/system/memory/memory2/valid_zones")" \
	"8 8 1 Movable" "... its pool 8 pages, HVO on, memory2 in ZONE_MOVABLE"
ctl export "$TMP/a2" >/dev/null
tap_ok $? "exported again"
stop_fs
is "$(pool "$TMP/a2")" "$(pool "$TMP/a")" "... the pool exported as the first machine's"
is "$(diff -r --no-dereference "$TMP/a" "$TMP/a2" 2>&1 | head -20)" "" \
	"export -> from-sysfs -> mount -> export: the same tree, file for file, proc/cmdline, proc/iomem and sys/firmware/memmap too"
# qemu-512m has QEMU's e820 table since 201e96eb: the export's firmware/memmap
# is it, from-sysfs writes it as e820 lines (reread32b R6: its ram lines
# dropped it, the second machine's map made of its RAM ranges, a TODO here)
is "$(grep -c '^e820 = ' "$TMP/a.profile") $(ls "$TMP/a/sys/firmware/memmap" | wc -l)" "7 7" \
	"... the profile's e820 lines: the exported firmware/memmap's 7 entries"
grep -qx "ram = 0x100000-0x1ffdffff node=0" "$TMP/a.profile"
tap_ok $? "... boot RAM to 0x1ffdffff, where proc/iomem's System RAM ends (memory3's last 128 KiB a hole)"
is "$(cat "$TMP/a2/proc/cmdline")" "$(cmdline_of a)" "... whose proc/cmdline is the profile's command line"
profile "$TMP/a2" a2
is "$(cmdline_of a2)" "$(cmdline_of a)" "... and from it the same command line again"

# a profile's cmdline line and --cmdline are one command line: proc/cmdline
# shows both, in order (it showed --cmdline's alone: the export lost the
# profile's movablecore=, and the machine profiled from it its ZONE_MOVABLE)
printf 'profile = qemu-512m\ncmdline = "movablecore=256M"\n' >"$TMP/two.profile"
mount_fs "a profile with cmdline = \"movablecore=256M\" and --cmdline hugepages=4 mounts" --fresh \
	--profile "$TMP/two.profile" --cmdline "hugepages=4 hotmem.kernel_alloc=off"
# and HVO switched on at run time (reread31 R8: the profile booted it off, as proc/cmdline)
echo 1 >"$MNT/proc/sys/vm/hugetlb_optimize_vmemmap"
is "$(cat "$MNT/proc/cmdline")" "movablecore=256M hugepages=4 hotmem.kernel_alloc=off" \
	"... proc/cmdline: the profile's line, then --cmdline"
ctl dmesg | grep -qx "<5>Kernel command line: movablecore=256M hugepages=4 hotmem.kernel_alloc=off"
tap_ok $? "... and the log's \"Kernel command line:\""
ctl export "$TMP/t" >/dev/null
tap_ok $? "exported"
stop_fs
profile "$TMP/t" t
is "$(cmdline_of t)" "hugetlb_free_vmemmap=on movablecore=256M hugepages=4 hotmem.kernel_alloc=off" \
	"... from-sysfs carries both parts' boot words, and HVO as switched on at run time"
grep -q "could not infer: hugetlb_free_vmemmap: vm.hugetlb_optimize_vmemmap is 1, proc/cmdline boots it off (written at run time): the profile boots hugetlb_free_vmemmap=on" "$TMP/t.notes"
tap_ok $? "... said" || diag "$(grep hugetlb_free_vmemmap "$TMP/t.notes")"

# switched off at run time (the dump edited): =off in the boot word's place,
# said; min_free_kbytes in the dump (a live "/", a hand dump) other than
# the profile's boot computes is carried as a sysctl.vm.* word, said: an
# operator's value, or khugepaged's, which hotmem does not model (it was
# "not carried" before a boot of the profile decided: reread35 R4)
cp -r "$TMP/a" "$TMP/v"
echo 0 >"$TMP/v/proc/sys/vm/hugetlb_optimize_vmemmap"
echo 128 >"$TMP/v/proc/sys/vm/min_free_kbytes"
profile "$TMP/v" v
is "$(cmdline_of v)" "hugetlb_free_vmemmap=off movablecore=256M hugepages=8 hotmem.kernel_alloc=off sysctl.vm.min_free_kbytes=128" \
	"HVO switched off at run time: hugetlb_free_vmemmap=off, the boot's =on dropped; min_free_kbytes's word last"
grep -q "could not infer: hugetlb_free_vmemmap: vm.hugetlb_optimize_vmemmap is 0, proc/cmdline boots it on (written at run time)" "$TMP/v.notes" &&
	grep -q "could not infer: proc/sys/vm: min_free_kbytes 128, the profile's boot computes [0-9]* (it was written, or raised by khugepaged, which hotmem does not model): sysctl.vm.min_free_kbytes=128, an operator's value" "$TMP/v.notes"
tap_ok $? "... said, and min_free_kbytes's word" || diag "$(grep 'proc/sys/vm\|hugetlb_free' "$TMP/v.notes")"

# the dump's proc/cmdline, edited: a word hotmem refuses is left out and
# said (a second hugepages=: the kernel ignores it), the words hotmem
# models none of are named; kernelcore=mirror left out as before
cp -r "$TMP/a" "$TMP/e"
rm "$TMP/e/proc/sys/vm/hugetlb_optimize_vmemmap"	# as an export before reread31 R8
echo 'console=ttyS0 movablecore=256M hugepages=8 hugepages=4 kernelcore=mirror quiet' >"$TMP/e/proc/cmdline"
profile "$TMP/e" e
is "$(cmdline_of e)" "movablecore=256M hugepages=8" \
	"a dump's proc/cmdline with a second hugepages= and kernelcore=mirror: neither carried"
grep -q "could not infer: proc/cmdline: hugepages=4: hugepages= given twice" "$TMP/e.notes" &&
	grep -q "could not infer: proc/cmdline: kernelcore=mirror.*: left out" "$TMP/e.notes" &&
	grep -q "could not infer: proc/cmdline: console=ttyS0 quiet: hotmem models none of these, left out" "$TMP/e.notes"
tap_ok $? "... each said, and the words hotmem models none of named" || diag "$(grep proc/cmdline "$TMP/e.notes")"

# values written at run time (the dump's auto_online_blocks offline, its
# online_policy contig-zones) against boot words that said otherwise: the
# dump's first, those words dropped (memory-hotplug.online-policy is
# memory_hotplug.online_policy, as the kernel's parameq() compares)
cp -r "$TMP/a" "$TMP/h"
echo 'memhp_default_state=online movablecore=256M memory-hotplug.online-policy=auto-movable' >"$TMP/h/proc/cmdline"
profile "$TMP/h" h
is "$(cmdline_of h)" "memhp_default_state=offline memory_hotplug.online_policy=contig-zones hugetlb_free_vmemmap=on movablecore=256M hugepages=8" \
	"values changed at run time first (HVO's too), the boot's words for them dropped"

# no pool in the dump (an older export, a hand-made dump): proc/cmdline's boot pool, said
rm -r "$TMP/e/sys/kernel/mm" "$TMP/e/sys/devices/system/node/node0/hugepages"
profile "$TMP/e" f
is "$(cmdline_of f)" "movablecore=256M hugepages=8" "a dump without the pool: proc/cmdline's hugepages=8"
grep -q "could not infer: HugeTLB: no kernel/mm/hugepages or nodeN/hugepages in the dump: the pool is proc/cmdline's boot pool" "$TMP/f.notes"
tap_ok $? "... said"

# 1 GiB pages beside the 2 MiB pool (reread31 R5): a hugepages= after a
# hugepagesz=1G (or before any size word, with default_hugepagesz=1G) is
# the 1 GiB hstate's (6.12 hugepages_setup()), left out and said -- it was
# taken as the 2 MiB pool and the real count refused as "given twice"
cp -r "$TMP/e" "$TMP/k"
echo 'hugepagesz=1G hugepages=2 hugepagesz=2M hugepages=8' >"$TMP/k/proc/cmdline"
profile "$TMP/k" k
is "$(cmdline_of k)" "hugepagesz=2M hugepages=8" \
	"hugepagesz=1G hugepages=2 hugepagesz=2M hugepages=8 without the pool in the dump: hugepages=8"
grep -q "could not infer: proc/cmdline: hugepages=2: the count of the 1 GiB hstate (hugepagesz=1G is the size word before it" "$TMP/k.notes" &&
	! grep -q "given twice" "$TMP/k.notes"
tap_ok $? "... hugepages=2 said as the 1 GiB hstate's, nothing given twice" || diag "$(grep proc/cmdline "$TMP/k.notes")"
echo 'hugepages=3 default_hugepagesz=1G hugepagesz=2M hugepages=8' >"$TMP/k/proc/cmdline"
profile "$TMP/k" k2
is "$(cmdline_of k2)" "hugepagesz=2M hugepages=8" "hugepages=3 before default_hugepagesz=1G: the 1 GiB default hstate's, left out"
grep -q "could not infer: proc/cmdline: hugepages=3: the count of the 1 GiB hstate (default_hugepagesz=1G names the default hstate" "$TMP/k2.notes"
tap_ok $? "... said" || diag "$(grep proc/cmdline "$TMP/k2.notes")"
cp -r "$TMP/a" "$TMP/l"
echo 'movablecore=256M hugepagesz=1G hugepages=2 hugepagesz=2M hugepages=8 hugetlb_free_vmemmap=on' >"$TMP/l/proc/cmdline"
profile "$TMP/l" l
is "$(cmdline_of l)" "movablecore=256M hugepagesz=2M hugepages=8 hugetlb_free_vmemmap=on" \
	"... with the dump's pool of 8: the boot pool as it was"
! grep -q "HugeTLB: the pool" "$TMP/l.notes"
tap_ok $? "... not said to be changed at run time" || diag "$(grep HugeTLB "$TMP/l.notes")"

# no proc/cmdline in the dump: the pool as a boot pool, said; movablecore= gone, said
rm "$TMP/a2/proc/cmdline"
profile "$TMP/a2" g
is "$(cmdline_of g | grep -o 'core=\|hugepages=[^ ]*\|hugetlb_free_vmemmap=[a-z]*' | xargs)" "hugetlb_free_vmemmap=on hugepages=8" \
	"a dump without proc/cmdline: its pool as hugepages=8, HVO as its sysctl shows, no movablecore="
grep -q "could not infer: HugeTLB: the pool (8 pages) is not known to be booted (no proc/cmdline in the dump): a pool grown, shrunk or moved at run time comes back as a boot pool, hugepages=8" "$TMP/g.notes" &&
	grep -q "could not infer: memory2: boot memory in ZONE_MOVABLE, and no kernelcore= or movablecore= in proc/cmdline" "$TMP/g.notes"
tap_ok $? "... both said" || diag "$(grep -E 'HugeTLB|ZONE_MOVABLE' "$TMP/g.notes")"

# a pool changed at run time: numa2 booted with hugepages=0:2, node 1's
# grown to 3: it comes back as a boot pool of those counts, in the boot
# word's place, said
mount_fs "numa2 boots with hugepages=0:2" --fresh --profile numa2 --cmdline "hugepages=0:2 hotmem.kernel_alloc=off"
echo 3 >"$MNT/sys/devices/system/node/node1/$HP/nr_hugepages"
is "$(pool "$MNT")" "5 2 3" "node 1's pool grown to 3 at run time"
ctl export "$TMP/b" >/dev/null
tap_ok $? "exported"
stop_fs
profile "$TMP/b" b
is "$(cmdline_of b)" "hugepages=0:2,1:3 hotmem.kernel_alloc=off" \
	"from-sysfs: the pool as hugepages=0:2,1:3, in hugepages=0:2's place"
grep -q "could not infer: HugeTLB: the pool (5 pages) is not proc/cmdline's boot pool (hugepages=0:2): a pool grown, shrunk or moved at run time comes back as a boot pool, hugepages=0:2,1:3" "$TMP/b.notes"
tap_ok $? "... said: a pool changed at run time comes back as a boot pool" || diag "$(grep HugeTLB "$TMP/b.notes")"
mount_fs "that profile mounts" --fresh --profile "$TMP/b.profile"
is "$(pool "$MNT")" "5 2 3" "... each node's pool as exported"
ctl export "$TMP/b2" >/dev/null
tap_ok $? "exported again"
stop_fs
is "$(diff -r --no-dereference -x cmdline "$TMP/b" "$TMP/b2" 2>&1 | head -20)" "" \
	"export -> from-sysfs -> mount -> export: the same tree, file for file, but proc/cmdline"
profile "$TMP/b2" b2
is "$(cmdline_of b2)" "$(cmdline_of b)" "... and from it the same command line, nothing said of the pool" &&
	! grep -q HugeTLB "$TMP/b2.notes"

# a bare count on two nodes, spread at boot: the profile's boot spreads it
# so too (a boot of the line decides, reread35 R4), so the line comes back
# as it booted, nothing said of the pool
mount_fs "numa2 boots with hugepages=5" --fresh --profile numa2 --cmdline "hugepages=5 hotmem.kernel_alloc=off"
spread=$(pool "$MNT")
ctl export "$TMP/c" >/dev/null
tap_ok $? "exported (its pool: $spread)"
stop_fs
profile "$TMP/c" c
is "$(cmdline_of c)" "hugepages=5 hotmem.kernel_alloc=off" "from-sysfs: hugepages=5 as it booted"
! grep -q HugeTLB "$TMP/c.notes"
tap_ok $? "... nothing said of the pool" || diag "$(grep HugeTLB "$TMP/c.notes")"
mount_fs "that profile mounts" --fresh --profile "$TMP/c.profile"
is "$(pool "$MNT")" "$spread" "... each node's pool as exported"
stop_fs
# a page moved to the other node at run time: the same count, otherwise
# spread -- the node form, said
cp -r "$TMP/c" "$TMP/m"
set -- $spread
if [ "$2" -gt 0 ]; then n0=$(($2 - 1)) n1=$(($3 + 1)); else n0=$(($2 + 1)) n1=$(($3 - 1)); fi
for f in nr_hugepages free_hugepages; do
	echo $n0 >"$TMP/m/sys/devices/system/node/node0/$HP/$f"
	echo $n1 >"$TMP/m/sys/devices/system/node/node1/$HP/$f"
done
want=hugepages=$( { [ $n0 = 0 ] || echo "0:$n0"; [ $n1 = 0 ] || echo "1:$n1"; } | paste -sd,)
profile "$TMP/m" m
is "$(cmdline_of m)" "$want hotmem.kernel_alloc=off" "a page moved between the nodes: hugepages=5 as $want"
grep -q "could not infer: HugeTLB: proc/cmdline's hugepages=5 as $want: the pool per node the dump shows (its boot spreads the count otherwise over the nodes)" "$TMP/m.notes"
tap_ok $? "... said" || diag "$(grep HugeTLB "$TMP/m.notes")"
mount_fs "that profile mounts" --fresh --profile "$TMP/m.profile"
is "$(pool "$MNT")" "5 $n0 $n1" "... each node's pool as the dump's"
stop_fs

# shrunk to none at run time: no hugepages= at all, said
echo 0 >"$TMP/c/sys/kernel/mm/$HP/nr_hugepages"
for n in "$TMP"/c/sys/devices/system/node/node[0-9]*; do echo 0 >"$n/$HP/nr_hugepages"; echo 0 >"$n/$HP/free_hugepages"; done
profile "$TMP/c" d
! cmdline_of d | grep -q "hugepages=" &&
	grep -q "could not infer: HugeTLB: the pool (0 pages) is not proc/cmdline's boot pool (hugepages=5): .* comes back as a boot pool, none" "$TMP/d.notes"
tap_ok $? "a pool shrunk to none: no hugepages= on the profile, said" || diag "$(grep HugeTLB "$TMP/d.notes")"
done_testing
