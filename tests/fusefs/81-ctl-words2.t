#!/bin/bash
# hotmemctl's answers, as a user reads them (reviews/usereye.md 4, 8, 10,
# 15, 16): device_add says what it plugged and where (id, size, address,
# blocks and their state; --json the same as fields); set-size says how
# far the guest got in a sentence, not a raw JSON object, and --json is a
# whole object; virtio-mem-pci's memory address is memaddr= alone (QEMU's
# addr= of a PCI device is its slot); status's ZONE column is "-" for an
# offline block, "none" only for an online one spanning zones (lsmem's
# None), --json's zone null for an offline block (it said "none" too);
# an offline of an offline block is EINVAL "(already offline)";
# freeall is free-all.  usereye 9: `events --trace` shows a step as
# hotmem-trace's table does: memory_notify's action by name, hex pfns,
# zone names, an errno by name.
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory

jfield() { python3 -c "import json,sys; o=json.load(sys.stdin); print($1)"; }

mount_fs "hotmemfs mounts" --fresh --profile host-24g --cmdline hotmem.kernel_alloc=off

# 4. device_add says what it plugged
out=$(ctl device_add pc-dimm size=1G 2>&1)
is "$?:$out" "0:/machine/peripheral-anon/device[0]: 1G at 0x640000000, memory200-207 (offline)" \
	"device_add pc-dimm size=1G: its QOM path (no id given), size, address, blocks and their state"
echo online_movable >"$M/memory204/state"
out=$(ctl --json device_add pc-dimm id=d2 size=256M)
is "$(echo "$out" | jfield '[o["id"], o["driver"], o["size"], o["addr"], [(b["first"], b["count"], b["state"], b["zone"]) for b in o["blocks"]]]')" \
	"['d2', 'pc-dimm', 268435456, 27917287424, [(208, 2, 'offline', None)]]" \
	"--json device_add: the same as fields (id, driver, size, addr, blocks)"

# 15. status: an offline block has no zone (-), one spanning zones is none
status=$(ctl status)
echo "$status" | grep -qE '^0x0000000640000000-0x000000065fffffff +512M offline +0 - +200-203$'
tap_ok $? "status: offline blocks 200-203 in zone '-'"
echo "$status" | grep -qE '^0x0000000660000000-0x0000000667ffffff +128M online +0 Movable +204$'
tap_ok $? "status: online block 204 in Movable"
echo "$status" | grep -qE '^0x0000000000000000-0x0000000007ffffff +128M online +0 none +0  spans DMA, DMA32 \(valid_zones: none\)$'
tap_ok $? "status: block 0 (DMA and DMA32) is online in none, as lsmem's ZONES None, and the zones it spans (431)"
echo "$status" | grep -E "^0x" | head -6 | sed "s/^/# /"
# ... and --json says the same: an offline run's zone null (in no zone),
# not "none", which is left to an online block spanning zones
is "$(ctl status --json | jfield '[(b["first"], b["count"], b["state"], b["zone"]) for b in o["blocks"] if b["first"] in (0, 200, 204)]')" \
	"[(0, 1, 'online', 'none'), (200, 4, 'offline', None), (204, 1, 'online', 'Movable')]" \
	"status --json: offline blocks 200-203 in zone null, block 0 'none', 204 Movable"
# usereye2 10: one BLOCK column (the ranges', block numbers as lsmem's);
# the devices' block size is BLKSIZE
[ "$(echo "$status" | grep -cw BLOCK)" = 1 ] && echo "$status" | grep -qE '^ID +DRIVER .* BLKSIZE$'
tap_ok $? "status: BLOCK once (block numbers), the devices' block size headed BLKSIZE"

# 16. an offline block's offline, an online block's online: EINVAL, said why
out=$(ctl offline 201 2>&1)
is "$?:$out" "1:hotmemctl: error: memory201: offline failed: Invalid argument (already offline)" \
	"offline of an offline block: EINVAL (already offline)"
out=$(ctl online 204 online_kernel 2>&1)
is "$?:$out" "1:hotmemctl: error: memory204: online_kernel failed: Invalid argument (already online)" \
	"online_kernel of an online block: EINVAL (already online)"
out=$(ctl online 0 2>&1)
is "$?:$out" "1:hotmemctl: error: memory0: online failed: Invalid argument (already online)" \
	"online of boot memory: EINVAL (already online)"
ctl alloc movable 10 >/dev/null && out=$(ctl freeall) && is "$out" "freed 10 pages (40K)" \
	"freeall (hotmem run's old word): free-all"
# usereye4 13: a device by its QOM path too, as QEMU takes it (DEVICE_DELETED's path)
out=$(ctl device_del /machine/peripheral/d2)
is "$?:$(ctl devices | grep -c '^d2 ')" "0:0" "device_del /machine/peripheral/d2: d2 unplugged, as device_del d2"
# usereye4 8: a success in words, as device_add's
is "$out" "d2: removed" "... saying so: d2: removed"
# usereye4 8, usereye10 U4: a DIMM not aligned to the memory block is
# QEMU's to plug and the guest kernel's to refuse (check_hotplug_memory_range()):
# device_add plugs it, the reply says whose rule it is (231 has the rest);
# exit 3, the refusal being the request's own (small44, 474)
out=$(ctl device_add pc-dimm size=100M id=odd 2>&1)
is "$?:$(grep -o 'refused by the guest (EINVAL)\|Block size \[0x8000000\] unaligned hotplug range: start 0x[0-9a-f]*, size 0x6400000' <<<"$out")" \
	"3:refused by the guest (EINVAL)
Block size [0x8000000] unaligned hotplug range: start 0x680000000, size 0x6400000" \
	"device_add size=100M: plugged, refused by the guest, its kernel's line in the reply"
ctl device_del odd >/dev/null
# QEMU 9.0+ memory_device_pre_plug() (540a1abbf0b2, as 7.2 before 8.2):
# the size a multiple of its backend's 2 MiB alignment, checked before the
# address; a 101M DIMM was plugged here (rerfix30c's note)
out=$(ctl device_add pc-dimm size=101M addr=0x680100000 id=odd1 2>&1)
is "$?:$out" "1:hotmemctl: error: backend memory size must be multiple of 0x200000" \
	"device_add size=101M: QEMU 9.2's own refusal, before the address's"
out=$(ctl device_add pc-dimm size=128M addr=0x680100000 id=odd2 2>&1)
is "$?:$out" "1:hotmemctl: error: address must be aligned to 0x200000 bytes" \
	"device_add addr=0x680100000: QEMU's own refusal (its RAM's 2 MiB alignment)"
out=$(ctl inject MEM_GOING_ONLINE -16)
is "$?:$out" '0:MEM_GOING_ONLINE: the memory notifier now fails every online with -16 (EBUSY), until `hotmemctl inject MEM_GOING_ONLINE 0`' \
	"inject MEM_GOING_ONLINE -16: what it does from now on and how it ends"
# an errno glibc has no name for: its number, as hotmemfs writes it (json.c's rule, %pe's), not "?"
out=$(ctl inject MEM_GOING_ONLINE -300)
is "$?:$out" '0:MEM_GOING_ONLINE: the memory notifier now fails every online with -300 (300), until `hotmemctl inject MEM_GOING_ONLINE 0`' \
	"inject MEM_GOING_ONLINE -300: the errno by its number"
out=$(ctl inject MEM_GOING_ONLINE 0)
is "$?:$out" "0:MEM_GOING_ONLINE: injection cleared: the memory notifier lets onlines through again" \
	"inject MEM_GOING_ONLINE 0: cleared"
out=$(ctl device_del /machine/peripheral/zz 2>&1)
is "$?:$out" "1:hotmemctl: error: Device '/machine/peripheral/zz' not found" \
	"device_del of a QOM path no device has: not found, named as asked (QEMU 7.2's words)"
stop_fs

# 10. virtio-mem-pci: memaddr=, addr= refused; 8. set-size in words
start_fs --fresh --profile default --cmdline hotmem.kernel_alloc=off || exit 1
out=$(ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=256M addr=0x140000000 2>&1)
is "$?:$out" "1:hotmemctl: error: Property 'virtio-mem-pci.addr' is its PCI slot and function, which hotmem does not model: the memory's address is memaddr=" \
	"device_add virtio-mem-pci addr=: refused, memaddr named"
is "$(d=$(ctl devices) && grep -c vm0 <<<"$d")" 0 "... nothing plugged" # a failed devices has no count
out=$(ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=256M memaddr=0x140000000 2>&1)
is "$?:$out" "0:vm0: 1G at 0x140000000, memory40-41 (offline)
vm0: requested 256M, plugged 256M" "device_add virtio-mem-pci memaddr=: placed there, its blocks and sizes said"
is "$(ctl qom-get vm0 memaddr)" 5368709120 "qom-get vm0 memaddr: where device_add put it"
is "$(ctl qom-get /machine/peripheral/vm0 memaddr)" 5368709120 "qom-get by QOM path /machine/peripheral/vm0 (usereye4 13)"
ctl raw '{"execute": "qom-set", "arguments": {"path": "/machine/peripheral/vm0", "property": "requested-size", "value": 402653184}}' >/dev/null
is "$?:$(ctl qom-get vm0 requested-size)" "0:402653184" "qom-set by QOM path: vm0 resized"
out=$(ctl --json set-size vm0 512M)
is "$(echo "$out" | jfield '[o["id"], o["requested-size"], o["plugged-size"], len(o["blocks"])]')" \
	"['vm0', 536870912, 536870912, 1]" "--json set-size that completes: an object, requested and plugged"
for b in 40 41 42 43; do echo online_kernel >"$M/memory$b/state"; done
ctl alloc unmovable 60000 >/dev/null
out=$(ctl set-size vm0 0 2>&1)
rc=$?
p=$(ctl qom-get vm0 size)
[ "$p" -gt 0 ] && [ "$rc" = 0 ]
tap_ok $? "set-size vm0 0 with unmovable pages in its blocks: accepted, $p bytes left plugged"
bb=$(ctl --json devices | jfield '[d for d in o if d["id"] == "vm0"][0]["busy-pfn"] * 4096 // (128 << 20)')
is "${out%; the guest retries in *}" "vm0: requested 0, plugged $((p >> 20))M: the rest is busy: memory$bb's pages could not be taken (\`hotmemctl explain $bb\` says what is in the way)" \
	"... said in a sentence: how far it got and which block to explain (6.12 logs nothing)"
[[ $out =~ \;\ the\ guest\ retries\ in\ ([1-9]|[1-4][0-9]|50)\ s\ \(\`hotmemctl\ vmem-retry\ vm0\`:\ now\)$ ]]
tap_ok $? "... and when the guest retries by itself (its 50 s timer)"

ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs

# 9. events --trace: hotmem-trace's rendering (hotmemctl itself in the
# background, bounded; its follower counted before the change)
start_fs --fresh --profile default --cmdline hotmem.kernel_alloc=off || exit 1
findmnt -t fuse.hotmemfs "$MNT" >/dev/null || { nok "not our mount"; done_testing; exit 1; }
ctl device_add pc-dimm id=d1 size=256M >/dev/null
timeout 120 "$HMCTL" -s "$CTL" events --trace >"$TMP/tr.txt" 2>"$TMP/tr.err" &
trp=$!
followers() { ctl -j status | python3 -c 'import json,sys; print(json.load(sys.stdin)["control"]["followers"])'; }
for _ in $(seq 200); do [ "$(followers)" = 1 ] && break; sleep 0.05; done
ctl online 32 online_kernel >/dev/null && ctl alloc unmovable 40000 >/dev/null &&
	ctl online 33 online_movable >/dev/null && ctl offline 33 >/dev/null
tap_ok $? "memory32 Normal, full of unmovable pages; memory33 online_movable, then offline"
ctl offline 32 >/dev/null 2>&1
for _ in $(seq 200); do grep -q "EBUSY" "$TMP/tr.txt" && break; sleep 0.05; done
grep -E "memory_notify|offline_pages" "$TMP/tr.txt" | sed 's/^/# /' | tail -8
grep -qE '^[0-9:.]+ TRACE  memory_notify +> +0x108000 +32768 +-1 +- +MEM_GOING_OFFLINE$' "$TMP/tr.txt"
tap_ok $? "memory_notify enter: hex pfn, MEM_GOING_OFFLINE"
grep -qE '^[0-9:.]+ TRACE  memory_notify +< +0x108000 +32768 +-1 +- +0 MEM_OFFLINE$' "$TMP/tr.txt"
tap_ok $? "memory_notify exit: its ret, MEM_OFFLINE"
grep -qE '^[0-9:.]+ TRACE  offline_pages +> +0x108000 +32768 +0 +Movable +0$' "$TMP/tr.txt"
tap_ok $? "offline_pages enter: its node and zone by name (Movable)"
grep -qE '^[0-9:.]+ TRACE  offline_pages +< +0x100000 +32768 +0 +Normal +-EBUSY 0$' "$TMP/tr.txt"
tap_ok $? "a failed offline_pages exit: its errno by name (-EBUSY)"
# usereye2 7: a header as hotmem-trace's table has, and test_pages_isolated's
# extra (fin_pfn) in hex beside the hex pfns (it was 1114112)
is "$(head -1 "$TMP/tr.txt" | tr -s ' ')" "TIME TYPE EVENT PHASE START_PFN NR_PAGES NID ZONE RET EXTRA" \
	"events --trace: a header line first"
grep -E "test_pages_isolated" "$TMP/tr.txt" | sed 's/^/# /' | tail -2
grep -qE '^[0-9:.]+ TRACE  test_pages_isolated +< +0x108000 +32768 +[-0-9]+ +[-A-Za-z]+ +0 0x110000$' "$TMP/tr.txt"
tap_ok $? "test_pages_isolated exit: its fin_pfn in hex"
kill "$trp" 2>/dev/null
wait_exit "$trp" 30 >/dev/null 2>&1

# usereye2 10: hotmem-trace --help's timeline line lists what timeline --help does
th=$("$HOTMEM_BUILD/hotmem-trace" --help | sed -n '/hotmem-trace timeline/,/A \[B\]/p')
[[ $th == *"[--own-scale]"* && $th == *"[--cut-gaps[=MS]]"* ]]
tap_ok $? "hotmem-trace --help: timeline with --own-scale and --cut-gaps[=MS]"
! grep -qE '(ERROR|WARNING): (Address|Leak|Thread)Sanitizer|runtime error:' "$TMP/hotmemfs.log"
tap_ok $? "no sanitizer reports"
done_testing
