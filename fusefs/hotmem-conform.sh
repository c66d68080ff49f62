#!/bin/bash
# hotmem-conform: run onlining agents (udev rules, hotmemd, your command)
# for real inside entered machines (hotmem-enter) across kernel settings,
# machines and plug events, and say per cell whether the agent did right.
#
#   hotmem-conform [--reduced|--full] [--rules FILE] [--agent CMD] [--json FILE]
#
# Exit 0 when every cell meets its expectation, 1 otherwise, 2 on usage.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ENTER=${HOTMEM_ENTER:-$HERE/hotmem-enter}
[ -x "$ENTER" ] || ENTER=hotmem-enter
UDEVD=${UDEVD:-/lib/systemd/systemd-udevd}
WAIT_S=${HOTMEM_CONFORM_WAIT:-15}

# A NETLINK_KOBJECT_UEVENT listener with the default receive buffer
# (net.core.rmem_default), counting memory add events and ENOBUFS as
# libudev-less agents see them; prints "ADDS ENOBUFS" on SIGINT.
LISTENER='
import socket, errno, signal, sys
s = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 15)
s.bind((0, 1))
open(sys.argv[1], "w").close()  # bound: ready
adds = nobufs = 0
def done(*a):
    print(adds, nobufs); sys.exit(0)
signal.signal(signal.SIGINT, done)
while True:
    try:
        m = s.recv(8192)
    except OSError as e:
        if e.errno == errno.ENOBUFS:
            nobufs += 1
            continue
        raise
    if m.startswith(b"add@/devices/system/memory/memory"):
        adds += 1
'

# The agent most hand-written onlining daemons are: a NETLINK_KOBJECT_UEVENT
# socket with the default receive buffer, each add handled to the end
# (the block onlined) before the next recv.  A kernel emits a burst's
# uevents far faster than blocks online, so the buffer fills and the
# kernel drops the rest (ENOBUFS): the field report of an agent that saw a
# quarter of a large plug.  It says ENOBUFS on stderr each time.
NETLINK_AGENT='
import socket, errno, sys
s = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 15)
s.bind((0, 1))
open(sys.argv[1], "w").close()  # bound: ready
while True:
    try:
        m = s.recv(8192)
    except OSError as e:
        if e.errno == errno.ENOBUFS:
            print("ENOBUFS", file=sys.stderr, flush=True)
            continue
        raise
    if not m.startswith(b"add@/devices/system/memory/memory"):
        continue
    blk = "/sys" + m.split(b"\0")[0][4:].decode() + "/state"
    try:
        with open(blk) as f:
            if f.read().strip() != "offline":
                continue
        with open(blk, "w") as f:
            f.write("online")
    except OSError as e:
        print("failed to write %s: %s" % (blk, e), file=sys.stderr, flush=True)
'

# ---- inside one entered machine: run one cell, print one JSON object ----
# where a cell is: the last line of its stderr when it never finishes
step() { echo "hotmem-conform: cell: $*" >&2; }

wait_ready() { # FILE: until a listener says it is bound (python starts slowly on a busy host)
	local _
	for _ in $(seq 600); do [ -e "$1" ] && return 0; sleep 0.05; done
	echo "hotmem-conform: ${1##*/}: not ready after 30 s" >&2
	return 1
}

count_online() { # BLOCK...: how many are online (builtins only: 1024 blocks)
	local b st c=0
	for b; do
		read -r st </sys/devices/system/memory/memory$b/state && [ "$st" = online ] && c=$((c + 1))
	done
	echo $c
}

cell_main() { # AGENT EVENT
	local agent=$1 event=$2 log=/run/hotmem/agent.log mem=/sys/devices/system/memory
	local before after new b t0 tlast=0 online=0 zones="" failed=0 offl=0 n=0 now
	before=$(ls -d $mem/memory* | sed 's/.*memory//' | sort -n)
	case $agent in
	rule:*)
		# --debug: udevd logs each ATTR write (its failures are hidden: a
		# write that fails but reads back the value counts as done)
		"$UDEVD" --debug 2>"$log" &
		for _ in $(seq 600); do udevadm control --ping 2>/dev/null && break; sleep 0.05; done ;;
	hotmemd:*)
		hotmemd --config /dev/null --policy "${agent#hotmemd:}" 2>"$log" &
		for _ in $(seq 600); do grep -q "ready" "$log" 2>/dev/null && break; sleep 0.05; done ;;
	cmd:*)
		sh -c "${agent#cmd:}" 2>"$log" &
		sleep 0.5 ;;
	netlink-agent)
		python3 -c "$NETLINK_AGENT" /run/hotmem/agent.ready 2>"$log" &
		wait_ready /run/hotmem/agent.ready ;;
	esac
	step "agent $agent started"
	# a listener as most agents open one: the default receive buffer
	python3 -c "$LISTENER" /run/hotmem/listener.ready >/run/hotmem/listener.out 2>&1 &
	local lpid=$!
	wait_ready /run/hotmem/listener.ready
	step "listener ready; plugging $event"
	t0=$(date +%s%N)
	case $event in
	dimm1) hotmemctl device_add pc-dimm size=1G id=d1 >/dev/null ;;
	dimm64)
		for i in $(seq 64); do hotmemctl device_add pc-dimm size=128M id=d$i >/dev/null; done ;;
	burst1024) hotmemctl device_add pc-dimm size=128G id=big >/dev/null ;;
	virtio-grow-shrink)
		hotmemctl device_add virtio-mem-pci size=4G requested-size=1G id=vm0 >/dev/null
		sleep 0.5
		hotmemctl qom-set vm0 requested-size 2G >/dev/null
		sleep 0.5
		hotmemctl qom-set vm0 requested-size 1G >/dev/null ;;
	esac
	after=$(ls -d $mem/memory* | sed 's/.*memory//' | sort -n)
	new=$(comm -13 <(echo "$before" | sort) <(echo "$after" | sort) | sort -n)
	n=$(echo "$new" | grep -c .)
	# until every new block is online, the wait is over, or nothing has
	# come online for 5 s (an agent that lost uevents never will)
	local last=-1 stalled=0
	for _ in $(seq $((WAIT_S * 20))); do
		online=$(count_online $new)
		now=$(date +%s%N)
		[ "$online" -eq "$n" ] && { tlast=$(((now - t0) / 1000000)); break; }
		if [ "$online" -eq "$last" ]; then
			stalled=$((stalled + 1))
			[ $stalled -ge 100 ] && break
		else
			last=$online stalled=0
		fi
		sleep 0.05
	done
	step "$online of $n online; settling"
	case $agent in rule:*) udevadm settle -t 10 ;; *) sleep 0.3 ;; esac
	sleep 0.2
	kill -INT $lpid 2>/dev/null
	wait $lpid 2>/dev/null
	local heard enobufs lost
	read -r heard enobufs <<<"$(tail -1 /run/hotmem/listener.out)"
	# add events the listener never saw, of the blocks added (virtio: grown ones too)
	lost=$((n - ${heard:-0}))
	[ "$lost" -lt 0 ] && lost=0
	online=0
	declare -A zc=()
	local st z
	for b in $new; do
		read -r st <$mem/memory$b/state
		if [ "$st" = online ]; then
			online=$((online + 1))
			read -r z <$mem/memory$b/valid_zones
			zc[$z]=$((${zc[$z]:-0} + 1))
		fi
	done
	for z in "${!zc[@]}"; do zones="$zones\"$z\":${zc[$z]},"; done
	# failed writes: udevd's "Failed to write ATTR{...}", hotmemd's give-ups;
	# redundant: state writes beyond the blocks the kernel left offline
	# (memhp_default_state=online*: none), each an EINVAL on a real kernel
	local writes needed=0
	failed=$(grep -cE "Failed to write ATTR|give up|gave up|failed to write" "$log" 2>/dev/null)
	writes=$(grep -cE "ATTR '[^']*/state' writing" "$log" 2>/dev/null)
	# blocks added over the event (virtio-mem: the grown ones, since removed, too)
	grep -qE '(^| )memhp_default_state=online' /proc/cmdline ||
		needed=$((${heard:-0} > n ? ${heard:-0} : n))
	[ "${writes:-0}" -gt "$needed" ] && failed=$((failed + writes - needed))
	# Movable : kernel (present pages) against auto_movable_ratio
	local ratio mratio
	ratio=$(awk '/^Node/ {z=$4} /^ +present/ {if (z=="Movable") m+=$2; else if (z!="Device") k+=$2}
		END {printf "%d", k ? m * 100 / k : 0}' /proc/zoneinfo)
	mratio=$(cat /sys/module/memory_hotplug/parameters/auto_movable_ratio 2>/dev/null || echo 301)
	step "counted; stopping the agent"
	# stop the agent before offlining, so that it does not online them again
	kill %1 2>/dev/null
	wait 2>/dev/null
	for b in $new; do
		read -r st <$mem/memory$b/state
		[ "$st" = online ] || continue
		echo offline >$mem/memory$b/state 2>/dev/null && offl=$((offl + 1))
	done
	# ENOBUFS the agent itself reported (the netlink agent does)
	local agent_enobufs
	agent_enobufs=$(grep -c "^ENOBUFS" "$log" 2>/dev/null)
	printf '{"new":%d,"online":%d,"zones":{%s},"failed_writes":%d,"movable_pct_of_kernel":%d,"auto_movable_ratio":%d,"ms_to_last_online":%d,"offlinable":%d,"uevents_lost":%d,"listener_enobufs":%d,"agent_enobufs":%d}\n' \
		"$n" "$online" "${zones%,}" "${failed:-0}" "$ratio" "$mratio" "$tlast" "$offl" \
		"$lost" "${enobufs:-0}" "${agent_enobufs:-0}"
}

if [ "${1:-}" = --cell ]; then
	shift
	cell_main "$@"
	exit
fi

# ---- outside: the matrix ----------------------------------------------
usage() {
	cat <<EOF
Usage: hotmem-conform [--reduced|--full] [--rules FILE]... [--agent CMD]... [--json FILE]

Runs each onlining agent inside a fresh entered machine (hotmem-enter) for
each kernel setting, machine and plug event, and prints one row per cell:
blocks online/expected, zones, Movable:kernel against auto_movable_ratio,
failed or redundant writes, ms until the last block is online, how many new
blocks offline again.  --rules/--agent test yours (the built-in agents are
then left out unless --builtin is given).  Exit 1 if a cell fails.
EOF
}
mode=full json="" builtin=1 user_agents=()
while [ $# -gt 0 ]; do
	case $1 in
	--reduced) mode=reduced ;;
	--full) mode=full ;;
	--rules) user_agents+=("rules:$(realpath "$2")"); builtin=0; shift ;;
	--agent) user_agents+=("cmd:$2"); builtin=0; shift ;;
	--builtin) builtin=2 ;;
	--json) json=$2; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done
[ "$(id -u)" -eq 0 ] || { echo "hotmem-conform: needs root (hotmem-enter)" >&2; exit 2; }
WORK=$(mktemp -d /tmp/hotmem-conform.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# a machine with room for the 1024-block burst (128 GiB of 128 MiB blocks)
printf 'profile = host-24g\nname = big-640g\nmaxmem = 640G\n' >"$WORK/big-640g"
# events a machine has no room for (maxmem): qemu-512m plugs from 4 GiB up
# to 8 GiB; only big-640g takes 128 GiB at once
fits() { # MACHINE EVENT
	case $1:$2 in
	qemu-512m:dimm64 | *:burst1024) [[ $1 == */big-640g ]] ;;
	*) true ;;
	esac
}

# the built-in agents' rules
mkrule() { mkdir -p "$WORK/$1"; cat >"$WORK/$1/80-online.rules"; echo "rule:$WORK/$1"; }
classic=$(mkrule classic <<<'SUBSYSTEM=="memory", ACTION=="add", ATTR{state}=="offline", ATTR{state}="online"')
blind=$(mkrule blind <<<'SUBSYSTEM=="memory", ACTION=="add", ATTR{state}="online"')
virt=$(mkrule virt <<'EOF'
SUBSYSTEM=="memory", ACTION=="add", ATTR{state}=="offline", PROGRAM="/usr/bin/systemd-detect-virt", RESULT=="none", ATTR{state}="online_movable"
SUBSYSTEM=="memory", ACTION=="add", ATTR{state}=="offline", ATTR{state}="online"
EOF
)
agent_name() {
	case $1 in
	"$classic") echo classic-rule ;; "$blind") echo blind-rule ;; "$virt") echo virt-rule ;;
	rule:"$WORK"/user-*) echo "rules:${1#rule:"$WORK"/user-}" ;;
	rule:*) echo "rules:${1#rule:}" ;; cmd:*) echo "agent:${1#cmd:}" ;; *) echo "$1" ;;
	esac
}

agents=() settings=() machines=() events=()
if [ $mode = reduced ]; then
	[ $builtin -ge 1 ] && agents=("$classic" "$blind" hotmemd:auto-movable)
	settings=("memhp_default_state=offline" "memhp_default_state=online")
	machines=(qemu-512m)
	events=(dimm1)
else
	[ $builtin -ge 1 ] && agents=(hotmemd:auto-movable hotmemd:online_movable hotmemd:online
		hotmemd:online_kernel "$classic" "$blind" "$virt" netlink-agent)
	settings=("memhp_default_state=offline" "memhp_default_state=online"
		"memhp_default_state=online_movable"
		"memhp_default_state=offline memory_hotplug.online_policy=auto-movable"
		"memhp_default_state=offline memory_hotplug.memmap_on_memory=1")
	machines=(qemu-512m numa2 host-24g "$WORK/big-640g")
	events=(dimm1 dimm64 burst1024 virtio-grow-shrink)
fi
# a rule file goes into a directory of its own (hotmem-enter binds a directory)
for u in "${user_agents[@]}"; do
	if [[ $u == rules:* ]]; then
		f=${u#rules:}
		if [ -d "$f" ]; then
			u="rule:$f"
		else
			mkdir -p "$WORK/user-$(basename "$f")"
			cp "$f" "$WORK/user-$(basename "$f")/" || exit 2
			u="rule:$WORK/user-$(basename "$f")"
		fi
	fi
	agents+=("$u")
done

: >"$WORK/cells.jsonl"
bad=0
printf '%-22s %-58s %-10s %-9s %-7s %-28s %-6s %-8s %s\n' agent setting machine event online zones failed ms verdict
for a in "${agents[@]}"; do
	for s in "${settings[@]}"; do
		for m in "${machines[@]}"; do
			for e in "${events[@]}"; do
				fits "$m" "$e" || continue
				rules=()
				[[ $a == rule:* ]] && rules=(--rules "${a#rule:}")
				out=$(timeout 300 "$ENTER" "${rules[@]}" --profile "$m" \
					--cmdline "$s hotmem.kernel_alloc=off" -- "$0" --cell "$a" "$e" 2>"$WORK/err")
				rc=$?
				r=$(echo "$out" | tail -1)
				verdict="✓" why=""
				if ! echo "$r" | grep -q '^{'; then
					verdict="✗" why="did not run: $(tail -1 "$WORK/err")"
					[ "$rc" -eq 124 ] && why="timed out after 300 s: $(tail -1 "$WORK/err")"
					r='{}'
				else
					read -r new onl fw pct amr ms <<<"$(echo "$r" | sed -E 's/.*"new":([0-9]+),"online":([0-9]+).*"failed_writes":([0-9]+),"movable_pct_of_kernel":([0-9]+),"auto_movable_ratio":([0-9]+),"ms_to_last_online":([0-9]+).*/\1 \2 \3 \4 \5 \6/')"
					if [ "$onl" -ne "$new" ]; then
						verdict="✗" why="$((new - onl)) of $new blocks left offline"
						echo "$r" | grep -q '"agent_enobufs":0' ||
							why="$why: the agent lost uevents (ENOBUFS)"
					elif [ "$fw" -gt 0 ]; then
						verdict="✗"
						if [[ $s == *"memhp_default_state=online"* ]]; then
							why="$fw redundant writes: EINVAL race with the kernel's auto-online"
						else
							why="$fw failed writes"
						fi
					elif [ "$a" = hotmemd:auto-movable ] && [ "$pct" -gt "$amr" ]; then
						verdict="✗" why="Movable is $pct% of kernel memory, over auto_movable_ratio $amr"
					fi
				fi
				[ "$verdict" = "✓" ] || bad=$((bad + 1))
				zones=$(echo "$r" | sed -nE 's/.*"zones":\{([^}]*)\}.*/\1/p' | tr -d '"')
				printf '%-22s %-58s %-10s %-9s %-7s %-28s %-6s %-8s %s %s\n' "$(agent_name "$a")" "$s" "${m##*/}" "$e" \
					"${onl:-?}/${new:-?}" "${zones:--}" "${fw:-?}" "${ms:-?}" "$verdict" "$why"
				printf '{"agent":"%s","setting":"%s","machine":"%s","event":"%s","ok":%s,"reason":"%s","outcome":%s}\n' \
					"$(agent_name "$a")" "$s" "${m##*/}" "$e" "$([ "$verdict" = "✓" ] && echo true || echo false)" \
					"$why" "$r" >>"$WORK/cells.jsonl"
				unset onl new fw pct amr ms
			done
		done
	done
done
[ -n "$json" ] && { echo "["; sed '$!s/$/,/' "$WORK/cells.jsonl"; echo "]"; } >"$json"
echo "$bad cell(s) failed"
[ "$bad" -eq 0 ]
