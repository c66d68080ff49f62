#!/bin/bash
# The undo of a chmod, chown, touch or xattr whose save fails
# (fusefs/machine.c undo(), iattr.c hmfs_iattr_restore*()): the node is
# exactly as before, in the kernel's attribute cache too, and the undo of
# a device change puts back what its blocks kept.
. "$(dirname "$0")/lib.sh"
require_sync_fail
export HOTMEM_TEST_SYNC_HOLD=$TMP/hold
A=$M/auto_online_blocks
frozen() { grep -c "takes no more changes" "$TMP/hotmemfs.log"; }

LD_PRELOAD=$SHIM start_state_fs 128M

# 1. a refused chmod whose mode the kernel had cached already (a stat
# while its save was held): after the undo the kernel asks again
: >"$TMP/hold"
: >"$TMP/fail"
chmod 666 "$A" 2>/dev/null &
WRITER=$!
held_wait
tap_ok $? "chmod 666 auto_online_blocks, its journal fdatasync() held"
is "$(stat --cached=never -c %a "$A")" 666 "... a stat meanwhile sees 666 (the kernel caches it)"
rm "$TMP/hold"
wait_exit "$WRITER" 30
is "$?" 1 "the fdatasync() fails: the chmod is refused"
rm "$TMP/fail"
is "$(stat -c %a "$A")" 644 "... and the kernel's cached mode is 0644 again"
is "$(su nobody -s /bin/sh -c "echo online_movable >$A" 2>&1 | grep -c 'Permission denied')" 1 \
	"... nobody cannot write auto_online_blocks"
is "$(frozen)" 0 "hotmemfs is not frozen"

# 1b. a truncate's times, kept in memory alone (iattr.c struct
# iattr_trunc), are no part of the undo's entry: a refused chmod leaves
# them as they were shown
: >"$A"
t=$(stat -c '%y|%z' "$A")
: >"$TMP/fail"
chmod 600 "$A" 2>/dev/null
tap_ok $((! $?)) ": > auto_online_blocks, then a chmod 600 whose save fails is refused"
rm "$TMP/fail"
is "$(stat -c '%a %y|%z' "$A")" "644 $t" "... its mode, and the truncate's mtime and ctime, as before"
is "$(frozen)" 0 "... hotmemfs is not frozen"

# 2. the undo of a device_del brings its blocks back as new incarnations:
# what they kept comes back with them
chmod 600 "$M/memory32/state" && chown 7:8 "$M/memory32/online"
tap_ok $? "memory32/state chmod 600, memory32/online chown 7:8 (acknowledged)"
# every firmware map entry's is in a device change's undo (iattr.c
# ino_in_sel()): the boot RAM's, which stays, keeps its truncate's times
FW=$MNT/sys/firmware/memmap/0/type
python3 -c 'import os, sys; os.truncate(sys.argv[1], 0)' "$FW"
tap_ok $? "truncate(2) of firmware/memmap/0/type by root"
fw=$(stat -c '%y|%z' "$FW")
: >"$TMP/fail"
ctl device_del d1 >/dev/null 2>&1
tap_ok $((! $?)) "device_del d1 whose save fails is refused"
rm "$TMP/fail"
is "$(frozen)" 0 "... hotmemfs is not frozen"
is "$(stat -c '%y|%z' "$FW")" "$fw" "... firmware/memmap/0/type shows its truncate's mtime and ctime still"
is "$(stat -c '%a %u:%g' "$M/memory32/state" "$M/memory32/online" | tr '\n' ' ')" "600 0:0 644 7:8 " \
	"... and the blocks back keep their mode and owner"
kill9_fs
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "restart after kill -9"
is "$(stat -c '%a %u:%g' "$M/memory32/state" "$M/memory32/online" | tr '\n' ' ')" "600 0:0 644 7:8 " \
	"... the same"
stop_fs

# 3. the same for a virtio-mem device's resize (set-size), whose undo takes
# the device out and brings it back whole
LD_PRELOAD=$SHIM start_fs_netns "${STATE_OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m with a fresh state file"
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=512M >/dev/null
tap_ok $? "virtio-mem vm0 512M of 1G"
B=$(ctl --json status | python3 -c 'import json,sys; d=json.load(sys.stdin); print([x["addr"] for x in d["devices"] if x["id"] == "vm0"][0] // (128 << 20))')
chmod 600 "$M/memory$B/state"
tap_ok $? "its first block memory$B: state chmod 600"
: >"$TMP/fail"
ctl set-size vm0 768M >/dev/null 2>&1
tap_ok $((! $?)) "set-size vm0 768M whose save fails is refused"
rm "$TMP/fail"
is "$(frozen)" 0 "... hotmemfs is not frozen"
is "$(stat -c %a "$M/memory$B/state")" 600 "... memory$B/state still 0600"
kill9_fs
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "restart after kill -9"
is "$(stat -c %a "$M/memory$B/state")" 600 "... the same"
kill9_fs

# 4. a node's hugepages/ is there while it has memory: after a one-block
# record (the offline of its only block) the saved "iattrs" still had its
# chmodded nr_hugepages, and the next failed save froze hotmemfs (@pre,
# the saved machine, differed from the one undone)
LD_PRELOAD=$SHIM start_fs_netns --profile numa2 --cmdline hotmem.kernel_alloc=off --fresh
tap_ok $? "hotmemfs mounts numa2 with a fresh state file"
H=$MNT/sys/devices/system/node/node2/hugepages/hugepages-2048kB/nr_hugepages
ctl device_add pc-dimm id=d1 size=128M node=2 >/dev/null && B=$(ls -d "$MNT"/sys/devices/system/node/node2/memory* | head -1) &&
	echo online_movable >"$B/state" && chmod 600 "$H" && echo online_movable >"$A" &&
	echo offline >"$B/state"
tap_ok $? "a DIMM on node 2 onlined, node2's nr_hugepages chmod 600 (saved whole by the next \"set\"), the block offline again"
: >"$TMP/fail"
P=$MNT/sys/module/memory_hotplug/parameters/auto_movable_numa_aware
echo 0 2>/dev/null >"$P"
tap_ok $((! $?)) "auto_movable_numa_aware whose save fails is refused"
rm "$TMP/fail"
is "$(frozen)" 0 "... and undone: hotmemfs is not frozen"
echo 0 >"$P"
tap_ok $? "... it takes the change now"
kill9_fs

# 5. malformed "iattrs" values, in the file and in a journal record: said
# and left out (a null xattr value crashed hotmemfs), the rest restored
start_fs_netns "${STATE_OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m with a fresh state file"
stop_fs
python3 - "$STATE" <<'PY'
import json, sys, zlib
p = sys.argv[1]
s = json.load(open(p))
m = "sys/devices/system/memory/"
t = [1600000000, 5]
s["machine"]["iattrs"] = [
    {"path": m + "auto_online_blocks", "mode": 0o170777, "uid": 0, "gid": 0},
    {"path": m + "memory0/phys_index", "mode": 0o600, "uid": 1 << 33, "gid": 0},
    {"path": m + "memory0/state", "atime": t, "mtime": t, "ctime": t,
     "xattrs": {"security.x": None, "security.y": "zz", "security.z": "6869"}},
    {"path": m + "memory1/state", "mode": 0o640, "uid": 7, "gid": 8, "runtime-forbidden": True},
    {"path": m + "memory1/online", "xattrs": "x"},
]
plain = json.dumps(s["machine"], separators=(",", ":")).replace("/", "\\/")
s["crc32"] = zlib.crc32(plain.encode())
json.dump(s, open(p, "w"))
PY
journal_append '[{"iattr": {"path": "sys/devices/system/memory/memory2/state", "xattrs": {"trusted.q": None}}}]' >/dev/null
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "hotmemfs starts from a file whose \"iattrs\" has a null xattr value (and a journal record with one)"
for w in "auto_online_blocks: mode is not a permission" "memory0/phys_index: mode, uid and gid" \
	"memory0/state: security.x is not a value of hex" "memory0/state: security.y is not a value of hex" \
	"memory1/state: runtime-forbidden" "memory1/online: xattrs is not an object" "memory2/state: trusted.q"; do
	grep -q "entry sys/devices/system/memory/$w" "$TMP/hotmemfs.log"
	tap_ok $? "... said: $w"
done
is "$(stat -c '%a %u:%g' "$A" "$M/memory0/phys_index" "$M/memory1/state" | tr '\n' ' ')" "644 0:0 444 0:0 640 7:8 " \
	"... the malformed modes left out, memory1/state's restored"
is "$(python3 -c "import os; print(os.getxattr('$M/memory0/state', 'security.z'))")" "b'hi'" "... memory0/state's well-formed xattr restored"
is "$(stat -c %Y "$M/memory0/state")" 1600000000 "... and its times"
stop_fs

# 6. the undo of a device_del that took a node's last memory: the node
# (try_offline_node()) comes back as a new incarnation (incarn.c), and
# what its files kept comes back with it (it froze hotmemfs: @pre had
# node2/meminfo's chmod, the node undone had nothing)
LD_PRELOAD=$SHIM start_fs_netns --profile numa2 --cmdline hotmem.kernel_alloc=off --fresh
tap_ok $? "hotmemfs mounts numa2 with a fresh state file"
N=$MNT/sys/devices/system/node
ctl device_add pc-dimm id=d1 size=128M node=2 >/dev/null && ctl settle --timeout 60 &&
	L=$(ls -d "$N"/node2/memory* | head -1) && chmod 600 "$N/node2/meminfo" && chown -h 7:7 "$L"
tap_ok $? "a DIMM brings node2: node2/meminfo chmod 600, its ${L##*/} link chown -h 7:7"
# node2_kept NAME: node2/meminfo 0600, the link 7:7; else what hotmemfs
# has on stderr, which prove shows without -v (these two failed once under
# prove -j2 of tests/reliability and were not reproduced in 100 runs since)
node2_kept() {
	local got
	got=$(stat -c '%a %u:%g' "$N/node2/meminfo" "$L" | tr '\n' ' ')
	is "$got" "600 0:0 777 7:7 " "$1"
	[ "$got" = "600 0:0 777 7:7 " ] && return
	{
		echo "# $1: got '$got'"
		ls -ln "$N/node2/" | sed 's/^/#   /'
		python3 -c 'import json,sys; [print(e) for e in json.load(open(sys.argv[1]))["machine"].get("iattrs", []) if "node2" in e.get("path", "")]' \
			"$STATE" 2>&1 | sed 's/^/#   saved: /'
		tr '\0' '\n' <"$STATE.journal" 2>/dev/null | grep -a node2 | cut -c1-300 | sed 's/^/#   journal: /'
		tail -n 30 "$TMP/hotmemfs.log" | sed 's/^/#   log: /'
	} >&2
}
: >"$TMP/fail"
ctl device_del d1 >/dev/null 2>&1
tap_ok $((! $?)) "device_del d1 (node2's only memory) whose save fails is refused"
rm "$TMP/fail"
ctl settle --timeout 60
is "$(frozen)" 0 "... hotmemfs is not frozen"
node2_kept "... node2 back keeps its meminfo's mode and its link's owner"
echo 1 >"$MNT/sys/module/memory_hotplug/parameters/auto_movable_ratio"
tap_ok $? "... and takes the next change"
kill9_fs
start_fs_netns --profile numa2 --cmdline hotmem.kernel_alloc=off
tap_ok $? "restart after kill -9"
node2_kept "... the same"
stop_fs

# 7. the undo of a device_del brings the DIMM back under another
# firmware/memmap/N (numbered by a counter at add): what its entry kept
# comes back on it, and the machine is the one before (it froze: @pre's
# "iattrs" named the entry by its old number)
LD_PRELOAD=$SHIM start_state_fs 128M
FW=$MNT/sys/firmware/memmap
N=$(ls "$FW" | sort -n | tail -1)
chmod 600 "$FW/$N/type"
tap_ok $? "d1's firmware map entry memmap/$N: type chmod 600"
: >"$TMP/fail"
ctl device_del d1 >/dev/null 2>&1
tap_ok $((! $?)) "device_del d1 whose save fails is refused"
rm "$TMP/fail"
is "$(frozen)" 0 "... hotmemfs is not frozen"
M2=$(ls "$FW" | sort -n | tail -1)
is "$M2 $(stat -c %a "$FW/$M2/type")" "$((N + 1)) 600" "... d1's entry back as memmap/$((N + 1)), its type 600"
echo online_movable >"$A"
tap_ok $? "... and takes the next change"
kill9_fs
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "restart after kill -9"
is "$(stat -c %a "$FW/$(ls "$FW" | sort -n | tail -1)/type")" 600 "... d1's entry's type still 600"
stop_fs
done_testing
