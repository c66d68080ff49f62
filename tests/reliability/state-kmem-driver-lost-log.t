#!/bin/bash
# An online after which the virtio-mem driver plugs more is two records
# (the block's run, then the driver's "device" record), each prepared
# with a mark of the kernel's allocations' log; the engine keeps one copy
# of the list, the last mark's, for a rewind once the log is lost.  When
# the online's own change lost the log (its first growth refused: the
# record carried the list whole and dropped it) and the fdatasync of both
# records fails, the rollback undoes the driver's record (rewound from
# its log), then the online's, which needs its mark's copy: the driver's
# mark had taken its place, the rewind was refused (EOVERFLOW) and the
# online's allocations stayed (reread21b K1's second half).  Now each
# mark keeps its own copy until the records before it are durable
# (engine/kmem_copy.c; the driver's mark copied nothing until then): the
# machine and the kernel's pages are as before the online, and a restart
# after kill -9 shows the same.  alloc_shim.so (built here) refuses the
# log's first growth, calloc(1, 64 entries x 32 bytes), once: a new
# hotmemfs's log has no room yet, the online's tick is its first entry.
. "$(dirname "$0")/lib.sh"
require_sync_fail
require_preload_shim alloc_shim
export HOTMEM_TEST_ALLOC_FAIL=$TMP/calloc
OPTS=(--profile qemu-512m)
start() { LD_PRELOAD="$SHIM $TMP/alloc_shim.so" start_fs_netns "${OPTS[@]}" "$@"; }
frozen() { grep -c "takes no more changes" "$TMP/hotmemfs.log"; }
vm_first() { ctl --json status | python3 -c 'import json,sys; print([d["memaddr"] for d in json.load(sys.stdin)["devices"] if d["id"] == "vm0"][0] // (128 << 20))'; }

start --fresh
tap_ok $? "hotmemfs mounts qemu-512m (kernel_alloc default) with a fresh state file and the shims"
ctl device_add virtio-mem-pci id=vm0 size=2G requested-size=1152M >/dev/null
tap_ok $? "virtio-mem vm0, 2G region, requested 1152M"
V=$(vm_first)
is "$(plugged)" $((1 << 30)) "... 1G plugged (memory$V on), the driver waits for onlines"
# 6.12's MEM_ONLINE notifier queues the driver's work once half its
# offline_threshold (1G) is online: memory$V's online below is the fourth
for b in $((V + 1)) $((V + 2)) $((V + 3)); do echo online_movable >"$M/memory$b/state" || break; done
is "$(plugged)" $((1 << 30)) "memory$((V + 1))-$((V + 3)) online: 640M still offline, no work queued"
stop_fs
start
tap_ok $? "restart: a new hotmemfs, whose log of the kernel's allocations has no room yet"
EXPECT=$(snapshot)
before=$(kernel_pages --memfree 0 1 2 3)
echo "calloc 1 1 2048" >"$TMP/calloc"
: >"$TMP/fail"
echo online_movable >"$M/memory$V/state" 2>/dev/null
tap_ok $((! $?)) "memory$V's online_movable is refused, its fdatasync failing"
rm -f "$TMP/fail"
[ ! -e "$TMP/calloc" ]
tap_ok $? "... its tick lost the log (the log's first growth refused: the shim's file taken)"
grep -q "undoing the changes not yet saved" "$TMP/hotmemfs.log"
tap_ok $? "... the online and the driver's plugging after it are rolled back"
is "$(grep -c "cannot take back the kernel's allocations" "$TMP/hotmemfs.log")" 0 \
	"... each undo takes back the kernel's allocations (the online's from its mark's copy)"
is "$(frozen)" 0 "... hotmemfs is not frozen"
same_text "$(snapshot)" "$EXPECT" "... the machine as before the online"
same_text "$(kernel_pages --memfree 0 1 2 3)" "$before" "... the kernel's pages too"
kill9_fs
start
tap_ok $? "restart after kill -9"
same_text "$(kernel_pages --memfree 0 1 2 3)" "$before" "... the same kernel pages"
echo online_movable >"$M/memory$V/state"
tap_ok $? "memory$V's online is taken now"
is "$(plugged)" $((1152 << 20)) "... and the driver plugs one block more"
done_testing
