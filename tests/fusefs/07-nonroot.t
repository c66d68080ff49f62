#!/bin/bash
# Permissions as the kernel's: non-root reads, never writes (EACCES);
# root cannot open read-only attributes for writing; the control socket
# is root's alone.
. "$(dirname "$0")/lib.sh"
require_env
need_tool setpriv util-linux
start_fs --fresh
tap_ok $? "hotmemfs mounts"
M=$MNT/sys/devices/system/memory
chmod 755 "$TMP"
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
# the system python: a per-user python (pyenv) may not be nobody's to run
PY=/usr/bin/python3
[ -x $PY ] || PY=python3
cp "$HOTMEM_SRC/tests/fusefs/sysw.py" "$TMP/sysw.py"
chmod 755 "$TMP/sysw.py"
W="$PY $TMP/sysw.py"

is "$(nobody cat "$M/memory1/state")" "online" "nobody reads state"
is "$(nobody $W w "$M/memory1/state" offline)" "EACCES" "nobody writes state: EACCES"
is "$(nobody $W w "$M/auto_online_blocks" online)" "EACCES" "nobody writes auto_online_blocks: EACCES"
is "$(nobody $W o "$M/memory1/online" w)" "EACCES" "nobody opens online O_WRONLY: EACCES"
is "$(nobody $W o "$MNT/sys/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error" r)" \
	"EACCES" "nobody cannot enter debugfs (0700)"
is "$(nobody lsmem --sysroot "$MNT" --summary=only | head -1)" "Memory block size:       128M" "nobody runs lsmem"
is "$($W o "$M/block_size_bytes" w)" "EACCES" "root opens a 0444 attribute O_WRONLY: EACCES"
is "$($W o "$M/memory1/phys_index" rw)" "EACCES" "root opens a 0444 attribute O_RDWR: EACCES"
is "$($W o "$M/memory1/state" trunc)" "ok" "root opens state O_WRONLY|O_TRUNC (shell >)"
is "$(cat "$M/memory1/state")" "online" "... which changes nothing"
# kernfs lets root chmod/chown; what a file can do does not change
chown 65534:65534 "$M/memory2/state"
tap_ok $? "root chowns memory2/state to nobody"
is "$(stat -c '%a %U' "$M/memory2/state")" "644 nobody" "... stat shows it"
is "$(nobody $W w "$M/memory2/state" offline)" "ret=7" "... and nobody may now offline memory2"
is "$(nobody $W w "$M/memory2/state" online)" "ret=6" "... and online it again"
nobody chmod 666 "$M/memory3/state" 2>/dev/null
tap_ok $((! $?)) "nobody cannot chmod a root-owned attribute"
# setattr_prepare(): the owner may chmod (inode_owner_or_capable()), not give the file away
nobody chmod 600 "$M/memory2/state"
tap_ok $? "nobody, memory2/state's owner now, chmods it 600"
is "$(stat -c '%a %U' "$M/memory2/state")" "600 nobody" "... stat shows it"
nobody chown 0 "$M/memory2/state" 2>/dev/null
tap_ok $((! $?)) "... but cannot chown it to root (chown_ok())"
nobody chgrp 0 "$M/memory2/state" 2>/dev/null
tap_ok $((! $?)) "... nor chgrp it to a group not its own (chgrp_ok())"
nobody chgrp 65534 "$M/memory2/state"
tap_ok $? "... chgrp to its own group is fine"
chmod 644 "$M/memory2/state"
# sysfs_add_file_mode_ns(): a device's or bus's attribute has the kobject
# type's sysfs_ops, show and store both (dev_sysfs_ops, bus_sysfs_ops):
# after a chmod root's open follows the mode, the attribute's missing
# store is EIO at write (dev_attr_store()), its missing show EIO at read
chmod 666 "$M/block_size_bytes"
is "$($W w "$M/block_size_bytes" 1)" "EIO" "chmod 666 block_size_bytes: root's open O_WRONLY ok, the write EIO (no store)"
chmod 644 "$M/memory0/phys_index"
is "$($W o "$M/memory0/phys_index" rw) $($W w "$M/memory0/phys_index" 1)" "ok EIO" \
	"chmod 644 memory0/phys_index: O_RDWR ok, the write EIO"
N=$MNT/sys/devices/system/node
chmod 644 "$N/node0/distance"
is "$($W w "$N/node0/distance" 1)" "EIO" "chmod 644 node0/distance: the write EIO"
chmod 600 "$N/node0/reclaim"
is "$($W r "$N/node0/reclaim")" "EIO" "chmod 600 node0/reclaim: the read EIO (no show)"
chmod 644 "$MNT/sys/bus/memory/drivers_probe"
is "$($W r "$MNT/sys/bus/memory/drivers_probe")" "EIO" "chmod 644 bus/memory/drivers_probe: the read EIO (bus_attr_show())"
chmod 200 "$M/memory1/state"
is "$($W o "$M/memory1/state" r)" "EACCES" "chmod 200 memory1/state: root's read open EACCES (the mode)"
chmod 644 "$M/memory1/state"
# a binary attribute's ops are its own (6.18: BIN_ATTR_RO(cpumap)), and
# firmware memmap's sysfs_ops have show alone: the kernel's mode rules
chmod 666 "$N/node0/cpumap" "$N/node0/cpulist" "$MNT/sys/firmware/memmap/0/type"
is "$($W o "$N/node0/cpumap" w) $($W o "$N/node0/cpulist" rw) $($W o "$MNT/sys/firmware/memmap/0/type" w)" \
	"EACCES EACCES EACCES" "chmod 666 cpumap, cpulist, firmware/memmap/0/type: O_WRONLY still EACCES"
# procfs: proc_reg_open() checks nothing past the VFS (root passes), a
# file without proc_write is EIO at write (pde_write())
for f in meminfo zoneinfo iomem cmdline buddyinfo; do
	is "$($W w "$MNT/proc/$f" 1)" "EIO" "root's O_WRONLY of /proc/$f: open ok, the write EIO"
	is "$(nobody $W o "$MNT/proc/$f" w)" "EACCES" "... nobody's open EACCES (0444)"
done
# debugfs too: a 0400 error file is root's to write (simple_attr_write())
E=$MNT/sys/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error
chmod 400 "$E"
is "$($W w "$E" 0)" "ret=1" "chmod 400 notifier-error-inject's error: root's write taken"
chmod 444 "$M/memory1/state"
is "$(nobody $W w "$M/memory1/state" offline)" "EACCES" "chmod 444 state: nobody EACCES (default_permissions)"
is "$(stat -c '%a %U' "$CTL")" "600 root" "control socket is 0600 root"
nobody "$HMCTL" -s "$CTL" status >/dev/null 2>&1
tap_ok $((! $?)) "nobody cannot use the control socket"
chmod 666 "$CTL"
nobody "$HMCTL" -s "$CTL" status >/dev/null 2>&1
tap_ok $((! $?)) "... not even if the socket is chmod 666 (peer uid check)"
done_testing
