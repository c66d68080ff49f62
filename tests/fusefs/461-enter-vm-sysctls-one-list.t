#!/bin/bash
# Inside hotmem-enter every /proc/sys/vm file hotmemfs serves is the
# machine's: hotmem-enter binds hotmemfs's own list (hmfs.h
# HMFS_VM_SYSCTLS(), the one tree.c makes the files of), where it kept a
# list of its own beside vm_sysctls[] -- a file added to hotmemfs and not
# to hotmem-enter's list was the host's, read-only, inside.  Each file
# inside is on the machine's FUSE mount (its st_dev the mount's, not
# procfs's) and reads what the mount serves; the rest of /proc/sys/vm is
# the host's.  Without enter.c's bind_vm_sysctls() every check of a file
# fails.
. "$(dirname "$0")/lib.sh"
need_enter
[ -d /proc/sys/vm ] || skip_all "the host has no /proc/sys/vm"

# the files hotmemfs serves, from a mount of its own
mount_fs "hotmemfs mounts qemu-512m" --fresh --profile qemu-512m --cmdline hotmem.kernel_alloc=off
names=$(ls "$MNT/proc/sys/vm")
stop_fs
[ "$(wc -w <<<"$names")" -ge 9 ]
tap_ok $? "it serves $(wc -w <<<"$names") /proc/sys/vm files (9 when written)" || diag "$names"

# inside: each on FUSE (statfs f_type 0x65735546, FUSE_SUPER_MAGIC), not procfs (0x9fa0)
"$ENTER" --profile qemu-512m --cmdline hotmem.kernel_alloc=off -- bash -c '
	for n in '"$(tr '\n' ' ' <<<"$names")"' overcommit_memory; do
		echo "$n $(stat -f -c %t "/proc/sys/vm/$n" 2>&1)"
	done
' >"$TMP/out" 2>"$TMP/err"
tap_ok $? "hotmem-enter ran the command" || diag "$(cat "$TMP/err")"
for n in $names; do
	is "$(awk -v n="$n" '$1 == n {print $2}' "$TMP/out")" 65735546 \
		"/proc/sys/vm/$n inside: the machine's, on its FUSE mount"
done
is "$(awk '$1 == "overcommit_memory" {print $2}' "$TMP/out")" 9fa0 \
	"/proc/sys/vm/overcommit_memory, which hotmemfs does not serve: the host's procfs"
done_testing
