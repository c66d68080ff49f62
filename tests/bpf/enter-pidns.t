#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hotmem-trace inside hotmem-enter (its own PID namespace): README's
# `--emulator $(pidof -s hotmemfs)` names the namespace's pid (2), which
# the BPF side must compare in that namespace, not as the initial one's
# tgid -- it attached, said "ready" and recorded nothing; `-- COMMAND`
# (its child's pid) likewise.  Default pins land on the machine's own
# bpffs, never the host's.  The events' pid and tid are that namespace's
# too, the ids ps, kill and --emulator there use (abuse28 T3: the ready
# line said "pid 2", every event "pid":26714, the initial namespace's).
. "$(dirname "$0")/lib.sh"
host_pins=$(ls /sys/fs/bpf 2>/dev/null | sort)
enter_test 9 pidns

timeout 300 "$ENTER" --profile qemu-512m -- bash -c '
	P=$(pidof -s hotmemfs)
	echo "$P" >"$1/pid"
	"$2" --emulator "$P" --json -o "$1/em.jsonl" -d 60 2>"$1/em.err" &
	t=$!
	for _ in $(seq 600); do grep -q "ready: tracing" "$1/em.err" && break; sleep 0.05; done
	hotmemctl device_add pc-dimm size=256M id=d1 >/dev/null
	echo online_movable >/sys/devices/system/memory/memory32/state
	kill -INT $t; wait $t; echo $? >"$1/em.rc"
	# -- COMMAND (the engine, exec'"'"'ed by a shell that saves its pid):
	# its pid is the namespace'"'"'s too
	printf "add 0x100000000 128M\nonline 32 online_movable\n" >"$1/s.hm"
	"$2" --emulator "$(command -v hotmem)" --no-pin --json -o "$1/cmd.jsonl" -- \
		sh -c "echo \$\$ >$1/cmdpid; exec hotmem --profile qemu-512m run $1/s.hm" \
		>/dev/null 2>"$1/cmd.err"
	echo $? >"$1/cmd.rc"' _ "$W" "$HT" >"$W/out" 2>&1
ok $? "hotmem-enter ran hotmem-trace inside"
[ "$(cat "$W/pid")" -lt 100 ] 2>/dev/null
ok $? "hotmemfs's pid inside is the namespace's ($(cat "$W/pid" 2>/dev/null))"
[ "$(cat "$W/em.rc" 2>/dev/null)" = 0 ] && grep -q '"ev":"online_pages","phase":"exit"' "$W/em.jsonl"
ok $? "--emulator \$(pidof -s hotmemfs) inside records the machine's steps ($(events "$W/em.err") events)"
grep -q '"ev":"add_memory_resource"' "$W/em.jsonl"
ok $? "... the DIMM's add_memory_resource among them"
[ "$(cat "$W/cmd.rc" 2>/dev/null)" = 0 ] && grep -q '"ev":"online_pages","phase":"exit"' "$W/cmd.jsonl" 2>/dev/null
ok $? "-- hotmem run inside (the command's pid, the namespace's): its steps traced ($(events "$W/cmd.err") events)"
P=$(cat "$W/pid" 2>/dev/null)
pids=$(grep -o '"pid":[0-9]*' "$W/em.jsonl" | sort -u | tr '\n' ' ')
[ -n "$P" ] && [ "$pids" = "\"pid\":$P " ]
ok $? "--emulator: every event's pid is hotmemfs's in the namespace ($P): $pids"
C=$(cat "$W/cmdpid" 2>/dev/null)
# the namespace numbers its tasks upwards from 1: hotmemfs's threads came
# before the command, which the same namespace numbered later
bad=$(grep -o '"tid":[0-9]*' "$W/em.jsonl" | sort -u | cut -d: -f2 | awk -v c="${C:-0}" '$1 < 1 || $1 >= c')
[ -s "$W/em.jsonl" ] && [ -n "$C" ] && [ -z "$bad" ]
ok $? "... and every tid the namespace's (below the later command's pid $C)${bad:+: not $bad}"
pids=$(grep -o '"pid":[0-9]*' "$W/cmd.jsonl" | sort -u | tr '\n' ' ')
[ -n "$C" ] && [ "$pids" = "\"pid\":$C " ]
ok $? "-- COMMAND: every event's pid is the command's in the namespace ($C): $pids"
[ "$(ls /sys/fs/bpf 2>/dev/null | sort)" = "$host_pins" ]
ok $? "the run's default pins stayed inside (the host's bpffs unchanged)"
diag <"$W/em.err"
done_testing
