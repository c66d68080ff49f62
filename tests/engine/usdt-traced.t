#!/bin/bash
# The engine's USDT probes carry semaphores (is-enabled checks): a probe
# fires only while a tracer is attached, which sets its semaphore through
# the uprobe's ref_ctr_offset.  Held against the real tools on the real
# engine binary: hotmem-trace (libbpf) and bpftrace, attached before the
# process starts (-- CMD, system-wide) as users attach them.
# Needs root (BPF) and uprobes.
set -u
B=${HOTMEM_BUILD:-build}
SRC=${HOTMEM_SRC:-.}
HM=$(cd "$B" && pwd)/hotmem
HT=$B/hotmem-trace
n=0

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
skip() { n=$((n + 1)); echo "ok $n # SKIP $*"; }

echo "1..6"
if [ "$(id -u)" != 0 ] || [ ! -e /sys/bus/event_source/devices/uprobe/type ] ||
	[ ! -x "$HM" ] || [ ! -x "$HT" ]; then
	for _ in 1 2 3 4 5 6; do skip "needs root, uprobes, $HM and $HT"; done
	exit 0
fi
tmp=$(mktemp -d)
# the test's own shell only: the child forked for bpftrace, signalled
# before it execs, would run it (bash 5.2; tests/fusefs/lib.sh, 9742ca0)
main_pid=$BASHPID
trap '((BASHPID == main_pid)) && rm -rf "$tmp"' EXIT
# a hot-add with memmap_on_memory, one online and one offline of a 128 MiB
# block, the removal of the DIMM
printf 'add 0x100000000 256M memmap_on_memory\nonline 32 online_movable\noffline 32\nremove 0x100000000 256M\n' > "$tmp/script"
CMDLINE="memhp_default_state=offline memory_hotplug.memmap_on_memory=1"
run_engine() { "$HM" --profile qemu-512m --cmdline "$CMDLINE" run "$tmp/script"; }
probes=$(grep -c '^[[:space:]]*X(' "$SRC/engine/hotmem_probes.h")

# ---- hotmem-trace (libbpf's USDT attach sets the semaphores) ------------------
"$HT" --emulator "$HM" --no-pin --json -o "$tmp/t.jsonl" -- \
	"$HM" --profile qemu-512m --cmdline "$CMDLINE" run "$tmp/script" \
	> /dev/null 2> "$tmp/t.err"
ok $? "hotmem-trace --emulator hotmem -- hotmem run: exit 0"
sed 's/^/# /' "$tmp/t.err"
grep -q "USDT probes attached .* through hotmem:batch, carrying $((probes * 2)) of $((probes * 2)) steps' probes" "$tmp/t.err"
ok $? "all $((probes * 2)) probes of engine/hotmem_probes.h carried through hotmem:batch in the engine binary"
on=$(grep -c '"ev":"online_pages","phase":"exit".*"ret":0' "$tmp/t.jsonl")
off=$(grep -c '"ev":"offline_pages","phase":"exit".*"ret":0' "$tmp/t.jsonl")
adds=$(grep -c '"ev":"add_memory_resource","phase":"enter"' "$tmp/t.jsonl")
enter=$(grep -c '"ev":"memory_notify","phase":"enter"' "$tmp/t.jsonl")
exits=$(grep -c '"ev":"memory_notify","phase":"exit"' "$tmp/t.jsonl")
[ "$on" = 1 ] && [ "$off" = 1 ] && [ "$adds" = 1 ] && [ "$enter" -ge 4 ] && [ "$enter" = "$exits" ]
ok $? "the probes fired while traced: 1 add, 1 online, 1 offline, memory_notify $enter/$exits"
# the memory block devices and the per-block altmaps, as 6.12 has them:
# "ev nr_pages nid extra ret" of each exit
steps=$(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e.get("phase") == "exit" and e["ev"] in ("mhp_supports_memmap_on_memory",
            "create_altmaps_and_memory_blocks", "vmemmap_populate_hugepages",
            "create_memory_block_devices", "remove_memory_blocks_and_altmaps"):
        print(e["ev"], e["nr_pages"], e["nid"], e["extra"], e["ret"])' "$tmp/t.jsonl" | sort | uniq -c |
	awk '{ $1 = $1 "x"; print }' | tr '\n' ';')
exp="1x create_altmaps_and_memory_blocks 65536 0 0 0;2x create_memory_block_devices 32768 -1 512 0;"
exp="${exp}1x mhp_supports_memmap_on_memory 0 -1 0 1;1x remove_memory_blocks_and_altmaps 65536 -1 0 0;"
exp="${exp}2x vmemmap_populate_hugepages 32768 0 1 0;"
[ "$steps" = "$exp" ]
ok $? "memmap_on_memory: mhp_supports_memmap_on_memory, create_altmaps_and_memory_blocks, create_memory_block_devices per block (512 vmemmap pages), vmemmap_populate_hugepages from the altmap, remove_memory_blocks_and_altmaps"
[ "$steps" = "$exp" ] || echo "# got '$steps'"

# ---- bpftrace, attached system-wide before the process starts -----------------
if ! command -v bpftrace > /dev/null || ! command -v bpftool > /dev/null; then
	skip "bpftrace or bpftool missing (scripts/deps/engine-test.list, build.list)"
	skip "bpftrace or bpftool missing"
	exit 0
fi
timeout 60 bpftrace -e "usdt:$HM:hotmem:online_pages { @on = count(); }
	usdt:$HM:hotmem:memory_notify__ret { @notify = count(); }" \
	> "$tmp/bt.out" 2> "$tmp/bt.err" &
bt=$!
# attached once bpftool lists bpftrace's uprobes on $HM, one per location
# of the two probes (their stapsdt notes): 30 s at most
want=$(readelf -n "$HM" | grep -cE 'Name: (online_pages|memory_notify__ret)$')
attached() {
	local p
	p=$(pgrep -P $bt -x bpftrace) &&
		[ "$(bpftool perf show 2> /dev/null | grep -c "^pid $p .* uprobe .*filename $HM ")" -ge "$want" ]
}
for _ in $(seq 600); do attached && break; sleep 0.05; done
attached || echo "# bpftrace's $want uprobes not listed by bpftool after 30 s"
run_engine > /dev/null
run_engine > /dev/null
kill -INT $bt
. "$(dirname "$0")/../wait_exit.sh"
wait_exit $bt 30
grep -qx "@on: 2" "$tmp/bt.out"
ok $? "bpftrace usdt:hotmem:online_pages sees both runs (the semaphore set for a new process)"
sed 's/^/# /' "$tmp/bt.out" "$tmp/bt.err" | grep -v RLIMIT_MEMLOCK
notify=$(sed -n 's/^@notify: \([0-9]*\)$/\1/p' "$tmp/bt.out")
[ -n "$notify" ] && [ "$notify" -ge 8 ] && [ $((notify % 2)) = 0 ]
ok $? "bpftrace: memory_notify__ret fired at each notifier call (${notify:-none})"
