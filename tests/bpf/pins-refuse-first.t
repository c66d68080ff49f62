#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A start refused for its --pin DIR (locked by a live run: pins29's
# flock, reread27 R9), for pins in the way or for an -o file it cannot
# open loaded the BPF object and attached every probe first -- seconds a
# refusal, the probes briefly live -- and only then looked (trace30).
# Now those cheap refusals come before anything is loaded: the refused
# start's stderr is its refusal alone (no attach report), and with -v no
# line of libbpf's (nothing loaded); message and exit status unchanged.
# A start refused after it made --pin DIR and -o (a binary without
# probes) removes both.  Runs in a private mount namespace on a BPF
# filesystem of its own, never the host's /sys/fs/bpf.  Needs root
# (BPF), uprobes.
. "$(dirname "$0")/lib.sh"
in_own_mount_ns "$@"
usdt_test 11
own_mount bpf "$D/fs"
P=$D/fs/hotmem

# only_line NAME RC WANT LINE: NAME's stderr ($D/NAME.err) is LINE alone,
# with and without -v, and its exit status WANT (got RC): two TAP lines
only_line() {
	diag <"$D/$1.err"
	ok $([ "$2" = "$3" ]; echo $?) "$1: refused, exit $3 (got $2)"
	[ "$(cat "$D/$1.err")" = "$4" ]
	ok $? "... its stderr the refusal alone, nothing loaded or attached (was: the attach report first)"
}

"$HT" --emulator "$T" --pin "$P" -o /dev/null -d 600 2>"$D/live.err" & live=$!
wait_ready "$D/live.err"
grep -q "^hotmem-trace: ready:" "$D/live.err"
ok $? "a live run holds --pin $P"

"$HT" --emulator "$T" --pin "$P" -o /dev/null -d 1 2>"$D/locked.err"
only_line locked $? 1 \
	"hotmem-trace: --pin $P: in use by pid $live (hotmem-trace), which holds its lock: stop it first, or use another --pin DIR"
"$HT" -v --emulator "$T" --pin "$P" -o /dev/null -d 1 2>"$D/locked-v.err"
rc=$?
! grep -q "^libbpf:" "$D/locked-v.err" && [ $rc = 1 ]
ok $? "... with -v: exit 1 (got $rc), not a line of libbpf's: nothing was loaded"

kill -INT $live
wait_exit $live 60
ok $? "the live run ends at SIGINT, exit 0"

# pins in the way: stand-ins off bpffs (plain files)
mkdir "$D/pins"
touch "$D/pins/counters"
"$HT" --emulator "$T" --pin "$D/pins" -o /dev/null -d 1 2>"$D/inway.err"
only_line inway $? 1 "hotmem-trace: $D/pins/counters: no BPF pin: a file off a BPF filesystem
hotmem-trace: pinned already: $D/pins/counters: not known to be stale (above): if nothing uses them, rm $D/pins/counters; or use another --pin DIR"

# an -o file that cannot be opened
"$HT" --emulator "$T" --pin "$P" -o "$D/no-such-dir/t" -d 1 2>"$D/output.err"
only_line output $? 1 "hotmem-trace: $D/no-such-dir/t: No such file or directory"
[ ! -e "$P" ]
ok $? "... and the --pin directory it made is gone again"

# refused after the claim: the directory and the -o file it made, removed
"$HT" -q --emulator /bin/true --pin "$P" -o "$D/new.table" -d 1 2>"$D/noprobes.err"
rc=$?
diag <"$D/noprobes.err"
[ $rc != 0 ] && [ ! -e "$P" ] && [ ! -e "$D/new.table" ]
ok $? "a start refused after its checks (no probes, exit $rc): the --pin directory and -o file it made removed"
done_testing
