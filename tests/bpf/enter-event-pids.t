#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Inside hotmem-enter (its own PID namespace) the events' pid and tid are
# that namespace's, the ids ps, kill and --emulator there use (abuse28
# T3): the ready line said "pid 2" and every event "pid":26714, the
# initial namespace's.  --emulator $(pidof -s hotmemfs) and -- COMMAND
# (a shell that saves its pid and execs the engine, keeping it) both.
. "$(dirname "$0")/lib.sh"
ENTER=$B/hotmem-enter
need_usdt "$ENTER" "$B/hotmemfs"
[ -c /dev/fuse ] || skip_all "no /dev/fuse"
echo "1..4"
W=$(mktemp -d /tmp/hotmem-enter-pids.XXXXXX)
trap 'rm -rf "$W"' EXIT

timeout 300 "$ENTER" --profile qemu-512m -- bash -c '
	P=$(pidof -s hotmemfs)
	echo "$P" >"$1/pid"
	"$2" --emulator "$P" --json -o "$1/em.jsonl" -d 60 2>"$1/em.err" &
	t=$!
	for _ in $(seq 600); do grep -q "ready: tracing" "$1/em.err" && break; sleep 0.05; done
	hotmemctl device_add pc-dimm size=256M id=d1 >/dev/null
	echo online_movable >/sys/devices/system/memory/memory32/state
	kill -INT $t; wait $t
	printf "add 0x100000000 128M\nonline 32 online_movable\n" >"$1/s.hm"
	"$2" --emulator "$(command -v hotmem)" --no-pin --json -o "$1/cmd.jsonl" -- \
		sh -c "echo \$\$ >$1/cmdpid; exec hotmem --profile qemu-512m run $1/s.hm" \
		>/dev/null 2>"$1/cmd.err"' _ "$W" "$HT" >"$W/out" 2>&1
ok $? "hotmem-enter ran hotmem-trace inside"
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
diag <"$W/out"
done_testing
