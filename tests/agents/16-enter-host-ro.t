#!/bin/bash
# hotmem-enter: what the machine serves is bound (its /proc/iomem,
# /sys/firmware/memmap, its ACPI side: a DIMM's firmware_node and
# /sys/bus/acpi are the machine's, never the host's PNP0C80 slots), and
# what it does not serve is the host's read-only (/sys, /proc/sys,
# /proc/sysrq-trigger), so that nothing typed inside changes the host's
# memory settings or retriggers the host's devices (the HugeTLB pool's
# files are the machine's: 112-enter-hugetlb-global.t).  The writes probed are
# invalid ones: on a writable host file they fail with EINVAL and change
# nothing, read-only they fail with EROFS.
. "$(dirname "$0")/../fusefs/lib.sh"
need_enter

"$ENTER" --profile qemu-512m -- bash -c '
	R=/run/hotmem/machine
	say() { echo "$1=$2"; }
	hotmemctl device_add pc-dimm id=d1 size=256M addr=0x100000000 >/dev/null; say plugged $?
	grep -q "^100000000-10fffffff : System RAM$" /proc/iomem; say iomem $?
	[ "$(ls /sys/firmware/memmap)" = "$(ls $R/sys/firmware/memmap)" ]; say memmap $?
	[ "$(cat /sys/firmware/memmap/*/start | sort)" = "$(cat $R/sys/firmware/memmap/*/start | sort)" ]; say memmap_start $?
	fw=$(readlink -f /sys/devices/system/memory/memory32/firmware_node)
	say fw "$fw"
	[ -e "$fw/eject" ] && [ "$(stat -f -c %T "$fw")" = fuseblk -o "$(stat -f -c %T "$fw")" = fuse ]; say fw_machine $?
	[ "$(ls /sys/bus/acpi/devices)" = "$(ls $R/sys/bus/acpi/devices)" ]; say acpi_bus $?
	e() { (echo "$2" >"$1") 2>&1 | grep -q "Read-only file system"; say "$3" $?; }
	e /proc/sys/vm/overcommit_memory abc ro_overcommit_memory
	e /proc/sys/vm/drop_caches abc ro_drop_caches
	irq=$(ls -d /proc/irq/[0-9]*/smp_affinity 2>/dev/null | head -1)
	if [ -n "$irq" ]; then e "$irq" zz ro_irq; else say ro_irq 0; fi
	h=/sys/kernel/mm/transparent_hugepage/enabled
	if [ -e "$h" ]; then e "$h" abc ro_sys_thp; else say ro_sys_thp 0; fi
	e /sys/devices/virtual/net/lo/uevent bogus ro_host_uevent
	# every mount under /sys and /proc/sys read-only but the machine'"'"'s and the private bpffs
	{ findmnt -R -n -r -o TARGET,FSTYPE,OPTIONS /sys; findmnt -R -n -r -o TARGET,FSTYPE,OPTIONS /proc/sys; } |
		awk '"'"'$3 !~ /^ro/ && $2 != "fuse.hotmemfs" && !($1 == "/sys/fs/bpf" && $2 == "bpf")'"'"' >/tmp/rw.$$
	say rw_mounts "$(tr "\n" " " </tmp/rw.$$)"
	# pinned only where /sys/fs/bpf is not the host'"'"'s bpffs (never leave a pin on the host)
	if [ "$(stat -c %d /sys/fs/bpf 2>/dev/null)" = "'"$(stat -c %d /sys/fs/bpf 2>/dev/null)"'" ]; then
		say pin host
	elif command -v bpftool >/dev/null; then
		bpftool map create /sys/fs/bpf/hotmem-enter-pin-$$ type array key 4 value 4 entries 1 name hmpin
		say pin $?
	else
		say pin skip
	fi
	echo online_movable >/sys/devices/system/memory/memory32/state; say machine_state $?
	say state "$(cat /sys/devices/system/memory/memory32/state)"
	echo add >/sys/devices/system/memory/memory32/uevent; say machine_uevent $?
' >"$TMP/out" 2>"$TMP/err"
is "$?" 0 "hotmem-enter ran the command"
# v KEY: what the command inside said of KEY; one it did not report is
# not an empty answer ("" is rw_mounts' pass)
v() { grep -q "^$1=" "$TMP/out" && sed -n "s/^$1=//p" "$TMP/out" || echo "($1 not reported)"; }
is "$(v plugged)" 0 "a DIMM plugged inside"
is "$(v iomem)" 0 "/proc/iomem is the machine's (its DIMM's System RAM at 4G)"
is "$(v memmap)" 0 "/sys/firmware/memmap lists the machine's entries"
is "$(v memmap_start)" 0 "... with the machine's ranges"
is "$(v fw_machine)" 0 "memory32/firmware_node is the machine's ACPI device ($(v fw))"
is "$(v acpi_bus)" 0 "/sys/bus/acpi/devices is the machine's"
is "$(v ro_overcommit_memory)" 0 "/proc/sys/vm/overcommit_memory: read-only (the host's vm settings are not changed from inside)"
is "$(v ro_drop_caches)" 0 "/proc/sys/vm/drop_caches: read-only"
is "$(v ro_irq)" 0 "/proc/irq/N/smp_affinity (the host's IRQs): read-only"
is "$(v ro_sys_thp)" 0 "/sys/kernel/mm/transparent_hugepage: read-only"
is "$(v ro_host_uevent)" 0 "a host device's uevent: read-only (no retrigger of the host from inside)"
is "$(v rw_mounts)" "" "every mount under /sys and /proc/sys is read-only (cgroups, tracefs, binfmt_misc), but the machine's and a private bpffs"
if [ "$(v pin)" = skip ]; then
	have_tool bpftool bpftool "a pin in /sys/fs/bpf inside works, on a bpffs that is not the host's"
	have_tool bpftool bpftool "... and is not on the host's bpffs (a private instance, gone with the machine)"
else
	is "$(v pin)" 0 "a pin in /sys/fs/bpf inside works, on a bpffs that is not the host's"
	! ls /sys/fs/bpf 2>/dev/null | grep -q "^hotmem-enter-pin-"
	tap_ok $? "... and is not on the host's bpffs (a private instance, gone with the machine)"
fi
is "$(v machine_state)" 0 "the machine's memory32/state stays writable"
is "$(v state)" online "... and onlines it"
is "$(v machine_uevent)" 0 "the machine's uevent files stay writable"
sed 's/^/# /' "$TMP/err" | grep -v "^# hotmemfs: " | head

# --rules FILE, as hotmem-conform takes it: alone in /etc/udev/rules.d, read-only
echo 'SUBSYSTEM=="memory", ACTION=="add", ATTR{state}="online"' >"$TMP/40-hotplug"
out=$("$ENTER" --rules "$TMP/40-hotplug" --profile qemu-512m -- bash -c '
	ls /etc/udev/rules.d; cat /etc/udev/rules.d/40-hotplug.rules
	(echo x >/etc/udev/rules.d/40-hotplug.rules) 2>&1 | grep -c "Read-only"' 2>/dev/null)
is "$out" "40-hotplug.rules
$(cat "$TMP/40-hotplug")
1" "--rules FILE: the file alone in /etc/udev/rules.d, named *.rules, read-only"
"$ENTER" --rules /dev/null --profile qemu-512m -- true 2>"$TMP/err2"
is "$?" 125 "--rules of a device: refused (125)"
grep -q "neither a directory nor a rules file" "$TMP/err2"
tap_ok $? "... saying why"
done_testing
