#!/bin/bash
# A restore that ejects a profile's DIMM removed before the restart runs
# the eject in hotmemfs's main thread, whose name is the process's comm
# (ps, pidof hotmemfs, pgrep -x, systemd's status): the eject's thread
# name "hotmemfs-eject" is for the worker threads alone (reread27 R6,
# fusefs/thread_name.h).  name_log.so logs every pthread_setname_np() by
# the thread it names (main or not, whichever thread calls):
# a read of /proc/PID/comm would catch the rename only while the eject
# lasted, a race.  With the main thread renamed again
# (hmfs_thread_name_take() without its gettid() != getpid()), check 5
# fails (checked 2026-12-02 and, with the shim telling the thread named
# (reread32b R8), 2026-12-03: "main hotmemfs-eject", "main hotmemfs").
. "$(dirname "$0")/lib.sh"
require_env
want_wrapping_shim name_log
export HOTMEM_TEST_NAME_LOG=$TMP/names

cat >"$TMP/dimm.profile" <<'PROFILE'
profile = default
cmdline = "hotmem.kernel_alloc=off"
slots = 4
hotplug = 0x100000000-0x10fffffff node=1
hotplug = 0x180000000-0x187ffffff
online = 32-33 online_movable
online = 48 online_kernel
PROFILE
slots() { ctl -j devices | python3 -c 'import json, sys; print(" ".join(d["id"] for d in json.load(sys.stdin)))'; }

mount_fs "hotmemfs mounts a profile with two DIMMs" --fresh --profile "$TMP/dimm.profile"
ctl device_del dimm1 >/dev/null
tap_ok $? "device_del dimm1, the profile's second DIMM"
stop_fs
LD_PRELOAD="$(preloads "$TMP/name_log.so")" \
	mount_fs "restart: the profile boots dimm1, the restore ejects it" --profile "$TMP/dimm.profile"
is "$(slots) $([ -e "$MNT/sys/devices/system/memory/memory48" ]; echo $?)" "dimm0 1" \
	"... dimm1 and its memory gone (the eject ran)"
is "$(grep -c '^main ' "$TMP/names")" 0 "... the main thread never renamed: $(grep '^main ' "$TMP/names" | tr '\n' ' ')"
is "$(cat "/proc/$FS_PID/comm")" hotmemfs "... its comm hotmemfs"
done_testing
