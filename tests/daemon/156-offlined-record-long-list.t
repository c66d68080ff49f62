#!/bin/bash
# state_dir/offlined's list of many scattered blocks: about 680 runs or
# more made line 2 longer than the 4096 bytes it was read into, the file
# was "not a record", every mark was lost and the start onlined the
# blocks the admin had offlined (reread38 R8).  Now read whole
# (getline()): memory16, listed first of 1000 runs, is left offline.
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_built "$UEVENT_SEND"

root=$TMP/root sock=$TMP/uevent.sock
mk_sysroot "$root"
mk_blocks "$root" 0 15 online Normal
zone_add "$root" 0 Normal 524288
mk_block "$root" 16 offline "Normal Movable"
id=1b2c3d4e-0000-4000-8000-000000000001
set_boot_id "$root" "$id"
export SOCK_STATE=$TMP/state
mem=$root/sys/devices/system/memory
mkdir -p "$SOCK_STATE"
# the record a hotmemd of this boot wrote: memory16, then 999 blocks gone since
list="16$(seq -s, 1000 2 2996 | sed 's/^/,/')"
printf 'boot_id %s sysroot %s\n%s\nino %s\n' "$id" "$root" "$list" "$(stat -c %d:%i "$mem/memory16")" \
	>"$SOCK_STATE/offlined"
check "line 2 is longer than 4096 bytes" test "$(sed -n 2p "$SOCK_STATE/offlined" | wc -c)" -gt 4096
sock_start 1 --log-level debug
check "hotmemd ready" wait_for 10 ready 1
is "$(state "$root" 16)" offline "memory16, recorded offlined by someone else, is left offline"
check "said so" grep -q "memory16: offlined by someone else this boot" "$TMP/1.log"
grep -h "memory16\|offlined" "$TMP/1.log" | sed 's/^/# log: /'
done_testing
