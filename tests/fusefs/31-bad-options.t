#!/bin/bash
# hotmemfs refuses a bad number of threads or cache lifetime at once, with
# a message naming the option, and mounts nothing.  --threads -1 (4294967295
# workers) or 99999999999 used to mount, then die silently once the
# workers could not be made; --attr-timeout abc was 0 without a word.
. "$(dirname "$0")/lib.sh"
require_env

for bad in "--threads 0" "--threads -1" "--threads abc" "--threads 99999999999" \
	"--threads 4x" "--attr-timeout abc" "--attr-timeout -5" "--attr-timeout inf" \
	"--attr-timeout nan" "--attr-timeout 1e400" "--attr-timeout 3600s" \
	"--stop-wait 0" "--stop-wait -1" "--stop-wait 86401" "--stop-wait 30s"; do
	# shellcheck disable=SC2086
	err=$(timeout 10 "$HMFS" --state none --control "$CTL" $bad "$MNT" 2>&1)
	rc=$?
	opt=${bad%% *}
	tap_ok "$([ "$rc" -eq 2 ] && [[ $err == "hotmemfs: $opt: "* ]]; echo $?)" \
		"$bad: refused with exit status 2 and a message ($err)"
	if mountpoint -q "$MNT"; then
		nok "$bad: nothing mounted"
		umount "$MNT"
	fi
done
start_fs --fresh --threads 1 --attr-timeout 0.5
tap_ok $? "--threads 1 --attr-timeout 0.5 mount"
is "$(cat "$MNT/sys/devices/system/memory/memory1/state")" online "... and serve"
done_testing
