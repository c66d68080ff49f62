#!/bin/bash
# A --fresh start that fails leaves the old state file and its journal as
# they were (the rule: a failed operation leaves everything as it was).
# --fresh deleted the state file and emptied its journal before the boot,
# so a start that then failed -- a machine that cannot boot, a control
# socket that cannot be bound -- lost the old machine, acknowledged
# changes and all.  Now it sets them aside (PATH.fresh-aside,
# PATH.journal.fresh-aside), removes them once the new machine is saved,
# and puts them back when the start fails before (main.c, state.c
# hmfs_state_set_aside()).  Without it checks 5-6, 8-9 and 11 fail; 14
# without the removal after the first save (hmfs_state_drop_aside()).
. "$(dirname "$0")/lib.sh"
require_env
STATE=$TMP/sd/st
mkdir -p "$TMP/sd"
without_lock() { dir_listing "$TMP/sd" | grep -v '^st.lock '; }
# as_before: the state file and its journal as $before, said ($TMP/out)
as_before() {
	local after
	after=$(without_lock)
	[ "$after" = "$before" ]
	tap_ok $? "... the state file and its journal as they were, nothing set aside left" ||
		diag "before: $(tr '\n' '|' <<<"$before") after: $(tr '\n' '|' <<<"$after")"
	grep -qF "the state file $STATE put back as it was: the start failed" "$TMP/out"
	tap_ok $? "... and it says so"
}

# an acknowledged change in the journal only: a device, then kill -9
mount_fs "hotmemfs mounts a new machine" --fresh
ctl device_add pc-dimm id=d1 size=128M >/dev/null && grep -q '"d1"' "$STATE.journal"
tap_ok $? "... a device added, its record in the journal"
kill9_fs
before=$(without_lock)

# ---- a machine that cannot boot ----------------------------------------
printf 'profile = default\nhotplug = 0x100000000-0x107ffffff\nonline = 32 online_movable\nonline = 32\n' \
	>"$TMP/twice.conf"
start_refused "--fresh with a profile whose machine cannot boot" 1 \
	"cannot boot the machine: online memory32 online: Invalid argument" \
	--fresh -S "$STATE" -s "$CTL" --profile "$TMP/twice.conf" "$MNT"
as_before

# ---- a control socket that cannot be bound ------------------------------
start_unbindable "--fresh with a control socket that cannot be bound" --fresh -S "$STATE" "$MNT"
as_before

# the old machine, its journal's device with it
mount_fs "hotmemfs starts again without --fresh"
ctl --json devices | grep -q '"d1"'
tap_ok $? "... the old machine restored, the device d1 in it"
stop_fs

# ---- a --fresh start that succeeds: the old state goes once the new is saved
mount_fs "hotmemfs mounts a new machine with --fresh" --fresh
ctl --json devices | grep -q '"d1"' || grep -q '"d1"' "$STATE" "$STATE.journal"
tap_ok $((!$?)) "... no device d1, in the machine or its state file"
is "$(ls -A "$TMP/sd" | grep -c fresh-aside)" 0 "... nothing set aside left: the new machine was saved at its start"
stop_fs
done_testing
