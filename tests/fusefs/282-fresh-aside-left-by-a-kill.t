#!/bin/bash
# What a --fresh start killed between setting the old state aside and
# removing it leaves, the next start settles (state.c settle_aside(), under
# the lock): PATH.fresh-aside without PATH is the old machine, which no
# save replaced -- put back with its journal; beside PATH it is what the
# saved new machine replaced -- removed.  One not ours is refused and left
# as it is, as a temporary file is (The state file, "Trust").  The files a
# kill leaves are made by hand: the kill's instant cannot be chosen.
# Without settle_aside() checks 4-6 and 10-12 fail.
. "$(dirname "$0")/lib.sh"
require_env
state_dir

# the old machine, a device in its journal (kill -9)
mount_fs "hotmemfs mounts a machine" --fresh
ctl device_add pc-dimm id=d1 size=128M >/dev/null
tap_ok $? "... a device added"
kill9_fs

# ---- killed before its first save: the old machine set aside, a new journal
mv "$STATE" "$STATE.fresh-aside"
mv "$STATE.journal" "$STATE.journal.fresh-aside"
: >"$STATE.journal"
mount_fs "a start after a --fresh start killed before its first save"
ctl --json devices | grep -q '"d1"'
tap_ok $? "... the old machine restored, the device d1 in it"
is "$(asides)" 0 "... nothing set aside left"
grep -qF "$STATE.fresh-aside put back as $STATE: the --fresh start that set it aside ended before its new machine was saved" \
	"$TMP/hotmemfs.log"
tap_ok $? "... and it says so"
stop_fs

# ---- killed after it: the new machine saved beside the old one -----------
cp "$STATE" "$TMP/old.st"
mount_fs "a new machine (--fresh)" --fresh
stop_fs
cp "$TMP/old.st" "$STATE.fresh-aside"
echo '00000000 {"seq":99}' >"$STATE.journal.fresh-aside"
mount_fs "a start after a --fresh start killed after its first save"
ctl --json devices | grep -q '"d1"'
tap_ok $((!$?)) "... the new machine, no device d1 in it"
is "$(asides)" 0 "... the old one's files removed"
grep -qF "removed $STATE.fresh-aside and $STATE.journal.fresh-aside: the --fresh start that set it aside saved its new machine" \
	"$TMP/hotmemfs.log"
tap_ok $? "... and it says so"
stop_fs

# ---- one not ours --------------------------------------------------------
cp "$TMP/old.st" "$STATE.fresh-aside"
chmod 0666 "$STATE.fresh-aside"
start_refused "a start beside a PATH.fresh-aside others can write to" 1 \
	"--fresh's old state $STATE.fresh-aside is writable by others \(mode 0666\): refusing to trust it" \
	-S "$STATE" -s "$CTL" "$MNT"
cmp -s "$TMP/old.st" "$STATE.fresh-aside"
tap_ok $? "... left as it is"
done_testing
