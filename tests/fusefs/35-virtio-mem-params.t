#!/bin/bash
# /sys/module/virtio_mem/parameters as a 6.12 kernel has it
# (drivers/virtio/virtio_mem.c): unplug_online (0644, 30-virtio-mem-
# unplug-online.t), force_bbm (bool, 0444) and bbm_block_size (ulong,
# 0444), read as param_get_bool()/param_get_ulong() print them and set
# only on the command line (virtio_mem.force_bbm=, virtio_mem.
# bbm_block_size=), which the driver then follows: Big Block Mode for a
# device of 2 MiB blocks, big blocks of bbm_block_size.  No
# bbm_safe_unplug: it went in 6.5.  A 0444 parameter has no store
# (kernel/params.c add_sysfs_param(): "Do not allow runtime DAC changes
# to make param writable"): root's O_WRONLY is EACCES (kernfs_fop_open():
# the inode's mode), and after chmod u+w the write is EIO
# (module_attr_store()); the mode chmod gives governs root's opens.
. "$(dirname "$0")/lib.sh"
require_env
P=$MNT/sys/module/virtio_mem/parameters
SW() { python3 "$HOTMEM_SRC/tests/fusefs/sysw.py" "$@"; }
dev() { ctl --json devices | python3 -c "import json,sys; d=[d for d in json.load(sys.stdin) if d['id']=='$1'][0]; print(d['$2'])"; }

start_fs --profile default --cmdline "hotmem.kernel_alloc=off" --fresh
tap_ok $? "hotmemfs mounts the default machine"
is "$(ls "$P" | xargs)" "bbm_block_size force_bbm unplug_online" "the driver's three parameters, no bbm_safe_unplug"
is "$(stat -c '%n %a %U' "$P"/* | sed "s|$P/||" | xargs)" \
	"bbm_block_size 444 root force_bbm 444 root unplug_online 644 root" "modes as module_param()'s"
is "$(cat "$P/force_bbm") $(cat "$P/bbm_block_size")" "N 0" "defaults: N, 0 (the driver chooses)"
is "$(SW o "$P/force_bbm" w) $(SW o "$P/force_bbm" rw) $(SW o "$P/bbm_block_size" w)" "EACCES EACCES EACCES" \
	"root's O_WRONLY and O_RDWR of a 0444 parameter: EACCES"
is "$(SW o "$P/force_bbm" r) $(cat "$P/force_bbm")" "ok N" "... its read open is fine, the value unchanged"
# kernfs checks the inode's mode (chmod's) and the ops, which a module
# parameter always has both of: a 0444 one's store is NULL, EIO
chmod 644 "$P/force_bbm" "$P/bbm_block_size"
is "$(SW w "$P/force_bbm" 1) $(SW w "$P/bbm_block_size" 0) $(cat "$P/force_bbm")" "EIO EIO N" \
	"chmod 644 of a 0444 parameter: the open succeeds, the write is EIO (no store), the value kept"
chmod 444 "$P/unplug_online"
is "$(SW w "$P/unplug_online" N) $(cat "$P/unplug_online")" "EACCES Y" "chmod 444 unplug_online: root's O_WRONLY EACCES"
chmod 200 "$P/force_bbm"
is "$(SW o "$P/force_bbm" r)" "EACCES" "chmod 200 force_bbm: root's read open EACCES"
chmod 644 "$P/unplug_online" && chmod 444 "$P/force_bbm" "$P/bbm_block_size"
is "$(SW w "$P/unplug_online" N) $(cat "$P/unplug_online")" "ret=1 N" "chmod 644 again: unplug_online takes N"
echo Y >"$P/unplug_online"
ctl device_add virtio-mem-pci id=vm0 size=2G requested-size=256M >/dev/null
tap_ok $? "a virtio-mem device of 2 MiB blocks"
ctl dmesg | grep -q "virtio_mem virtio0: subblock size: 0x200000"
tap_ok $? "... in Sub Block Mode"
stop_fs

start_fs --profile default --cmdline "hotmem.kernel_alloc=off memhp_default_state=online_movable virtio_mem.force_bbm virtio_mem.bbm_block_size=0x20000000" --fresh
tap_ok $? "virtio_mem.force_bbm virtio_mem.bbm_block_size=0x20000000 on the command line"
is "$(cat "$P/force_bbm") $(cat "$P/bbm_block_size") $(cat "$P/unplug_online")" "Y 536870912 Y" \
	"force_bbm Y, bbm_block_size in decimal (param_get_ulong())"
ctl device_add virtio-mem-pci id=vm0 size=2G requested-size=512M >/dev/null
tap_ok $? "the same device"
ctl dmesg | grep -q "virtio_mem virtio0: big block size: 0x20000000"
tap_ok $? "... in Big Block Mode, big blocks of 512M"
is "$(dev vm0 plugged-size)" $((512 << 20)) "... 512M plugged: one big block"
ctl set-size vm0 2M >/dev/null 2>&1
is "$(dev vm0 plugged-size)" $((512 << 20)) "requested 2M: a big block is the unit, nothing unplugged"
stop_fs
start_fs --profile default --cmdline "hotmem.kernel_alloc=off memhp_default_state=online_movable virtio_mem.force_bbm virtio_mem.bbm_block_size=0x20000000"
tap_ok $? "restart on the state file, the same command line"
is "$(cat "$P/force_bbm") $(cat "$P/bbm_block_size") $(dev vm0 plugged-size)" "Y 536870912 $((512 << 20))" \
	"... the parameters and vm0's big block as before"
stop_fs

start_fs --profile default --cmdline "virtio_mem.force_bbm=1 virtio_mem.bbm_block_size=67108864" --fresh
ctl device_add virtio-mem-pci id=vm0 size=2G >/dev/null
ctl dmesg | grep -q "virtio_mem virtio0: bbm_block_size is too small" &&
	ctl dmesg | grep -q "virtio_mem virtio0: big block size: 0x8000000"
tap_ok $? "bbm_block_size 64M, below a memory block: warned about, big blocks of 128M"
stop_fs

# hotmemctl export carries the parameters, hotmem profile --from-sysfs puts
# them on the profile's command line: the machine imported has them
HM=$HOTMEM_BUILD/hotmem
start_fs --profile default --cmdline "hotmem.kernel_alloc=off virtio_mem.force_bbm virtio_mem.bbm_block_size=0x20000000" --fresh
echo N >"$P/unplug_online" && ctl device_add virtio-mem-pci id=vm0 size=2G requested-size=512M >/dev/null
tap_ok $? "unplug_online N, force_bbm Y, bbm_block_size 512M, a virtio-mem device"
ctl export "$TMP/dump" >/dev/null
is "$(cat "$TMP/dump/sys/module/virtio_mem/parameters/"{unplug_online,force_bbm,bbm_block_size} | xargs)" "N Y 536870912" \
	"hotmemctl export: sys/module/virtio_mem/parameters with them"
stop_fs
"$HM" profile --from-sysfs "$TMP/dump" -o "$TMP/p.profile" 2>/dev/null
# unplug_online=N, written at run time, first; then the command line the
# machine booted with, whose force_bbm and bbm_block_size the dump shows
grep -qx 'cmdline = "virtio_mem.unplug_online=N hotmem.kernel_alloc=off virtio_mem.force_bbm virtio_mem.bbm_block_size=0x20000000"' "$TMP/p.profile"
tap_ok $? "hotmem profile --from-sysfs: on the profile's command line" || diag "$(grep ^cmdline "$TMP/p.profile")"
start_fs --profile "$TMP/p.profile" --fresh
tap_ok $? "the profile boots"
is "$(cat "$P/"{unplug_online,force_bbm,bbm_block_size} | xargs)" "N Y 536870912" "... with the exported machine's parameters"
ctl dmesg | grep -q "virtio_mem virtio0: big block size: 0x20000000"
tap_ok $? "... and its device in Big Block Mode, as exported"
stop_fs
# a bbm_block_size that is no power of 2 was the kernel's (param_set_ulong();
# the driver's probe warned): carried, the machine imported is the one exported
echo 805306368 >"$TMP/dump/sys/module/virtio_mem/parameters/bbm_block_size"
"$HM" profile --from-sysfs "$TMP/dump" -o "$TMP/p3.profile" 2>"$TMP/notes"; profile_notes "$TMP/p3.profile" "$TMP/notes"
grep -q '^cmdline = ".*virtio_mem.bbm_block_size=805306368 ' "$TMP/p3.profile" &&
	! grep '^cmdline' "$TMP/p3.profile" | grep -q bbm_block_size=0x20000000
tap_ok $? "a dump's bbm_block_size that is no power of 2 (768M): on the profile's command line"
start_fs --profile "$TMP/p3.profile" --fresh
tap_ok $? "... the profile boots"
is "$(cat "$P/bbm_block_size")" 805306368 "... with that bbm_block_size"
ctl dmesg | grep -q "virtio_mem virtio0: bbm_block_size is not a power of 2" &&
	ctl dmesg | grep -q "virtio_mem virtio0: big block size: 0x8000000"
tap_ok $? "... its device's probe warns, big blocks of 128M"
ctl export "$TMP/dump3" >/dev/null &&
	"$HM" profile --from-sysfs "$TMP/dump3" -o "$TMP/p3b.profile" 2>/dev/null &&
	cmp -s <(grep "^cmdline" "$TMP/p3.profile") <(grep "^cmdline" "$TMP/p3b.profile")
tap_ok $? "... exported and imported again: the same command line"
stop_fs
echo 3000x >"$TMP/dump/sys/module/virtio_mem/parameters/bbm_block_size"
"$HM" profile --from-sysfs "$TMP/dump" -o "$TMP/p3.profile" 2>"$TMP/notes"; profile_notes "$TMP/p3.profile" "$TMP/notes"
grep -q "virtio_mem.bbm_block_size=3000x: expected an unsigned number of bytes .*: left out" "$TMP/notes" &&
	! grep "^cmdline" "$TMP/p3.profile" | grep -q 3000x && grep "^cmdline" "$TMP/p3.profile" | grep -q bbm_block_size=0x20000000
tap_ok $? "one that is no number (no kernel's): said, left out; proc/cmdline's taken"
rm -r "$TMP/dump/sys/module/virtio_mem"
# the dump's proc/cmdline still has the boot's words for them: carried
"$HM" profile --from-sysfs "$TMP/dump" -o "$TMP/p5.profile" 2>/dev/null
grep -qx 'cmdline = "hotmem.kernel_alloc=off virtio_mem.force_bbm virtio_mem.bbm_block_size=0x20000000"' "$TMP/p5.profile"
tap_ok $? "a dump without them: proc/cmdline's virtio_mem words on the profile's command line" ||
	diag "$(grep '^cmdline' "$TMP/p5.profile")"
rm "$TMP/dump/proc/cmdline"
"$HM" profile --from-sysfs "$TMP/dump" -o "$TMP/p4.profile" 2>"$TMP/notes"; profile_notes "$TMP/p4.profile" "$TMP/notes"
grep -q "virtio_mem module parameters: no sys/module/virtio_mem/parameters" "$TMP/notes" && ! grep "^cmdline" "$TMP/p4.profile" | grep -q "virtio_mem\."
tap_ok $? "... and without proc/cmdline, with a virtio-mem device: the kernel's defaults, said"

# a bbm_block_size that is no power of 2 boots (param_set_ulong()); the
# probe warns and keeps its own big block (virtio_mem_init_hotplug(), 6.12)
start_fs --profile default --cmdline "virtio_mem.force_bbm virtio_mem.bbm_block_size=0x30000000" --fresh
tap_ok $? "--cmdline virtio_mem.bbm_block_size=0x30000000 (no power of 2) boots"
is "$(cat "$P/bbm_block_size")" 805306368 "... bbm_block_size shows it"
ctl device_add virtio-mem-pci id=vm0 size=2G >/dev/null
ctl dmesg | grep -q "virtio_mem virtio0: bbm_block_size is not a power of 2" &&
	ctl dmesg | grep -q "virtio_mem virtio0: big block size: 0x8000000"
tap_ok $? "... a device's probe warns, big blocks of 128M"
stop_fs

for bad in "virtio_mem.bbm_block_size=1G" "virtio_mem.force_bbm=maybe"; do
	out=$("$HMFS" --control "$CTL" --state "$STATE" --fresh --profile default --cmdline "$bad" "$MNT" 2>&1)
	rc=$?
	key=${bad%%=*}
	[ "$rc" -ne 0 ] && [[ "$out" == *"$key"* ]]
	tap_ok $? "--cmdline $bad refused, naming $key (exit $rc)"
done
done_testing
