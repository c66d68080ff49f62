#!/bin/bash
# virtio-mem as a guest's driver has it (#12): 2 MiB sub-blocks in memory
# blocks, memory added driver-managed (memmap from system RAM, "System RAM
# (virtio_mem)" in /proc/iomem), the unplugged part of a block
# fake-offline, a shrink that stops at unmovable pages and says why, the
# auto-movable policy with the device's dynamic memory group, and kill -9
# keeping the plugged sub-blocks exactly.  QEMU's rules: a resize or
# device_add succeeds whatever the guest achieves and says how far it got;
# device_del, a bad size, block-size or memaddr are refused with QEMU's
# words and change nothing; the driver's probe refuses a region meeting
# memory (#12).
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory
kb() { awk -v k="$1:" '$1 == k { print $2 }' "$MNT/proc/meminfo"; }
dev() { ctl --json devices | python3 -c "import json,sys; d=[d for d in json.load(sys.stdin) if d['id']=='$1'][0]; print(d.get('$2', ''))"; }
zones() { for b in "$@"; do cat "$M/memory$b/valid_zones" 2>/dev/null | cut -d' ' -f1 || echo gone; done | tr '\n' ' '; }

# an idle kernel: exact accounting
start_fs --profile default --cmdline "hotmem.kernel_alloc=off memhp_default_state=online_movable" --fresh
tap_ok $? "hotmemfs mounts the default machine, new blocks online_movable"
total0=$(kb MemTotal)
free0=$(kb MemFree)

# 1. plug 1 GiB in 2 MiB device blocks
ctl device_add virtio-mem-pci id=vm0 size=4G requested-size=1G memaddr=0x100000000 >/dev/null
tap_ok $? "device_add virtio-mem-pci size=4G requested-size=1G memaddr=0x100000000 (QEMU's property name)"
is "$(dev vm0 plugged-size) $(dev vm0 block-size) $(dev vm0 mode) $(dev vm0 subblock-size)" \
	"1073741824 2097152 sbm 2097152" "plugged 1G; block-size 2M (QEMU's default); Sub Block Mode, 2M sub-blocks"
is "$(($(kb MemTotal) - total0))" 1048576 "MemTotal grows by exactly 1 GiB"
is "$((free0 + 1048576 - $(kb MemFree)))" 16384 "MemFree: the 16 MiB memmap came out of system RAM (no memmap_on_memory)"
is "$(cat $M/memory3{2..9}/state | sort -u) $(zones 32 39)" "online Movable Movable " "memory32-39 online in ZONE_MOVABLE"
[ ! -e "$M/memory40" ]
tap_ok $? "nothing beyond 1 GiB is added"
grep -q "^100000000-1ffffffff : virtio0$" "$MNT/proc/iomem" &&
	grep -q "^  100000000-13fffffff : System RAM (virtio_mem)$" "$MNT/proc/iomem"
tap_ok $? "proc/iomem: the device's region virtio0, one merged 'System RAM (virtio_mem)' child"
grep -q "^00100000-3fffffff : System RAM$" "$MNT/proc/iomem"
tap_ok $? "proc/iomem: boot RAM"
F=$MNT/sys/firmware/memmap
fw() { for e in $(ls "$F" | sort -n); do echo "$e $(cat "$F/$e/start") $(cat "$F/$e/end") $(cat "$F/$e/type")"; done; }
is "$(fw)" "0 0x0 0xfff Reserved
1 0x1000 0x9efff System RAM
2 0x9f000 0xfffff Reserved
3 0x100000 0x3fffffff System RAM" "sys/firmware/memmap: the boot map only, no entry for driver-managed memory"
ctl device_add pc-dimm id=d0 size=256M addr=0x800000000 >/dev/null
is "$(fw | tail -1) $(stat -c %a "$F/4/start")" "4 0x800000000 0x80fffffff System RAM 444" \
	"a DIMM gets its entry (firmware_map_add_hotplug)"
grep -q "^800000000-80fffffff : System RAM$" "$MNT/proc/iomem"
tap_ok $? "... and its own 'System RAM' in proc/iomem"
ctl device_del d0 >/dev/null
is "$(fw | wc -l) $(ls "$F" | tr '\n' ' ')" "4 0 1 2 3 " "device_del removes it (firmware_map_remove)"

# 2. 300 MiB: the partial block's unplugged 84 MiB are fake-offline, not counted
ctl set-size vm0 300M >/dev/null
tap_ok $? "set-size 300M"
is "$(dev vm0 plugged-size)" $((300 << 20)) "plugged-size 300M"
is "$(($(kb MemTotal) - total0))" $((300 * 1024)) "MemTotal grows by 300 MiB: the unplugged part of memory34 is not counted"
[ -d "$M/memory34" ] && [ ! -e "$M/memory35" ]
tap_ok $? "memory32-34 stay, the rest are removed"
grep -q "^  100000000-117ffffff : System RAM (virtio_mem)$" "$MNT/proc/iomem"
tap_ok $? "proc/iomem: three blocks, merged"
echo offline >"$M/memory34/state" && echo online_movable >"$M/memory34/state"
tap_ok $? "the partial memory34 goes offline (the driver gives its fake-offline pages up) and online again"
is "$(($(kb MemTotal) - total0))" $((300 * 1024)) "... and still counts 300 MiB"
ctl check >/dev/null
tap_ok $? "invariants hold"
ctl device_del vm0 >/dev/null 2>"$TMP/err"
tap_ok $((! $?)) "device_del vm0 with 300M plugged is refused (QEMU's virtio_mem_unplug_request_check())"
is "$(dev vm0 plugged-size) $(dev vm0 requested-size) $(($(kb MemTotal) - total0))" \
	"$((300 << 20)) $((300 << 20)) $((300 * 1024))" "... nothing unplugged: the guest was never asked"

# 3. a shrink stops at unmovable pages, above requested-size, and says why
echo offline >"$M/auto_online_blocks"
ctl device_add virtio-mem-pci id=vm1 size=1G requested-size=256M >/dev/null
for b in $(ls -d "$M"/memory* | sed 's/.*memory//'); do
	[ "$(cat "$M/memory$b/state")" = offline ] && echo online_kernel >"$M/memory$b/state"
done
is "$(dev vm1 plugged-size)" $((256 << 20)) "vm1: 256M plugged, onlined to ZONE_NORMAL"
# boot RAM is all DMA32 here: unmovable pages fill ZONE_NORMAL, vm1's memory
ctl alloc unmovable 40000 >/dev/null
out=$(ctl set-size vm1 0 2>"$TMP/err")
tap_ok $? "set-size vm1 0 is accepted, as QEMU's qom-set: the guest works toward it $(cat "$TMP/err")"
p=$(dev vm1 plugged-size)
[ "$p" -gt 0 ] && [ "$(dev vm1 requested-size)" = 0 ]
tap_ok $? "plugged-size stays above requested-size ($((p >> 20))M > 0)"
busy=$(dev vm1 busy-pfn 2>/dev/null)
[[ $busy =~ ^[0-9]+$ ]]
tap_ok $? "devices: busy-pfn, where the unplug stopped ($busy)"
bb=$(( ${busy:-0} * 4096 / (128 << 20) ))
is "${out%; the guest retries in *}" "vm1: requested 0, plugged $((p >> 20))M: the rest is busy: memory$bb's pages could not be taken (\`hotmemctl explain $bb\` says what is in the way)" \
	"the reply says how far the guest got, and which block to explain"
[[ $out =~ \;\ the\ guest\ retries\ in\ ([1-9]|[1-4][0-9]|50)\ s\ \(\`hotmemctl\ vmem-retry\ vm1\`:\ now\)$ ]]
tap_ok $? "... and when the guest retries by itself (its 50 s timer)"
[ "$(cat "$M/memory$bb/state")" = online ] && ctl explain "$bb" | grep -q .
tap_ok $? "... an online block of vm1, which explain explains"
! ctl dmesg | grep -q "cannot unplug more memory"
tap_ok $? "the log says nothing of it, as 6.12's driver (it retries on its timer)"
ctl check >/dev/null
tap_ok $? "nothing lost or leaked: invariants hold"
machine() { lsmem --sysroot "$MNT" -o RANGE,SIZE,STATE,BLOCK,ZONES; kb MemTotal; ctl devices; }
before=$(machine)
ctl device_del vm1 >/dev/null 2>"$TMP/err"
tap_ok $((! $?)) "device_del vm1 is refused while memory is plugged: $(sed 's/^hotmemctl: error: //' "$TMP/err")"
grep -q "^hotmemctl: error: virtio-mem device cannot get unplugged while some of its memory is still plugged (" "$TMP/err"
tap_ok $? "... with QEMU's words, nothing of hotmem's in them but hotmemctl's hint after"
r=$(timeout 20 "$HMCTL" -s "$CTL" raw '{"execute":"device_del","arguments":{"id":"vm1"}}' 2>/dev/null)
is "$r" '{"error":{"class":"GenericError","desc":"virtio-mem device cannot get unplugged while some of its memory is still plugged"}}' \
	"... QMP's desc is QEMU 9.2's exact text (abuse27 F7)"
# usereye10 U6: requested-size is 0 already, so not set-size again but the
# busy block and the retry, as set-size's own line
grep -qF "hotmemfs: vm1: device_del refused: plugged-size 0x$(printf %x "$p"), requested-size 0x0: requested-size is 0 already: memory$bb's pages could not be taken (\`hotmemctl explain $bb\` says what is in the way; \`hotmemctl vmem-retry vm1\` retries now), then device_del once its plugged-size is 0" "$TMP/hotmemfs.log"
tap_ok $? "... and hotmemfs's log the next step: the busy block to explain, the retry, then device_del (usereye4 #8, usereye10 U6)"
is "$(grep -c "hotmemfs: vm1: device_del refused:" "$TMP/hotmemfs.log")" 1 \
	"... once, though both device_dels were refused for that reason (as the engine's warning, 51abdfcf)"
is "$(machine)" "$before" "... and nothing changed (no memory unplugged, requested-size kept)"

# 4. kill -9 and restore: exactly the plugged sub-blocks
runs() { python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print([(d["id"], d.get("plugged-blocks")) for d in s["machine"]["devices"]])' "$STATE"; }
snap() {
	lsmem --sysroot "$MNT" -o RANGE,SIZE,STATE,BLOCK,ZONES
	kb MemTotal
	ctl devices
	grep -v "^0" "$MNT/proc/iomem"
}
# unplug_online off (saved): the probe's run after the restart
# (tests/fusefs/328) unplugs no online memory, so the restore is seen as
# it is, pinned pages gone with the crash or not
echo N >"$MNT/sys/module/virtio_mem/parameters/unplug_online"
ctl save >/dev/null
before=$(snap)
runs_before=$(runs)
# kill9_fs: the dead mount detached too, as a crashed guest's is gone
kill9_fs
start_fs --profile default --cmdline "hotmem.kernel_alloc=off memhp_default_state=online_movable"
tap_ok $? "kill -9, restart on the same state file"
is "$(runs)" "$runs_before" "the plugged device-block runs are the same"
is "$(snap)" "$before" "lsmem, MemTotal, devices and proc/iomem are as before the kill"
ctl check >/dev/null
tap_ok $? "invariants hold after restore"
echo Y >"$MNT/sys/module/virtio_mem/parameters/unplug_online" &&
	ctl set-size vm1 0 >/dev/null && ctl device_del vm1 >/dev/null
tap_ok $? "unplug_online on again: without the unmovable pages (gone with the crash) vm1 unplugs and goes"
stop_fs

# 5. Documentation/admin-guide/mm/memory-hotplug.rst: auto_movable_ratio
#    301% lets 3x the boot memory go to ZONE_MOVABLE ("24 GiB to a 8 GiB
#    VM"); beyond, a kernel zone; kernel memory in the device's dynamic
#    memory group then allows more MOVABLE memory in that group.
start_fs --profile qemu-512m --fresh \
	--cmdline "hotmem.kernel_alloc=off memhp_default_state=online memory_hotplug.online_policy=auto-movable"
tap_ok $? "qemu-512m (512 MiB boot), auto-movable, memhp_default_state=online"
ctl device_add virtio-mem-pci id=vm0 size=3G requested-size=1536M >/dev/null
is "$(zones $(seq 32 43) | tr ' ' '\n' | sort | uniq -c | xargs)" "12 Movable" "1.5 GiB (3x boot): 12 blocks in ZONE_MOVABLE"
ctl set-size vm0 1664M >/dev/null
is "$(zones 44)" "Normal " "the 13th goes to ZONE_NORMAL"
ctl set-size vm0 2G >/dev/null
is "$(zones 45 46 47)" "Movable Movable Movable " "then the group's kernel memory allows 3 more to ZONE_MOVABLE"
stop_fs

# 6. offline_threshold: the driver stops adding while 1 GiB of its memory
#    is offline, and adds again as blocks come online
start_fs --profile default --cmdline hotmem.kernel_alloc=off --fresh
out=$(ctl device_add virtio-mem-pci id=vm0 size=4G requested-size=1536M)
tap_ok $? "device_add requested-size=1536M succeeds (QEMU does not wait for the guest)"
is "$(echo "$out" | tail -1)" "vm0: requested 1.5G, plugged 1G: the guest adds no more while 1G of the memory it added is offline (its offline threshold 1G: it goes on once an online of its blocks leaves 512M or less offline)" \
	"... and says why the guest plugged less"
is "$(dev vm0 plugged-size)" $((1 << 30)) "requested 1.5G with blocks left offline: plugged stops at 1G"
is "$(dev vm0 plug-stopped) $(dev vm0 offline-size) $(dev vm0 retry-in-ms)" "offline-threshold $((1 << 30)) " \
	"... devices --json: plug-stopped offline-threshold, offline-size 1G, no retry (6.12: -ENOSPC)"
ctl status | grep -qxF "vm0: the guest adds no more while 1G of the memory it added is offline (its offline threshold 1G: it goes on once an online of its blocks leaves 512M or less offline)"
tap_ok $? "... status says it too"
! ctl dmesg | grep -q "virtio_mem virtio0: cannot add more memory"
tap_ok $? "... and the log says nothing of it, as 6.12's (hotmem logged 'cannot add more memory')"
# 6.12 virtio_mem_memory_notifier_cb() MEM_ONLINE: work only once
# offline_size + offline_threshold / 2 <= offline_threshold (half onlined)
for b in 32 33 34; do echo online_movable >"$M/memory$b/state"; done
is "$(dev vm0 plugged-size) $(dev vm0 offline-size)" "$((1 << 30)) $((640 << 20))" \
	"three blocks onlined, 640M offline: more than half the threshold, the driver adds nothing yet"
echo online_movable >"$M/memory35/state"
is "$(dev vm0 plugged-size)" $((1536 << 20)) "the fourth (512M offline): the driver adds the rest at once, requested-size reached"
ctl set-size vm0 0 >/dev/null
ctl device_del vm0 >/dev/null
tap_ok $? "set-size 0, then device_del: the device goes"

stop_fs

# 7. QEMU's checks of a device_add, and the driver's own: refused with
#    their words, nothing changed
printf 'profile = default\nname = probe-test\nprobe = yes\n' >"$TMP/probe.profile"
start_fs --profile "$TMP/probe.profile" --cmdline hotmem.kernel_alloc=off --fresh
tap_ok $? "the default machine with the probe interface"
refused() { # expected-words command...
	local want=$1
	shift
	before=$(ctl devices; lsmem --sysroot "$MNT" -o RANGE,STATE,BLOCK)
	"$@" >/dev/null 2>"$TMP/err"
	local rc=$?
	[ $rc -ne 0 ] && grep -qF -- "$want" "$TMP/err" && [ "$(ctl devices; lsmem --sysroot "$MNT" -o RANGE,STATE,BLOCK)" = "$before" ]
	tap_ok $? "refused, nothing changed: $* -> $(sed 's/^hotmemctl: error: //' "$TMP/err")"
}
refused "address must be aligned to 0x200000 bytes" \
	ctl device_add virtio-mem-pci id=a1 size=1G memaddr=0x100100000
refused "'memdev' property memdev size has to be multiples of'block-size' (0x400000)" \
	ctl device_add virtio-mem-pci id=a2 size=6M block-size=4M
refused "'block-size' property has to be at least 0x100000" \
	ctl device_add virtio-mem-pci id=a3 size=1G block-size=512K
refused "'requested-size' property has to be multiples of 'block-size' (0x200000)" \
	ctl device_add virtio-mem-pci id=a4 size=1G requested-size=3M
ctl device_add virtio-mem-pci id=vm5 size=130M requested-size=128M memaddr=0x200000000 >/dev/null
tap_ok $? "a size of device blocks, not memory blocks (130M), is QEMU's to accept"
is "$(dev vm5 plugged-size)" $((128 << 20)) "... and its one whole memory block is plugged"
refused "address range conflicts with memory device id='vm5'" \
	ctl device_add virtio-mem-pci id=a5 size=1G memaddr=0x1f0000000
refused "'requested-size' has to be multiples of 'block-size' (0x200000)" ctl set-size vm5 1M
refused "'requested-size' cannot exceed the memory backend size(0x8200000)" ctl set-size vm5 132M
ctl device_add virtio-mem-pci id=bb size=1G block-size=256M >/dev/null
tap_ok $? "block-size 256M (Big Block Mode)"
is "$(($(dev bb memaddr) % (256 << 20)))" 0 "... placed at a 256M-aligned address"
# memory probed into vm5's unplugged region (the kernel nests it under
# virtioN): the driver cannot add that block, plugged-size stays 0
ctl set-size vm5 0 >/dev/null && echo 0x200000000 >"$M/probe" && ctl set-size vm5 128M >/dev/null
is "$(dev vm5 plugged-size) $(dev vm5 requested-size)" "0 $((128 << 20))" \
	"a block probed inside vm5: its driver cannot add it, requested-size 128M stays unmet"
refused "virtio-mem device cannot get unplugged while 'requested-size' != '0'" ctl device_del vm5
# set-size 0: QEMU's check passes, but the probed block stays in vm5's
# region, which 6.12 keeps with it ("device still has system memory
# added"): hotmem keeps the device (tests/fusefs/316)
ctl set-size vm5 0 >/dev/null
refused "or memory probed into the region by hand, which stays" ctl device_del vm5
echo 0x300000000 >"$M/probe"
tap_ok $? "memory probed at 0x300000000, outside any device"
refused "could not reserve device region" \
	ctl device_add virtio-mem-pci id=a6 size=1G memaddr=0x2e0000000
ctl dmesg | grep -q "virtio_mem virtio[0-9]*: could not reserve device region"
tap_ok $? "the driver's probe says why in the log"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs

# 8. a state file whose virtio-mem requested-size the device refuses is
#    not restored half (before: hotmemfs came up with requested-size 0)
start_fs --profile default --cmdline hotmem.kernel_alloc=off --fresh
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=256M >/dev/null
stop_fs
state_devices_edit 'd["requested-size"] = 3 << 20'
: >"$TMP/hotmemfs.log"
start_fs --profile default --cmdline hotmem.kernel_alloc=off 2>/dev/null
tap_ok $((! $?)) "requested-size 3M in the state file: hotmemfs refuses to start"
grep -q "restoring device vm0: 'requested-size' property has to be multiples of 'block-size' (0x200000)" "$TMP/hotmemfs.log"
tap_ok $? "... and says why: $(grep -o "restoring device.*" "$TMP/hotmemfs.log" | head -1)"
done_testing
