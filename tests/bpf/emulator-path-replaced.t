#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `--emulator PATH` after a rebuild replaced PATH (abuse28 T11): uprobes
# follow the inode, so a process still running the old file is not
# traced, and the run said only "0 events".  Now the start names such a
# process and says to trace it by pid.
. "$(dirname "$0")/lib.sh"
usdt_test 3

mkdir "$D/bin"
cp "$T" "$D/bin/target"
"$D/bin/target" wait-for "$D/never" >/dev/null & pid=$!
# a rebuild: a new file (a new inode) at the same path
cp "$T" "$D/bin/target.new" && mv "$D/bin/target.new" "$D/bin/target"
"$HT" --no-pin --emulator "$D/bin/target" --duration 1 -o /dev/null 2>"$D/err"
ok $? "--emulator PATH with a process running the replaced file: exit 0"
diag <"$D/err"
grep -qx "hotmem-trace: emulator: pid $pid runs an older $D/bin/target (replaced since it started), not traced: use --emulator $pid" "$D/err"
ok $? "... names that process and says to trace it by pid"
kill $pid; wait $pid 2>/dev/null
"$HT" --no-pin --emulator "$D/bin/target" --duration 1 -o /dev/null 2>"$D/err2"
! grep -q "runs an older" "$D/err2"
ok $? "... and says nothing once no process runs an older one"
done_testing
