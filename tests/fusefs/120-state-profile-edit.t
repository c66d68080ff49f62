#!/bin/bash
# A state file is the profile's machine with the changes made on it, so
# it belongs to what the profile said, not to the profile file's path
# (usereye3 #12): a profile file edited after the save (boot RAM grown,
# probe turned on) was "restored" onto that other machine without a
# word, where another --profile is refused.  The file keeps the machine
# the profile described ("profile-config", its settings as parsed: a
# comment or the lines' order change nothing) and a restore onto a
# changed profile is refused, naming what changed; the profile put back
# restores.  A file without the key (before 2026-11-29) restores as
# before, and gets the key with its next save.  And the profile's name
# is what status output shows (hotmemctl status, the start line), as
# `hotmem status` does: they showed the path.
. "$(dirname "$0")/lib.sh"
require_env
P=$TMP/mf.profile
# refused OPTIONS...: 0 when hotmemfs refuses to start (one that mounts is stopped)
refused() {
	: >"$TMP/hotmemfs.log"
	if start_fs "$@" 2>/dev/null; then
		stop_fs
		return 1
	fi
	FS_PID=
}
printf 'profile = qemu-512m\nname = mf\nmemory_failure = yes\n' >"$P"
cp "$P" "$TMP/mf.orig"

mount_fs "hotmemfs mounts a profile file (qemu-512m, name mf)" --profile "$P" --fresh
# the profile's name where docs/profile.md says it is shown, as `hotmem status` shows it
is "$(ctl status | head -1)" "Machine:    mf ($P)" "hotmemctl status: the profile's name, its path after it"
grep -q "^hotmemfs: mf ($P) mounted on " "$TMP/hotmemfs.log"
tap_ok $? "... and hotmemfs's start line"
ctl device_add pc-dimm id=d1 size=256M >/dev/null
tap_ok $? "a 256 MiB DIMM"
devs=$(ctl devices)
stop_fs
python3 - "$STATE" <<'PY'
import json, sys
pc = json.load(open(sys.argv[1]))["machine"]["profile-config"]
print("# profile-config:", pc)
sys.exit(not ("memory_failure = yes" in pc and "ram = 0x100000-0x1ffdffff node=0" in pc and
              not any(l.startswith("name") for l in pc)))
PY
tap_ok $? "the state file keeps what the profile said (memory_failure = yes, its RAM; not its name)"

# the same machine, written otherwise: a comment, another order after
# `profile` (which starts from the built-in), on for yes, qemu-512m's
# maxmem and qemu_maxmem said again as 11776M and 4G (QEMU's device
# memory ends at 11.5 GiB; maxmem was 8G, alone, until 2026-12-03)
printf 'profile = qemu-512m\n# the machine of usereye3 #12\nmaxmem = 11776M\nqemu_maxmem = 4G\nmemory_failure = on\n\nname = mf\n' >"$P"
start_fs --profile "$P"
tap_ok $? "a comment, another order, on for yes, maxmem = 11776M and qemu_maxmem = 4G said: it starts"
is "$(ctl devices)" "$devs" "... with the saved DIMM (restored)"
stop_fs

# boot RAM grown, probe on: another machine
printf 'probe = yes\nram = 0x100000-0x2fffffff node=0\n' >>"$P"
sum=$(md5sum <"$STATE")
refused --profile "$P"
tap_ok $? "the profile file edited (boot RAM 512M -> 768M, probe = yes): refused"
sed 's/^/# /' "$TMP/hotmemfs.log"
# ram lines drop qemu-512m's e820 table (the file gives none) and its boot
# reservations (docs/profile.md: they were of its RAM): changes too
grep -q "the profile file $P changed since this state was saved: ram, e820, kernel_image, initrd, brk, realmode, swiotlb, boot_reserved, probe (saved with 'ram = 0x1000-0x9efff node=0'" "$TMP/hotmemfs.log" &&
	grep -q "now 'ram = 0x100000-0x2fffffff node=0', 'probe = yes')" "$TMP/hotmemfs.log" &&
	grep -q "refusing to restore it onto a different machine" "$TMP/hotmemfs.log"
tap_ok $? "... naming the profile, what changed (ram, the e820 table and boot reservations it drops, probe: the lines saved and now)"
is "$(md5sum <"$STATE")" "$sum" "... the state file left as it was"

cp "$TMP/mf.orig" "$P"
# under strace where it can trace: the profile file's opens counted
if command -v strace >/dev/null && strace -f -qq -e trace=openat -o /dev/null true 2>/dev/null; then
	strace -f -qq -e trace=openat -o "$TMP/trace" "$HMFS" --control "$CTL" --state "$STATE" \
		--profile "$P" "$MNT" 2>>"$TMP/hotmemfs.log" &
	FS_PID=$!
	fs_wait_mounted
	tap_ok $? "the profile put back: it starts"
	# its check, its boot and the restore's comparison read it three times (final read 5)
	is "$(grep -cF "\"$P\"" "$TMP/trace")" 1 "... the profile file read once at start"
else
	start_fs --profile "$P"
	tap_ok $? "the profile put back: it starts"
	ok "# SKIP no strace, or it cannot trace here: the profile file's reads not counted"
fi
is "$(ctl devices)" "$devs" "... with the saved DIMM"
stop_fs

# a file from before the key: restored onto the edited profile as before
# (state_devices_edit runs its statement once per saved device: there is one)
state_devices_edit 's["machine"].pop("profile-config", None)'
printf 'probe = yes\n' >>"$P"
start_fs --profile "$P"
tap_ok $? "a state file without profile-config, the profile edited (probe = yes): it starts"
is "$(ctl devices)" "$devs" "... with the saved DIMM (restored as before)"
stop_fs
grep -q '"probe = yes"' "$STATE"
tap_ok $? "... and its save kept the profile's settings"
cp "$TMP/mf.orig" "$P"
refused --profile "$P"
tap_ok $? "then probe = yes taken away again: refused"
grep -q "changed since this state was saved: probe (saved with 'probe = yes'; now 'probe = no')" "$TMP/hotmemfs.log"
tap_ok $? "... naming probe"

# lines compared as a multiset (final read 6): a profile that onlines a
# DIMM, offlines it and onlines it again says its online line twice; the
# state file saved with the offline line twice (the DIMM left offline)
# had the same lines and as many, and was restored onto it
P3=$TMP/dup.profile
printf 'profile = qemu-512m\nname = dup\nhotplug = 0x100000000-0x107ffffff node=0\nonline = 32 online_movable\noffline = 32\nonline = 32 online_movable\n' >"$P3"
start_fs --fresh --profile "$P3"
tap_ok $? "a profile with a line twice (online = 32, offline = 32, online = 32): it starts"
stop_fs
# the DIMM's second online saved as an offline: [on, off, off] for [on, off, on]
python3 - "$STATE" <<'PY'
import json, sys, zlib
p = sys.argv[1]
s = json.load(open(p))
pc = s["machine"]["profile-config"]
i = max(k for k, l in enumerate(pc) if l.startswith("online = 32"))
pc[i] = next(l for l in pc if l.startswith("offline = 32"))
print("# profile-config now ends:", pc[-3:])
plain = json.dumps(s["machine"], separators=(",", ":")).replace("/", "\\/")
s["crc32"] = zlib.crc32(plain.encode())
json.dump(s, open(p, "w"))
PY
refused --profile "$P3"
tap_ok $? "saved with offline = 32 twice, the profile's online = 32 twice: refused"
grep -q "changed since this state was saved: offline, online (saved with 'offline = 32-32'; now 'online = 32-32 online_movable')" "$TMP/hotmemfs.log"
tap_ok $? "... naming the line that differs, each way"
sed 's/^/# /' "$TMP/hotmemfs.log" | grep "changed since"

start_fs --fresh --profile qemu-512m
is "$(ctl status | head -1)" "Machine:    qemu-512m" "a built-in: its name alone"
done_testing
