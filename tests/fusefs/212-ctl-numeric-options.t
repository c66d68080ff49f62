#!/bin/bash
# hotmemctl's numeric options, one rule (usereye8): -t's strtoul() took
# " 5" and "+5", settle's --timeout strtod() " 5", "1e2" and hex floats
# ("0x1p3").  Now both read seconds as hmfs_ctlargs_seconds() does --
# decimal ("2.5" for settle), or whole in hex after 0x -- and refuse the
# rest naming the option and what it takes, before sending anything;
# hotmemfs holds settle's string "timeout" to the same rule.
. "$(dirname "$0")/lib.sh"
private_mount_ns "$@"
require_env

# refused: exit 2, the option's name and what it takes
for v in ' 5' '+5' '2.5' '1e2' '0x1p3'; do
	out=$("$HMCTL" -s "$TMP/none" -t "$v" status 2>&1)
	is "$?:$out" "2:hotmemctl: bad timeout '$v': -t takes whole seconds, decimal or 0x hex, 0..86400 (0: no limit)" \
		"-t '$v': refused"
done
for v in ' 5' '+5' '1e2' '0x1p3' '5.'; do
	out=$("$HMCTL" -s "$TMP/none" settle --timeout "$v" 2>&1)
	is "$?:$out" "2:hotmemctl: settle: bad timeout '$v': --timeout takes seconds, decimal (2.5) or 0x hex, 0..86400 (0: only ask)" \
		"settle --timeout '$v': refused"
done

mount_fs "hotmemfs mounts" --fresh
out=$(ctl -t 0x10 status 2>&1)
tap_ok $? "-t 0x10 (sixteen seconds): taken" || diag "$out"
out=$(ctl settle --timeout 2.5 2>&1)
tap_ok $? "settle --timeout 2.5: taken" || diag "$out"
out=$(ctl settle --timeout 0x10 2>&1)
tap_ok $? "settle --timeout 0x10: taken" || diag "$out"
ctl raw '{"execute":"settle","arguments":{"timeout":" 5"}}' >"$TMP/out" 2>&1
is "$?:$(head -n 1 "$TMP/out")" "1:{\"error\":{\"class\":\"GenericError\",\"desc\":\"Parameter 'timeout' expects seconds (0..86400)\"}}" \
	"hotmemfs: settle's string timeout ' 5' refused by the same rule"
ctl raw '{"execute":"settle","arguments":{"timeout":"2.5"}}' >/dev/null 2>&1
tap_ok $? "... '2.5' taken"
done_testing
