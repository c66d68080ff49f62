#!/bin/bash
# A damaged record's line is quoted by its start only.  damaged()
# (bootblocks.c) quoted the whole bad line of state_dir/boot-blocks, and
# the logger cuts a message at 512 bytes: for a long line (a list of any
# length, damaged) the warning lost what hotmemd does about it,
# "re-anchoring boot memory from what this machine shows now" (reread39).
# state_dir/offlined's "line 3 ... is not" and "of another boot"
# messages quoted so too, and lost "ignored".  Now the first 64 bytes and
# "...".  Checks 3, 6 and 8 failed without the fix.
. "$(dirname "$0")/lib.sh"
need_hotmemd
set -u

root=$TMP/root
mk_boot_512m "$root"
check "hotmemd once: the record" oneshot_run "$root" "$TMP/err0"
long=$(printf '0-3,x%.0s' $(seq 600)) # 3000 bytes, not a block list
printf '%s\n' "$long" >"$TMP/state/boot-blocks"
check "a boot-blocks line 1 of 3000 bytes, damaged: hotmemd runs" oneshot_run "$root" "$TMP/err1"
cut -c1-300 "$TMP/err1" | sed 's/^/# /'
check "... the warning says it re-anchors boot memory" grep -qF \
	"warning: $TMP/state/boot-blocks: line 1 '${long:0:64}...' is not a block list like 0-23,32-199: re-anchoring boot memory from what this machine shows now" \
	"$TMP/err1"
is "$(head -1 "$TMP/state/boot-blocks")" 0-3 "... and the record is written anew: memory0-3"

# state_dir/offlined: a long damaged line 3, a long line 1 of another boot
set_boot_id "$root" 1b2c3d4e-0000-4000-8000-000000000160
ino=$(printf 'x%.0s' $(seq 3000))
printf 'boot_id 1b2c3d4e-0000-4000-8000-000000000160 sysroot %s\n\nino %s\n' "$root" "$ino" \
	>"$TMP/state/offlined"
check "an offlined record's line 3 of 3004 bytes, damaged: hotmemd runs" oneshot_run "$root" "$TMP/err2"
check "... the warning says it is ignored" grep -qF \
	"warning: $TMP/state/offlined: line 3 'ino ${ino:0:60}...' is not \"ino\" and the blocks' inode numbers: ignored" \
	"$TMP/err2"
other=$(printf 'boot_id other sysroot /%s' "$(printf 'y%.0s' $(seq 3000))")
printf '%s\n\n' "$other" >"$TMP/state/offlined"
check "an offlined record of another boot, its line 1 of 3000 bytes: hotmemd runs" oneshot_run "$root" "$TMP/err3"
check "... said ignored" grep -qF \
	"$TMP/state/offlined is of another boot or sysroot (\"${other:0:64}...\"): ignored" "$TMP/err3"
done_testing
