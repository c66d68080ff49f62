#!/bin/bash
# The watermark sysctls over kill -9 (state file "params":
# min-free-kbytes, user-min-free-kbytes, watermark-scale-factor,
# lowmem-reserve-ratio): an acknowledged write is the value after a
# restart, and the watermarks are set from it.  min_free_kbytes and the
# operator's value are kept apart, as 6.12's min_free_kbytes and
# user_min_free_kbytes: an online computing a larger value than the
# operator's takes it (its one-block record carries it, "run-param"), and
# after a restart the next offline still keeps it against the operator's
# ("min_free_kbytes is not updated to N because user defined value U is
# preferred") where a restore that lost the operator's would compute it
# again.  Before, none of them was kept.
. "$(dirname "$0")/lib.sh"
require_env

ARGS=(--profile qemu-512m --cmdline hotmem.kernel_alloc=off)
mount_fs "hotmemfs mounts qemu-512m" "${ARGS[@]}" --fresh
V=$MNT/proc/sys/vm
M=$MNT/sys/devices/system/memory
dma32_min() { awk '/^Node/ {z = $4} z == "DMA32" && $1 == "min" {print $2; exit}' "$MNT/proc/zoneinfo"; }
sysctls() { echo "$(cat "$V/min_free_kbytes") $(cat "$V/watermark_scale_factor") $(cat "$V/lowmem_reserve_ratio" | tr '\t' ,)"; }
not_updated() { ctl dmesg | grep -c "^<4>min_free_kbytes is not updated to $1 because user defined value $2 is preferred$"; }

c4=$(cat "$V/min_free_kbytes")
is "$(w "$M/memory2/state" offline)" ret=7 "memory2 offline"
c3=$(cat "$V/min_free_kbytes")
tap_ok "$([ "$c3" -lt "$c4" ]; echo $?)" "min_free_kbytes computed again: $c4 on 4 blocks, $c3 on 3"

is "$(w "$V/min_free_kbytes" 20000)" ret=5 "min_free_kbytes <- 20000"
is "$(w "$V/watermark_scale_factor" 300)" ret=3 "watermark_scale_factor <- 300"
is "$(w "$V/lowmem_reserve_ratio" '128 64 16 0 0')" ret=13 "lowmem_reserve_ratio <- '128 64 16 0 0'"
before="$(dma32_min) $(cat "$MNT/proc/zoneinfo" | grep -A0 protection | head -2 | tr -s ' ')"
kill9_fs
mount_fs "kill -9 after the writes, restart" "${ARGS[@]}"
is "$(sysctls)" "20000 300 128,64,16,0,0" "the three written values after the restart"
is "$(dma32_min) $(cat "$MNT/proc/zoneinfo" | grep -A0 protection | head -2 | tr -s ' ')" "$before" \
	"... zoneinfo's DMA32 min and the protections set from them"

# the operator's between the two computed values: the online takes its own, larger
u=$(((c3 + c4) / 2))
is "$(w "$V/min_free_kbytes" "$u")" ret=${#u} "min_free_kbytes <- $u"
is "$(w "$M/memory2/state" online)" ret=6 "memory2 online"
# about $c4: the lowmem pages above the high watermarks $u set (nr_free_buffer_pages())
c=$(cat "$V/min_free_kbytes")
tap_ok "$([ "$c" -gt "$u" ]; echo $?)" "... computed again: $c"
tr '\0' '\n' <"$STATE.journal" | grep -v '^$' | tail -1 | grep -q "\"run-param\".*\"min-free-kbytes\":$c"
tap_ok $? "... its record a one-block run-param carrying min-free-kbytes $c"
kill9_fs
mount_fs "kill -9 after the online, restart" "${ARGS[@]}"
is "$(cat "$V/min_free_kbytes")" "$c" "min_free_kbytes $c after the restart"
is "$(w "$M/memory2/state" offline)" ret=7 "memory2 offline"
is "$(cat "$V/min_free_kbytes")" "$c" "... kept: the operator's $u is larger than the offline's own"
is "$(not_updated '[0-9]*' "$u")" 1 \
	"dmesg: min_free_kbytes is not updated to N because user defined value $u is preferred"
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
