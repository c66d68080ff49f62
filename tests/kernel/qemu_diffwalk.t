#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A seeded random differential walk (tests/kernel/diffwalk.py) as a
# regression test: Debian's 6.12 that scripts/deps.sh fetches (6.12.118
# since 2026-12-03, 6.12.117 before) under QEMU (TCG only, never KVM) and
# hotmemfs booted as the same machine take the same random steps --
# pc-dimm device_add/device_del over QMP, writes to memoryN/state,
# memoryN/online and auto_online_blocks -- and after each step their
# errnos, QMP replies and events, blocks, zones, MemTotal, /proc/iomem's
# System RAM and hotplug dmesg lines are compared, the documented
# differences normalised in diffwalk.py's ALLOWLIST.  One "ok" for each
# walk's boot -- the booted machines' facts and, on qemu-512m, the boot
# reservations' log lines ("Memory:", "Freeing ...", RAMDISK, SWIOTLB):
# the walk profile's kernel_image is derived from the guest kernel's
# vmlinux, its boot_reserved calibrated, both said after the plan
# (diffwalk.py --calibration), and a guest they do not hold for fails
# there saying what it measures -- and one a step:
#   walk 1  qemu-512m, memhp_default_state=offline, seed 1, 25 steps
#   walk 2  two nodes, node 1 without CPUs, memhp_default_state=online,
#           seed 2, 15 steps
#   walk 3  diffwalk-kz.json, scripted: memhp_default_state=online, a
#           128 MiB DIMM and its device_del, hotmemfs with an idle kernel
#           (hotmem.kernel_alloc=off): the guest's slab in the DIMM's
#           Normal block refuses the eject, hotmem ejects -- the KZ eject
#           forced, an allowed difference that ends the walk, said "KZ,
#           allowed" (one check more), its last step a SKIP (reread32b R2:
#           it was "not ok" where the allowlist said allowed); KZ
#           allows the eject's own consequences only: both QMP replies
#           the same, the guest's dmesg its refusal's lines alone
#           (diffwalk.py kz_unexplained(), reread33 R6; tests/fusefs/364
#           fails each on a crafted difference).
#           Its last check (the KZ said, 51 today; its SKIP 49) relies
#           on the guest's slab landing in the DIMM's block within the
#           ~1 s between its online and the device_del: the DIMM is the guest's first
#           ZONE_NORMAL (qemu-512m's boot RAM is all DMA/DMA32), every
#           GFP_KERNEL allocation's first choice.  Should none land, the
#           guest ejects too, the step is a plain "ok" and that check
#           fails: loudly, not a silent pass.  Its numbers are derived:
#           the walk's first, the script's device_del's place in it.
# A failed step says both sides' facts after it; the whole exchange is
# in $HOTMEM_BUILD/tests/kernel/diffwalk-*.log.  Longer walks (more seeds,
# more steps, the other configurations): diffwalk.py --help.
set -u
. "$(dirname "$0")/tap.sh"

need_guest_612
need_guest_tools
need_tool fusermount3 fuse3
need_tool zstd zstd	# the walk profile's kernel_image: 6.12's vmlinux is zstd-compressed
need_built "$B/hotmemfs"
need_built "$B/hotmemctl"
[ -e /dev/fuse ] || skip_all "no /dev/fuse: hotmemfs cannot mount"

# config seed steps [script hotmemfs-only-words]: the walks, in order (a
# scripted walk's steps are its script's -- their number read from it --,
# its seed only names its files)
script_steps() {
	python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' "$HERE/$1"
}
WALKS="offline 1 25
2node-online 2 15
online 0 $(script_steps diffwalk-kz.json) diffwalk-kz.json hotmem.kernel_alloc=off"
# each walk: its boot check, its steps and one check of its exit status;
# a scripted one a check of what it forced more
total=$(echo "$WALKS" | awk '{ n += 1 + $3 + 1 + (NF > 3) } END { print n }')
echo "1..$((total + 1))"
# what the walk profile derives from the guest kernel and what it takes
# as measured (a walk that cannot make it says so and runs no step)
python3 "$HERE/diffwalk.py" "$K612" --calibration
mkdir -p "$OUT"
INITRD=$OUT/walk-initramfs.cpio.gz
"$HERE/mkinitramfs.sh" "$B/hotmem-trace-static" "$INITRD" "$HERE/guest-init-walk" "$HERE/walk-snap.sh"
ok $? "initramfs with busybox, the walk's command loop and walk-snap.sh ($INITRD)"

# The file's time (tap.sh guest_budget): the walks are the guests, and
# nothing follows them but their verdicts (30 s).  A walk here took 70 s
# for 25 steps at load 2 (boot 25 s); each is given at most 600 s.
guest_budget 30 "$(echo "$WALKS" | wc -l)"
next=2
while read -r config seed steps script hmwords; do
	log=$OUT/diffwalk-$config-$seed.log
	scripted=()
	[ -z "$script" ] || scripted=(--script "$HERE/$script" --hotmem-cmdline "$hmwords")
	for try in 1 2; do
		t=$(guest_timeout 600)
		[ "$t" = 600 ] || guest_said "walk $config" "$t"
		python3 "$HERE/diffwalk.py" "$K612" "$INITRD" --config "$config" --seed "$seed" \
			--steps "$steps" --timeout "$t" --number-from "$next" --hotmem "$B" \
			--log "$log" "${scripted[@]}" > "$OUT/diffwalk-$config-$seed.tap" 2>&1
		rc=$?
		guest_ran
		# under TCG a boot now and then dies before its first line
		# (tap.sh rerun_boot_panic): that walk once more
		[ $rc = 2 ] && rerun_boot_panic "walk $config" "$log" WALK-READY $try || break
	done
	cat "$OUT/diffwalk-$config-$seed.tap"
	# the boot check and steps a walk that stopped did not say
	said=$(grep -c "^\(not \)\?ok " "$OUT/diffwalk-$config-$seed.tap")
	n=$((next - 1 + said))
	fails=$((fails + $(grep -c "^not ok " "$OUT/diffwalk-$config-$seed.tap")))
	while [ "$said" -lt "$((steps + 1))" ]; do
		what="step $said not taken"
		[ "$said" != 0 ] || what="the booted machines not compared"
		nok "walk $config seed $seed: $what (diffwalk.py exit $rc: $log$(boot_panic_said "$log" WALK-READY $try))"
		said=$((said + 1))
	done
	# its exit says what its steps said: 0 none differed, 1 some did; an
	# error of its own after its last step (a traceback in the teardown:
	# Python's 1 too) is not a pass (reread32b R3)
	wfails=$(grep -c "^not ok " "$OUT/diffwalk-$config-$seed.tap")
	[ "$rc" = "$((wfails > 0))" ] && ! grep -q "^Traceback" "$OUT/diffwalk-$config-$seed.tap"
	ok $? "walk $config seed $seed: diffwalk.py's exit ($rc) is its steps' verdict ($wfails differed)"
	first=$((next + 1))	# the TAP number of the walk's step 1, after its boot check
	next=$((next + 1 + steps + 1))
	[ -n "$script" ] || continue
	# what the script forced happened and was said: the eject the
	# guest refused and hotmem made, allowed, the walk's end -- at the
	# script's device_del (its step k, TAP number first + k - 1), the
	# step after it skipped; the DIMM's block the one at QEMU pc's device
	# memory base, 4 GiB (512 MiB of RAM, all below 4 GiB), in the guest's
	# blocks: their size its block_size_bytes (hex; 128 MiB, x86 6.12
	# probe_memory_block_size() under 64 GiB of RAM), as the guest's first
	# snapshot in the walk's log said it (walk-snap.sh; hotmem's the same,
	# or every step differed)
	bs=$(awk '/^SH> \. \/walk-snap\.sh$/ { g = 1; next } /^(SH|HM)[<>] / { g = 0 }
		g && $1 == "block_size_bytes" { print $2; exit }' "$log")
	dimm_block="(the guest's block_size_bytes, not in $log)"
	[[ $bs =~ ^[0-9a-f]+$ ]] && ((0x$bs)) && dimm_block=memory$(((4 << 30) / 0x$bs))
	k=$(python3 -c 'import json, sys; print([s[0] for s in json.load(open(sys.argv[1]))].index("del") + 1)' \
		"$HERE/$script")
	grep -q "^ok $((first + k - 1)) - .*: device_del d1 .*(KZ, allowed: 6.12 refused the eject: $dimm_block, online Normal" \
		"$OUT/diffwalk-$config-$seed.tap" &&
		grep -q "^ok $((first + k)) # SKIP the machines diverged at step $k: device_del d1 went differently (KZ, allowed)" \
			"$OUT/diffwalk-$config-$seed.tap"
	ok $? "walk $config ($script): the KZ eject (its step $k) is allowed and ends the walk, said"
	next=$((next + 1))
done <<<"$WALKS"
done_testing
