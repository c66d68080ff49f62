#!/bin/bash
# hotmemd on a kernel that onlines new memory itself (hotmemfs booted with
# memhp_default_state=online: auto_online_blocks is "online"): it says so
# once at start and once on reload, naming the policy that will not apply,
# and writes nothing on ADD -- the block is the kernel's (6.12
# add_memory_resource() onlines it inside add_memory()), so no write races
# the kernel's own online into EINVAL.  Set to offline by an admin, the next
# ADD is hotmemd's again.
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_hotmemfs_in_netns "$@"
fs_paths
# hotmemfs_start runs $FS: here a hotmemfs booted with the command line
real_fs=$FS
FS=$TMP/hotmemfs-online
printf '#!/bin/sh\nexec "%s" --cmdline memhp_default_state=online "$@"\n' "$real_fs" >"$FS"
chmod +x "$FS"
mount_hotmemfs "$mnt" "$ctl" "$sock"
is "$(cat "$mem/auto_online_blocks")" online "the machine onlines by itself (auto_online_blocks=online)"
hotmemd_on_sock --policy online_movable --log-level debug
warn="warning: auto_online_blocks is online: the kernel onlines new memory itself; policy online_movable will not apply to memory added from now on (memhp_default_state=offline or auto_online_blocks=offline)"
is "$(grep -cF "$warn" "$log")" 1 "said once at start, naming the policy"
writes() { "$CTL" -s "$ctl" status | sed -n 's/^Writes: *//p'; }
before=$(writes)
check "plug 3 DIMMs of 128 MiB" plug 1 3
all_online() { local b; for b in 32 33 34; do [ "$(cat "$mem/memory$b/state")" = online ] || return 1; done; }
check "the kernel onlines all 3 blocks" wait_for 10 all_online
check "hotmemd saw all 3 ADDs" wait_for 10 grep -q "memory34: left to the kernel" "$log"
is "$(writes)" "$before" "... and wrote no memoryN/state (no EINVAL racing the kernel)"
writes | sed 's/^/# Writes: /'
is "$(grep -c "already online by someone else\|gave up" "$log")" 0 "... no race said, no give-up"
is "$(grep -cF "$warn" "$log")" 1 "... and the warning not repeated on each ADD"
kill -HUP "$dpid"
check "SIGHUP: reloaded" wait_for 10 grep -q "configuration reloaded" "$log"
is "$(grep -cF "$warn" "$log")" 2 "said again on reload"
echo offline >"$mem/auto_online_blocks"
check "plug one more, auto_online_blocks now offline" plug 4 4
check "hotmemd onlines it by its policy" wait_for 10 grep -q "memory35: online_movable" "$log"
is "$(cat "$mem/memory35/valid_zones")" Movable "... in ZONE_MOVABLE"
echo online >"$mem/auto_online_blocks"
check "plug one more, auto_online_blocks online again" plug 5 5
check "... the ADD that sees it says so" wait_for 10 grep -q "memory36: left to the kernel" "$log"
is "$(grep -cF "$warn" "$log")" 3 "... once more, the change seen on ADD"
is "$(cat "$mem/memory36/valid_zones")" Normal "... the kernel's block, in the kernel's zone"
grep "auto_online\|left to\|memory3[56]" "$log" | sed 's/^/# /'
done_testing
