# tests/kernel/scenario.sh — the hotplug scenario, sourced by both sides:
# the QEMU guest's /init (M=/sys/devices/system/memory, P=/proc) and the
# engine run on a hotmemfs mount (M=MNT/sys/devices/system/memory, P=MNT/proc).
#
#   hm_blocks                       list the memory block directories
#   hm_wait_new BEFORE              wait (<= 60 s) until blocks beyond BEFORE appear
#   hm_steps NEW...                 online (kernel zone) the first new block,
#                                   online_movable the second, offline both,
#                                   online_movable both again
# $HM_BEFORE_OFFLINE, if set, is run between the online and offline steps.
# Each step appends a "meminfo" JSON line to $MEMINFO_OUT and says what it
# did on stdout with the prefix "$SAY".
: "${M:=/sys/devices/system/memory}" "${P:=/proc}" "${SAY:=GUEST:}"
: "${MEMINFO_OUT:=/meminfo.jsonl}" "${SRC:=kernel}"

hm_say() { echo "$SAY $*"; }

# PcpFree: kB on the per-cpu page lists (/proc/zoneinfo "count:"), free
# pages MemFree does not count until they are drained (offline_pages does).
# MemFree is taken from the same read of zoneinfo (its zones' "pages free",
# the counter meminfo's MemFree sums): read from meminfo by one process and
# the lists from zoneinfo by the next, a drain in between (6.7+'s
# decay_pcp_high() from the vmstat worker, once a second, frees up to
# batch << PCP_BATCH_SCALE_MAX = 2016 pages at once) was counted in neither:
# the likeliest reading of a CI guest whose "boot" came out 7 MB short
# (2026-12-01).  meminfo's MemFree only when zoneinfo cannot be read.
hm_meminfo() {
	_t=$(awk '/^MemTotal:/ {print $2}' "$P/meminfo")
	_fp=$(awk '/^ *pages free/ {f += $3; n++} /^ *count:/ {p += $2}
		   END {if (n) printf "%.0f %.0f\n", f * 4, p * 4}' "$P/zoneinfo" 2>/dev/null)
	if [ -n "$_fp" ]; then
		_f=${_fp% *} _p=${_fp#* }
	else
		_f=$(awk '/^MemFree:/ {print $2}' "$P/meminfo") _p=0
	fi
	echo "{\"src\":\"$SRC\",\"ev\":\"meminfo\",\"phase\":\"$1\",\"MemTotal\":$_t,\"MemFree\":$_f,\"PcpFree\":${_p:-0}}" >> "$MEMINFO_OUT"
}

hm_blocks() { ls -d "$M"/memory[0-9]* | sort; }

hm_wait_new() {
	_i=0
	while [ "$(hm_blocks)" = "$1" ] && [ $_i -lt 600 ]; do
		_i=$((_i + 1)); sleep 0.1
	done
	sleep 0.5
	hm_blocks | grep -vxF "$1"
}

hm_set_state() {	# block new_state step
	if echo "$2" > "$1/state" 2>/dev/null; then
		hm_say "$3 ${1##*/}: $2 -> $(cat "$1/state") zones=$(cat "$1/valid_zones" 2>/dev/null)"
	else
		hm_say "$3 ${1##*/}: $2 FAILED"
	fi
}

hm_steps() {
	hm_meminfo added
	[ -n "$1" ] && hm_set_state "$1" online_kernel online
	[ -n "$2" ] && hm_set_state "$2" online_movable online
	hm_meminfo online
	[ -n "${HM_BEFORE_OFFLINE:-}" ] && $HM_BEFORE_OFFLINE 2>&1 | sed "s/^/$SAY /"
	for _b in "$@"; do hm_set_state "$_b" offline offline; done
	hm_meminfo offline
	for _b in "$@"; do hm_set_state "$_b" online_movable again; done
	hm_meminfo again
}
