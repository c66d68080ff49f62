#!/bin/bash
# A state file saved with a profile file over qemu-512m before
# 2026-12-03, when the built-in's addresses ended at 8 GiB ("maxmem =
# 0x200000000" in its "profile-config"; now 11.5 GiB, QEMU's device
# memory's end, and "qemu_maxmem = 0x100000000"): the machine changed
# under an unchanged profile file, so the restore is refused, naming the
# lines and the line that gives the machine as saved, 'maxmem = 8G'.
# With it the profile file is that machine again: a maxmem line without
# a qemu_maxmem line means what it meant (QEMU's maxmem = maxmem - the
# region's base), the region ends at 8 GiB, the total is 3.5 GiB.  A
# built-in's state file (no profile file) restores onto the new machine.
. "$(dirname "$0")/lib.sh"
require_env
profile_over_qemu512m old
saved_with_dimm d1 "hotmemfs mounts a profile file over qemu-512m" --profile "$P" --fresh $KCMD
# the file as saved before 2026-12-03
state_machine_edit 'm["profile-config"] = [("maxmem = 0x200000000" if l.startswith("maxmem =") else l) for l in m["profile-config"] if not l.startswith("qemu_maxmem =")]'
grep -q '"maxmem = 0x200000000"' "$STATE" && ! grep -q 'qemu_maxmem' "$STATE"
tap_ok $? "the state file as one saved before: maxmem = 0x200000000, no qemu_maxmem"

profile_changed_refused "restored with the same profile file (the machine changed)" --profile "$P" $KCMD
grep -qF "changed since this state was saved: maxmem, qemu_maxmem (saved with 'maxmem = 0x200000000'; now 'maxmem = 0x2e0000000', 'qemu_maxmem = 0x100000000')" "$TMP/out"
tap_ok $? "... naming the lines saved and now"
grep -qF "hotmemfs: qemu-512m's addresses end at 11.5 GiB since 2026-12-03, where QEMU's device memory for -m 512M,slots=4,maxmem=4G does (they ended at 8 GiB): 'maxmem = 8G' in the profile file restores it as saved" "$TMP/out"
tap_ok $? "... and the line that restores it as saved"

printf 'maxmem = 8G\n' >>"$P"
start_fs --profile "$P" $KCMD
tap_ok $? "with 'maxmem = 8G' in the profile file: it starts"
ctl devices | grep -q "^d1 .* 0x0000000100000000 "
tap_ok $? "... with d1 restored"
err=$(ctl device_add pc-dimm id=d11 size=128M addr=0x2c0000000 2>&1)
is "${err#hotmemctl: error: }" \
	"can't add memory device [0x2c0000000:0x8000000], usable range for memory devices [0x100000000:0x100000000]" \
	"... the machine as saved: its region ends at 8 GiB"
err=$(ctl device_add virtio-mem-pci id=vm0 size=3584M requested-size=0 2>&1)
is "${err#hotmemctl: error: }" \
	"not enough space, currently 0x8000000 in use of total space for memory devices 0xe0000000" \
	"... its devices' total 3.5 GiB"
stop_fs

# the saved line spelt otherwise (a file edited by hand, "maxmem = 8G"):
# the same value, the same hint (vmem33: it was given for the exact
# string "maxmem = 0x200000000" alone)
sed -i '/^maxmem = 8G$/d' "$P"
state_machine_edit 'm["profile-config"] = [("maxmem = 8G" if l.startswith("maxmem =") else l) for l in m["profile-config"] if not l.startswith("qemu_maxmem =")]'
profile_changed_refused "a state file saying 'maxmem = 8G' (the machine changed)" --profile "$P" $KCMD
grep -qF "'maxmem = 8G' in the profile file restores it as saved" "$TMP/out"
tap_ok $? "... with the hint all the same: 8G is 0x200000000" || diag "$(grep -A1 'changed since' "$TMP/out")"

# a built-in's state file: its name is its machine, restored onto today's
saved_with_dimm d2 "hotmemfs mounts the built-in qemu-512m" --profile qemu-512m --fresh $KCMD
start_fs --profile qemu-512m $KCMD
tap_ok $? "a built-in qemu-512m's state file restores"
out=$(ctl device_add pc-dimm id=d11 size=128M addr=0x2c0000000 2>&1)
tap_ok $? "... onto today's machine: a DIMM at 11 GiB is taken: ${out%%$'\n'*}"
stop_fs
done_testing
