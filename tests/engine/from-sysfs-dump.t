#!/bin/bash
# hotmem profile --from-sysfs of small hand-made dumps (no mount, no root):
#  - memoryN, nodeN and virtioN are read by the kernel's names alone: a
#    stray copy of a block's directory beside the blocks ("memory999.orig",
#    a cp -r of a hand-edited dump) was taken for block 999 and raised
#    maxmem to 128 GiB (scan_blocks() read "memory%lu" with nothing after
#    it checked, where the node links' scans did).
#  - the module parameters go onto the profile's command line as hotmem's
#    own parser takes them: one it would refuse (no kernel prints it) is
#    left out and said, and the profile boots.  virtio_mem's bbm_block_size
#    was checked (is_ulong()) and memory_hotplug's four were not:
#    auto_movable_ratio=abc made a profile hotmem refused to boot.
#  - the nodes with CPUs are the profile's cpu_nodes: node/has_cpu (nodes
#    with an online CPU), nodeN/cpulist and nodeN/cpuM links (a node whose
#    CPUs are all offline keeps its links); the profile left them out, and
#    the machine imported put CPUs where the source had none.  A node with
#    CPUs and no memory (a memoryless node) is one of them, and the profile
#    boots (it was refused: "a memoryless node with CPUs is not modelled").
#  - a virtio-mem device with nothing plugged (requested-size 0, the usual
#    start of a virtio-mem VM) is a bare "virtioN" region in proc/iomem: a
#    top-level one is the device, written with requested-size 0 and said;
#    one inside another resource (virtio-fs's DAX window in its PCI BAR is
#    named virtioN too) is not taken, said with the line to add.  Both
#    were left out without a word.
#  - a block_size_bytes that is no hex number at all ("zz") is said so; it
#    was "'zz' is not a power of two" (usereye7 #11k).
#  - proc/cmdline's words are parsed as the kernel's parse_args() takes
#    them, a quoted value with its blanks one word: the word made
#    param=val again (its quotes gone) was parsed, its blanks cutting it
#    into words the kernel never saw -- foo="x memhp_default_state=online"
#    set the boot's policy (the dump's offline then went onto the line),
#    bar="a kernelcore=mirror" was "left out" for a refused kernelcore=
#    (small41).
#  - a size word's name compares as the kernel's do, '-' and '_' alike
#    (obsolete_checksetup()'s parameqn()): default-hugepagesz=1G makes the
#    hugepages= after it the 1 GiB hstate's; strncmp() missed it and gave
#    the count to the 2 MiB pool (small42).
#  - a module parameter's value with a blank goes onto the line quoted,
#    as /proc/cmdline shows such a word (next_arg() takes it whole): an
#    auto_movable_ratio of "3 memhp_default_state=online" set the
#    profile's policy, unquoted (small42).
set -u
B=${HOTMEM_BUILD:-build}
HM=$B/hotmem
echo "1..30"
. "$(dirname "$0")/../need.sh"
. "$(dirname "$0")/../profile_notes.sh"
[ -x "$HM" ] || need_plan_skip 30 "$HM not built"
TMP=$(mktemp -d /tmp/hotmem-from-sysfs.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
n=0
t() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }

from_sysfs_dump "$TMP/a"
"$HM" profile --from-sysfs "$TMP/a" -o "$TMP/clean.profile" 2>/dev/null &&
	grep -qx "maxmem = 0x1000000000" "$TMP/clean.profile"
t $? "eight 128 MiB blocks: maxmem 64 GiB"
M=$TMP/a/sys/devices/system/memory
cp -a "$M/memory7" "$M/memory999.orig"
mkdir -p "$M/memory7/node1x"
"$HM" profile --from-sysfs "$TMP/a" -o "$TMP/stray.profile" 2>/dev/null
t $? "a dump with memory999.orig and memory7/node1x beside the blocks"
diff "$TMP/clean.profile" "$TMP/stray.profile" >"$TMP/diff"
t $? "... the same profile: neither is a block or a node link"
sed 's/^/# /' "$TMP/diff"

from_sysfs_dump "$TMP/b"
P=$TMP/b/sys/module/memory_hotplug/parameters
V=$TMP/b/sys/module/virtio_mem/parameters
mkdir -p "$P" "$V"
echo Y >"$P/auto_movable_numa_aware"
echo abc >"$P/auto_movable_ratio"
echo N >"$P/memmap_on_memory"
echo auto-movable >"$P/online_policy"
echo Y >"$V/unplug_online"
echo maybe >"$V/force_bbm"
echo 0 >"$V/bbm_block_size"
"$HM" profile --from-sysfs "$TMP/b" -o "$TMP/p.profile" 2>"$TMP/notes"; profile_notes "$TMP/p.profile" "$TMP/notes"
t $? "a dump with auto_movable_ratio=abc and force_bbm=maybe"
# the values a boot without them gives (offline, N, Y, Y, 0) are not written
grep -qx 'cmdline = "memory_hotplug.online_policy=auto-movable"' "$TMP/p.profile"
t $? "... the command line: the one value a boot would not give, those two left out"
grep -q "memory_hotplug.auto_movable_ratio=abc: expected an unsigned integer: left out" "$TMP/notes" &&
	grep -q "virtio_mem.force_bbm=maybe: expected a boolean: left out" "$TMP/notes"
t $? "... each of the two left out, said"
"$HM" --profile "$TMP/p.profile" status >/dev/null 2>"$TMP/boot.err"
t $? "... the profile boots $(cat "$TMP/boot.err")"

# dump C: eight blocks, four on node 0 and four on node 1, of possible 0-2;
# node 0's CPUs online (has_cpu, cpulist), node 1's offline (its cpu2, cpu3
# links alone), node 2 none
from_sysfs_dump "$TMP/c"
M=$TMP/c/sys/devices/system/memory
N=$TMP/c/sys/devices/system/node
mkdir -p "$N/node0" "$N/node1" "$N/node2"
for i in 4 5 6 7; do
	rm -r "$M/memory$i/node0"
	ln -s ../../node/node1 "$M/memory$i/node1"
done
echo 0-2 >"$N/possible"
echo 0 >"$N/has_cpu"
echo 0-1 >"$N/node0/cpulist"
echo >"$N/node1/cpulist"
echo >"$N/node2/cpulist"
ln -s ../../cpu/cpu0 "$N/node0/cpu0"
ln -s ../../cpu/cpu2 "$N/node1/cpu2"
"$HM" profile --from-sysfs "$TMP/c" -o "$TMP/c.profile" 2>/dev/null &&
	grep -qx "cpu_nodes = 0-1" "$TMP/c.profile" && grep -qx "nodes = 3" "$TMP/c.profile"
t $? "has_cpu 0, node1/cpu2 a link, node2 nothing: cpu_nodes = 0-1 ($(grep '^cpu_nodes' "$TMP/c.profile"))"
# its node ids in SRAT order (the CPUs' nodes first, the memory's by address): said so
grep -qx "# nodes: the tree's node ids, in x86's SRAT order: read as QEMU's -numa nodeid= (PXMs) they boot the same guest" \
	"$TMP/c.profile"
t $? "... its node ids are in SRAT order: the profile says they read as QEMU's nodes"
"$HM" --profile "$TMP/c.profile" status >/dev/null 2>"$TMP/boot.err"
t $? "... the profile boots $(cat "$TMP/boot.err")"
rm "$N/has_cpu" "$N/node0/cpulist" "$N/node1/cpu2"
"$HM" profile --from-sysfs "$TMP/c" -o "$TMP/c0.profile" 2>/dev/null &&
	grep -qx "cpu_nodes = 0" "$TMP/c0.profile"
t $? "node0/cpu0 alone: cpu_nodes = 0"
"$HM" profile --from-sysfs "$TMP/a" -o "$TMP/a.profile" 2>"$TMP/a.notes"; profile_notes "$TMP/a.profile" "$TMP/a.notes"
! grep -q "^cpu_nodes" "$TMP/a.profile" && grep -q "cpu_nodes: no node/has_cpu" "$TMP/a.notes"
t $? "memory/ alone: no cpu_nodes line, said"

# node 2 has CPUs and no memory: a memoryless node
echo 0,2 >"$N/has_cpu"
echo 4-5 >"$N/node2/cpulist"
"$HM" profile --from-sysfs "$TMP/c" -o "$TMP/ml.profile" 2>"$TMP/ml.notes" &&
	profile_notes "$TMP/ml.profile" "$TMP/ml.notes" &&
	grep -qx "cpu_nodes = 0,2" "$TMP/ml.profile"
t $? "has_cpu 0,2, node 2 without memory: cpu_nodes = 0,2"
# not an x86 guest's order (its CPU node 2 after the memory's node 1): read
# as QEMU's nodes, node 2 would be the guest's node 1: noted, no claim made
grep -q "node numbers: the tree's node ids are not in x86's SRAT order .* boots node 1 of this profile as the guest's node 2" "$TMP/ml.notes" &&
	! grep -q "^# nodes: " "$TMP/ml.profile"
t $? "... node ids not in SRAT order: noted ($(grep -o 'node numbers: .*' "$TMP/ml.notes" | cut -c1-60)...)"
"$HM" --profile "$TMP/ml.profile" status >/dev/null 2>"$TMP/boot.err"
t $? "... the profile boots, node 2 memoryless $(cat "$TMP/boot.err")"

# dump D: a bare top-level virtio0 region (a device with nothing plugged)
# and a bare virtio1 inside a PCI device's BAR (virtio-fs's DAX window)
from_sysfs_dump "$TMP/d"
mkdir -p "$TMP/d/proc"
cat >"$TMP/d/proc/iomem" <<'EOF'
00000000-00000fff : Reserved
00001000-3fffffff : System RAM
40000000-febfffff : PCI Bus 0000:00
  fd000000-fdffffff : 0000:00:04.0
    fd000000-fdffffff : virtio1
140000000-17fffffff : virtio0
EOF
"$HM" profile --from-sysfs "$TMP/d" -o "$TMP/d.profile" 2>"$TMP/d.notes"; profile_notes "$TMP/d.profile" "$TMP/d.notes"
t $? "a dump whose proc/iomem has bare virtio0 (top level) and virtio1 (in a PCI BAR)"
grep -qx 'virtio_mem = id=virtio0 memaddr=0x140000000 size=0x40000000 requested-size=0 block-size=0x200000 node=0' "$TMP/d.profile" &&
	grep -q "could not infer: virtio0: a top-level region in proc/iomem with no memory added below it" "$TMP/d.notes"
t $? "... virtio0: a virtio-mem device with requested-size 0, said"
! grep -q '^virtio_mem = id=virtio1' "$TMP/d.profile" &&
	grep -q 'could not infer: virtio1 (0xfd000000-0xfdffffff): a region inside another .* add "virtio_mem = id=virtio1 memaddr=0xfd000000 size=0x1000000 requested-size=0"' "$TMP/d.notes"
t $? "... virtio1: not taken, said with the line to add"
"$HM" --profile "$TMP/d.profile" status >/dev/null 2>"$TMP/boot.err"
t $? "... the profile boots $(cat "$TMP/boot.err")"

# block_size_bytes: not a hex number, and a hex number that is no power of 2
from_sysfs_dump "$TMP/e"
for v in zz 8000000x 6000000; do
	echo "$v" >"$TMP/e/sys/devices/system/memory/block_size_bytes"
	"$HM" profile --from-sysfs "$TMP/e" -o "$TMP/e.profile" 2>"$TMP/e.err"; profile_notes "$TMP/e.profile" "$TMP/e.err"
	rc=$?
	case $v in
	6000000) want="hotmem: $TMP/e: block_size_bytes '6000000' is not a power of two" ;;
	*) want="hotmem: $TMP/e: block_size_bytes '$v' is not a hex number (the kernel writes e.g. 8000000)" ;;
	esac
	[ "$rc" -ne 0 ] && [ "$(cat "$TMP/e.err")" = "$want" ]
	t $? "block_size_bytes '$v': refused, $(cat "$TMP/e.err")"
done

# dump F: proc/cmdline with quoted values that hold other words
from_sysfs_dump "$TMP/f"
mkdir -p "$TMP/f/proc"
echo 'quiet foo="x memhp_default_state=online" bar="a kernelcore=mirror"' >"$TMP/f/proc/cmdline"
"$HM" profile --from-sysfs "$TMP/f" -o "$TMP/f.profile" 2>"$TMP/f.notes"; profile_notes "$TMP/f.profile" "$TMP/f.notes"
t $? "proc/cmdline: quiet foo=\"x memhp_default_state=online\" bar=\"a kernelcore=mirror\""
! grep -q "^cmdline = .*memhp_default_state" "$TMP/f.profile"
t $? "... foo's value sets no policy: none on the profile's line ($(grep '^cmdline' "$TMP/f.profile"))"
grep -q 'proc/cmdline: quiet foo="x memhp_default_state=online" bar="a kernelcore=mirror": hotmem models none of these, left out' "$TMP/f.notes" &&
	! grep -v "models none" "$TMP/f.notes" | grep -q kernelcore
t $? "... the three words, unmodelled, said as proc/cmdline spells them; no kernelcore= refused"
grep "proc/cmdline" "$TMP/f.notes" | sed 's/^/# /'

# dump G: default_hugepagesz spelled with a dash
from_sysfs_dump "$TMP/g"
mkdir -p "$TMP/g/proc"
echo 'default-hugepagesz=1G hugepages=2' >"$TMP/g/proc/cmdline"
"$HM" profile --from-sysfs "$TMP/g" -o "$TMP/g.profile" 2>"$TMP/g.notes" &&
	profile_notes "$TMP/g.profile" "$TMP/g.notes" &&
	! grep -q '^cmdline = .*hugepages=2' "$TMP/g.profile"
t $? "proc/cmdline: default-hugepagesz=1G hugepages=2: no 2 MiB pool of 2 ($(grep '^cmdline' "$TMP/g.profile"))"
grep -q 'proc/cmdline: hugepages=2: the count of the 1 GiB hstate' "$TMP/g.notes"
t $? "... the count said the 1 GiB hstate's, as for default_hugepagesz=1G"
grep "proc/cmdline" "$TMP/g.notes" | sed 's/^/# /'

# dump H: module parameter values with blanks
from_sysfs_dump "$TMP/h"
P=$TMP/h/sys/module/memory_hotplug/parameters
mkdir -p "$P"
echo 'contig-zones' >"$P/online_policy"
echo '3 memhp_default_state=online' >"$P/auto_movable_ratio"
echo 'N x' >"$P/auto_movable_numa_aware"
echo 'N' >"$P/memmap_on_memory"
"$HM" profile --from-sysfs "$TMP/h" -o "$TMP/h.profile" 2>"$TMP/h.notes"; profile_notes "$TMP/h.profile" "$TMP/h.notes"
t $? "sys/module/memory_hotplug/parameters with blanks in auto_movable_ratio and auto_movable_numa_aware"
! grep -q '^cmdline = .*memhp_default_state=online' "$TMP/h.profile" &&
	grep -q 'memory_hotplug.auto_movable_ratio="3 memhp_default_state=online": expected an unsigned integer: left out' "$TMP/h.notes"
t $? "... the ratio's value one word, refused and said: it sets no policy ($(grep '^cmdline' "$TMP/h.profile"))"
grep -qx 'cmdline = "memory_hotplug.auto_movable_numa_aware="N x""' "$TMP/h.profile" &&
	"$HM" --profile "$TMP/h.profile" status >/dev/null 2>"$TMP/boot.err"
t $? "... numa_aware's written quoted as /proc/cmdline shows it, and the profile boots $(cat "$TMP/boot.err")"
grep "left out" "$TMP/h.notes" | sed 's/^/# /'
