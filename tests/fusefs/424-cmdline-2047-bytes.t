#!/bin/bash
# A kernel command line of x86's 2047 bytes (COMMAND_LINE_SIZE 2048)
# boots whole: /proc/cmdline is all of it, hotmemctl status says it, and
# the state file brings it back at a restart without --cmdline.  A line
# of 2048 is refused, exit 78, saying why (a kernel would boot it cut).
# hotmem took 1022 bytes: its 1024-byte buffer, and a space counted for a
# line with nothing before it.
. "$(dirname "$0")/lib.sh"
require_env
LINE=$(python3 -c "print(('movable_node quiet ' + 'x' * 2047)[:2047])")
[ "${#LINE}" -eq 2047 ] || { nok "a 2047-byte line made"; done_testing; exit 1; }

# cmdline_said: the command line hotmemctl status --json says
cmdline_said() {
	"$HMCTL" -s "$CTL" status --json | python3 -c '
import json, sys
def find(o):
    if isinstance(o, dict):
        if isinstance(o.get("cmdline"), str):
            return o["cmdline"]
        o = list(o.values())
    if isinstance(o, list):
        for v in o:
            r = find(v)
            if r is not None:
                return r
print(find(json.load(sys.stdin)))'
}

mount_fs "a 2047-byte --cmdline mounts" --fresh --profile default --cmdline "$LINE"
same_output "$(cat "$MNT/proc/cmdline")" "$LINE" "... /proc/cmdline is all of it"
same_output "$(cmdline_said)" "$LINE" "... hotmemctl status says all of it"
stop_fs
mount_fs "restarted on the state file, no --cmdline" --profile default
same_output "$(cat "$MNT/proc/cmdline")" "$LINE" "... its /proc/cmdline is all of it again"
same_output "$(cmdline_said)" "$LINE" "... and hotmemctl status's"
stop_fs
! grep -q "refusing\|longer than" "$TMP/hotmemfs.log"
tap_ok $? "... nothing refused on the way" || diag "$(head -c 600 "$TMP/hotmemfs.log")"

start_refused "a 2048-byte --cmdline" 78 \
	"^hotmemfs: --cmdline: kernel command line longer than 2047 bytes \(x86 COMMAND_LINE_SIZE 2048\): 2048; a kernel boots such a line cut at 2047" \
	--control "$CTL" --state "$STATE" --fresh --profile default --cmdline "${LINE}y" "$MNT"
done_testing
