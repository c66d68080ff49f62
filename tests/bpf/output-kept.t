#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A refused start leaves the last run's -o and -J files as they were
# (abuse25a B6): they were opened ("w") before anything could refuse, so
# pins in the way (a kill -9's, which hotmem-trace.service's restart meets
# every 5 s), a pid that is gone, a --pin DIR off bpffs or a binary
# without probes each emptied the one record of the run before; and a
# file that was not there is not made.  A start that goes on replaces
# them (hotmem-trace(8) -o).  Needs root (BPF) and uprobes.
. "$(dirname "$0")/lib.sh"
usdt_test 11

printf '%s\n' '{"hotmem_trace":"0","engine":"kept"}' '{"ts":1,"ev":"online_pages"}' >"$D/keep.orig"
printf 'TIME(s) kept table\n' >"$D/table.orig"
# refused RUN...: hotmem-trace ARGS... -J keep.jsonl -o table, the two
# files there from before, and new.jsonl never there
refused() {
	local what=$1 rc
	shift
	cp "$D/keep.orig" "$D/keep.jsonl"
	cp "$D/table.orig" "$D/table"
	"$HT" -q "$@" -J "$D/keep.jsonl" -o "$D/table" -d 1 2>"$D/err"
	rc=$?
	diag <"$D/err"
	[ $rc != 0 ] && cmp -s "$D/keep.jsonl" "$D/keep.orig" && cmp -s "$D/table" "$D/table.orig"
	ok $? "refused ($what, exit $rc): -J and -o files as they were"
}

sh -c 'exit 0' &
gone=$!
wait $gone
refused "pid $gone gone" --emulator $gone --no-pin
mkdir "$D/pins"
touch "$D/pins/counters"
refused "pins in the way" --emulator "$T" --pin "$D/pins"
refused "--pin DIR off bpffs" --emulator "$T" --pin "$D/off-bpffs"
refused "a binary without probes" --emulator /bin/true --no-pin
"$HT" -q --emulator /bin/true --no-pin -J "$D/new.jsonl" -o "$D/new.table" -d 1 2>"$D/err"
ok $([ $? != 0 ] && [ ! -e "$D/new.jsonl" ] && [ ! -e "$D/new.table" ]; echo $?) \
	"a refused start makes no -J or -o file that was not there"

# reread25 R4: -o opened ("w": emptied, or made) before -J failed to open
cp "$D/table.orig" "$D/table"
"$HT" -q --emulator "$T" --no-pin -o "$D/table" -J "$D/no-such-dir/t.jsonl" -d 1 2>"$D/err"
rc=$?
diag <"$D/err"
[ $rc = 1 ] && cmp -s "$D/table" "$D/table.orig"
ok $? "-J FILE that cannot be opened: refused (exit $rc), the -o file as it was"
"$HT" -q --emulator "$T" --no-pin -o "$D/new2.table" -J "$D/no-such-dir/t.jsonl" -d 1 2>"$D/err"
[ $? = 1 ] && [ ! -e "$D/new2.table" ]
ok $? "... and an -o file that was not there is not made"

# a start that goes on replaces both
cp "$D/keep.orig" "$D/keep.jsonl"
cp "$D/table.orig" "$D/table"
"$HT" -q --emulator "$T" --no-pin -J "$D/keep.jsonl" -o "$D/table" -d 1 2>"$D/err"
ok $? "a start that is not refused: exit 0"
diag <"$D/err"
head -n 1 "$D/keep.jsonl" | grep -q '^{"hotmem_trace":' && ! grep -q kept "$D/keep.jsonl"
ok $? "... its -J file replaced: this run's header first, nothing of the last run's"
head -n 1 "$D/table" | grep -q '^TIME(s) ' && ! grep -q kept "$D/table"
ok $? "... its -o file replaced: this run's table"
# the command's own run: it starts only once the files are open, and
# the command inherits neither
"$HT" -q --emulator "$T" --no-pin -J "$D/keep.jsonl" -o "$D/table" -- sh -c 'ls -l /proc/$$/fd' \
	>"$D/fds" 2>"$D/err"
grep -q ' 0 -> ' "$D/fds" && ! grep -q "keep.jsonl\|$D/table" "$D/fds"
ok $? "-- COMMAND: it ran, and neither file is open in it"
diag <"$D/fds"
done_testing
