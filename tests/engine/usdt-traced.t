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

echo "1..5"
if [ "$(id -u)" != 0 ] || [ ! -e /sys/bus/event_source/devices/uprobe/type ] ||
	[ ! -x "$HM" ] || [ ! -x "$HT" ]; then
	for _ in 1 2 3 4 5; do skip "needs root, uprobes, $HM and $HT"; done
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# one hot-add, one online and one offline of a 128 MiB block
printf 'add 0x100000000 256M\nonline 32 online_movable\noffline 32\n' > "$tmp/script"
run_engine() { "$HM" --profile qemu-512m --cmdline memhp_default_state=offline run "$tmp/script"; }

# ---- hotmem-trace (libbpf's USDT attach sets the semaphores) ------------------
"$HT" --emulator "$HM" --no-pin --json -o "$tmp/t.jsonl" -- \
	"$HM" --profile qemu-512m --cmdline memhp_default_state=offline run "$tmp/script" \
	> /dev/null 2> "$tmp/t.err"
ok $? "hotmem-trace --emulator hotmem -- hotmem run: exit 0"
sed 's/^/# /' "$tmp/t.err"
grep -q "42 of 42 USDT probes attached" "$tmp/t.err"
ok $? "all 42 probes attached in the engine binary"
on=$(grep -c '"ev":"online_pages","phase":"exit".*"ret":0' "$tmp/t.jsonl")
off=$(grep -c '"ev":"offline_pages","phase":"exit".*"ret":0' "$tmp/t.jsonl")
adds=$(grep -c '"ev":"add_memory_resource","phase":"enter"' "$tmp/t.jsonl")
enter=$(grep -c '"ev":"memory_notify","phase":"enter"' "$tmp/t.jsonl")
exits=$(grep -c '"ev":"memory_notify","phase":"exit"' "$tmp/t.jsonl")
[ "$on" = 1 ] && [ "$off" = 1 ] && [ "$adds" = 1 ] && [ "$enter" -ge 4 ] && [ "$enter" = "$exits" ]
ok $? "the probes fired while traced: 1 add, 1 online, 1 offline, memory_notify $enter/$exits"

# ---- bpftrace, attached system-wide before the process starts -----------------
if ! command -v bpftrace > /dev/null; then
	skip "bpftrace missing (scripts/deps/engine-test.list)"
	skip "bpftrace missing"
	exit 0
fi
timeout 60 bpftrace -e "usdt:$HM:hotmem:online_pages { @on = count(); }
	usdt:$HM:hotmem:memory_notify__ret { @notify = count(); }" \
	> "$tmp/bt.out" 2> "$tmp/bt.err" &
bt=$!
for _ in $(seq 300); do grep -q "Attaching" "$tmp/bt.out" "$tmp/bt.err" 2> /dev/null && break; sleep 0.1; done
sleep 0.5
run_engine > /dev/null
run_engine > /dev/null
kill -INT $bt
wait $bt
grep -qx "@on: 2" "$tmp/bt.out"
ok $? "bpftrace usdt:hotmem:online_pages sees both runs (the semaphore set for a new process)"
sed 's/^/# /' "$tmp/bt.out" "$tmp/bt.err" | grep -v RLIMIT_MEMLOCK
notify=$(sed -n 's/^@notify: \([0-9]*\)$/\1/p' "$tmp/bt.out")
[ -n "$notify" ] && [ "$notify" -ge 8 ] && [ $((notify % 2)) = 0 ]
ok $? "bpftrace: memory_notify__ret fired at each notifier call (${notify:-none})"
