#!/bin/bash
# hotmemd under real systemd: a debootstrapped Debian (built once, cached in
# tests/systemd/cache/) booted with systemd-nspawn -b, units installed with
# `make install DESTDIR=`, a sysroot bound in (hotmemfs when built, else a
# fake one of plain files).  Checks: is-active, STATUS= reaches systemd,
# structured journal fields, kill -9 -> Restart= brings it back and blocks
# plugged meanwhile go online, reload, clean poweroff.
. "$(dirname "$0")/../daemon/lib.sh"
need_hotmemd
[ "$(id -u)" = 0 ] || skip_all "needs root for systemd-nspawn"
command -v systemd-nspawn >/dev/null || skip_all "systemd-nspawn missing (apt-get install systemd-container)"
command -v debootstrap >/dev/null || skip_all "debootstrap missing"
command -v nsenter >/dev/null || skip_all "nsenter missing"
[ -z "${SANITIZE:-}" ] || skip_all "runs on the plain build only (the container has no libasan)"

cache=$HOTMEM_SRC/tests/systemd/cache
rootfs=$cache/rootfs
mkdir -p "$cache"
# --- the cached Debian -------------------------------------------------------
build_rootfs() {
	local mirror
	mirror=$(sed -n 's/^URIs: *\([^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
	[ -n "$mirror" ] || mirror=$(awk '/^deb / && $2 ~ /debian$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
	[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
	rm -rf "$rootfs.tmp"
	debootstrap --variant=minbase --include=systemd,dbus,systemd-sysv,libinih1 \
		bookworm "$rootfs.tmp" "$mirror" >"$cache/debootstrap.log" 2>&1 &&
		mv "$rootfs.tmp" "$rootfs"
}
exec 9>"$cache/.lock"
flock 9
if [ ! -x "$rootfs/lib/systemd/systemd" ]; then
	echo "# building the cached Debian rootfs (once; about 40 s)"
	build_rootfs || { tail -5 "$cache/debootstrap.log" | sed 's/^/# /'; skip_all "debootstrap failed (no Debian mirror?)"; }
fi

# --- install into it ---------------------------------------------------------
if make -C "$HOTMEM_SRC" --no-print-directory -s install DESTDIR="$rootfs" >"$TMP/install.log" 2>&1; then
	ok "make install DESTDIR=<rootfs>"
else
	nok "make install DESTDIR=<rootfs>"
	sed 's/^/# /' "$TMP/install.log" | tail -5
	install -D -m 0755 "$HOTMEMD" "$rootfs/usr/local/bin/hotmemd"
	install -D -m 0644 "$HOTMEM_SRC/unit-files/hotmemd.service" \
		"$rootfs/usr/local/lib/systemd/system/hotmemd.service"
fi
sysd=$rootfs/etc/systemd/system
mkdir -p "$sysd/multi-user.target.wants" "$sysd/hotmemd.service.d"
ln -sfn /usr/local/lib/systemd/system/hotmemd.service "$sysd/multi-user.target.wants/hotmemd.service"
rm -rf "$rootfs/var/log/journal"/* 2>/dev/null

FS=$HOTMEM_BUILD/hotmemfs
CTL=$HOTMEM_BUILD/hotmemctl
uev=$TMP/uevent		# the uevent socket's directory, shared
mkdir -p "$uev"
use_fs=
if [ -z "${HOTMEMD_TEST_FAKE_SYSROOT:-}" ] && [ -x "$FS" ] && [ -x "$CTL" ] && [ -e /dev/fuse ]; then
	mkdir -p "$TMP/hmfs"
	"$FS" -s "$TMP/ctl.sock" -S none -u "$uev/uevent.sock" "$TMP/hmfs" 2>"$TMP/fs.log" &
	_pids+=($!)
	if wait_for 10 test -e "$TMP/hmfs/sys/devices/system/memory/block_size_bytes"; then
		use_fs=1
		sysroot=$TMP/hmfs
	fi
fi
if [ -z "$use_fs" ]; then
	echo "# SKIP hotmemfs part: hotmemfs not built yet (or not mountable); using a fake sysroot"
	sysroot=$TMP/sysroot
	mk_sysroot "$sysroot"
	mk_blocks "$sysroot" 0 7 online Normal
	zone_add "$sysroot" 0 Normal 262144
	mk_blocks "$sysroot" 8 11 offline "Normal Movable"
fi
cat >"$sysd/hotmemd.service.d/test.conf" <<CONF
[Unit]
ConditionPathIsDirectory=
[Service]
ExecStart=
ExecStart=/usr/local/bin/hotmemd --sysroot=/srv/sysroot --uevent-socket=/srv/uevent/uevent.sock --netlink=no
ReadWritePaths=/srv/sysroot /srv/uevent
WatchdogSec=3s
CONF

plug() { # plug FIRST LAST: hot-add blocks (DIMMs on hotmemfs, files + uevents on the fake)
	local i
	for ((i = $1; i <= $2; i++)); do
		if [ -n "$use_fs" ]; then
			"$CTL" -s "$TMP/ctl.sock" device_add pc-dimm size=128M id="d$i" >/dev/null || return 1
		else
			mk_block "$sysroot" $((100 + i)) offline "Normal Movable"
			"$UEVENT_SEND" --unix "$uev/uevent.sock" add $((100 + i)) 2>/dev/null
		fi
	done
	return 0
}
no_offline() { [ "$(offline_count)" = 0 ]; }
offline_count() { grep -l '^offline' "$sysroot"/sys/devices/system/memory/memory*/state 2>/dev/null | wc -l; }

# --- boot ---------------------------------------------------------------------
t0=$(date +%s.%N)
systemd-nspawn --register=no --keep-unit -q -D "$rootfs" \
	--bind="$sysroot":/srv/sysroot --bind="$uev":/srv/uevent \
	-b --console=pipe >"$TMP/console.log" 2>&1 </dev/null &
nspawn=$!
_pids+=("$nspawn")
leader=
wait_for 20 bash -c "ps --ppid $nspawn -o pid= | grep -q ." && leader=$(ps --ppid "$nspawn" -o pid= | head -1 | tr -d ' ')
[ -n "$leader" ] || { tail -20 "$TMP/console.log" | sed 's/^/# /'; nok "container booted"; done_testing; }
in_ct() { nsenter -t "$leader" -a "$@"; }
active() { [ "$(in_ct systemctl is-active hotmemd.service 2>/dev/null)" = active ]; }
check "container booted, hotmemd.service active (systemctl is-active)" wait_for 30 active
echo "# boot to active: $(echo "$(date +%s.%N) - $t0" | bc 2>/dev/null || echo '?') s"
in_ct systemctl --no-pager status hotmemd.service 2>&1 | head -12 | sed 's/^/# /'

check "coldplug put every block online" wait_for 10 no_offline
status=$(in_ct systemctl show -p StatusText --value hotmemd.service)
echo "# StatusText: $status"
check "STATUS= reached systemd" grep -qE '^[0-9]+ blocks online, [0-9]+ movable, 0 failed' <<<"$status"
check "plug 4 blocks" plug 1 4
check "... they go online" wait_for 10 no_offline
has_fields() {
	local json
	json=$(in_ct journalctl -u hotmemd.service -o json --no-pager \
		MESSAGE_ID=1fb1aa1c0c5646be95c18410f99485e0 2>/dev/null | tail -1)
	grep -q '"HOTMEM_BLOCK":"memory[0-9]*"' <<<"$json" &&
		grep -q '"HOTMEM_ZONE":"Movable"' <<<"$json" &&
		grep -q '"HOTMEM_POLICY":"auto-movable"' <<<"$json"
}
check "journal: structured fields (MESSAGE_ID, HOTMEM_BLOCK, HOTMEM_ZONE, HOTMEM_POLICY)" \
	wait_for 10 has_fields
in_ct journalctl -u hotmemd.service --no-pager -o cat 2>/dev/null | tail -3 | sed 's/^/# journal: /'

pid1=$(in_ct systemctl show -p MainPID --value hotmemd.service)
in_ct /bin/sh -c "kill -9 $pid1"	# the shell builtin: minbase has no procps
plug 5 8 >/dev/null		# while it is down: these uevents may be lost
back() { local p; p=$(in_ct systemctl show -p MainPID --value hotmemd.service); [ "$p" != 0 ] && [ "$p" != "$pid1" ] && active; }
check "kill -9: Restart= brings hotmemd back" wait_for 20 back
is "$(in_ct systemctl show -p NRestarts --value hotmemd.service)" 1 "NRestarts=1"
check "blocks plugged meanwhile end up online" wait_for 10 no_offline

in_ct systemctl reload hotmemd.service
check "systemctl reload: configuration reloaded, still active" \
	wait_for 10 bash -c "nsenter -t $leader -a journalctl -u hotmemd.service --no-pager | grep -q 'configuration reloaded'"
sleep 3.5	# > WatchdogSec=3s: a missing WATCHDOG=1 would kill it
check "watchdog kept happy (still active after WatchdogSec)" active
is "$(in_ct systemctl show -p NRestarts --value hotmemd.service)" 1 "no watchdog restarts"
check "no failed units in the container" bash -c "[ -z \"\$(nsenter -t $leader -a systemctl --failed --no-legend --plain 2>/dev/null | grep hotmemd)\" ]"

in_ct systemctl poweroff --no-block >/dev/null 2>&1
for ((i = 0; i < 100; i++)); do kill -0 "$nspawn" 2>/dev/null || break; sleep 0.1; done
check "container powered off" bash -c "! kill -0 $nspawn 2>/dev/null"
done_testing
