#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hotmem-trace against a real kernel: Debian's linux-image-amd64 under QEMU
# (TCG only, never KVM), busybox initramfs with the static hotmem-trace.
# Run 1: a 256 MiB pc-dimm hot-added over QMP; online (kernel zone),
# online_movable, offline both, online_movable both; traced in the guest.
# Run 2: the same with memory_hotplug.memmap_on_memory=1 (two 128 MiB
# DIMMs: 6.1 only self-hosts the memmap of a DIMM of exactly one block).
# Run 3: run 1 with --mode kprobe (kprobe/kretprobe instead of fentry/fexit).
# Then the engine side of the same scenario on hotmemfs, when it can run,
# and "hotmem-trace compare" of the two.
#
# Artifacts (traces, console logs): $HOTMEM_BUILD/tests/kernel/.
set -u
SRC=${HOTMEM_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
B=${HOTMEM_BUILD:-$SRC/build}
HERE=$SRC/tests/kernel
OUT=$B/tests/kernel
n=0
fails=0

skip_all() { echo "1..0 # SKIP $*"; exit 0; }
ok() {	# cond description
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}
skip() { n=$((n + 1)); echo "ok $n # SKIP $*"; }
diag() { sed 's/^/# /'; }
fact() { grep "^$2=" "$1.facts" | head -1 | cut -d= -f2-; }
is() {	# got expected description
	[ "$1" = "$2" ]; ok $? "$3"
	[ "$1" = "$2" ] || echo "# got '$1', expected '$2'"
}

command -v qemu-system-x86_64 >/dev/null ||
	skip_all "qemu-system-x86_64 missing (scripts/deps/bpf-test.list: apt-get install qemu-system-x86)"
KERNEL=${HOTMEM_GUEST_KERNEL:-$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -1)}
[ -n "$KERNEL" ] && [ -r "$KERNEL" ] ||
	skip_all "no Debian kernel in /boot (scripts/deps/bpf-test.list: apt-get install linux-image-amd64)"
command -v busybox >/dev/null && file -L "$(command -v busybox)" | grep -q statically ||
	skip_all "no static busybox (apt-get install busybox-static)"
command -v cpio >/dev/null || skip_all "cpio missing"
command -v python3 >/dev/null || skip_all "python3 missing"
[ -x "$B/hotmem-trace-static" ] && [ -x "$B/hotmem-trace" ] ||
	skip_all "hotmem-trace not built ($B/hotmem-trace-static): run make"

echo "1..28"
mkdir -p "$OUT"
INITRD=$HERE/cache/initramfs.cpio.gz
"$HERE/mkinitramfs.sh" "$B/hotmem-trace-static" "$INITRD"
ok $? "initramfs with busybox and the static hotmem-trace ($INITRD)"
echo "# guest kernel: $KERNEL"

guest() {	# name extra-cmdline dimms
	python3 "$HERE/run_hotplug.py" "$KERNEL" "$INITRD" "$OUT/$1.jsonl" \
		--append "$2" --dimms "$3" --timeout 150 --log "$OUT/$1.log" 2>&1 | diag
	local rc=${PIPESTATUS[0]}
	python3 "$HERE/trace_facts.py" "$OUT/$1.jsonl" > "$OUT/$1.jsonl.facts"
	return $rc
}

# ---- run 1: 256 MiB, default memmap ----------------------------------------
K=$OUT/kernel
guest kernel "" 256
ok $? "guest ran the scenario to the end (TCG)"
grep -q "GUEST tracer: hotmem-trace: kernel .*: mode \(fentry\|kprobe\)" "$OUT/kernel.log"
ok $? "hotmem-trace attached to kernel functions in the guest (fentry or kprobe)"
grep -q "GUEST: tracer exit 0" "$OUT/kernel.log" && grep -q "GUEST: pins removed" "$OUT/kernel.log"
ok $? "tracer stopped on SIGTERM with status 0 and unpinned its maps"
grep -q "GUEST: pinned: blocks counters" "$OUT/kernel.log"
ok $? "maps pinned under /sys/fs/bpf/hotmem while tracing"
is "$(fact $K.jsonl add)" "65536/0" "add_memory_resource: 65536 pages (256 MiB), ret 0"
is "$(fact $K.jsonl online | cut -d' ' -f1-2)" "0:Normal:0 1:Movable:0" \
	"online_pages: first block to Normal, second to Movable"
off=$(fact $K.jsonl offline)
echo "$off" | grep -q "^0:Normal:\(0\|-16\) 1:Movable:0$"
ok $? "offline_pages: Movable block offline ret 0; Normal block ret 0 or -EBUSY ($off)"
# a kernel-zone block often fails offline with EBUSY (unmovable kernel
# allocations landed in it); what follows depends on how many went offline
nok=$(fact $K.jsonl offline_ok)
again=$(fact $K.jsonl online | cut -d' ' -f3-)
[ "$nok" = 2 ] && exp="0:Movable:0 1:Movable:0" || exp="1:Movable:0"
is "$again" "$exp" "online_pages again: the $nok offlined block(s) to Movable"
echo "$(fact $K.jsonl notify)" | grep -q "^8:0 1:0 8:0 1:0 2:0 4:0 "
ok $? "memory_notify: GOING_ONLINE, ONLINE per block, GOING_OFFLINE, OFFLINE"
[ "$(fact $K.jsonl isolated)" -ge 1 ]
ok $? "page_isolation:test_pages_isolated traced"
is "$(fact $K.jsonl memtotal_online)" 262144 "MemTotal +256 MiB after online (memmap from boot memory)"
is "$(fact $K.jsonl memtotal_offline)" $((262144 - nok * 131072)) "MemTotal down by 128 MiB per offlined block"
grep "NOT attached" "$OUT/kernel.log" | sed 's/.*hotmem-trace: //' | diag

# ---- run 2: memmap_on_memory ---------------------------------------------------
M=$OUT/kernel-memmap
guest kernel-memmap "memory_hotplug.memmap_on_memory=1" 128,128
ok $? "guest with memory_hotplug.memmap_on_memory=1 ran the scenario"
mok=$(fact $M.jsonl offline_ok)
exp=$(for i in $(seq $((2 + mok))); do echo -n "512 "; done | sed 's/ $//')
is "$(fact $M.jsonl memmap)" "$exp" "mhp_init_memmap_on_memory: 512 vmemmap pages per 128 MiB block, per online"
is "$(fact $M.jsonl online_offset)" "$exp" "online_pages starts after the self-hosted memmap"
is "$(fact $M.jsonl memtotal_online)" 258048 "MemTotal +252 MiB after online (2 x 2 MiB memmap on the memory itself)"

# ---- run 3: kprobes instead of fentry ----------------------------------------------
P=$OUT/kernel-kprobe
guest kernel-kprobe "hmt.mode=kprobe" 256
grep -q "GUEST tracer: hotmem-trace: kernel .*: mode kprobe" "$OUT/kernel-kprobe.log" &&
	grep -q "kprobe/kretprobe attached: add_memory_resource" "$OUT/kernel-kprobe.log"
ok $? "--mode kprobe: kprobe/kretprobe attached in the guest"
if [ "$(fact $P.jsonl offline)" = "$(fact $K.jsonl offline)" ]; then
	"$B/hotmem-trace" compare "$K.jsonl" "$P.jsonl" > "$OUT/compare-kprobe.txt"
	ok $? "kprobe trace equals the fentry trace (arguments, zones, ret via kretprobe)"
else
	# the kernel-zone offline went differently (EBUSY or not): compare the facts
	is "$(fact $P.jsonl add) $(fact $P.jsonl online | cut -d' ' -f1-2)" \
		"65536/0 0:Normal:0 1:Movable:0" "kprobe trace: add and online as with fentry"
fi

# ---- compare ----------------------------------------------------------------------
"$B/hotmem-trace" compare "$K.jsonl" "$K.jsonl" > "$OUT/compare-self.txt"
ok $? "compare: a trace equals itself (exit 0)"
"$B/hotmem-trace" compare "$K.jsonl" "$M.jsonl" > "$OUT/compare-memmap.txt"
rc=$?
grep -q "only in\|start_pfn\|nr_pages" "$OUT/compare-memmap.txt"
[ $rc = 1 ] && [ $? = 0 ]
ok $? "compare: memmap_on_memory trace differs (exit 1, differences listed)"
head -5 "$OUT/compare-memmap.txt" | diag

# ---- the engine side of the same scenario -------------------------------------------
# The real kernel's kernel-zone block often fails offline with EBUSY:
# unmovable allocations landed in it (it is the guest's only ZONE_NORMAL
# memory).  When it did, the engine run does the same to its machine: a
# few unmovable pages, which the engine places in ZONE_NORMAL too.
engine_run() {	# name cmdline kernel-trace dimm-args...
	local name=$1 cmdline=$2 ktrace=$3 mnt sock tr fs pin=
	shift 3
	python3 "$HERE/trace_facts.py" "$ktrace" | grep -q "^offline=0:Normal:-16" && pin=1
	mnt=$(mktemp -d) sock=$(mktemp -u)
	"$B/hotmemfs" -p qemu-512m -c "memhp_default_state=offline $cmdline" \
		-s "$sock" -S none "$mnt" 2> "$OUT/$name.fs.err" & fs=$!
	for _ in $(seq 100); do [ -d "$mnt/sys/devices/system/memory" ] && break; sleep 0.1; done
	# this hotmemfs only: other tests may run hotmemfs at the same time
	"$B/hotmem-trace" --emulator $fs --json --no-pin -o "$OUT/$name.trace" \
		2> "$OUT/$name.err" & tr=$!
	for _ in $(seq 100); do grep -q "ready:" "$OUT/$name.err" && break; sleep 0.1; done
	(
		M=$mnt/sys/devices/system/memory P=$mnt/proc SAY="# ENGINE:"
		MEMINFO_OUT=$OUT/$name.meminfo SRC=emulator
		[ -n "$pin" ] && HM_BEFORE_OFFLINE="$B/hotmemctl -s $sock alloc unmovable 64"
		: > "$MEMINFO_OUT"
		. "$HERE/scenario.sh"
		hm_meminfo boot
		before=$(hm_blocks)
		for d in "$@"; do "$B/hotmemctl" -s "$sock" device_add pc-dimm $d; done
		hm_steps $(hm_wait_new "$before")
	)
	kill -TERM $tr; wait $tr
	fusermount3 -u "$mnt" 2>/dev/null || umount "$mnt"
	kill $fs 2>/dev/null; wait $fs 2>/dev/null
	rmdir "$mnt"
	cat "$OUT/$name.meminfo" "$OUT/$name.trace" > "$OUT/$name.jsonl"
}

# The same scenario on the engine itself: "hotmem run SCRIPT" (no FUSE).
# The DIMM goes where QEMU puts it (4 GiB: blocks 32 and 33 of 128 MiB).
kernel_failed_offline() { python3 "$HERE/trace_facts.py" "$1" | grep -q "^offline=0:Normal:-16"; }
engine_script() {	# kernel-trace add-args...
	local k=$1
	shift
	echo "meminfo"
	for a in "$@"; do echo "add $a"; done
	echo "meminfo"
	echo "online 32 online_kernel"; echo "online 33 online_movable"; echo "meminfo"
	kernel_failed_offline "$k" && echo "alloc unmovable 64"
	echo "offline 32"; echo "offline 33"; echo "meminfo"
	echo "online 32 online_movable"; echo "online 33 online_movable"; echo "meminfo"
}
meminfo_json() {	# "> meminfo" results of engine_script, as meminfo records
	awk 'BEGIN { split("boot added online offline again", step, " ") }
	     /^MemTotal:/ { t = $2 } /^MemFree:/ { f = $2 }
	     /^> meminfo/ { i++; printf "{\"src\":\"emulator\",\"ev\":\"meminfo\",\"phase\":\"%s\",\"MemTotal\":%d,\"MemFree\":%d}\n", step[i], t, f }'
}
engine_cli_run() {	# name cmdline kernel-trace add-args...
	local name=$1 cmdline=$2 k=$3
	shift 3
	engine_script "$k" "$@" > "$OUT/$name.hm"
	"$B/hotmem-trace" --emulator "$B/hotmem" --json --no-pin -o "$OUT/$name.trace" -- \
		"$B/hotmem" --profile qemu-512m --cmdline "memhp_default_state=offline $cmdline" \
		run "$OUT/$name.hm" > "$OUT/$name.out" 2> "$OUT/$name.err"
	meminfo_json < "$OUT/$name.out" | cat - "$OUT/$name.trace" > "$OUT/$name.jsonl"
	sed 's/^/ENGINE: /' "$OUT/$name.out" | grep "^ENGINE: >" | diag
}

if ! "$B/hotmem" --help 2>&1 | grep -q "run SCRIPT"; then
	why="$B/hotmem has no \"run SCRIPT\" mode"
	echo "# ENGINE (hotmem run) NOT RUN: $why"
	skip "engine (hotmem run) scenario traced: $why"
	skip "compare kernel vs engine (hotmem run): $why"
	skip "engine (hotmem run) memmap_on_memory: $why"
else
	engine_cli_run engine-cli "" "$K.jsonl" "0x100000000 256M"
	[ "$(grep -c '"src":"emulator"' "$OUT/engine-cli.trace")" -gt 0 ]
	ok $? "engine (hotmem run) scenario traced through USDT"
	"$B/hotmem-trace" compare "$K.jsonl" "$OUT/engine-cli.jsonl" > "$OUT/compare-engine-cli.txt"
	ok $? "compare kernel vs engine (hotmem run): no differences ($OUT/compare-engine-cli.txt)"
	grep -v "not compared" "$OUT/compare-engine-cli.txt" | diag
	engine_cli_run engine-cli-memmap "memory_hotplug.memmap_on_memory=1" "$M.jsonl" \
		"0x100000000 128M memmap_on_memory" "0x108000000 128M memmap_on_memory"
	"$B/hotmem-trace" compare "$M.jsonl" "$OUT/engine-cli-memmap.jsonl" > "$OUT/compare-engine-cli-memmap.txt"
	ok $? "compare kernel vs engine (hotmem run), memmap_on_memory: no differences, MemTotal/MemFree changes agree"
	grep -v "not compared" "$OUT/compare-engine-cli-memmap.txt" | diag
fi

# The same on hotmemfs, through its sysfs files, as the guest does it.
why=
if [ ! -x "$B/hotmemfs" ] || [ ! -x "$B/hotmemctl" ]; then
	why="hotmemfs/hotmemctl not built yet ($B/hotmemfs)"
elif [ ! -e /dev/fuse ]; then
	why="no /dev/fuse"
elif ! grep -q hotmem "$B/hotmemfs" || ! readelf -n "$B/hotmemfs" 2>/dev/null | grep -q "Provider: hotmem"; then
	why="the engine in $B/hotmemfs has no USDT probes (provider hotmem) yet"
fi
if [ -n "$why" ]; then
	echo "# ENGINE SIDE NOT RUN: $why"
	for t in "engine scenario traced" "compare kernel vs engine" \
		"engine memmap_on_memory scenario" "MemTotal/MemFree changes agree (memmap_on_memory)"; do
		skip "$t: $why"
	done
else
	engine_run engine "" "$K.jsonl" "size=256M id=d1"
	[ "$(grep -c '"src":"emulator"' "$OUT/engine.trace")" -gt 0 ]
	ok $? "engine scenario traced through USDT (hotmemfs, profile qemu-512m)"
	"$B/hotmem-trace" compare "$K.jsonl" "$OUT/engine.jsonl" > "$OUT/compare-engine.txt"
	ok $? "compare kernel vs engine: no differences ($OUT/compare-engine.txt)"
	diag < "$OUT/compare-engine.txt" | head -30
	engine_run engine-memmap "memory_hotplug.memmap_on_memory=1" "$M.jsonl" \
		"size=128M id=d1" "size=128M id=d2"
	[ -s "$OUT/engine-memmap.trace" ]
	ok $? "engine memmap_on_memory scenario traced"
	"$B/hotmem-trace" compare "$M.jsonl" "$OUT/engine-memmap.jsonl" > "$OUT/compare-engine-memmap.txt"
	ok $? "compare kernel vs engine, memmap_on_memory: no differences, MemTotal/MemFree changes agree"
	diag < "$OUT/compare-engine-memmap.txt" | head -30
fi
exit $((fails > 0))
