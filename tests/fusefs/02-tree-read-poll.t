#!/bin/bash
# Names, modes, owners, sizes, symlinks and bytes (dump_sysfs.py sections
# 1-3), and read/stat/lseek/poll/open errnos (readprobe.c), both compared
# with the real 6.18 kernel's fixtures; then the state-change poll bonus.
. "$(dirname "$0")/lib.sh"
require_env
need_file "$REF/sysfs-memory-host.txt"

start_fs --profile host-24g --fresh
tap_ok $? "hotmemfs mounts the host-24g machine"
M=$MNT/sys/devices/system/memory

in_sysns python3 "$REF/scripts/dump_sysfs.py" >"$TMP/dump.txt" 2>&1
sect() { sed -n '/^1\. /,/^4\. /p' "$1"; }
mapfile -t want < <(sect "$REF/sysfs-memory-host.txt")
mapfile -t got < <(sect "$TMP/dump.txt")
is "${#got[@]}" "${#want[@]}" "dump_sysfs.py sections 1-3: same number of lines"
for i in "${!want[@]}"; do
	case "${want[$i]}" in *[a-z]*) ;; *) continue ;; esac
	is "${got[$i]:-<missing>}" "${want[$i]}" "dump: ${want[$i]:0:70}"
done
is "$(sed -n 's/^directory nlink = .*/x/p' "$TMP/dump.txt")" "x" "dump: nlink rule line present"
is "$(grep -c "^/sys/devices/system/memory/memory0: \['uevent', 'node0', 'power', 'online', 'phys_device', 'phys_index', 'valid_zones', 'subsystem', 'state', 'removable'\]" "$TMP/dump.txt")" 1 \
	"memoryN readdir order is the kernel's"

# readprobe: everything but inode and device numbers must match, and the
# descriptor open() returns (the reference's 3: not when this test
# inherits one, as under flock without -o)
strip() { sed -e 's/ ino=[0-9]* dev=[0-9a-f]*//' -e 's/^\(open(O_RDWR) -> \)[0-9][0-9]*$/\1FD/'; }
in_sysns "$HOTMEM_BUILD/tests/fusefs/readprobe" /sys/devices/system/memory/memory104/state \
	| strip >"$TMP/probe.txt"
mapfile -t want < <(sed -n '/^== 1/,/^# Same probe/p' "$REF/sysfs-memory-read-poll.txt" | sed '$d' | strip)
mapfile -t got <"$TMP/probe.txt"
for i in "${!want[@]}"; do
	[ -n "${want[$i]}" ] || continue
	is "${got[$i]:-<missing>}" "${want[$i]}" "readprobe: ${want[$i]:0:70}"
done
in_sysns "$HOTMEM_BUILD/tests/fusefs/readprobe" /sys/devices/system/memory/memory104/valid_zones \
	| sed -n '/^== 6/,/^$/p' >"$TMP/probe-vz.txt"
mapfile -t want < <(sed -n '/^# Same probe/,$p' "$REF/sysfs-memory-read-poll.txt" | sed 1d)
mapfile -t got <"$TMP/probe-vz.txt"
for i in "${!want[@]}"; do
	[ -n "${want[$i]}" ] || continue
	is "${got[$i]:-<missing>}" "${want[$i]}" "readprobe valid_zones: ${want[$i]:0:60}"
done

# Bonus over the kernel: a poller on state wakes when the state changes.
python3 - "$M/memory100/state" >"$TMP/poll.txt" <<'PY' &
import os, select, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
os.read(fd, 64)
p = select.poll()
p.register(fd, select.POLLPRI | select.POLLERR)
t = time.time()
ev = p.poll(5000)
os.lseek(fd, 0, 0)
print(ev and ev[0][1], round(time.time() - t, 1) < 5, os.read(fd, 64).decode().strip())
PY
poller=$!
# python starts slowly on a loaded machine: change the state once it
# sleeps in poll(2) (poll_schedule_timeout, on the kernel stack only after
# hotmemfs answered its FUSE_POLL and so holds its poll handle; 30 s at
# most): then the change must wake it, not be seen by the poll's first look
polling() { grep -qs poll_schedule_timeout "/proc/$poller/stack"; }
for _ in $(seq 600); do polling && break; sleep 0.05; done
echo offline >"$M/memory100/state"
wait_exit $poller 60
is "$(cat "$TMP/poll.txt")" "10 True offline" "poll(POLLPRI) wakes with PRI|ERR when state changes"
echo online >"$M/memory100/state"

# /proc and the rest of the tree
grep -q '^MemTotal: *[0-9]* kB$' "$MNT/proc/meminfo"
tap_ok $? "proc/meminfo has MemTotal in kB"
is "$(grep -c '^Node 0, zone' "$MNT/proc/zoneinfo")" 5 "proc/zoneinfo lists the five zones of node 0"
is "$(grep -E 'Node|start_pfn' "$MNT/proc/zoneinfo" | head -4 | tr -s ' ')" \
	"$(printf 'Node 0, zone DMA\n start_pfn: 1\nNode 0, zone DMA32\n start_pfn: 4096')" \
	"zoneinfo start_pfn as the reference host"
is "$(readlink "$MNT/sys/bus/memory/devices/memory104")" "../../../devices/system/memory/memory104" \
	"bus/memory/devices link"
is "$(readlink "$MNT/sys/devices/system/node/node0/memory104")" "../../memory/memory104" "node0/memoryN link"
is "$(cat "$MNT/sys/devices/system/node/has_memory")" "0" "node/has_memory"
is "$(stat -c %a "$MNT/sys/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_OFFLINE/error")" \
	"600" "notifier-error-inject error file is 0600"
is "$(cat "$MNT/sys/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_OFFLINE/error")" "0" \
	"... reads 0"
is "$(python3 "$HOTMEM_SRC/tests/fusefs/sysw.py" o "$M/newfile" creat)" "EACCES" "creating a file: EACCES"
is "$(python3 "$HOTMEM_SRC/tests/fusefs/sysw.py" mkdir "$M/newdir")" "EPERM" "mkdir: EPERM"
is "$(python3 "$HOTMEM_SRC/tests/fusefs/sysw.py" o "$MNT/sys/bus/memory/drivers_probe" r)" "EACCES" \
	"reading a write-only attribute: EACCES"
is "$(stat -c %s "$M/memory104/state")" 4096 "st_size 4096 after all that"
for name in memory0104 memory-1 memory104x memory24 memory18446744073709551616 memory; do
	[ ! -e "$M/$name" ]
	tap_ok $? "no $name (strict names, holes stay holes)"
done
[ ! -e "$MNT/sys/devices/system/node/node01" ] && [ ! -e "$MNT/sys/devices/system/node/node1" ]
tap_ok $? "no node01, no node1 on a one-node machine"
is "$(ls "$M/memory104" | tr '\n' ' ')" "node0 online phys_device phys_index power removable state subsystem uevent valid_zones " \
	"memory104 has exactly the ten entries"
done_testing
