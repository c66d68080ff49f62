#!/bin/bash
# --fresh's old state set aside (PATH.fresh-aside, PATH.journal.fresh-aside)
# goes after any later successful whole save, not only the first (state.c
# compact_held(), compact_background(); reread24 R6): main.c removed it
# only when the start's first save succeeded, so after a failed one a
# `hotmemctl save`, a compaction or the final save left both files until
# the next start.  The first save fails at its directory sync
# (sync_shim.so HOTMEM_TEST_DIRSYNC 'x'), the next passes.  Without the
# fix check 5 fails (checked).
. "$(dirname "$0")/lib.sh"
require_env
need_sync_shim
state_dir

mount_fs "hotmemfs mounts a machine" --fresh
stop_fs
# the first save's directory sync fails, the ones after it pass
echo x >"$TMP/dirsync"
HOTMEM_TEST_DIRSYNC=$TMP/dirsync LD_PRELOAD=$SHIM mount_fs \
	"a --fresh start whose first save fails (sync_shim.so)" --fresh
is "$(asides)" 2 "... the old state file and journal still aside"
ctl save >/dev/null
tap_ok $? "hotmemctl save succeeds"
is "$(asides)" 0 "... the old state set aside removed"
stop_fs
done_testing
