#!/bin/bash
# What kernfs keeps of a node beyond the kernel's tree -- chmod, chown,
# times (touch), security.* and trusted.* xattrs -- and a device's
# power/control "on" are acknowledged changes like any other: they survive
# kill -9 of hotmemfs (the state file's "iattrs", by path).  user.* is
# refused as on sysfs (nothing to keep).  A block removed takes its
# attributes with it (a new kernfs node): a block of the same number added
# later has the kernel's again, after a restart too.  A state file from
# before "iattrs" loads with none.  A chmod whose save fails is undone.
. "$(dirname "$0")/lib.sh"
require_env
A=$M/auto_online_blocks
F=("$M/memory32/state" "$M/memory32/online" "$M/memory0/phys_index" "$M/memory1/state"
   "$M/memory0/power/control" "$M/memory32/power/control" "$M/memory1/power/control" "$A"
   "$M/memory32")
# mode uid gid atime mtime ctime (ns), xattrs and control of each file above
look() {
	python3 - "${F[@]}" <<'PY'
import os, sys
for f in sys.argv[1:]:
    st = os.stat(f)
    xs = []
    for n in ("security.hotmem", "trusted.hotmem"):
        try:
            xs.append("%s=%s" % (n, os.getxattr(f, n).hex()))
        except OSError:
            pass
    # power/control's "on" is the device's, no kernfs_iattrs: its times are the inode's
    if f.endswith("/control"):
        times, ctl = ["-"] * 3, open(f).read().strip()
    else:
        times, ctl = [st.st_atime_ns, st.st_mtime_ns, st.st_ctime_ns], ""
    print(f.split("/mnt/")[1], oct(st.st_mode), st.st_uid, st.st_gid, *times, " ".join(xs), ctl)
PY
}
en() { python3 -c 'import errno,os,sys
try: exec(sys.argv[1]); print("ok")
except OSError as e: print(errno.errorcode[e.errno])' "$1"; }

start_state_fs 256M
chmod 600 "$M/memory32/state" && chown 1:2 "$M/memory32/online" && chmod 640 "$A" &&
	chmod 700 "$M/memory32" && touch -d "2020-01-02 03:04:05.5" "$M/memory0/phys_index" &&
	touch "$M/memory1/state"
tap_ok $? "chmod, chown, touch of sysfs files and a directory"
is "$(en "os.setxattr('$M/memory0/phys_index', 'security.hotmem', b'\\0ab')
os.setxattr('$M/memory32/state', 'trusted.hotmem', b'x' * 300)")" ok "security.* and trusted.* xattrs set"
is "$(en "os.setxattr('$M/memory0/phys_index', 'user.hotmem', b'1')")" ENOTSUP \
	"user.*: EOPNOTSUPP, as sysfs (nothing to keep)"
is "$(en "os.setxattr('$M/memory0/phys_index', 'security.', b'1')") $(en "os.setxattr('$M/memory0/phys_index', 'trusted.', b'1')") $(en "os.getxattr('$M/memory0/phys_index', 'security.')")" \
	"EINVAL EINVAL EINVAL" "security. and trusted. with nothing after the prefix: EINVAL (xattr_resolve_name())"
echo on >"$M/memory0/power/control" && echo on >"$M/memory32/power/control" &&
	echo on >"$M/memory1/power/control" && echo auto >"$M/memory1/power/control"
tap_ok $? "power/control of memory0 and memory32: on (memory1's on, then auto again)"
chmod 604 "$A" && chmod 640 "$A"
tap_ok $? "auto_online_blocks chmodded twice"
want=$(look)
diag "$want"
is "$(grep -c '"iattr":{' "$STATE.journal")" 14 "the journal has one \"iattr\" record a change: its node's entry alone"

kill9_fs
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "restart after kill -9"
same_text "$(look)" "$want" "... modes, owners, times, xattrs and power/control as they were"
is "$(en "open('$M/memory32/state', 'w').write('online')")" ok "... root still writes the 0600 state"
is "$(su nobody -s /bin/sh -c "cat $M/memory32/state" 2>&1 >/dev/null | grep -c 'Permission denied')" 1 \
	"... and nobody else can read it"

# the block goes, one of the same number comes: the kernel's attributes again
echo offline >"$M/memory32/state"
ctl device_del d1 >/dev/null && ctl device_add pc-dimm id=d2 size=256M >/dev/null
tap_ok $? "the DIMM unplugged, another in its place (memory32 again)"
fresh=$(look)
is "$(echo "$fresh" | grep 'memory32/state ' | cut -d' ' -f2-4)" "0o100644 0 0" "memory32/state is 0644 root again"
is "$(echo "$fresh" | grep 'memory32/power/control' | awk '{print $NF}')" auto "its power/control is auto again"
is "$(echo "$fresh" | grep -c 'trusted.hotmem')" 0 "its xattr went with it"
kill9_fs
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "restart after kill -9"
after=$(look)
is "$(echo "$after" | grep 'memory32' | cut -d' ' -f1-4,8-)" "$(echo "$fresh" | grep 'memory32' | cut -d' ' -f1-4,8-)" \
	"... memory32 with the kernel's attributes, not the removed block's"
is "$(echo "$after" | grep -v 'memory32' | grep -v 'memory1/state')" "$(echo "$want" | grep -v 'memory32' | grep -v 'memory1/state')" \
	"... the others' kept"
stop_fs

# a state file from before "iattrs": none kept
state_drop_key iattrs
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "a state file without \"iattrs\" loads"
is "$(stat -c %a "$A" "$M/memory0/phys_index" | tr '\n' ' ')$(cat "$M/memory0/power/control")" "644 444 auto" \
	"... every node as the kernel made it"
chmod 604 "$A"
kill9_fs
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "restart after kill -9"
is "$(stat -c %a "$A")" 604 "... a chmod after it is kept"
stop_fs

# The virtio-mem driver's unplug after an offline (unplug_online N) is
# its own record: a block removed there takes what it kept, and a block
# plugged again in its place keeps nothing -- after kill -9 too (the
# record had no "iattrs": the restart put the old chmod on the new block)
OPTS=(--profile default --cmdline "memhp_default_state=online_movable")
start_fs_netns "${OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts the default profile, new blocks online_movable"
echo N >"$MNT/sys/module/virtio_mem/parameters/unplug_online" &&
	ctl device_add virtio-mem-pci id=vm0 size=4G requested-size=1G >/dev/null &&
	ctl set-size vm0 640M >/dev/null && chmod 600 "$M/memory35/state"
tap_ok $? "virtio-mem vm0 1G online, shrunk to 640M (unplug_online N keeps it), memory35/state chmod 600"
(echo offline >"$M/memory35/state") && ctl settle --timeout 60 && [ ! -e "$M/memory35" ]
tap_ok $? "memory35 offline: the driver unplugs it"
ctl set-size vm0 1G >/dev/null && ctl settle --timeout 60
is "$(stat -c %a "$M/memory35/state" 2>&1)" 644 "set-size 1G: memory35 plugged again, the kernel's mode"
kill9_fs
start_fs_netns "${OPTS[@]}"
tap_ok $? "restart after kill -9"
is "$(stat -c %a "$M/memory35/state" 2>&1)" 644 "... memory35/state still 644"
stop_fs

# A firmware/memmap/N entry's chmod follows its entry, not its number:
# the kernel numbers entries by a counter at add (add_sysfs_fw_map_entry()),
# a restart numbers those back by their order, and d2's entry, 5 before,
# may come back as 4 while 5 is d3's (review2 #7: d3's type got d2's 600)
FW=$MNT/sys/firmware/memmap
# fw_of ID: the N of device ID's firmware map entry (its start is the device's addr)
fw_of() {
	local a
	a=$(ctl --json status | python3 -c 'import json,sys; print([d["addr"] for d in json.load(sys.stdin)["devices"] if d["id"] == sys.argv[1]][0])' "$1")
	for d in "$FW"/*; do
		[ "$(cat "$d/start")" = "$(printf 0x%x "$a")" ] && { basename "$d"; return; }
	done
}
start_fs_netns "${STATE_OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m with a fresh state file"
ctl device_add pc-dimm id=d1 size=128M >/dev/null && ctl device_add pc-dimm id=d2 size=128M >/dev/null &&
	ctl device_del d1 >/dev/null && ctl device_add pc-dimm id=d3 size=128M >/dev/null
tap_ok $? "DIMMs d1 and d2, d1 out, d3 in"
n2=$(fw_of d2) n3=$(fw_of d3)
diag "d2 is memmap/$n2, d3 memmap/$n3"
chmod 600 "$FW/$n2/type" && chown 7:7 "$FW/$n3"
tap_ok $? "chmod 600 memmap/$n2/type (d2's), chown 7:7 memmap/$n3 (d3's)"
kill9_fs
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "restart after kill -9"
m2=$(fw_of d2) m3=$(fw_of d3)
diag "d2 is memmap/$m2, d3 memmap/$m3 now"
is "$(stat -c '%a %u:%g' "$FW/$m2/type" "$FW/$m3" "$FW/$m3/type" "$FW/$m2" | tr '\n' ' ')" \
	"600 0:0 755 7:7 444 0:0 755 0:0 " "... d2's type is 600, d3's entry 7:7, nothing else moved with a number"
chmod 640 "$FW/$m2/type" && chmod 700 "$FW/$m3"
tap_ok $? "chmod 640 d2's type, 700 d3's entry (journal records of the new numbers)"
kill9_fs
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "restart after kill -9"
m2=$(fw_of d2) m3=$(fw_of d3)
is "$(stat -c '%a %u:%g' "$FW/$m2/type" "$FW/$m3" "$FW/$m3/type" "$FW/$m2" | tr '\n' ' ')" \
	"640 0:0 700 7:7 444 0:0 755 0:0 " "... the later values, each on its entry"
echo online_movable >"$M/auto_online_blocks"
tap_ok $? "hotmemfs takes the next change"
stop_fs

# a chmod whose save fails is refused with its errno and undone
state_on_small_tmpfs hotmem-iattr
start_state_fs 128M
fill_sd
for ((n = 0; n < 200; n++)); do
	r=$(en "os.chmod('$A', 0o$((n % 2 ? 600 : 640)))")
	[ "$r" = ok ] || break
done
is "$r" ENOSPC "a chmod is refused with the save's errno (after $n acknowledged)"
is "$(stat -c %a "$A")" "$((n % 2 ? 640 : 600))" "... and undone: the mode of the last acknowledged chmod"
kill9_fs
rm -f "$SD/fill" "$SD/fill2"
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "restart after kill -9"
is "$(stat -c %a "$A")" "$((n % 2 ? 640 : 600))" "... the file's machine: the last acknowledged mode"
done_testing
