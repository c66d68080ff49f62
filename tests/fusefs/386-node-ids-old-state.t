#!/bin/bash
# reread29 R12: since 2026-12-02 (bb6ce2c9) the guest's node ids come in
# SRAT order, a profile's node numbers are QEMU's PXMs.  A state file saved
# before keyed its per-node state (each node's HugeTLB pool, node
# attributes, kernel allocations) by the old ids, the PXMs: with a profile
# that is renumbered now (numa2 with cpu_nodes = 0,2: PXM 1's memory is
# node2) it would restore a pool onto the wrong node and lose its pages.
# Files written now say "node-ids": "srat"; one without it is refused
# where the profile renumbers, and restores as before where it does not
# (every built-in).  Without state.c's check_node_ids() checks 3-4, 7 and
# 9-10 fail (checked: no key written; the renumbered file mounts).
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
N=$MNT/sys/devices/system/node
HP=hugepages/hugepages-2048kB/nr_hugepages
node_ids() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["machine"].get("node-ids"))' "$STATE"; }

mount_fs "hotmemfs mounts numa2 with a state file" --profile numa2 --fresh
echo 8 >"$N/node1/$HP"
is "$(cat "$N/node1/$HP")" 8 "... node1's pool 8 pages"
stop_fs
is "$(node_ids)" srat "the file says \"node-ids\": \"srat\""
state_machine_edit 'del m["node-ids"]'
tap_ok $? "... dropped, as a file saved before 2026-12-02"
start_fs --profile numa2
tap_ok $? "numa2 (its PXMs the guest's ids) restores it"
is "$(cat "$N/node1/$HP")" 8 "... node1's pool 8 pages, as saved"
stop_fs
is "$(node_ids)" srat "... and the restart's save marks the file"

P=$TMP/cpu02.profile
printf 'profile = numa2\ncpu_nodes = 0,2\n' >"$P"
mount_fs "hotmemfs mounts numa2 with cpu_nodes = 0,2 (PXM 1's memory is node2)" --profile "$P" --fresh
echo 8 >"$N/node2/$HP"
stop_fs
state_machine_edit 'del m["node-ids"]'
sum=$(md5sum <"$STATE")
start_refused "its file without \"node-ids\" is refused" 78 \
	"saved before the guest's node ids came in SRAT order \\(2026-12-02\\), when node N was QEMU's node N; this profile's QEMU node 1 is node2 now" \
	--control "$CTL" --state "$STATE" --profile "$P" "$MNT"
sed 's/^/# /' "$TMP/out"
grep -q "start with --fresh" "$TMP/out"
tap_ok $? "... saying --fresh is the way"
is "$(md5sum <"$STATE")" "$sum" "... the state file left as it was"

state_machine_edit 'm["node-ids"] = "srat"'
start_fs --profile "$P"
tap_ok $? "marked, it restores"
is "$(cat "$N/node2/$HP")" 8 "... node2's pool 8 pages, as saved"
done_testing
