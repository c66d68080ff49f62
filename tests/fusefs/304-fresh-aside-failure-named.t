#!/bin/bash
# A --fresh start's old state set aside (PATH.fresh-aside and
# PATH.journal.fresh-aside) that cannot be removed or put back: the message
# names the file that failed.  drop_aside(), hmfs_state_put_back() and
# settle_aside()'s removal named PATH.fresh-aside whichever it was, also
# when the journal's aside failed first (the journal goes first, PATH's
# last).  unlinkat()/renameat() of the journal's aside fail by sync_shim.so
# (HOTMEM_TEST_UNLINK_FAIL, HOTMEM_TEST_RENAME_FAIL).  Without the fix
# checks 4, 6 and 11 fail (checked: PATH.fresh-aside named).
. "$(dirname "$0")/lib.sh"
require_env
need_sync_shim
state_dir
J=.journal.fresh-aside

mount_fs "hotmemfs mounts a machine" --fresh
stop_fs

# ---- the first save's removal of the old state ----------------------------
HOTMEM_TEST_UNLINK_FAIL=$J LD_PRELOAD=$SHIM mount_fs \
	"a --fresh start whose old journal cannot be removed (sync_shim.so)" --fresh
is "$(asides)" 2 "... the old state file and journal left aside"
grep -qF "hotmemfs: --fresh: removing the old state $STATE$J: Input/output error (the next start removes it)" \
	"$TMP/hotmemfs.log"
tap_ok $? "... the journal's aside named" || grep 'old state' "$TMP/hotmemfs.log" | sed 's/^/#   /'
stop_fs

# ---- the next start's removal, beside the saved new machine ---------------
HOTMEM_TEST_UNLINK_FAIL=$J LD_PRELOAD=$SHIM start_refused \
	"a start that cannot remove the old journal's aside" 1 \
	"removing $STATE$J, which a saved --fresh start replaced: Input/output error" \
	-S "$STATE" -s "$CTL" "$MNT"
is "$(asides)" 2 "... both left"
mount_fs "a start that can removes them"
is "$(asides)" 0 "... nothing set aside left"
stop_fs

# ---- a failed start's put back ---------------------------------------------
HOTMEM_TEST_RENAME_FAIL=$J LD_PRELOAD=$SHIM start_unbindable \
	"a --fresh start failing before its first save" --fresh -S "$STATE" "$MNT"
grep -qF "hotmemfs: --fresh: putting the old state $STATE$J back: Input/output error (the next start puts it back)" \
	"$TMP/out"
tap_ok $? "... the journal's aside named as not put back" || grep 'old state' "$TMP/out" | sed 's/^/#   /'
mount_fs "the next start puts it back"
is "$(asides)" 0 "... nothing set aside left"
done_testing
