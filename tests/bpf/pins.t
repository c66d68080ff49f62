#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Pins in the way (another hotmem-trace, or a killed one's): hotmem-trace
# names every one of them in its hint (not only the first map), refuses,
# and leaves them where they are (#13.5).  Stand-ins for the pins are plain
# files in a directory of ours: the check looks before it pins anything.
# Where /sys/fs/bpf is no BPF filesystem (a fresh host: nothing mounted
# it yet), as root, the test runs in a private mount namespace with one
# mounted there, never the host's: the dotted-name checks below need it
# (they skipped in the fresh-clone CI of 2026-12-01).
if [ "$(stat -f -c %T /sys/fs/bpf 2>/dev/null)" != bpf_fs ] && [ -z "${PINS_T_OWN_BPFFS:-}" ] &&
	[ "$(id -u)" = 0 ] && [ -d /sys/fs/bpf ]; then
	PINS_T_OWN_BPFFS=1 exec unshare -m --propagation private \
		sh -c 'mount -t bpf bpf /sys/fs/bpf 2>/dev/null; exec "$0" "$@"' "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
T=$B/tests/bpf/usdt_target
need_usdt "$T"
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
echo "1..20"

touch "$D/counters" "$D/blocks"
"$HT" -q --emulator "$T" --pin "$D" -d 1 >/dev/null 2>"$D/err"
ok $((! $?)) "refused: both maps' pins are in the way"
grep -q "rm $D/counters $D/blocks" "$D/err"
ok $? "the hint names both pins in one rm command"
grep -qx "hotmem-trace: $D/counters: no BPF pin: a file off a BPF filesystem" "$D/err"
ok $? "... each one said to be no BPF pin (was: 0 processes' descriptors could not be read)"
sed 's/^/# /' "$D/err"
[ -e "$D/counters" ] && [ -e "$D/blocks" ]
ok $? "... and leaves both where they are"

rm "$D/counters"
"$HT" -q --emulator "$T" --pin "$D" -d 1 >/dev/null 2>"$D/err"
ok $((! $?)) "refused: one pin in the way"
grep -q "rm $D/blocks;" "$D/err" && ! grep -q "$D/counters" "$D/err"
ok $? "the hint names exactly that one"
[ -e "$D/blocks" ] && [ ! -e "$D/counters" ]
ok $? "... nothing pinned, nothing removed"

# usereye7 #11b: a --pin DIR off bpffs was "pinning DIR/counters: Invalid
# argument" (bpf_obj_pin()'s bare EINVAL)
rm "$D/blocks"
"$HT" -q --emulator "$T" --pin "$D/sub" -d 1 >/dev/null 2>"$D/err"
ok $((! $?)) "refused: --pin on a directory off bpffs"
sed 's/^/# /' "$D/err"
[ "$(cat "$D/err")" = "hotmem-trace: --pin $D/sub: not on a BPF filesystem: mount one there (mkdir $D/sub && mount -t bpf bpf $D/sub), pin under /sys/fs/bpf, or add --no-pin" ]
ok $? "it says the directory is not on a BPF filesystem and how to mount one"
[ ! -e "$D/sub" ]
ok $? "... and makes no directory there"
# abuse25a B2: an empty directory of the user's (a mount point to be) was
# removed by the refused run, "empty" taken for "ours"; the advice to mount
# there then failed
mkdir "$D/mine"
"$HT" -q --emulator "$T" --pin "$D/mine" -d 1 >/dev/null 2>"$D/err"
ok $((! $?)) "refused: --pin on the user's own empty directory off bpffs"
sed 's/^/# /' "$D/err"
[ -d "$D/mine" ] && grep -q "(mount -t bpf bpf $D/mine)" "$D/err"
ok $? "... which stays, where it says to mount one"
# a --pin name with a dot on bpffs: mkdir's EPERM (bpffs takes no dot in
# a name) was exit 77, "missing privileges", and not a word
if [ "$(stat -f -c %T /sys/fs/bpf 2>/dev/null)" = bpf_fs ]; then
	"$HT" -q --emulator "$T" --pin /sys/fs/bpf/hotmem.pins-t -d 1 >/dev/null 2>"$D/err"
	rc=$?
	ok $([ $rc = 1 ]; echo $?) "--pin /sys/fs/bpf/hotmem.pins-t: exit status 1, no privilege missing (got $rc)"
	sed 's/^/# /' "$D/err"
	[ "$(cat "$D/err")" = "hotmem-trace: --pin /sys/fs/bpf/hotmem.pins-t: a BPF filesystem takes no name with a dot in it: choose one without (e.g. /sys/fs/bpf/hotmem)" ]
	ok $? "... saying bpffs takes no dot in a name"
	# the dot in a name before the last (finalK K5): a trailing slash, a
	# parent of the directory; each was exit 77 and a bare EPERM
	for pin in /sys/fs/bpf/hotmem.pins-t/ /sys/fs/bpf/hotmem.pins-t/sub; do
		"$HT" -q --emulator "$T" --pin "$pin" -d 1 >/dev/null 2>"$D/err"
		rc=$?
		sed 's/^/# /' "$D/err"
		[ $rc = 1 ] && [ "$(cat "$D/err")" = "hotmem-trace: --pin $pin: a BPF filesystem takes no name with a dot in it: choose one without (e.g. /sys/fs/bpf/hotmem)" ]
		ok $? "--pin $pin: exit status 1 (got $rc), saying bpffs takes no dot in a name"
	done
	# abuse25a B2 on bpffs: a directory the user made for the pins (a
	# unit's ExecStartPre=mkdir) was gone after a clean run
	mine=/sys/fs/bpf/hotmem-pins-t-$$
	mkdir "$mine"
	"$HT" -q --emulator "$T" --pin "$mine" -d 1 >/dev/null 2>"$D/err"
	ok $? "--pin $mine, made by the user: traced, exit 0"
	sed 's/^/# /' "$D/err"
	[ -d "$mine" ] && [ -z "$(ls -A "$mine")" ]
	ok $? "... its maps unpinned, the directory left where the user made it"
	rmdir "$mine" 2>/dev/null
else
	ok "--pin NAME.WITH.DOT # SKIP /sys/fs/bpf is no BPF filesystem"
	ok "... # SKIP /sys/fs/bpf is no BPF filesystem"
	ok "--pin NAME.WITH.DOT/ # SKIP /sys/fs/bpf is no BPF filesystem"
	ok "--pin NAME.WITH.DOT/sub # SKIP /sys/fs/bpf is no BPF filesystem"
	ok "--pin DIR the user made # SKIP /sys/fs/bpf is no BPF filesystem"
	ok "... # SKIP /sys/fs/bpf is no BPF filesystem"
fi
# the header's write error was lost: exit 0, not a word, with no event
"$HT" -q --emulator "$T" --no-pin -o /dev/full -d 1 2>"$D/err"
rc=$?
ok $([ $rc = 1 ]; echo $?) "-o /dev/full with no event: exit status 1, as for events' write errors (got $rc)"
sed 's/^/# /' "$D/err"
grep -qx "hotmem-trace: writing events: No space left on device" "$D/err"
ok $? "... saying the write error"
done_testing
