#!/bin/bash
# make bench: a 1024-block burst (one 128 GiB DIMM on a 640 GiB machine)
# onlined by a real systemd-udevd with the classic rule, and by hotmemd,
# inside hotmem-enter; the time until the last block is online.
# Prints "NAME VALUE UNIT (goal ...)" and BENCH {json} lines.
set -u
if [ $# -gt 0 ]; then # as tests/bench_report.h: a part it does not have is refused
	printf '%s: no part %s\nusage: %s (no arguments: it measures every figure)\n' \
		"${0##*/}" "'$1'" "${0##*/}" >&2
	exit 2
fi
B=${HOTMEM_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
if [ "$(id -u)" -ne 0 ] || [ ! -x "$B/hotmem-enter" ] || [ ! -x /lib/systemd/systemd-udevd ]; then
	echo "agents_burst: skipped (needs root, hotmem-enter and systemd-udevd)"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'profile = host-24g\nname = big-640g\nmaxmem = 640G\n' >"$tmp/big"
mkdir -p "$tmp/rules"
echo 'SUBSYSTEM=="memory", ACTION=="add", ATTR{state}=="offline", ATTR{state}="online"' >"$tmp/rules/80.rules"
cell() { # AGENT [--rules DIR]: ms until the last of the 1024 blocks is online
	local agent=$1 cmdline=hotmem.kernel_alloc=off
	shift
	# the floor: no agent, the kernel onlines each block itself
	[ "$agent" = none ] && cmdline="$cmdline memhp_default_state=online"
	HOTMEM_CONFORM_WAIT=60 "$B/hotmem-enter" "$@" --profile "$tmp/big" --cmdline "$cmdline" \
		-- "$B/hotmem-conform" --cell "$agent" burst1024 2>/dev/null |
		sed -nE 's/.*"new":1024,"online":1024,.*"ms_to_last_online":([0-9]+).*/\1/p'
}
# how a goal text that names no goal starts: tests/bench_report.h's BENCH_NO_GOAL, the one list
IFS='|' read -ra no_goal < <(sed -n 's/^#define BENCH_NO_GOAL "\(.*\)"$/\1/p' \
	"$(dirname "$0")/../bench_report.h")
[ "${#no_goal[@]}" -gt 0 ] || { echo "agents_burst: no BENCH_NO_GOAL in tests/bench_report.h"; exit 1; }
report() { # NAME VALUE UNIT GOAL MET: the figure format of tests/bench_report.h
	local met=$5 p
	for p in "${no_goal[@]}"; do [[ $4 == "$p"* ]] && met=null; done
	echo "$1 $2 $3 (goal $4)$([ "$met" = false ] && echo " NOT MET")"
	echo "BENCH {\"name\":\"$1\",\"value\":$2,\"unit\":\"$3\",\"goal\":\"$4\",\"met\":$met}"
}
udev_ms=$(cell "rule:$tmp/rules" --rules "$tmp/rules")
hmd_ms=$(cell hotmemd:auto-movable)
floor_ms=$(cell none)
# the same with a state file: each write answered once its record is durable (#15.1)
udev_st_ms=$(cell "rule:$tmp/rules" --rules "$tmp/rules" -S "$tmp/state.udev")
hmd_st_ms=$(cell hotmemd:auto-movable -S "$tmp/state.hotmemd")
if [ -z "$udev_ms" ] || [ -z "$hmd_ms" ]; then
	echo "agents_burst: a burst did not online all 1024 blocks (udevd: ${udev_ms:-failed}, hotmemd: ${hmd_ms:-failed})"
	exit 1
fi
s=$(awk -v m="$udev_ms" 'BEGIN {printf "%.3f", m / 1000}')
report udevd_classic_rule_burst1024 "$s" s "<= 2" "$(awk -v m="$udev_ms" 'BEGIN {print (m <= 2000) ? "true" : "false"}')"
report hotmemd_burst1024 "$(awk -v m="$hmd_ms" 'BEGIN {printf "%.3f", m / 1000}')" s "<= 2" \
	"$(awk -v m="$hmd_ms" 'BEGIN {print (m <= 2000) ? "true" : "false"}')"
for f in "udevd_classic_rule_burst1024_statefile $udev_st_ms" "hotmemd_burst1024_statefile $hmd_st_ms"; do
	set -- $f
	[ -n "${2:-}" ] || { echo "agents_burst: $1: a burst did not online all 1024 blocks"; continue; }
	report "$1" "$(awk -v m="$2" 'BEGIN {printf "%.3f", m / 1000}')" s "<= 2, state file" \
		"$(awk -v m="$2" 'BEGIN {print (m <= 2000) ? "true" : "false"}')"
done
report kernel_autoonline_burst1024 "$(awk -v m="${floor_ms:-0}" 'BEGIN {printf "%.3f", m / 1000}')" s \
	"report only: the engine's own onlining, the floor" true
report udevd_classic_rule_vs_autoonline_burst1024 \
	"$(awk -v a="$udev_ms" -v b="${floor_ms:-0}" 'BEGIN {printf "%.2f", a / (b ? b : 1)}')" x "report only" true
report udevd_vs_hotmemd_burst1024 "$(awk -v a="$udev_ms" -v b="$hmd_ms" 'BEGIN {printf "%.2f", a / (b ? b : 1)}')" x \
	"report only" true
