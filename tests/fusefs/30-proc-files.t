#!/bin/bash
# proc/{meminfo,zoneinfo,buddyinfo,iomem,cmdline} are procfs seq_files,
# not sysfs attributes: their text has no page limit (a zoneinfo of eight
# nodes is past 4096 bytes and was cut there, mid-line, which hotmemd's
# zone accounting read), st_size is 0 (cmdline's its length, 6.18's
# proc_cmdline_init()), so that tail and readers by st_size read to the
# end, and zoneinfo is 0444 as mm/vmstat.c makes it (it was 0400: a
# non-root reader got EACCES), and poll says POLLIN, not kernfs's
# POLLERR|POLLPRI before the first read.  Its layout is 6.18's line for
# line (zoneinfo_shape.py against the host's, fixtures/reference): the
# node's stats once, under "per-node stats" in its first populated zone
# (they were in every zone), the zone's own stats, NUMA events and
# pagesets; lowmem_reserve as setup_per_zone_lowmem_reserve() sets it.
. "$(dirname "$0")/lib.sh"
require_env
need_tool setpriv util-linux

cat >"$TMP/eight.profile" <<'EOF'
profile = default
nodes = 8
ram = 0x1000-0x9efff node=0
ram = 0x100000-0x3fffffff node=0
ram = 0x40000000-0x7fffffff node=1
ram = 0x80000000-0xbfffffff node=2
ram = 0x100000000-0x13fffffff node=3
ram = 0x140000000-0x17fffffff node=4
ram = 0x180000000-0x1bfffffff node=5
ram = 0x1c0000000-0x1ffffffff node=6
ram = 0x200000000-0x23fffffff node=7
EOF
start_fs --profile "$TMP/eight.profile" --fresh
tap_ok $? "hotmemfs mounts a machine of eight nodes"
P=$MNT/proc

zi=$(cat "$P/zoneinfo")
size=$(cat "$P/zoneinfo" | wc -c)
diag "proc/zoneinfo: $size bytes"
tap_ok "$([ "$size" -gt 4096 ]; echo $?)" "proc/zoneinfo of eight nodes is past one page ($size bytes)"
is "$(printf '%s\n' "$zi" | grep -c '^Node 7, zone')" 5 "... and lists node 7's zones"
is "$(tail -c 1 <(cat "$P/zoneinfo") | od -An -c | tr -d ' ')" '\n' "... and ends with a whole line"
same_output "$(tail -n 3 "$P/zoneinfo")" "$(printf '%s\n' "$zi" | tail -n 3)" "tail -n 3 proc/zoneinfo reads its end"
is "$(python3 -c 'import os,sys; fd=os.open(sys.argv[1],os.O_RDONLY); print(len(os.read(fd,1<<20)))' "$P/zoneinfo")" \
	"$size" "one read of 1 MiB returns all of it"
for f in meminfo zoneinfo buddyinfo iomem; do
	is "$(stat -c %s "$P/$f")" 0 "proc/$f: st_size 0, as procfs"
done
same_output "$(stat -c %s "$P/cmdline")" "$(wc -c <"$P/cmdline")" "proc/cmdline: st_size its length (6.18)"
is "$(stat -c %a "$P/zoneinfo")" 444 "proc/zoneinfo is 0444 (mm/vmstat.c)"
chmod 755 "$TMP"
is "$(setpriv --reuid=65534 --regid=65534 --clear-groups head -c 5 "$P/zoneinfo" 2>&1)" "Node " \
	"a non-root reader reads proc/zoneinfo"
is "$(stat -c %s "$MNT/sys/devices/system/memory/memory0/state")" 4096 "sysfs attributes stay 4096"
shape=$(python3 "$(dirname "$0")/zoneinfo_shape.py" "$REF/proc-zoneinfo-host.txt" "$P/zoneinfo")
tap_ok $? "proc/zoneinfo: each zone laid out as the 6.18 host's of its kind"
printf '%s\n' "$shape" | sed 's/^/# /'
is "$(grep -c '^  per-node stats$' "$P/zoneinfo") $(grep -c '^      nr_kernel_stack ' "$P/zoneinfo")" "8 8" \
	"... the node stats once per node (eight), not in every zone"
is "$(awk '/^Node/ { z = $0 } /per-node stats/ { print z }' "$P/zoneinfo" | head -2 | tr -s ' ')" \
	"$(printf 'Node 0, zone DMA\nNode 1, zone DMA32')" "... in each node's first populated zone"
is "$(grep -c highatomic "$P/zoneinfo")" 0 "... and no reserved_highatomic lines (after 6.18)"
# node 0: DMA's protection against DMA32 and up is DMA32's managed pages / 256
dma32=$(awk '/^Node 0, zone +DMA32/ { on = 1 } on && $1 == "managed" { print $2; exit }' "$P/zoneinfo")
is "$(awk '/^Node 0, zone +DMA$/ { on = 1 } on && /protection/ { print; exit }' "$P/zoneinfo" | tr -s ' ')" \
	" protection: (0, $((dma32 / 256)), $((dma32 / 256)), $((dma32 / 256)), $((dma32 / 256)))" \
	"... DMA's protection is lowmem_reserve: DMA32's managed pages / 256"
# the workload's unmovable pages are unreclaimable slab in every view
# (they were left out of zoneinfo's nr_slab_unreclaimable)
ctl alloc unmovable 1000 node=1 >/dev/null
tap_ok $? "1000 unmovable pages allocated on node 1"
zsum=$(awk '/^Node 1,/ { on = 1 } /^Node [^1],/ { on = 0 } on && $1 == "nr_slab_unreclaimable" { s += $2 } END { printf "%.0f\n", s }' "$P/zoneinfo")
vm=$(awk '$1 == "nr_slab_unreclaimable" { print $2 }' "$MNT/sys/devices/system/node/node1/vmstat")
nm=$(awk '$3 == "SUnreclaim:" { printf "%.0f\n", $4 / 4 }' "$MNT/sys/devices/system/node/node1/meminfo")
tap_ok "$([ "$zsum" -ge 1000 ]; echo $?)" "proc/zoneinfo's node 1 nr_slab_unreclaimable holds them ($zsum)"
is "$vm $nm" "$zsum $zsum" "... as node1/vmstat and node1/meminfo's SUnreclaim count it"
# proc_reg_poll(): a seq_file without a poll op is DEFAULT_POLLMASK, never
# kernfs's POLLERR|POLLPRI before the first read
is "$(python3 -c '
import os, select, sys
out = []
for f in sys.argv[1:]:
    fd = os.open(f, os.O_RDONLY)
    p = select.poll()
    p.register(fd, select.POLLIN | select.POLLPRI)
    out.append(hex(p.poll(0)[0][1]))
print(*out)' "$P/meminfo" "$P/zoneinfo" "$MNT/sys/devices/system/memory/memory0/state")" \
	"0x1 0x1 0xb" "poll before a read: POLLIN for proc/ files, POLLERR|POLLPRI for sysfs's"
done_testing
