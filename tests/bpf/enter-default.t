#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Plain hotmem-trace inside hotmem-enter traces the machine, not the host's
# kernel (usereye5 #13: it traced the host, which did nothing, and said
# "0 events" for the machine's DIMM online): hotmem-enter exports its
# hotmemfs's pid as HOTMEM_TRACE_EMULATOR, hotmem-trace takes it as its
# default target and says so in its "ready" line.
. "$(dirname "$0")/lib.sh"
enter_test 5 default

timeout 300 "$ENTER" --profile qemu-512m -S none -- bash -c '
	pidof -s hotmemfs >"$1/pid"
	echo "${HOTMEM_TRACE_EMULATOR-unset}" >"$1/env"
	"$2" --no-pin --json -o "$1/def.jsonl" -d 60 2>"$1/def.err" &
	t=$!
	for _ in $(seq 600); do grep -q "ready: tracing" "$1/def.err" && break; sleep 0.05; done
	hotmemctl device_add pc-dimm size=256M id=d1 >/dev/null
	echo online_movable >/sys/devices/system/memory/memory32/state
	kill -INT $t; wait $t; echo $? >"$1/def.rc"' _ "$W" "$HT" >"$W/out" 2>&1
ok $? "hotmem-enter ran hotmem-trace inside"
P=$(cat "$W/pid" 2>/dev/null)
[ -n "$P" ] && [ "$(cat "$W/env")" = "$P" ]
ok $? "HOTMEM_TRACE_EMULATOR is the machine's hotmemfs pid ($(cat "$W/env" 2>/dev/null), pidof: $P)"
grep -q "ready: tracing the machine's hotmemfs, pid $P;" "$W/def.err"
ok $? "the ready line says what it traces by default"
[ "$(cat "$W/def.rc" 2>/dev/null)" = 0 ] && grep -q '"ev":"online_pages","phase":"exit"' "$W/def.jsonl"
ok $? "plain hotmem-trace records the machine's DIMM online ($(events "$W/def.err") events)"
grep -q '"ev":"add_memory_resource"' "$W/def.jsonl"
ok $? "... and its add_memory_resource"
diag <"$W/def.err"
diag <"$W/out"
done_testing
