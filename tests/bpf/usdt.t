#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hotmem-trace on the engine side: the USDT probes of engine/hotmem_probes.h
# fired by tests/bpf/usdt_target (a stand-in for the engine), traced,
# pinned, stopped, compared.  Needs root (BPF), bpffs and uprobes.
. "$(dirname "$0")/lib.sh"
T=$B/tests/bpf/usdt_target
PIN=/sys/fs/bpf/hotmem-test-$$
count() { grep -c "$2" "$1"; }

need_usdt "$T"
echo "1..30"

# ---- a scenario, run by hotmem-trace once attached -------------------------
"$HT" --json --pin "$PIN" -o "$OUT/usdt.jsonl" -- "$T" scenario > "$OUT/usdt.stdout" 2> "$OUT/usdt.err"
ok $? "hotmem-trace --json -- usdt_target scenario: exit 0"
diag < "$OUT/usdt.err"
probes=$(($(grep -c '^[[:space:]]*X(' "$SRC/engine/hotmem_probes.h") * 2))
grep -q "$probes of $probes USDT probes attached" "$OUT/usdt.err"
ok $? "all $probes probes of HOTMEM_PROBES (enter and __ret) attached"
fired=$(sed -n 's/^fired //p' "$OUT/usdt.stdout")
got=$(grep -c '"ev":' "$OUT/usdt.jsonl")
[ -n "$fired" ] && [ "$got" = "$fired" ]
ok $? "one JSON line per probe fired ($got of $fired)"
# the header first: the engine traced (its "release"), no kernel's
head -1 "$OUT/usdt.jsonl" | grep -qx '{"hotmem_trace":"[0-9.]*","engine":"hotmem engine (follows Linux 6.12)"}'
ok $? "the header: hotmem-trace's version and the engine's release: '$(head -1 "$OUT/usdt.jsonl")'"
sed -n 2p "$OUT/usdt.jsonl" | grep -q '^{"ts":[0-9]*,"src":"emulator","ev":"add_memory_resource","phase":"enter","start_pfn":1048576,"nr_pages":65536,"nid":0,"zone":null,'
ok $? "first event: add_memory_resource enter, 256 MiB at 4 GiB, in the hotmem event schema"
grep '"ev":"online_pages","phase":"exit"' "$OUT/usdt.jsonl" | head -2 | grep -c '"zone":"\(Normal\|Movable\)","zid":[23],"extra":0,"ret":0,"dur_ns":[0-9]*' | grep -q 2
ok $? "online_pages exit: zone named from zid, ret and dur_ns"
[ "$(count "$OUT/usdt.jsonl" '"ev":"memory_notify","phase":"exit"')" = 12 ]
ok $? "memory_notify: 12 exits with their action in extra"
grep '"ev":"memory_notify"' "$OUT/usdt.jsonl" | grep -c '"ev":"memory_notify",.*"extra":8,"action":"MEM_GOING_ONLINE",.*"fn":12}$' | grep -qx 8
ok $? "JSON: the function's number beside its name, the action's name beside its number"
[ ! -e "$PIN" ]
ok $? "pin directory $PIN removed after the run"

# ---- pinned maps while running; SIGTERM ---------------------------------------
"$HT" --emulator "$T" --pin "$PIN" -o "$OUT/usdt.table" --json-output "$OUT/bg.jsonl" 2> "$OUT/bg.err" & tr=$!
for _ in $(seq 300); do grep -q "ready:" "$OUT/bg.err" && break; sleep 0.1; done
[ -e "$PIN/counters" ] && [ -e "$PIN/blocks" ]
ok $? "maps pinned at $PIN/counters and $PIN/blocks"
# the probes' BPF programs update the maps in the target's own context (a
# uprobe runs in the task that hits it): once it exited, they hold its steps
"$T" scenario > /dev/null
if have_tool bpftool bpftool "bpftool map dump pinned blocks"; then
	bpftool map dump pinned "$PIN/blocks" > "$OUT/blocks.dump" 2>&1
	grep -q '"onlined": 2' "$OUT/blocks.dump"
	ok $? "bpftool map dump pinned blocks: BTF-typed, each block onlined twice"
	[ "$(tr -d ' \n' < "$OUT/blocks.dump" | grep -o '"error_fn":"[A-Za-z_]*"' | sort -u)" = '"error_fn":"HMT_FN_none"' ]
	ok $? "blocks: a block that never failed names no failing step (HMT_FN_none, not step 0)"
	[ "$(tr -d ' \n' < "$OUT/blocks.dump" | grep -o '"zid":"HMU_ZONE_[A-Z0-9]*","zone":"[A-Za-z0-9]*"' | sort -u)" = '"zid":"HMU_ZONE_MOVABLE","zone":"Movable"' ]
	ok $? "blocks: the engine's zone named as the kernel names it"
	bpftool map dump pinned "$PIN/counters" > "$OUT/counters.dump" 2>&1
	grep -A6 '"fn": "HMT_FN_online_pages"' "$OUT/counters.dump" | tr -d ' \n' | grep -q '"enter":{"kernel":0,"emulator":4}'
	ok $? "bpftool map dump pinned counters: named by function, per-source emulator counts"
	# a failed offline, then the zones' watermarks (DMA's range starts in block 0)
	"$T" ebusy > /dev/null
	bpftool map dump pinned "$PIN/blocks" > "$OUT/blocks-ebusy.dump" 2>&1
	# EBUSY at isolation, then EINTR after two test_pages_isolated -EBUSY passes (a loop's, no failure)
	tr -d ' \n' < "$OUT/blocks-ebusy.dump" | grep -q '"block":32},"value":{[^}]*"failed":2,.*"last_fn":"HMT_FN_memory_block_offline","last_action":"MEM_CANCEL_OFFLINE","error_fn":"HMT_FN_offline_pages","error":-4,"error_ts":[0-9]*,"in_failure":0,.*"zid":"HMU_ZONE_MOVABLE"'
	ok $? "blocks: both failed offlines counted, the latest named (offline_pages -EINTR, not a test_pages_isolated pass), not overwritten by the watermarks"
	diag < "$OUT/blocks-ebusy.dump"
	[ "$(grep -c '"block":' "$OUT/blocks-ebusy.dump")" = 2 ] && ! grep -q '"block": 0\b' "$OUT/blocks-ebusy.dump"
	ok $? "blocks: only the two blocks that saw their own steps, no phantom block 0"
else
	# the first of the six printed (have_tool)
	for _ in 1 2 3 4 5; do n=$((n + 1)); echo "ok $n # SKIP bpftool not there"; done
fi
kill -TERM $tr
wait_exit $tr 60
ok $? "SIGTERM: clean exit 0"
[ ! -e "$PIN" ]
ok $? "SIGTERM: maps unpinned, directory removed"
grep -q "^TIME(s) *SRC *EVENT" "$OUT/usdt.table" && grep -q "emulator *online_pages" "$OUT/usdt.table"
ok $? "table output: header and rows"
grep -q "emulator *memory_notify .* MEM_CANCEL_OFFLINE$" "$OUT/usdt.table" &&
	grep -q "emulator *online_pages .* Movable " "$OUT/usdt.table"
ok $? "table output: actions and zones by name"
# each has its header line: the table's columns, the JSON's releases
[ "$(wc -l < "$OUT/bg.jsonl")" = "$(wc -l < "$OUT/usdt.table")" ] && head -1 "$OUT/bg.jsonl" | grep -q '^{"hotmem_trace":' &&
	grep -q '"ev":"memory_notify",.*"action":"MEM_CANCEL_OFFLINE"' "$OUT/bg.jsonl"
ok $? "--json-output FILE: the same events as JSON lines beside the table"

# ---- --emulator PID: that process only ------------------------------------------
# it fires once the tracer is ready (a fixed sleep was too short for
# attaching 54 uprobes on a loaded machine: 1 of 26 failed in CI)
rm -f "$OUT/pid.go"
"$T" wait-for "$OUT/pid.go" > "$OUT/pid.stdout" & tp=$!
# the PID is the shell's fork until it has exec'ed the target: its probes
# are not there yet ("0 of 54 USDT probes attached", seen on a busy machine)
for _ in $(seq 100); do [ "$(readlink /proc/$tp/exe)" = "$(readlink -f "$T")" ] && break; sleep 0.05; done
if [ "$(readlink /proc/$tp/exe)" != "$(readlink -f "$T")" ]; then
	# attaching now would test nothing: "0 of N probes" or a wrong process
	kill $tp 2>/dev/null
	echo "Bail out! --emulator PID: $T (pid $tp) had not exec'ed within 5 s"
	exit 1
fi
"$HT" --emulator $tp --json --no-pin -o "$OUT/pid.jsonl" 2> "$OUT/pid.err" & tr=$!
for _ in $(seq 300); do grep -q "ready:" "$OUT/pid.err" && break; sleep 0.1; done
touch "$OUT/pid.go"
"$T" all > /dev/null		# another process running the same binary
wait_exit $tp 120
wait_exit $tr 60			# stops by itself when its emulator is gone
rc=$?
fired=$(sed -n 's/^fired //p' "$OUT/pid.stdout")
[ $rc = 0 ] && [ "$(grep -c '"pid":'$tp, "$OUT/pid.jsonl")" = "$fired" ] &&
	[ "$(grep -c '"ev":' "$OUT/pid.jsonl")" = "$fired" ]
ok $? "--emulator PID: all $fired events of that process, none of another; stops when it exits"
# abuse25a B7: the binary was named "/proc/PID/exe", the link the probes
# are attached through, not the program a person recognises
grep -q "^hotmem-trace: emulator: [0-9]* of [0-9]* USDT probes attached in $(readlink -f "$T") (process $tp and its descendants)" "$OUT/pid.err"
ok $? "--emulator PID: the first line names the process's binary by its path"
grep "USDT probes attached" "$OUT/pid.err" | diag

# ---- errors said plainly -------------------------------------------------------
# a command's status is hotmem-trace's, and 2 is also a usage error's: the
# last line says it is the command's (hotmem-trace(8) EXIT STATUS)
"$HT" --no-pin -e "$T" -o "$OUT/status.txt" -- sh -c "\"$T\" scenario > /dev/null; exit 2" 2> "$OUT/status.err"
rc=$?
[ $rc = 2 ] && tail -n 2 "$OUT/status.err" | grep -q "events, 0 dropped.*; sh exited with status 2$"
ok $? "-- COMMAND exiting 2: exit 2, the summary says 'sh exited with status 2'"
! grep -q "exited with status" "$OUT/usdt.err"
ok $? "a command exiting 0: the summary says no status"
"$HT" --emulator /bin/true --no-pin -d 1 > /dev/null 2> "$OUT/noprobe.err"
rc=$?
[ $rc = 1 ] && grep -q "^hotmem-trace: $(readlink -f /bin/true) has no hotmem USDT probes (0 of $probes): the program is not hotmem's; trace a hotmemfs with --emulator PID" "$OUT/noprobe.err"
ok $? "a binary without hotmem probes: exit 1, says it has none of them (0 of $probes), and what to trace"
if have_tool setpriv util-linux "not root: exit 77 (EX_NOPERM), says what it needs"; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$HT" --no-pin -d 1 > /dev/null 2> "$OUT/nonroot.err"
	rc=$?
	[ $rc = 77 ] && grep -q "needs CAP_BPF and CAP_PERFMON" "$OUT/nonroot.err"
	ok $? "not root: exit 77 (EX_NOPERM), says what it needs (tests/bpf/privileges.t)"
fi

# ---- compare on real traces -----------------------------------------------------
"$HT" compare "$OUT/usdt.jsonl" "$OUT/usdt.jsonl" > /dev/null
ok $? "compare: a trace equals itself"
awk '!done && /"ev":"offline_pages","phase":"exit"/ { sub(/"ret":0/, "\"ret\":-16"); done = 1 } { print }' \
	"$OUT/usdt.jsonl" > "$OUT/usdt-ebusy.jsonl"
"$HT" compare "$OUT/usdt.jsonl" "$OUT/usdt-ebusy.jsonl" > "$OUT/compare.txt"
rc=$?
[ $rc = 1 ] && grep -q "offline_pages/exit: ret 0 != -16" "$OUT/compare.txt"
ok $? "compare: an offline that failed with EBUSY is a difference (exit 1)"
diag < "$OUT/compare.txt"

# ---- the timeline: both traces side by side, as SVG ------------------------------
"$HT" timeline -o "$OUT/usdt-timeline.svg" "$OUT/usdt.jsonl" "$OUT/usdt-ebusy.jsonl" &&
	python3 -c 'import sys, xml.etree.ElementTree as ET; ET.parse(sys.argv[1])' "$OUT/usdt-timeline.svg" &&
	[ "$(grep -c '>memory32</text>' "$OUT/usdt-timeline.svg")" = 2 ] &&
	[ "$(grep -c 'offline_pages failed: -16' "$OUT/usdt-timeline.svg")" = 1 ] &&
	{ ! command -v rsvg-convert > /dev/null || rsvg-convert -o "$OUT/usdt-timeline.png" "$OUT/usdt-timeline.svg"; }
ok $? "timeline: two traces side by side as SVG, the EBUSY offline marked once, renders to PNG"
done_testing
