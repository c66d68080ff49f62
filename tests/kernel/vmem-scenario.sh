# tests/kernel/vmem-scenario.sh — the virtio-mem scenario's record keeping,
# sourced by both sides: the QEMU guest's /init-vmem (M=/sys/devices/system/memory,
# P=/proc) and the engine run on a hotmemfs mount (M, P under the mount).
# The resize itself is the host's: QMP qom-set (QEMU) or hotmemctl qom-set.
#
#   hm_vmem_blocks STEP       one "BLOCKS STEP: memoryN=state[:zone] ..." line for
#                             the blocks not in $HM_BOOT_BLOCKS (the device's)
#   hm_vmem_settle MIB        wait ($HM_SETTLE_POLLS x 0.1 s, default 400) until
#                             MemTotal is boot + MIB and stays so for 1 s; says
#                             "settled" or "not settled"
# scenario.sh's hm_meminfo, hm_blocks and hm_say are used as they are.
. "${HERE:-}/scenario.sh"

hm_vmem_blocks() {
	_l=
	for _b in $(hm_blocks | grep -vxF "$HM_BOOT_BLOCKS"); do
		_s=$(cat "$_b/state")
		_z=
		[ "$_s" = online ] && _z=":$(cat "$_b/valid_zones")"
		_l="$_l ${_b##*/}=$_s$_z"
	done
	echo "BLOCKS $1:${_l:- none}"
}

hm_memtotal() { awk '/^MemTotal:/ {print $2}' "$P/meminfo"; }

hm_vmem_settle() {
	_want=$((HM_BOOT_MEMTOTAL + $1 * 1024))
	_i=0 _same=0 _last=
	while [ $_i -lt "${HM_SETTLE_POLLS:-400}" ]; do
		_t=$(hm_memtotal)
		if [ "$_t" = "$_last" ]; then _same=$((_same + 1)); else _same=0; fi
		_last=$_t
		[ "$_t" = "$_want" ] && [ $_same -ge 10 ] && { hm_say "settled at ${1}M after $_i polls"; return 0; }
		_i=$((_i + 1)); sleep 0.1
	done
	hm_say "not settled at ${1}M: MemTotal $_t kB, boot + ${1}M would be $_want kB"
	return 1
}
