#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# /proc mounted hidepid=2 (invisible), hotmem-trace run by a user given
# CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN (not CAP_SYS_PTRACE, which sees
# through it, as root does): the processes of other users are not in its
# /proc (trace30).
# A pin whose map a root process holds, no lock on its directory (a run
# older than the lock, a bpftool dump; here a hard link of a live run's
# pin) was judged stale -- no holder seen -- and replaced; now it is not
# known to be stale: refused, saying /proc hides processes, the pin left.
# The --pin DIR lock held by a root run: /proc/locks names its pid, whose
# /proc/PID is hidden: the refusal said "pid N ()"; now it says the name
# is hidden.  Root, which sees through hidepid=, still replaces a killed
# run's pins.  Runs in a private mount namespace (its own /proc and BPF
# filesystem, never the host's).  Needs root (to drop to nobody), uprobes,
# setpriv.
. "$(dirname "$0")/lib.sh"
in_own_mount_ns "$@"
need_tool setpriv util-linux
usdt_test 9
chmod 755 "$D"
own_mount bpf "$D/fs"
mount -t proc -o hidepid=2 proc /proc || skip_all "cannot mount a proc filesystem with hidepid=2"
# CAP_SYS_ADMIN too: this kernel's uprobes may ask it (privileges.t), and
# without them the start ends before its pins; it does not see through
# hidepid= (ptrace_may_access() asks CAP_SYS_PTRACE)
CAPS=+bpf,+perfmon,+sys_admin
USER_CAPS="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=$CAPS --ambient-caps=$CAPS"
$USER_CAPS sh -c '[ ! -e /proc/1 ]' ||
	skip_all "uid 65534 with CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN still sees /proc/1 under hidepid=2"

# live NAME DIR: a root run pinning in DIR, in the background ($run), ready
live() {
	"$HT" --emulator "$T" --pin "$2" -o /dev/null -d 600 2>"$D/$1.err" & run=$!
	wait_ready "$D/$1.err"
	grep -q "^hotmem-trace: ready:" "$D/$1.err"
	ok $? "a root run $1 pins in $2"
}
# as_user NAME DIR: hotmem-trace as uid 65534 with the capabilities,
# --pin DIR; its exit status in $rc, its stderr in $D/NAME.err
as_user() {
	$USER_CAPS "$HT" --emulator "$T" --pin "$2" -o /dev/null -d 1 2>"$D/$1.err"
	rc=$?
	diag <"$D/$1.err"
}

# the map holder hidden: H's counters pin linked into the user's directory
live H "$D/fs/held"
h=$run
mkdir "$D/fs/mine"
ln "$D/fs/held/counters" "$D/fs/mine/counters"
chown 65534:65534 "$D/fs/mine" "$D/fs/mine/counters"
as_user hidden-holder "$D/fs/mine"
ok $([ $rc = 1 ]; echo $?) "the user's start: refused, exit 1 (got $rc)"
grep -qx "hotmem-trace: $D/fs/mine/counters: map id [0-9]*: no process seen holding it, but this /proc hides other users' processes (hidepid=): not known to be stale" "$D/hidden-holder.err"
ok $? "... saying it cannot tell: /proc hides the holders (was: a stale pin, replaced)"
[ "$(stat -c %i "$D/fs/mine/counters" 2>/dev/null)" = "$(stat -c %i "$D/fs/held/counters")" ]
ok $? "... and leaving the pin H holds"
rm -f "$D/fs/mine/counters"
kill -INT $h
wait_exit $h 60

# the lock holder hidden
chown 65534:65534 "$D/fs/mine"
live L "$D/fs/mine"
l=$run
as_user hidden-locker "$D/fs/mine"
ok $([ $rc = 1 ]; echo $?) "the user's start where L holds the lock: refused, exit 1 (got $rc)"
grep -qx "hotmem-trace: --pin $D/fs/mine: in use by pid $l (its name hidden from this process: hidepid=), which holds its lock: stop it first, or use another --pin DIR" "$D/hidden-locker.err"
ok $? "... naming L's pid, its name hidden (was: \"pid $l ()\")"
kill -INT $l
wait_exit $l 60
ok $? "L ends at SIGINT, exit 0"

# root sees through hidepid= (CAP_SYS_PTRACE): a killed run's pins are still stale to it
"$HT" --emulator "$T" --pin "$D/fs/stale" -o /dev/null -d 600 2>"$D/killed.err" & k=$!
wait_ready "$D/killed.err"
kill -9 $k
wait $k 2>/dev/null
"$HT" --emulator "$T" --pin "$D/fs/stale" -o /dev/null -d 1 2>"$D/root.err"
rc=$?
diag <"$D/root.err"
[ $rc = 0 ] && [ "$(grep -c "a stale pin (map id [0-9]*, held by no process: a killed hotmem-trace's): replaced$" "$D/root.err")" = 2 ]
ok $? "root under hidepid=2 (CAP_SYS_PTRACE sees through it): a killed run's pins replaced as before, exit 0 (got $rc)"
done_testing
