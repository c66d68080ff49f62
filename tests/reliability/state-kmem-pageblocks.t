#!/bin/bash
# The state file's "kmem" "pageblocks" (claim44): the pageblocks a
# fallback claimed, [pfn, migratetype].  A file without the key (before
# 2026-12-04) restores as before -- the claimed pageblocks come back as
# the restore makes them, Movable -- and its next save has the key; a
# bad value, in the file or in a journal record, is refused as the
# file's other damage is (exit 78, EUCLEAN, the file and journal kept).
# (Check 13 fails without restore_pageblocks()'s check for a file
# without the key: json-c's assertion on a NULL array aborted hotmemfs
# -- 9c70adc7, found by this test.)
# tests/fusefs/425 is the restart that keeps the types.
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
OPTS=(--profile qemu-512m --cmdline memhp_default_state=offline)
P=$MNT/proc
# the pageblocks by migratetype, "ZONE U M R" a zone
blocks() { sed -n '/^Number of blocks/,$p' "$P/pagetypeinfo" | awk 'NR > 1 {print $4, $5, $6, $7}' | tr '\n' ';'; }
saved() { python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["machine"]["kmem"].get("pageblocks")))' "$STATE"; }

start_fs_netns "${OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m with a fresh state file"
ctl device_add pc-dimm id=d1 size=256M >/dev/null && ctl settle --timeout 60 >/dev/null &&
	ctl online 32 online_kernel >/dev/null && ctl online 33 online_kernel >/dev/null &&
	for _ in 1 2 3 4 5 6; do ctl offline 33 >/dev/null && ctl online 33 online_kernel >/dev/null || exit 1; done
tap_ok $? "a 256 MiB DIMM in ZONE_NORMAL, memory33 offlined and onlined 6 times"
running=$(blocks)
stop_fs
cp "$STATE" "$TMP/good.state"
pbs=$(saved)
[[ $pbs == *'[1048576, 2]'* || $pbs == *', 2]'* ]]
tap_ok $? "the file's \"pageblocks\" hold a Reclaimable pageblock: $pbs"

state_machine_edit 'm["kmem"]["pageblocks"] = [[1, 2]]'
refused "is damaged (kmem pageblocks: \[pageblock pfn, migratetype 0-2\] expected)" "a pfn not a pageblock's first" "${OPTS[@]}"
cp "$TMP/good.state" "$STATE"
state_machine_edit 'm["kmem"]["pageblocks"] = [[1048576, 4]]'
refused "is damaged (kmem pageblocks" "migratetype 4 (MIGRATE_ISOLATE's, never a claim's)" "${OPTS[@]}"
cp "$TMP/good.state" "$STATE"
state_machine_edit 'm["kmem"]["pageblocks"] = {"1048576": 2}'
cp "$STATE" "$TMP/bad.state"
refused "is damaged (kmem pageblocks" "an object, not a list" "${OPTS[@]}"
cmp -s "$STATE" "$TMP/bad.state"
tap_ok $? "... the refused file is left as it was (not rewritten)"

# a journal record's: refused as a record that does not fit
cp "$TMP/good.state" "$STATE"
n=$(journal_append '[{"kmem": {"rng": 1, "ops": [], "pageblocks": [[1048576, 7]]}}]')
refused "journal $STATE.journal is damaged: record $n of [0-9]* is a change that does not fit the machine before it" "a record's pageblocks with migratetype 7" "${OPTS[@]}"
: >"$STATE.journal"

# a file from before the key: as before
cp "$TMP/good.state" "$STATE"
state_machine_edit 'del m["kmem"]["pageblocks"]'
start_fs_netns "${OPTS[@]}"
tap_ok $? "a state file without \"pageblocks\" (before 2026-12-04) restores"
now=$(blocks)
case $now in *"Normal 0 128 0;"*) ok "... its claimed pageblocks as the restore makes them, Movable: $now (running: $running)" ;;
	*) nok "... its claimed pageblocks as the restore makes them, Movable: $now (running: $running)" ;; esac
stop_fs
[ "$(saved)" != null ]
tap_ok $? "... and its next save has them: $(saved)"
done_testing
