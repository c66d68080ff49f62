#!/bin/bash
# Inside hotmem-enter /proc/sys/kernel/random/boot_id is the machine's,
# the one hotmemfs serves and keeps in its state file (c5aed6f5), as the
# rest of its /proc is: it was the host's, so hotmemd inside keyed its
# boot blocks to the host's boot, not to the machine's (a restarted
# hotmemfs on its state file is the same machine).
. "$(dirname "$0")/lib.sh"
need_enter

"$ENTER" --profile qemu-512m -- bash -c '
	say() { echo "$1=$2"; }
	say mounted "$(grep -c " /proc/sys/kernel/random/boot_id fuse.hotmemfs " /proc/self/mounts)"
	say inside "$(cat /proc/sys/kernel/random/boot_id)"
	say machine "$(cat "$HOTMEM_ENTERED/proc/sys/kernel/random/boot_id")"
' >"$TMP/out" 2>"$TMP/err"
is "$?" 0 "hotmem-enter ran the command"
v() { sed -n "s/^$1=//p" "$TMP/out"; }
is "$(v mounted)" 1 "/proc/sys/kernel/random/boot_id inside is hotmemfs's"
is "$(v inside)" "$(v machine)" "... the machine's boot_id ($(v inside))"
isnt_host=$([ "$(v inside)" != "$(cat /proc/sys/kernel/random/boot_id)" ] && echo yes)
is "$isnt_host" yes "... not the host's"
sed 's/^/# /' "$TMP/err" | grep -v "^# hotmemfs: " | head
done_testing
