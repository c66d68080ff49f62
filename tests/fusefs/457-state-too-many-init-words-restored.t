#!/bin/bash
# A state file saved from a command line giving init more words than 6.12
# takes (33 arguments; a hotmem before 2026-12-04 booted it, zones43 made
# it 6.12's panic) is restored as saved, with a warning naming the word
# the kernel would panic at and that a new machine with the line is
# refused: a restart never loses the machine.  With --cmdline the same
# line too (a unit's HOTMEMFS_OPTS), and again after kill -9.  --fresh
# with the line is refused as before.  Without the fix the restart was
# refused ("cannot boot the machine: Kernel panic"): check 4 fails, and
# the test ends there (nothing mounted).  31 environment words and a
# 32nd the same way.
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3

# words FMT N: N words by printf FMT over 1..N, one line
words() { for i in $(seq "$2"); do printf "$1 " "$i"; done; }
LINE="hotmem.kernel_alloc=off $(words a%d 32)"
F=$MNT/proc/sys/vm/percpu_pagelist_high_fraction
cmdline() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["machine"]["cmdline"])' "$STATE"; }
PANIC="Kernel panic - not syncing: Too many boot init vars at \`a33'"

mount_fs "qemu-512m with 32 arguments for init" --profile qemu-512m --fresh --cmdline "${LINE% }"
echo 100 >"$F"
is "$(cat "$F")" 100 "percpu_pagelist_high_fraction <- 100: a machine of the user's"
stop_fs
state_machine_edit 'm["cmdline"] += " a33"'
is "$(cmdline)" "${LINE}a33" "... its state file's line given a 33rd, as an older hotmem saved it"

mount_fs "its state file restores" --profile qemu-512m
is "$(cat "$MNT/proc/cmdline")" "${LINE}a33" "... /proc/cmdline the saved line"
is "$(cat "$F")" 100 "... the fraction 100, as saved"
# the file's words escaped (shown.h): the quote after the word too
grep -qF "its command line would not boot a 6.12 kernel: ${PANIC%\'}" "$TMP/hotmemfs.log"
tap_ok $? "... the log names the word 6.12 panics at"
grep -qF "a new machine (--fresh) with this line is refused" "$TMP/hotmemfs.log"
tap_ok $? "... and says a new machine with it is refused"
kill9_fs
mount_fs "kill -9, restart with --cmdline the same line" --profile qemu-512m --cmdline "${LINE}a33"
is "$(cat "$F")" 100 "... the fraction 100"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
is "$(cmdline)" "${LINE}a33" "the file's line kept at the stop"

start_refused "--fresh with that line" 1 "$PANIC" \
	--control "$CTL" --state "$STATE" --fresh --profile qemu-512m --cmdline "${LINE}a33" "$MNT"

ENV="hotmem.kernel_alloc=off $(words E%d=1 31)"
mount_fs "qemu-512m with 31 environment words for init" --profile qemu-512m --fresh --cmdline "${ENV% }"
stop_fs
state_machine_edit 'm["cmdline"] += " E32=1"'
mount_fs "its state file given a 32nd restores" --profile qemu-512m
is "$(cat "$MNT/proc/cmdline")" "${ENV}E32=1" "... /proc/cmdline the saved line"
grep -qF "its command line would not boot a 6.12 kernel: Kernel panic - not syncing: Too many boot env vars at \`E32=1" "$TMP/hotmemfs.log"
tap_ok $? "... the log names the word 6.12 panics at"
stop_fs
done_testing
