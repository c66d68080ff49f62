#!/bin/bash
# A --rules FILE not named *.rules (README's ./my-rules; usereye8 #2):
# hotmem-conform copied it under its own name, systemd-udevd (which reads
# only *.rules) never loaded it, and every cell was the rule's VIOLATION
# "8 of 8 blocks left offline".  Now it is copied as hotmem-enter binds
# it, my-rules.rules (one helper), and runs; a rule agent whose udevd
# read no rules file at all (a directory without a *.rules) is an
# [ERROR] of the run, never a VIOLATION of the rule.
. "$(dirname "$0")/../fusefs/lib.sh"
need_conform
need_tool /lib/systemd/systemd-udevd udev
need_tool jq jq
export TMPDIR=$TMP/work
mkdir "$TMPDIR"

rule='SUBSYSTEM=="memory", ACTION=="add", ATTR{state}=="offline", ATTR{state}="online_movable"'
printf '%s\n' "$rule" >"$TMP/my-rules"
mkdir "$TMP/norules"
printf '%s\n' "$rule" >"$TMP/norules/README"
only=' memhp_default_state=offline qemu-512m dimm1$'

"$CONFORM" --rules "$TMP/my-rules" --intent online_movable --only "$only" \
	--json "$TMP/file.json" >"$TMP/file" 2>"$TMP/file.err"
is "$?" 0 "--rules my-rules (no .rules suffix): exit status 0"
sed 's/^/# /' "$TMP/file"
grep -qE "^rules:my-rules +offline +qemu-512m +dimm1 +8/8 +Movable:8 .* ✓$" "$TMP/file"
tap_ok $? "... its rule ran: 8/8 online in Movable, ✓"
is "$(jq -r '.[0].outcome.writes' "$TMP/file.json")" 8 "... 8 writes"
is "$(jq -r '.[0].outcome.rules_files_read' "$TMP/file.json")" 1 "... udevd read 1 rules file"

"$CONFORM" --rules "$TMP/norules" --intent online_movable --only "$only" \
	--json "$TMP/dir.json" >"$TMP/dir" 2>"$TMP/dir.err"
is "$?" 1 "--rules DIR with no *.rules file: exit status 1"
sed 's/^/# /' "$TMP/dir"
grep -qF "✗ udevd read no rules file from $TMP/norules (it reads only non-empty files named *.rules) [ERROR: udevd read no rules file]" "$TMP/dir"
tap_ok $? "... its row: udevd read no rules file, an [ERROR]"
! grep -q "VIOLATION\|^violating:" "$TMP/dir"
tap_ok $? "... never a VIOLATION of the rule"
grep -qE "^1 cells in [0-9]+ s: 0 ✓, 0 ~ \(failed as expected\), 0 violating the expectation, 1 not run \(errors\)$" "$TMP/dir"
tap_ok $? "... the summary counts it an error"
is "$(jq -r '.[0] | "\(.error) \(.violation) \(.outcome.rules_files_read)"' "$TMP/dir.json")" \
	"udevd read no rules file false 0" "... the JSON: error, no violation, 0 rules files read"

# hotmem-enter: the same name (one helper); a hidden file's leading dot
# dropped, udevd skips hidden files
printf '%s\n' "$rule" >"$TMP/.hidden"
"$ENTER" --rules "$TMP/my-rules" --profile qemu-512m -- ls /etc/udev/rules.d >"$TMP/ls" 2>/dev/null
is "$(cat "$TMP/ls")" "my-rules.rules" "hotmem-enter --rules my-rules: /etc/udev/rules.d/my-rules.rules"
"$ENTER" --rules "$TMP/.hidden" --profile qemu-512m -- ls -A /etc/udev/rules.d >"$TMP/ls" 2>/dev/null
is "$(cat "$TMP/ls")" "hidden.rules" "hotmem-enter --rules .hidden: hidden.rules, no hidden file udevd skips"
done_testing
