#!/bin/bash
# hotmem-conform: run onlining agents (udev rules, hotmemd, your command)
# for real inside entered machines (hotmem-enter) across kernel settings,
# machines and plug events, and say per cell whether the agent did right.
#
#   hotmem-conform [--reduced|--full] [--rules FILE] [--agent CMD] [--only RE] [--json FILE]
#
# Exit 0 when every cell meets its expectation (EXPECT below: what each
# built-in agent does, wrong included), 1 otherwise, 2 on usage.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ENTER=${HOTMEM_ENTER:-$HERE/hotmem-enter}
[ -x "$ENTER" ] || ENTER=hotmem-enter
UDEVD=${UDEVD:-/lib/systemd/systemd-udevd}
WAIT_S=${HOTMEM_CONFORM_WAIT:-15}

# A NETLINK_KOBJECT_UEVENT listener with the default receive buffer
# (net.core.rmem_default) or HOTMEM_CONFORM_LISTENER_RCVBUF bytes, doing
# nothing but count memory add events and ENOBUFS as libudev-less agents
# see them.  Its ready file holds its socket inode; on SIGINT it prints
# "ADDS ENOBUFS DROPS", DROPS the kernel's own count of messages it
# dropped for the socket (/proc/net/netlink), to hold ENOBUFS against.
LISTENER='
import socket, errno, signal, sys, os
s = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 15)
if int(sys.argv[2]):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, int(sys.argv[2]))
s.bind((0, 1))
ino = os.fstat(s.fileno()).st_ino
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % ino)
os.rename(sys.argv[1] + ".tmp", sys.argv[1])  # bound: ready
adds = nobufs = 0
def done(*a):
    drops = -1
    for l in open("/proc/net/netlink"):
        f = l.split()
        if f[-1] == str(ino):
            drops = int(f[8])
    print(adds, nobufs, drops); sys.exit(0)
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

# The kernel's drop count (/proc/net/netlink) summed over the uevent
# sockets (NETLINK_KOBJECT_UEVENT bound to group 1) of this network
# namespace but the listener's: the uevents the agent itself lost.
agent_drops() { # LISTENER-INODE
	awk -v skip="$1" '$2 == 15 && $4 ~ /1$/ && $10 != skip {d += $9} END {print d + 0}' /proc/net/netlink
}

count_online() { # BLOCK...: how many are online (builtins only: 1024 blocks)
	local b st c=0
	for b; do
		read -r st </sys/devices/system/memory/memory$b/state && [ "$st" = online ] && c=$((c + 1))
	done
	echo $c
}

all_online() { # BLOCK...: until all are online (true), or none came online for 5 s
	local last=-1 stalled=0 online
	for _ in $(seq $((WAIT_S * 20))); do
		online=$(count_online "$@")
		[ "$online" -eq $# ] && return 0
		if [ "$online" -eq "$last" ]; then
			stalled=$((stalled + 1))
			[ $stalled -ge 100 ] && return 1
		else
			last=$online stalled=0
		fi
		sleep 0.05
	done
	return 1
}

blocks() { # the memory blocks listed, or failure (said on stderr)
	local l
	l=$(ls -d /sys/devices/system/memory/memory*) || return 1
	sed 's/.*memory//' <<<"$l" | sort -n
}

# the blocks once the event has shown: the listing differs from BEFORE
# (HOTMEM_CONFORM_WAIT at most).  A real kernel's blocks come when the firmware's
# hotplug is handled, not when device_add returns; and a cell once
# counted no new block at all on a busy host.
listed_blocks() { # BEFORE
	local cur
	for _ in $(seq $((WAIT_S * 10))); do
		cur=$(blocks) && [ -n "$cur" ] && [ "$cur" != "$1" ] && break
		sleep 0.1
	done
	[ "$cur" != "$1" ] || step "no new block in the listing after $WAIT_S s"
	echo "$cur"
}

# "DONE EINVAL OTHER": memoryN/state writes so far (hotmemctl status)
state_writes() {
	hotmemctl status --json 2>/dev/null |
		jq -r '."state-writes" // {} | [.done // 0, (.refused.EINVAL // 0),
			([.refused // {} | to_entries[] | select(.key != "EINVAL") | .value] | add // 0)] | @tsv'
}
sw_field() { # "DONE EINVAL OTHER" N: the Nth (0-based), 0 when absent
	local a
	read -r -a a <<<"$1"
	echo "${a[$2]:-0}"
}

cell_main() { # AGENT EVENT
	local agent=$1 event=$2 log=/run/hotmem/agent.log mem=/sys/devices/system/memory
	local before after new b t0 tlast=null online=0 zones="" offl=0 n=0 apid=""
	before=$(listed_blocks "")
	# a listener as most agents open one: the default receive buffer;
	# started first, python comes up while the agent does
	python3 -c "$LISTENER" /run/hotmem/listener.ready "${HOTMEM_CONFORM_LISTENER_RCVBUF:-0}" \
		>/run/hotmem/listener.out 2>&1 &
	local lpid=$!
	case $agent in
	rule:*)
		# --debug: udevd logs each ATTR write (its failures are hidden: a
		# write that fails but reads back the value counts as done)
		"$UDEVD" --debug 2>"$log" &
		apid=$!
		for _ in $(seq 600); do udevadm control --ping 2>/dev/null && break; sleep 0.05; done ;;
	hotmemd:*)
		hotmemd --config /dev/null --policy "${agent#hotmemd:}" 2>"$log" &
		apid=$!
		for _ in $(seq 600); do grep -q "ready" "$log" 2>/dev/null && break; sleep 0.05; done ;;
	cmd:*)
		sh -c "${agent#cmd:}" 2>"$log" &
		apid=$!
		sleep 0.5 ;;
	netlink-agent)
		python3 -c "$NETLINK_AGENT" /run/hotmem/agent.ready 2>"$log" &
		apid=$!
		wait_ready /run/hotmem/agent.ready ;;
	none) # no agent: the kernel's own auto-online alone (make bench's floor)
		: >"$log" ;;
	esac
	step "agent $agent started"
	wait_ready /run/hotmem/listener.ready
	local linode
	read -r linode </run/hotmem/listener.ready
	step "listener ready; plugging $event"
	# memoryN/state writes hotmemfs refused, by errno: what any agent got
	# back from the kernel, logged or not
	local sw0
	sw0=$(state_writes)
	t0=$(date +%s%N)
	case $event in
	dimm1) hotmemctl device_add pc-dimm size=1G id=d1 >/dev/null ;;
	dimm64)
		for i in $(seq 64); do hotmemctl device_add pc-dimm size=128M id=d$i >/dev/null; done ;;
	burst1024) hotmemctl device_add pc-dimm size=128G id=big >/dev/null ;;
	virtio-grow-shrink)
		# each step once the agent has onlined the one before (a
		# virtio-mem driver unplugs only what it plugged and is online)
		hotmemctl device_add virtio-mem-pci size=4G requested-size=1G id=vm0 >/dev/null
		# shellcheck disable=SC2046 # a block an argument
		all_online $(comm -13 <(echo "$before" | sort) <(blocks | sort) | sort -n)
		hotmemctl qom-set vm0 requested-size 2G >/dev/null
		# shellcheck disable=SC2046 # a block an argument
		all_online $(comm -13 <(echo "$before" | sort) <(blocks | sort) | sort -n)
		hotmemctl qom-set vm0 requested-size 1G >/dev/null ;;
	esac
	after=$(listed_blocks "$before")
	new=$(comm -13 <(echo "$before" | sort) <(echo "$after" | sort) | sort -n)
	n=$(echo "$new" | grep -c .)
	step "$(echo "$before" | grep -c .) blocks before, $(echo "$after" | grep -c .) after, $n new"
	# until every new block is online, the wait is over, or nothing has
	# come online for 5 s (an agent that lost uevents never will)
	# shellcheck disable=SC2086
	all_online $new && tlast=$((($(date +%s%N) - t0) / 1000000))
	step "$(count_online $new) of $n online; settling"
	case $agent in rule:*) udevadm settle -t 10 ;; *) sleep 0.3 ;; esac
	sleep 0.2
	# the agent's own uevent sockets: what the kernel dropped for them
	local lost
	lost=$(agent_drops "$linode")
	kill -INT $lpid 2>/dev/null
	wait $lpid 2>/dev/null
	local heard enobufs ldrops llost
	read -r heard enobufs ldrops <<<"$(tail -1 /run/hotmem/listener.out)"
	# add events the listener never saw, of the blocks added (virtio: grown ones too)
	llost=$((n - ${heard:-0}))
	[ "$llost" -lt 0 ] && llost=0
	online=0
	declare -A zc=()
	local st z runs="" rz="" rfirst="" rlast=""
	for b in $new; do
		read -r st <$mem/memory$b/state
		z=offline
		if [ "$st" = online ]; then
			online=$((online + 1))
			read -r z <$mem/memory$b/valid_zones
			zc[$z]=$((${zc[$z]:-0} + 1))
		fi
		# each block's zone, as runs FIRST-LAST:ZONE of consecutive blocks
		if [ "$z" = "$rz" ] && [ "$b" -eq $((rlast + 1)) ]; then
			rlast=$b
			continue
		fi
		[ -n "$rz" ] && runs="$runs$rfirst-$rlast:$rz,"
		rz=$z rfirst=$b rlast=$b
	done
	[ -n "$rz" ] && runs="$runs$rfirst-$rlast:$rz"
	for z in "${!zc[@]}"; do zones="$zones\"$z\":${zc[$z]},"; done
	# failed writes: udevd's "Failed to write ATTR{...}", hotmemd's
	# give-ups, the netlink agent's; redundant: udevd's state writes
	# beyond the blocks the kernel left offline (memhp_default_state=
	# online*: none), each an EINVAL on a real kernel that udevd hides
	local writes needed=0 failed redundant=0 agent_chose=true
	failed=$(grep -cE "Failed to write ATTR|give up|gave up|failed to write" "$log" 2>/dev/null)
	writes=$(grep -cE "ATTR '[^']*/state' writing" "$log" 2>/dev/null)
	if grep -qE '(^| )memhp_default_state=online' /proc/cmdline; then
		agent_chose=false
	else
		# blocks added over the event (virtio-mem: the grown ones, since removed, too)
		needed=$((${heard:-0} > n ? ${heard:-0} : n))
	fi
	[ "${writes:-0}" -gt "$needed" ] && redundant=$((writes - needed))
	# ... and what hotmemfs counted: EINVAL (the block was already in that
	# state, or the zone is not allowed) redundant, any other errno failed
	local sw1 einval other
	sw1=$(state_writes)
	einval=$(($(sw_field "$sw1" 1) - $(sw_field "$sw0" 1)))
	other=$(($(sw_field "$sw1" 2) - $(sw_field "$sw0" 2)))
	[ "$einval" -gt "$redundant" ] && redundant=$einval
	[ "$other" -gt "${failed:-0}" ] && failed=$other
	# Movable : kernel (present pages) against auto_movable_ratio
	local ratio mratio
	ratio=$(awk '/^Node/ {z=$4} /^ +present/ {if (z=="Movable") m+=$2; else if (z!="Device") k+=$2}
		END {printf "%d", k ? m * 100 / k : 0}' /proc/zoneinfo)
	mratio=$(cat /sys/module/memory_hotplug/parameters/auto_movable_ratio 2>/dev/null || echo 301)
	step "counted; stopping the agent"
	# stop the agent before offlining, so that it does not online them again
	if [ -n "$apid" ]; then
		kill "$apid" 2>/dev/null
		wait "$apid" 2>/dev/null
	fi
	for b in $new; do
		read -r st <$mem/memory$b/state
		[ "$st" = online ] || continue
		echo offline >$mem/memory$b/state 2>/dev/null && offl=$((offl + 1))
	done
	# uevents hotmemfs could not hand to the kernel: hotmem's fault
	local unsent
	unsent=$(hotmemctl status --json 2>/dev/null | jq '.uevents."netlink-errors" // -1')
	# ENOBUFS the agent itself reported (the netlink agent does)
	local agent_enobufs
	agent_enobufs=$(grep -c "^ENOBUFS" "$log" 2>/dev/null)
	printf '{"new":%d,"online":%d,"zones":{%s},"zone_runs":"%s","failed_writes":%d,"redundant_writes":%d,"agent_chose_zones":%s,"movable_pct_of_kernel":%d,"auto_movable_ratio":%d,"ms_to_last_online":%s,"offlinable":%d,"uevents_lost":%d,"agent_enobufs":%d,"listener_lost":%d,"listener_enobufs":%d,"listener_drops":%d,"uevents_unsent":%d}\n' \
		"$n" "$online" "${zones%,}" "${runs%,}" "${failed:-0}" "$redundant" "$agent_chose" "$ratio" "$mratio" \
		"$tlast" "$offl" "$lost" "${agent_enobufs:-0}" "$llost" "${enobufs:-0}" "${ldrops:--1}" "${unsent:--1}"
}

if [ "${1:-}" = --cell ]; then
	shift
	cell_main "$@"
	exit
fi

# ---- outside: the matrix ----------------------------------------------
usage() {
	cat <<EOF
Usage: hotmem-conform [--reduced|--full] [--rules FILE|DIR]... [--agent CMD]...
                      [--builtin] [--only REGEX] [--json FILE]

Runs each onlining agent inside a fresh entered machine (hotmem-enter) for
each kernel setting, machine and plug event, and prints one row per cell:
blocks online/new, zones, Movable as % of kernel memory against
auto_movable_ratio, failed or redundant state writes, uevents the agent
lost (the kernel's drop count), how many onlined blocks offline again, ms
until the last block is online, and the verdict: ✓, or ✗ and why, held
against what that agent is expected to do ([expected: ...] or
[VIOLATION: ...]).  --rules/--agent test yours, which must pass every
cell (the built-in agents are then left out unless --builtin is given).
--only runs the cells whose "AGENT SETTING MACHINE EVENT" matches REGEX.
HOTMEM_CONFORM_LISTENER_RCVBUF=BYTES gives the listener that buffer.
Exit 0 when every cell meets its expectation, 1 otherwise, 2 on usage.
EOF
}
mode=full json="" only="" builtin=1 user_agents=()
while [ $# -gt 0 ]; do
	case $1 in
	--reduced) mode=reduced ;;
	--full) mode=full ;;
	--rules) user_agents+=("rules:$(realpath "$2")"); builtin=0; shift ;;
	--agent) user_agents+=("cmd:$2"); builtin=0; shift ;;
	--builtin) builtin=2 ;;
	--json) json=$2; shift ;;
	--only) only=$2; shift ;;
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
# The kernel's own allocations as the profile has them (a booted kernel's
# slab, page tables, per-cpu pagesets of a zone's first memory): they
# land in ZONE_NORMAL, never in ZONE_MOVABLE, and are what keeps a
# Normal block from going offline on a real machine.
kalloc=${HOTMEM_CONFORM_KERNEL_ALLOC:+ hotmem.kernel_alloc=$HOTMEM_CONFORM_KERNEL_ALLOC}
# the setting as the table shows it: what differs from the default
short_setting() {
	local t=${1//memhp_default_state=/}
	t=${t//memory_hotplug.online_policy=/policy=}
	t=${t//memory_hotplug./}
	echo "${t// /,}"
}
num() { sed -nE "s/.*\"$1\":(-?[0-9]+).*/\1/p" <<<"$2"; }
num0() { local v; v=$(num "$@"); echo "${v:-0}"; } # a cell that did not run: 0
numd() { local v; v=$(num "$@"); echo "${v:--}"; } # a cell that did not run: -

# a cell's ✗ reasons, one a line: each way the agent (or hotmem) did wrong
reasons() { # OUTCOME-JSON
	local r=$1 new onl fw rw pct amr offl lost chose
	new=$(num new "$r") onl=$(num online "$r") fw=$(num failed_writes "$r")
	rw=$(num redundant_writes "$r") pct=$(num movable_pct_of_kernel "$r")
	amr=$(num auto_movable_ratio "$r") offl=$(num offlinable "$r") lost=$(num uevents_lost "$r")
	chose=false
	grep -q '"agent_chose_zones":true' <<<"$r" && chose=true
	[ "$new" -eq 0 ] && echo "no new blocks appeared"
	[ "$(num0 uevents_unsent "$r")" -gt 0 ] &&
		echo "hotmemfs did not send $(num uevents_unsent "$r") uevents (netlink-errors)"
	if [ "$onl" -lt "$new" ]; then
		if [ "$lost" -gt 0 ]; then
			echo "$((new - onl)) of $new blocks left offline: the agent lost $lost uevents (ENOBUFS)"
		else
			echo "$((new - onl)) of $new blocks left offline"
		fi
	fi
	[ "$rw" -gt 0 ] && echo "$rw redundant writes: EINVAL race with the kernel's auto-online"
	[ "$fw" -gt 0 ] && echo "$fw failed writes"
	# zones are the agent's doing only where the kernel left blocks offline
	if $chose; then
		[ "$pct" -gt "$amr" ] &&
			echo "Movable is $pct% of kernel memory, over auto_movable_ratio $amr%"
		[ "$offl" -lt "$onl" ] &&
			echo "$((onl - offl)) of $onl onlined blocks cannot be offlined again"
	fi
	true
}

# What each built-in agent is expected to do, and why (docs/agents.md).
# AGENT SETTING-GLOB MACHINE-GLOB EVENT-GLOB KIND REASON-REGEX -- WHY;
# the first line that matches a cell holds.  KIND: ok (every cell ✓),
# fail (✗, and every reason matches), may (✓, or ✗ for those reasons).
# A cell no line matches must be ✓ (your --rules and --agent: all).
EXPECT='
blind-rule *state=online* * * fail redundant -- writes online without looking: races the kernel'"'"'s auto-online
blind-rule * * * may cannot.be.offlined -- online takes the kernel'"'"'s zone, Normal under contig-zones: kernel allocations and later memmap land there
classic-rule *state=online* * * may redundant|cannot.be.offlined -- the ADD comes before the kernel'"'"'s auto-online: the rule often still reads offline
classic-rule * * * may cannot.be.offlined -- online takes the kernel'"'"'s zone, Normal under contig-zones: kernel allocations and later memmap land there
virt-rule *state=online* * * may redundant|cannot.be.offlined -- the classic rule'"'"'s race; online, not online_movable, in a VM
virt-rule * * * may cannot.be.offlined|over.auto_movable_ratio -- online (Normal) in a VM per systemd-detect-virt, all Movable on bare metal
netlink-agent *state=offline* big-640g burst1024 fail left.offline.*lost|cannot.be.offlined -- the default receive buffer overflows: the field report
netlink-agent *state=online* * * may redundant|failed -- checks the state, but races the auto-online
netlink-agent * * * may cannot.be.offlined -- online takes the kernel'"'"'s zone, Normal under contig-zones
hotmemd:online_movable *state=offline* big-640g burst1024 fail over.auto_movable_ratio -- all of 128 GiB Movable on 24 GiB of kernel memory: the policy asked for it
hotmemd:online_movable *state=online* * * may redundant|over.auto_movable_ratio -- reads offline on the ADD, before the kernel'"'"'s own auto-online: the write'"'"'s EINVAL it takes as done (already online by someone else)
hotmemd:online_kernel *state=online* * * may redundant|cannot.be.offlined -- reads offline on the ADD, before the kernel'"'"'s own auto-online: the write'"'"'s EINVAL it takes as done (already online by someone else)
hotmemd:online *state=online* * * may redundant|cannot.be.offlined -- reads offline on the ADD, before the kernel'"'"'s own auto-online: the write'"'"'s EINVAL it takes as done (already online by someone else)
hotmemd:auto-movable *state=online* * * may redundant|cannot.be.offlined -- reads offline on the ADD, before the kernel'"'"'s own auto-online: the write'"'"'s EINVAL it takes as done (already online by someone else)
hotmemd:online_movable * * * may over.auto_movable_ratio -- all of it Movable by policy, whatever the kernel has
hotmemd:online_kernel * * * may cannot.be.offlined -- kernel memory by policy
hotmemd:online * * * may cannot.be.offlined -- online is the default zone: Normal under contig-zones
hotmemd:auto-movable * * * may cannot.be.offlined -- the ratio (per node too: auto_movable_numa_aware) puts part of it in Normal
'
expectation() { # AGENT SETTING MACHINE EVENT -> "KIND REGEX WHY"
	local a s m e kind re _ why
	while read -r a s m e kind re _ why; do
		[ -n "$a" ] || continue
		# shellcheck disable=SC2053
		[[ $1 == "$a" && $2 == $s && $3 == $m && $4 == $e ]] && { echo "$kind $re $why"; return; }
	done <<<"$EXPECT"
	echo "ok - every cell must pass"
}
# VIOLATION or "" for REASONS against the expectation
violation() { # KIND REGEX REASONS
	local kind=$1 re=$2 reasons=$3 l
	case $kind in
	ok) [ -z "$reasons" ] || echo "should pass" ;;
	fail | may)
		if [ -z "$reasons" ]; then
			[ "$kind" = fail ] && echo "should fail ($re)"
		else
			while read -r l; do
				[[ $l =~ $re ]] || { echo "unexpected: $l"; return; }
			done <<<"$reasons"
		fi ;;
	esac
}

bad=0 passed=0 failed_ok=0 start=$(date +%s)
fmt='%-22s %-27s %-9s %-18s %-9s %-26s %-8s %-5s %-5s %-5s %-6s %s\n'
# shellcheck disable=SC2059
printf "$fmt" agent setting machine event online zones mov%/max writes lost offl ms verdict
for a in "${agents[@]}"; do
	for s in "${settings[@]}"; do
		for m in "${machines[@]}"; do
			for e in "${events[@]}"; do
				fits "$m" "$e" || continue
				name=$(agent_name "$a")
				[ -n "$only" ] && ! [[ "$name ${s} ${m##*/} $e" =~ $only ]] && continue
				rules=()
				[[ $a == rule:* ]] && rules=(--rules "${a#rule:}")
				out=$(timeout 300 "$ENTER" "${rules[@]}" --profile "$m" \
					--cmdline "$s$kalloc" -- "$0" --cell "$a" "$e" 2>"$WORK/err")
				rc=$?
				r=$(echo "$out" | tail -1)
				if ! echo "$r" | grep -q '^{'; then
					why="did not run (exit $rc): $(tail -1 "$WORK/err")"
					[ "$rc" -eq 124 ] && why="timed out after 300 s: $(tail -1 "$WORK/err")"
					r='{}'
				else
					why=$(reasons "$r")
				fi
				read -r kind re expwhy <<<"$(expectation "$name" "$s" "${m##*/}" "$e")"
				[ "$r" = '{}' ] && kind=ok re="" expwhy="every cell runs"
				viol=$(violation "$kind" "$re" "$why")
				if [ -z "$why" ]; then
					verdict="✓"
					passed=$((passed + 1))
				else
					verdict="✗ $(paste -sd';' <<<"$why" | sed 's/;/; /g')"
					[ -z "$viol" ] && failed_ok=$((failed_ok + 1))
				fi
				if [ -n "$viol" ]; then
					bad=$((bad + 1))
					verdict="$verdict [VIOLATION: $viol]"
				elif [ -n "$why" ]; then
					verdict="$verdict [expected: $expwhy]"
				fi
				zones=$(echo "$r" | sed -nE 's/.*"zones":\{([^}]*)\}.*/\1/p' | tr -d '"')
				writes=$(($(num0 failed_writes "$r") + $(num0 redundant_writes "$r")))
				# shellcheck disable=SC2059
				printf "$fmt" "$name" "$(short_setting "$s")" "${m##*/}" "$e" \
					"$(numd online "$r")/$(numd new "$r")" "${zones:--}" \
					"$(numd movable_pct_of_kernel "$r")/$(numd auto_movable_ratio "$r")" \
					"$writes" "$(numd uevents_lost "$r")" "$(numd offlinable "$r")" \
					"$(numd ms_to_last_online "$r")" "$verdict"
				jq -cn --arg agent "$name" --arg setting "$s" --arg machine "${m##*/}" \
					--arg event "$e" --argjson ok "$([ -z "$why" ] && echo true || echo false)" \
					--arg reason "$(paste -sd';' <<<"$why" | sed 's/;/; /g')" \
					--arg expected "$kind${re:+ $re}" --arg expected_why "$expwhy" \
					--argjson violation "$([ -n "$viol" ] && echo true || echo false)" \
					--arg violation_reason "$viol" --argjson outcome "$r" \
					'{agent: $agent, setting: $setting, machine: $machine, event: $event,
					  ok: $ok, reason: $reason, expected: $expected, expected_why: $expected_why,
					  violation: $violation, violation_reason: $violation_reason,
					  outcome: $outcome}' >>"$WORK/cells.jsonl"
			done
		done
	done
done
[ -n "$json" ] && jq -s . "$WORK/cells.jsonl" >"$json"
echo "$((passed + failed_ok + bad)) cells in $(($(date +%s) - start)) s: $passed ✓, $failed_ok ✗ as expected, $bad violating the expectation"
[ "$bad" -eq 0 ]
