#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A starter that made --pin DIR lost it to another before it locked it
# (trace30): S made DIR (mkdir), T opened and locked it in between, S was
# refused and kept DIR for T's pins -- and T, not having made it, left it
# behind empty at its end.  Now a starter makes DIR already locked (made
# under a name of its own beside it, locked, renamed to DIR): the one who
# made it holds it, and removes it at its end; the other one's temporary
# directory is gone too.  The race is made certain, not hoped for: S is
# held where it has made its directory (tests/reliability/mkdir_hold.c:
# after mkdir(), before renameat2()) while T starts.  Runs in a private
# mount namespace on a BPF filesystem of its own, never the host's
# /sys/fs/bpf.  Needs root (BPF), uprobes.
. "$(dirname "$0")/lib.sh"
in_own_mount_ns "$@"
usdt_shim_test 7 mkdir_hold
own_mount bpf "$D/fs"
P=$D/fs/hotmem
# what the BPF filesystem holds besides the kernel's own maps.debug and
# progs.debug (CONFIG_BPF_PRELOAD: no name of ours has a dot)
made() { ls "$D/fs" | grep -v '\.debug$'; }

touch "$D/hold"
HOTMEM_TEST_MKDIR_HOLD=$D/hold LD_PRELOAD=$D/mkdir_hold.so \
	"$HT" --emulator "$T" --pin "$P" -o /dev/null -d 600 2>"$D/S.err" & s=$!
file_wait "$D/hold.held"
ok $? "S made its --pin directory, held before it has it locked as $P"
"$HT" --emulator "$T" --pin "$P" -o /dev/null -d 600 2>"$D/T.err" & t=$!
wait_ready "$D/T.err"
grep -q "^hotmem-trace: ready:" "$D/T.err"
ok $? "T starts meanwhile"
rm "$D/hold"
wait_exit $s 120
rc=$?
diag <"$D/S.err"
ok $([ $rc = 1 ]; echo $?) "S goes on and is refused, exit 1 (got $rc)"
grep -qx "hotmem-trace: --pin $P: in use by pid $t (hotmem-trace), which holds its lock: stop it first, or use another --pin DIR" "$D/S.err"
ok $? "... naming T, which holds the lock"
[ "$(made)" = hotmem ]
ok $? "... and leaving nothing of its own beside $P"
kill -INT $t
wait_exit $t 60
ok $? "T ends at SIGINT, exit 0"
made | diag
[ -z "$(made)" ]
ok $? "... and $P is gone: nothing made is left behind (was: $P left empty)"
done_testing
